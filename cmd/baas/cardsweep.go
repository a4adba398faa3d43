package main

import (
	"context"
	"time"
)

// cardSweepInterval is how often the server releases the holds of card authorizations
// whose expiry has come (BAAS_CARD_AUTHORIZATION_TTL after approval, 7 days by default).
const cardSweepInterval = time.Minute

// cardSweeper runs the card authorization expiry until ctx ends. Settling an
// authorization and listing a card's transactions expire what they touch themselves; the
// sweep releases the rest, with their card.reversal events.
func (m *Main) cardSweeper(ctx context.Context) {
	m.sweep(ctx, cardSweepInterval, "card authorizations expired", func(ctx context.Context) (int, error) {
		return m.core.ExpireCardAuthorizations(ctx, "")
	})
}

// cardExpiryInterval is how often the server moves the cards whose expiry month has ended
// to expired.
const cardExpiryInterval = time.Minute

// cardExpirySweeper records the expiry of cards nobody touched until ctx ends (an action
// on a card judges it expired by itself), with their card.expired events.
func (m *Main) cardExpirySweeper(ctx context.Context) {
	m.sweep(ctx, cardExpiryInterval, "cards expired", m.core.ExpireCards)
}

// sweep runs fn every interval until ctx ends, logging what it did (done, with the count)
// or its error.
func (m *Main) sweep(ctx context.Context, interval time.Duration, done string, fn func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := fn(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn(done, "err", err)
		} else if n > 0 {
			m.log.Info(done, "count", n)
		}
	}
}
