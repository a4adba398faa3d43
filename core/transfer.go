package core

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
)

// transferSpec describes a movement of money before it is posted.
type transferSpec struct {
	Kind        string
	Description string
	Merchant    string
	Metadata    any
	Legs        []ledger.Leg
}

// posted is a transfer written to the ledger with the accounts it touched, as they are
// after it.
type posted struct {
	Transfer *baas.Transfer
	Accounts map[int64]*baas.Account
}

// post is the one place where balances change: it writes the transfer and applies its legs
// (applyTransfer), all in tx.
func post(ctx context.Context, tx baas.Tx, tenantID string, now time.Time, spec transferSpec) (*posted, error) {
	t, err := openTransfer(ctx, tx, tenantID, now, spec)
	if err != nil {
		return nil, err
	}
	return applyTransfer(ctx, tx, t, spec.Legs, nil)
}

// openTransfer writes a transfer without its postings. Writing it before any account is
// locked keeps row locks short: on PostgreSQL the lock on a busy account (a merchant, the
// master account) is then held only for the balance update, the postings and the commit.
func openTransfer(ctx context.Context, tx baas.Tx, tenantID string, now time.Time, spec transferSpec) (*baas.Transfer, error) {
	t, err := newTransfer(tenantID, now, spec)
	if err != nil {
		return nil, err
	}
	return t, tx.InsertTransfer(ctx, t)
}

// newTransfer is the transfer spec describes, not yet inserted.
func newTransfer(tenantID string, now time.Time, spec transferSpec) (*baas.Transfer, error) {
	t := &baas.Transfer{TenantID: tenantID, Kind: spec.Kind, Description: spec.Description, Merchant: spec.Merchant, CreatedAt: now}
	if spec.Metadata != nil {
		var err error
		if t.Metadata, err = json.Marshal(spec.Metadata); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// laterCredit names an account that a transfer may credit last, at the commit
// (Tx.CreditLater), provided the account is in this currency and this status.
type laterCredit struct {
	AccountID int64
	Currency  string
	Status    string
	// AnyOrder lets the credit go with the commit wherever the account stands in the lock
	// order: for a settlement account that nearly every transfer of a kind credits and
	// few debit (the card network's), a wait on it would queue them all, and the rare
	// deadlock with a debit of it is the database's to break (InTx retries).
	AnyOrder bool
}

// applyTransfer posts legs to the open transfer t. Each account's balance is updated by
// its net amount in one statement that also locks the row, in descending id order: every
// movement locks accounts in that one order, so concurrent movements cannot deadlock, and
// the long-lived busy accounts — a tenant's master account, an early merchant, which have
// the lowest ids — are locked last, for the shortest time. The ledger then checks the
// legs against the accounts as they were and computes the postings; any failure (ledger,
// overdraft refused by the database, another tenant's account) leaves the caller to roll
// the transaction back. The returned accounts are as they are after the transfer, locked.
//
// When later names the account that comes last in that order and the transfer only
// credits it (one leg, positive), its update goes with the commit instead
// (Tx.CreditLater): a credit cannot overdraw, so nothing waits for it, and a merchant
// paid by many customers is then locked for the commit's round trip only. The credit
// requires the account to be in later.Status (else the transaction fails with
// ErrCreditRefused);
// the returned copy of that account has its id, tenant, currency and status, not its
// balance, and its posting's BalanceAfter is set when the transaction commits.
func applyTransfer(ctx context.Context, tx baas.Tx, t *baas.Transfer, legs []ledger.Leg, later *laterCredit) (*posted, error) {
	ids := ledger.AccountIDs(legs)
	net := make(map[int64]int64, len(ids))
	legsOf := make(map[int64]int, len(ids))
	for _, l := range legs {
		// Checked here too (ledger.Apply checks again) because the balances are updated
		// before the ledger sees the legs: an out-of-range leg must not reach the database.
		if err := ledger.CheckAmount(max(l.Amount, -l.Amount)); err != nil {
			return nil, err
		}
		net[l.AccountID] += l.Amount
		legsOf[l.AccountID]++
	}
	deferred := later != nil && len(ids) > 1 && (ids[0] == later.AccountID || later.AnyOrder) &&
		net[later.AccountID] > 0 && legsOf[later.AccountID] == 1
	locked := ids // updated now, in descending id order
	if deferred {
		locked = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == later.AccountID })
	}
	deltas := make([]baas.BalanceDelta, 0, len(locked))
	for i := len(locked) - 1; i >= 0; i-- {
		deltas = append(deltas, baas.BalanceDelta{AccountID: locked[i], Delta: net[locked[i]]})
	}
	accts, err := tx.AddToBalances(ctx, deltas)
	if err != nil {
		return nil, err
	}
	before := make(map[int64]*baas.Account, len(ids))
	for _, a := range accts {
		if a.TenantID != t.TenantID {
			return nil, baas.Errorf(baas.ENotFound, "account %d not found", a.ID)
		}
		a.Balance -= net[a.ID]
		before[a.ID] = a
	}
	if deferred {
		// What the credit requires of the account; the ledger sees no balance to check
		// (a credit cannot overdraw) and the database fills in the balance after it.
		before[later.AccountID] = &baas.Account{ID: later.AccountID, TenantID: t.TenantID, Currency: later.Currency,
			Status: later.Status, AllowNegative: true}
	}
	postings, err := ledger.Apply(before, legs) // before becomes the state after
	if err != nil {
		return nil, err
	}
	if deferred {
		// The credit and all the postings, in one statement where the store can.
		credit := slices.IndexFunc(postings, func(p baas.Posting) bool { return p.AccountID == later.AccountID })
		if err := tx.CreditLater(ctx, t.TenantID, later.Status, t.ID, postings, credit); err != nil {
			return nil, err
		}
		before[later.AccountID].Balance = 0
	} else if err := tx.InsertPostings(ctx, t.ID, postings); err != nil {
		return nil, err
	}
	t.Postings = postings
	return &posted{Transfer: t, Accounts: before}, nil
}

