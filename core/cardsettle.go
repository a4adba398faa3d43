package core

import (
	"context"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
)

// What follows an authorization: captures (the hold becomes a transfer to the network
// settlement account; partial and several), reversals (the hold is released; after
// capture, the money comes back), refunds (money back after capture) and expiry (an
// uncaptured hold released after Config.CardAuthorizationTTL). Each runs in one
// transaction with its record, the original's totals and its event. Never more is
// captured than authorized, nor refunded than captured.

// SettleParams are the inputs of SettleCardTransaction.
type SettleParams struct {
	TenantID   string // the tenant acting; "" for the operator
	CardID     string // when set, the original must be this card's
	Type       string // baas.CardTxnCapture, baas.CardTxnReversal or baas.CardTxnRefund
	OriginalID string // the authorization or purchase
	Amount     int64  // minor units; 0 is all that is left (to capture, release or give back)
}

// Errors of the settlement, each an EConflict that changes nothing.
func errExceeds(reason, msg string) error { return baas.Reasonf(baas.EConflict, reason, "%s", msg) }

// SettleCardTransaction captures, reverses or refunds (p.Type) an approved authorization
// or purchase and returns the new record. Errors: EInvalid for a bad type or amount,
// ENotFound CARD_TRANSACTION_NOT_FOUND for an unknown or foreign original, EConflict
// CAPTURE_EXCEEDS_AUTHORIZATION (more than is left of the authorization, or nothing),
// REFUND_EXCEEDS_CAPTURE (more than captured and not yet given back), NOTHING_TO_REVERSE,
// NOT_SETTLEABLE (a declined attempt or not an authorization or purchase).
func (s *Service) SettleCardTransaction(ctx context.Context, p SettleParams) (*baas.CardTransaction, error) {
	switch p.Type {
	case baas.CardTxnCapture, baas.CardTxnReversal, baas.CardTxnRefund:
	default:
		return nil, baas.Invalid("type must be capture, reversal or refund")
	}
	if p.Amount < 0 || p.Amount > ledger.MaxAmount {
		return nil, baas.InvalidFields(baas.FieldError{Field: "amount", Reason: "out_of_range",
			Message: "amount must be a positive number of minor units"})
	}
	if !ValidCardID(p.OriginalID) {
		return nil, errCardTxnNotFound()
	}
	// An authorization due for expiry expires first, in its own transaction: the sweep's
	// work, done now, so that what follows sees it released.
	if err := s.expireIfDue(ctx, p.TenantID, p.OriginalID); err != nil && err != errSkip && !baas.IsCode(err, baas.ENotFound) {
		return nil, err
	}
	id, err := newCardTxnID()
	if err != nil {
		return nil, err
	}
	if err := s.ensureSettlementAccount(ctx, p.TenantID, p.OriginalID); err != nil {
		return nil, err
	}
	var child *baas.CardTransaction
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		o, err := tx.LockCardTransaction(ctx, p.TenantID, p.OriginalID)
		if baas.IsCode(err, baas.ENotFound) || err == nil && p.CardID != "" && o.CardID != p.CardID {
			return errCardTxnNotFound()
		}
		if err != nil {
			return err
		}
		if o.Status != baas.CardTxnApproved || (o.Type != baas.CardTxnAuthorization && o.Type != baas.CardTxnPurchase) {
			return errExceeds("NOT_SETTLEABLE", "only an approved authorization or purchase can be "+pastOf(p.Type))
		}
		child = &baas.CardTransaction{ID: id, TenantID: o.TenantID, CardID: o.CardID, CustomerID: o.CustomerID,
			AccountID: o.AccountID, Type: p.Type, Status: baas.CardTxnApproved, State: baas.CardTxnCompleted,
			Reason: ReasonApproved, Currency: o.Currency, MerchantName: o.MerchantName, MerchantCity: o.MerchantCity,
			MerchantCountry: o.MerchantCountry, MCC: o.MCC, EntryMode: o.EntryMode, OriginalID: o.ID, CreatedAt: now,
			UpdatedAt: now}
		evt, err := s.settle(ctx, tx, o, child, p.Amount, now)
		if err != nil {
			return err
		}
		return s.writeSettlement(ctx, tx, o, child, evt, now)
	})
	if err != nil {
		return nil, err
	}
	return child, nil
}

func pastOf(typ string) string {
	switch typ {
	case baas.CardTxnCapture:
		return "captured"
	case baas.CardTxnReversal:
		return "reversed"
	}
	return "refunded"
}

