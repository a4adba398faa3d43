package core

import (
	"context"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/vault"
)

// A card is valid through the last day of the month printed on it. From the first day of
// the next month it is expired: every action on it is judged as on an expired card
// (expireIfDue, run on each card an action locks), and the sweep (ExpireCards) records
// the card.expired event of the cards nobody touched.

// expireIfDue moves c to expired, writing card.expired, when its expiry month has ended
// and its state allows the move. An action refused after it rolls it back with the rest of
// its transaction; the sweep records it then.
func expireIfDue(ctx context.Context, tx baas.Tx, c *baas.Card, now time.Time) error {
	if !vault.Expired(c.ExpMonth, c.ExpYear, now) {
		return nil
	}
	if _, ok := baas.NextCardStatus(c.Status, baas.CardExpire); !ok {
		return nil
	}
	return transition(ctx, tx, c, baas.CardExpire, now)
}

// expirableStatuses are the states the expire action moves a card from.
func expirableStatuses() []baas.CardStatus {
	var out []baas.CardStatus
	for _, t := range baas.CardTransitions() {
		if t.Action == baas.CardExpire {
			out = append(out, t.From)
		}
	}
	return out
}

// expirySweepBatch is how many expired cards one pass of the sweep reads at a time.
const expirySweepBatch = 100

// ExpireCards moves every card of every tenant whose expiry month has ended, and that is
// not yet in a final or expired state, to expired, each in its own transaction with its
// card.expired event. It returns how many it moved.
func (s *Service) ExpireCards(ctx context.Context) (int, error) {
	n, after := 0, ""
	for {
		due, err := s.store.Read().ListCards(ctx, baas.CardFilter{Statuses: expirableStatuses(), ExpiredBy: s.now(),
			AfterID: after, Limit: expirySweepBatch})
		if err != nil {
			return n, err
		}
		for _, c := range due {
			moved := false
			err := s.store.InTx(ctx, func(tx baas.Tx) error {
				moved = false
				c, err := tx.LockCard(ctx, "", c.ID)
				if err != nil {
					return err
				}
				from := c.Status
				if err := expireIfDue(ctx, tx, c, s.now()); err != nil {
					return err
				}
				moved = c.Status != from
				return nil
			})
			if err != nil {
				return n, err
			}
			if moved {
				n++
			}
			after = c.ID
		}
		if len(due) < expirySweepBatch {
			return n, nil
		}
	}
}
