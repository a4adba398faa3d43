package core

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/baas-oss/baas"
)

// A card payment that must record more than a card payment does (money send, moneysend.go)
// still goes through Authorize: the one authorization path, with its checks, the tenant's
// URL, its record and events. What it adds is generic (paymentExtra): the kind,
// description and metadata of a purchase's transfer, a hook run inside the payment's
// transaction once the payment is approved (as giftcardUpdated is), and an
// Idempotency-Key whose record is written in that same transaction. Such a payment is
// not batched: it goes through cardPaymentsTx's body as a batch of one, inside
// idempotent's transaction, so that a replay answers the first result and a key reused
// with another body conflicts, as for any other request.

// paymentExtra is what else a payment's transaction does.
type paymentExtra struct {
	// transfer, when set, is the transfer of an approved purchase (its kind, description,
	// merchant and metadata; its legs are the purchase's), instead of captureSpec.
	transfer func(t *baas.CardTransaction) transferSpec
	// inTx runs in the payment's transaction once it is approved and its money, record
	// and events are written; acct is the card's account as the payment left it. Its
	// result is the payment's (and the idempotency record's); an error rolls all back.
	inTx func(ctx context.Context, tx baas.Tx, t *baas.CardTransaction, acct *baas.Account, now time.Time) (any, error)
	idem Idempotency

	result any             // set by the transaction: what inTx returned
	replay json.RawMessage // set instead when idem.Key was answered by its record
}

// errStalePayment rolls back the transaction of a payment with extras decided under
// authorization settings that have changed (authorizeCard decides it again).
var errStalePayment = errors.New("the tenant's authorization settings changed")

// extraPaymentTx makes pay, which has extras, in one transaction with its idempotency
// record: approved, declined (pay.declined, nothing written) or stale (pay.stale), or
// answered by the record of its key (pay.extra.replay).
func (s *Service) extraPaymentTx(ctx context.Context, pay *cardPayment) error {
	x := pay.extra
	raw, replayed, err := idempotent(ctx, s, x.idem, func(ctx context.Context, tx baas.Tx, now time.Time) (json.RawMessage, error) {
		if err := s.cardPaymentsIn(ctx, tx, []*cardPayment{pay}, now); err != nil {
			return nil, err
		}
		switch {
		case pay.stale:
			return nil, errStalePayment
		case pay.declined != nil: // nothing to record with the key: only successes are
			return nil, pay.declined
		}
		return json.Marshal(x.result)
	})
	var d *declined
	switch {
	case replayed:
		x.replay = raw
	case errors.Is(err, errStalePayment), errors.As(err, &d): // pay says which
		return nil
	}
	return err
}

// authorizeOnce is Authorize for a payment p with extras x, whose hook (x.inTx) is inTx.
// The tenant in ctx is the payment's. With an Idempotency-Key, a live record of it
// answers before anything else (replayed: nothing is asked, checked or recorded again)
// and, written with the payment, answers every later request with the key; t is then
// nil. Otherwise t is the recorded transaction, approved with res what inTx returned,
// or declined.
func authorizeOnce[T any](ctx context.Context, s *Service, p AuthorizeParams, x *paymentExtra,
	inTx func(ctx context.Context, tx baas.Tx, t *baas.CardTransaction, acct *baas.Account, now time.Time) (T, error),
) (t *baas.CardTransaction, res T, replayed bool, err error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, res, false, err
	}
	if x.idem.Key != "" {
		raw, ok, err := s.recordedResult(ctx, tenantID, x.idem)
		if err != nil || ok {
			if err == nil {
				err = json.Unmarshal(raw, &res)
			}
			return nil, res, err == nil, err
		}
	}
	x.inTx = func(ctx context.Context, tx baas.Tx, t *baas.CardTransaction, acct *baas.Account, now time.Time) (any, error) {
		return inTx(ctx, tx, t, acct, now)
	}
	p.TenantID, p.extra = tenantID, x
	t, err = s.Authorize(ctx, p)
	switch {
	case err != nil:
		return nil, res, false, err
	case x.replay != nil:
		err = json.Unmarshal(x.replay, &res)
		return nil, res, err == nil, err
	case t.Status == baas.CardTxnApproved:
		res, _ = x.result.(T)
	}
	return t, res, false, nil
}