// HoldParams are the inputs of PlaceHold.
type HoldParams struct {
	AccountID int64
	Amount    int64
	Reference string
}

// PlaceHold reserves part of an account's available balance in tx (for a card
// authorization, for example).
func placeHold(ctx context.Context, tx baas.Tx, tenantID string, now time.Time, p HoldParams) (*baas.Hold, error) {
	locked, err := tx.LockAccounts(ctx, []int64{p.AccountID})
	if err != nil {
		return nil, err
	}
	if len(locked) != 1 || locked[0].TenantID != tenantID {
		return nil, baas.Errorf(baas.ENotFound, "account not found")
	}
	a := locked[0]
	if err := ledger.PlaceHold(a, p.Amount); err != nil {
		return nil, err
	}
	if err := tx.SaveBalances(ctx, locked); err != nil {
		return nil, err
	}
	h := &baas.Hold{TenantID: tenantID, AccountID: a.ID, Currency: a.Currency, Amount: p.Amount, Status: baas.HoldActive,
		Reference: p.Reference, CreatedAt: now, UpdatedAt: now}
	return h, tx.InsertHold(ctx, h)
}

// releaseHold ends an active hold, giving its amount back to the available balance.
func releaseHold(ctx context.Context, tx baas.Tx, tenantID string, now time.Time, holdID int64) (*baas.Hold, *baas.Account, error) {
	h, err := tx.GetHold(ctx, tenantID, holdID)
	if err != nil {
		return nil, nil, err
	}
	if h.Status != baas.HoldActive {
		return nil, nil, baas.Reasonf(baas.EConflict, "HOLD_NOT_ACTIVE", "hold is %s", h.Status)
	}
	locked, err := tx.LockAccounts(ctx, []int64{h.AccountID})
	if err != nil {
		return nil, nil, err
	}
	if err := ledger.ReleaseHold(locked[0], h.Amount); err != nil {
		return nil, nil, err
	}
	if err := tx.SaveBalances(ctx, locked); err != nil {
		return nil, nil, err
	}
	h.Status, h.UpdatedAt = baas.HoldReleased, now
	return h, locked[0], tx.UpdateHoldStatus(ctx, h.ID, baas.HoldReleased, now)
}

// captureHold ends an active hold and posts a transfer of up to its amount from the held
// account to another.
func captureHold(ctx context.Context, tx baas.Tx, tenantID string, now time.Time, holdID, to, amount int64, spec transferSpec) (*posted, error) {
	held, err := tx.GetHold(ctx, tenantID, holdID)
	if err != nil {
		return nil, err
	}
	// Lock both accounts in the global order (descending id) before touching either, as
	// applyTransfer does; an update by zero only takes the lock.
	for _, id := range []int64{max(held.AccountID, to), min(held.AccountID, to)} {
		if _, err := tx.AddToBalance(ctx, id, 0); err != nil {
			return nil, err
		}
	}
	h, _, err := releaseHold(ctx, tx, tenantID, now, holdID)
	if err != nil {
		return nil, err
	}
	if amount <= 0 || amount > h.Amount {
		return nil, baas.Invalid("capture amount must be positive and at most the held amount")
	}
	if err := tx.UpdateHoldStatus(ctx, h.ID, baas.HoldCaptured, now); err != nil {
		return nil, err
	}
	spec.Legs = ledger.Move(h.AccountID, to, amount)
	return post(ctx, tx, tenantID, now, spec)
}