// settle moves the money of child (a capture, reversal or refund of o) in tx and updates
// o's totals and state; it returns the event type.
func (s *Service) settle(ctx context.Context, tx baas.Tx, o, child *baas.CardTransaction, amount int64, now time.Time) (string, error) {
	left := o.Authorized - o.Captured - o.Reversed // what the hold still reserves
	if !o.Open() {
		left = 0
	}
	back := o.Captured - o.Refunded // what may still be given back
	switch {
	case child.Type == baas.CardTxnCapture:
		if amount == 0 {
			amount = left
		}
		if left == 0 || amount > left {
			return "", errExceeds("CAPTURE_EXCEEDS_AUTHORIZATION", "the capture is larger than what is left of the authorization")
		}
		// Lock both accounts in the global order (descending id) before the hold changes.
		network, err := s.networkAccount(ctx, tx, o.TenantID, o.Currency, now)
		if err != nil {
			return "", err
		}
		for _, id := range []int64{max(o.AccountID, network.ID), min(o.AccountID, network.ID)} {
			if _, err := tx.AddToBalance(ctx, id, 0); err != nil {
				return "", err
			}
		}
		captured := o.HoldID // the hold the capture ends
		if err := s.shrinkHold(ctx, tx, o, left, amount, now); err != nil {
			return "", err
		}
		if err := tx.UpdateHoldStatus(ctx, captured, baas.HoldCaptured, now); err != nil {
			return "", err
		}
		res, err := s.toNetwork(ctx, tx, child, amount, now)
		if err != nil {
			return "", err
		}
		child.TransferID = res.Transfer.ID
		o.Captured += amount
		child.Amount = amount
		return EventCardCapture, nil
	case child.Type == baas.CardTxnReversal && o.Open():
		if amount == 0 {
			amount = left
		}
		if amount > left {
			return "", errExceeds("NOTHING_TO_REVERSE", "the reversal is larger than what the authorization holds")
		}
		if err := s.shrinkHold(ctx, tx, o, left, amount, now); err != nil {
			return "", err
		}
		o.Reversed += amount
		child.Amount = amount
		return EventCardReversal, nil
	default: // a refund, or the reversal of what was captured: the money comes back
		if amount == 0 {
			amount = back
		}
		if back == 0 || amount > back {
			if child.Type == baas.CardTxnReversal {
				return "", errExceeds("NOTHING_TO_REVERSE", "there is nothing left to reverse")
			}
			return "", errExceeds("REFUND_EXCEEDS_CAPTURE", "the refund is larger than what was captured and not yet given back")
		}
		res, err := s.fromNetwork(ctx, tx, o, amount, now)
		if err != nil {
			return "", err
		}
		child.TransferID = res.Transfer.ID
		o.Refunded += amount
		child.Amount = amount
		if child.Type == baas.CardTxnReversal {
			return EventCardReversal, nil
		}
		return EventCardRefund, nil
	}
}

// shrinkHold takes amount off o's hold, which reserves left: the hold is released and,
// when something remains, a new hold of the rest takes its place (o.HoldID follows).
func (s *Service) shrinkHold(ctx context.Context, tx baas.Tx, o *baas.CardTransaction, left, amount int64, now time.Time) error {
	if _, _, err := releaseHold(ctx, tx, o.TenantID, now, o.HoldID); err != nil {
		return err
	}
	o.HoldID = 0
	if rest := left - amount; rest > 0 {
		h, err := placeHold(ctx, tx, o.TenantID, now, HoldParams{AccountID: o.AccountID, Amount: rest, Reference: o.ID})
		if err != nil {
			return err
		}
		o.HoldID = h.ID
	}
	return nil
}

// stateOf is an authorization's or purchase's state from its totals.
func stateOf(o *baas.CardTransaction, expired bool) string {
	switch {
	case o.Open() && o.Captured == 0:
		return baas.CardTxnPending
	case o.Open():
		return baas.CardTxnPartiallyCaptured
	case o.Captured == 0 && expired:
		return baas.CardTxnExpired
	case o.Captured == 0:
		return baas.CardTxnReversed
	case o.Refunded == o.Captured:
		return baas.CardTxnRefunded
	case o.Refunded > 0:
		return baas.CardTxnPartiallyRefunded
	}
	return baas.CardTxnCaptured
}

// writeSettlement stores o's new totals and the child record, and writes the event.
func (s *Service) writeSettlement(ctx context.Context, tx baas.Tx, o, child *baas.CardTransaction, evt string, now time.Time) error {
	o.State, o.UpdatedAt = stateOf(o, child.Type == baas.CardTxnExpiry), now
	if err := tx.UpdateCardTransaction(ctx, o); err != nil {
		return err
	}
	if err := tx.InsertCardTransaction(ctx, child); err != nil {
		return err
	}
	card, err := tx.GetCard(ctx, o.TenantID, o.CardID)
	if err != nil {
		return err
	}
	payload := cardTxnPayload(child, card)
	payload.Original = map[string]any{"transaction_id": o.ID, "type": o.Type, "state": o.State,
		"authorized_amount": o.Authorized, "captured_amount": o.Captured, "reversed_amount": o.Reversed,
		"refunded_amount": o.Refunded}
	if err := event(ctx, tx, o.TenantID, evt, child.ID, now, payload); err != nil {
		return err
	}
	return s.giftcardUpdated(ctx, tx, card, now) // giftcard.go: a gift card's balance webhook
}

