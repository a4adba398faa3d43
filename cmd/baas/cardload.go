package main

import (
	"context"
	"strconv"
	"time"
)

// DefaultCardLoadDelay is how long the server leaves a prepaid card load pending before
// settling it (BAAS_CARD_LOAD_DELAY): long enough for a client to see the asynchronous
// answer the spec describes, short enough for a sandbox.
const DefaultCardLoadDelay = 3 * time.Second

// DefaultGiftcardDetailsDelay is how long after its issue a gift card's details become
// available (BAAS_GIFTCARD_DETAILS_DELAY): the spec's "After 1 minute you will get
// details of card".
const DefaultGiftcardDetailsDelay = time.Minute

// cardLoadSweepInterval is how often the server settles the card loads that are due.
const cardLoadSweepInterval = time.Second

// parseDelay reads a duration ("3s", "500ms") or a whole number of seconds ("3").
func parseDelay(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(v)
}

// cardLoadSweeper settles the prepaid card loads whose delay is over until ctx ends;
// each settlement writes the event the Load Card webhook delivers.
func (m *Main) cardLoadSweeper(ctx context.Context) {
	m.sweep(ctx, cardLoadSweepInterval, "card loads settled", m.core.SettleDueCardLoads) // cardsweep.go
}
