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
