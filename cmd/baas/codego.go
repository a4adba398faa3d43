package main

import (
	"context"
	"time"
)

// kycSweepInterval is how often the server verifies the sandbox KYC documents whose
// automatic verification is due.
const kycSweepInterval = 5 * time.Second

// kycSweeper runs the sandbox's automatic KYC verification until ctx ends. Reads of a
// customer's KYC status verify that customer's due documents themselves; the sweep makes
// the kyc.verified events (and so the webhooks) happen without anyone asking.
func (m *Main) kycSweeper(ctx context.Context) {
	m.sweep(ctx, kycSweepInterval, "sandbox KYC documents auto-verified", m.core.AutoVerifyKYC) // cardsweep.go
}

// cardExpiryInterval is how often the server moves the cards whose expiry month has ended
// to expired.
const cardExpiryInterval = time.Minute

// cardExpirySweeper records the expiry of cards nobody touched (an action on a card judges
// it expired by itself) until ctx ends, once at start and then every cardExpiryInterval.
func (m *Main) cardExpirySweeper(ctx context.Context) {
	t := time.NewTicker(cardExpiryInterval)
	defer t.Stop()
	for {
		if n, err := m.core.ExpireCards(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("card expiry", "err", err)
		} else if n > 0 {
			m.log.Info("cards expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
