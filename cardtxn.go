package baas

import (
	"context"
	"time"
)

// Card transaction types. An authorization reserves money (a hold on the card's
// account); a purchase is an authorization captured at once. Captures, reversals, refunds
// and expiries act on an authorization or purchase, named by OriginalID.
const (
	CardTxnAuthorization = "authorization"
	CardTxnPurchase      = "purchase"
	CardTxnCapture       = "capture"
	CardTxnReversal      = "reversal"
	CardTxnRefund        = "refund"
	CardTxnExpiry        = "expiry"
)

// Decisions of a card transaction.
const (
	CardTxnApproved = "approved"
	CardTxnDeclined = "declined"
)

// States of a card transaction. An authorization is pending while its whole hold is
// open, partially_captured while part of it is captured and the rest still held; then
// captured (what was not captured released), reversed or expired (released with nothing
// captured), refunded or partially_refunded (money given back after capture). A purchase
// starts captured. Captures, reversals, refunds and expiries are completed; a declined
// attempt of any type is declined.
const (
	CardTxnPending           = "pending"
	CardTxnPartiallyCaptured = "partially_captured"
	CardTxnCaptured          = "captured"
	CardTxnReversed          = "reversed"
	CardTxnExpired           = "expired"
	CardTxnRefunded          = "refunded"
	CardTxnPartiallyRefunded = "partially_refunded"
	CardTxnCompleted         = "completed"
	CardTxnDeclinedState     = "declined"
)

// Transfer kinds of card transactions (besides TransferCapture, the money of a capture or
// purchase going to the network settlement account): money the network gives back.
const (
	TransferCardRefund = "card_refund"
)

// CardTransaction is one card transaction attempt with its decision and reason, the
// merchant, and — for an authorization or purchase — the running totals of what happened
// to it since. Money moves only through the ledger: Authorized is what the hold reserved
// (or the purchase moved), Captured what went to the network settlement account,
// Reversed what was released from the hold without capture (by reversal or expiry), and
// Refunded what was given back after capture (by refund, or by reversal of a completed
// purchase). Captured+Reversed <= Authorized and Refunded <= Captured, always.
type CardTransaction struct {
	ID         string // a time-ordered UUID
	TenantID   string
	CardID     string
	CustomerID string
	AccountID  int64 // the account the card spends from
	Type       string
	Status     string // CardTxnApproved or CardTxnDeclined
	State      string
	Reason     string // why: "approved", "card_inactive", "spending_control:<ruleId>", …
	Detail     string // the reason in words, for operators
	Amount     int64  // the amount of this attempt, minor units of Currency
	Currency   string

	Authorized int64
	Captured   int64
	Reversed   int64
	Refunded   int64

	MerchantName    string
	MerchantCity    string
	MerchantCountry string // ISO 3166 alpha-2, upper case; "" when unknown
	MCC             string
	EntryMode       string

	HoldID     int64  // the open hold of an authorization; 0 when none
	OriginalID string // the authorization or purchase a capture, reversal, refund or expiry acts on
	TransferID int64  // the ledger transfer this transaction posted; 0 when none
	ExpiresAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Open reports whether the transaction still holds money (an authorization not fully
// captured, reversed or expired).
func (t *CardTransaction) Open() bool { return t.HoldID != 0 }

// CardTotals is what a card had approved in one window, apart by scope.
type CardTotals struct{ Domestic, International int64 }

// CardTotalsQuery asks Tx.ApprovedCardTotals for a card's approved totals in Currency
// since each of Since, with HomeCountry telling domestic from international.
type CardTotalsQuery struct {
	CardID, Currency, HomeCountry string
	Since                         []time.Time
}

// CardTxnFilter selects card transactions, newest first; empty fields do not filter.
type CardTxnFilter struct {
	TenantID string
	CardID   string
	CardIDs  []string // any of these cards (with CardID, in both)
	Types    []string
	Status   string   // CardTxnApproved or CardTxnDeclined
	States   []string // any of these states
	// ExpiresBefore selects open authorizations whose hold expires at or before it.
	ExpiresBefore time.Time
	BeforeID      string // only ids below it (older), for paging
	// CreatedFrom and CreatedBefore keep the transactions created at or after the one and
	// before the other.
	CreatedFrom   time.Time
	CreatedBefore time.Time
	Offset        int // skips this many of the newest first, for numbered pages (with a Limit)
	Limit         int
}

// CardTxnTx holds the queries of card transactions.
type CardTxnTx interface {
	// InsertCardTransaction inserts t; a duplicate id is EConflict. The store may hold
	// the insert back until the transaction's next round trip or its commit, where the
	// error then shows.
	InsertCardTransaction(ctx context.Context, t *CardTransaction) error
	// InsertCardTransactions inserts several card transactions with one statement.
	InsertCardTransactions(ctx context.Context, ts []*CardTransaction) error
	// GetCardTransaction returns a card transaction of the tenant (of any tenant when
	// tenantID is "").
	GetCardTransaction(ctx context.Context, tenantID, id string) (*CardTransaction, error)
	// LockCardTransaction is GetCardTransaction that also locks the row until the
	// transaction ends.
	LockCardTransaction(ctx context.Context, tenantID, id string) (*CardTransaction, error)
	// UpdateCardTransaction stores t's state, totals, hold id and update time.
	UpdateCardTransaction(ctx context.Context, t *CardTransaction) error
	// ListCardTransactions returns card transactions newest first (descending id).
	ListCardTransactions(ctx context.Context, f CardTxnFilter) ([]*CardTransaction, error)
	// CountCardTransactions counts what ListCardTransactions would return without
	// Offset and Limit.
	CountCardTransactions(ctx context.Context, f CardTxnFilter) (int, error)
	// ApprovedCardTotals answers each of qs: out[i][j] sums what qs[i]'s card had
	// approved in its currency since qs[i].Since[j] (created at or after it): approved
	// authorizations and purchases, each counted as Authorized − Reversed − Refunded,
	// apart by scope. A transaction is domestic when its merchant country is unknown,
	// the query's HomeCountry is "", or they are equal (case ignored) — rules.IsDomestic —
	// and international otherwise. Queries that differ only in their card are answered
	// by one statement. The spending controls' amount rules read it (rules.History), one
	// window per range they need; a batch of payments asks for all its cards at once.
	ApprovedCardTotals(ctx context.Context, qs []CardTotalsQuery) ([][]CardTotals, error)
}