// expireOne releases what o's hold still reserves (o is locked in tx), recording an
// expiry with a card.reversal event.
func (s *Service) expireOne(ctx context.Context, tx baas.Tx, o *baas.CardTransaction, now time.Time) error {
	left := o.Authorized - o.Captured - o.Reversed
	if err := s.shrinkHold(ctx, tx, o, left, left, now); err != nil {
		return err
	}
	o.Reversed += left
	id, err := newCardTxnID()
	if err != nil {
		return err
	}
	child := &baas.CardTransaction{ID: id, TenantID: o.TenantID, CardID: o.CardID, CustomerID: o.CustomerID,
		AccountID: o.AccountID, Type: baas.CardTxnExpiry, Status: baas.CardTxnApproved, State: baas.CardTxnCompleted,
		Reason: "expired", Amount: left, Currency: o.Currency, MerchantName: o.MerchantName, MerchantCity: o.MerchantCity,
		MerchantCountry: o.MerchantCountry, MCC: o.MCC, EntryMode: o.EntryMode, OriginalID: o.ID, CreatedAt: now,
		UpdatedAt: now}
	return s.writeSettlement(ctx, tx, o, child, EventCardReversal, now)
}

// expireBatch is how many authorizations one sweep reads at a time.
const expireBatch = 200

// ExpireCardAuthorizations releases the holds of every authorization whose expiry
// (Config.CardAuthorizationTTL after it was approved) has come, of one card ("" for all),
// each in its own transaction, and returns how many it released. The server runs it in
// its background loop; listing a card's transactions and settling an authorization run it
// for what they touch.
func (s *Service) ExpireCardAuthorizations(ctx context.Context, cardID string) (int, error) {
	n := 0
	for {
		now := s.now()
		due, err := s.store.Read().ListCardTransactions(ctx, baas.CardTxnFilter{CardID: cardID, ExpiresBefore: now,
			Limit: expireBatch})
		if err != nil {
			return n, err
		}
		for _, d := range due {
			switch err := s.expireIfDue(ctx, d.TenantID, d.ID); {
			case err == errSkip:
			case err != nil:
				return n, err
			default:
				n++
			}
		}
		if len(due) < expireBatch {
			return n, nil
		}
	}
}

// expireIfDue expires the authorization id of the tenant ("" for any) when its time has
// come, in a transaction of its own; errSkip when it is not due or not open.
func (s *Service) expireIfDue(ctx context.Context, tenantID, id string) error {
	return s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		o, err := tx.LockCardTransaction(ctx, tenantID, id)
		if err != nil {
			return err
		}
		if !o.Open() || o.ExpiresAt.After(now) {
			return errSkip
		}
		return s.expireOne(ctx, tx, o, now)
	})
}

// errSkip rolls back a transaction that found nothing to do.
var errSkip = baas.Errorf(baas.EConflict, "nothing to do")

// CardTransactions lists a card's transactions, newest first, after releasing its expired
// authorizations. Unknown or foreign cards are CARD_NOT_FOUND.
func (s *Service) CardTransactions(ctx context.Context, tenantID, cardID, beforeID string, limit int) ([]*CardTxnInfo, error) {
	if _, err := s.readCard(ctx, tenantID, cardID); err != nil {
		return nil, err
	}
	if _, err := s.ExpireCardAuthorizations(ctx, cardID); err != nil {
		return nil, err
	}
	list, err := s.store.Read().ListCardTransactions(ctx, baas.CardTxnFilter{TenantID: tenantID, CardID: cardID,
		BeforeID: beforeID, Limit: Pages.limit(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]*CardTxnInfo, len(list))
	for i, t := range list {
		out[i] = cardTxnInfo(t)
	}
	return out, nil
}

// GetCardTransaction returns one card transaction of the tenant ("" for the operator).
func (s *Service) GetCardTransaction(ctx context.Context, tenantID, id string) (*CardTxnInfo, error) {
	if !ValidCardID(id) {
		return nil, errCardTxnNotFound()
	}
	t, err := s.store.Read().GetCardTransaction(ctx, tenantID, id)
	if baas.IsCode(err, baas.ENotFound) {
		return nil, errCardTxnNotFound()
	}
	if err != nil {
		return nil, err
	}
	return cardTxnInfo(t), nil
}

// ensureSettlementAccount makes sure the network settlement account of the original's
// tenant and currency exists before the settlement's transaction (ensureNetworkAccount).
// An unknown original is left to the transaction to report.
func (s *Service) ensureSettlementAccount(ctx context.Context, tenantID, originalID string) error {
	o, err := s.store.Read().GetCardTransaction(ctx, tenantID, originalID)
	if baas.IsCode(err, baas.ENotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.ensureNetworkAccount(ctx, o.TenantID, o.Currency)
}
