package baas

import (
	"context"
	"time"
)

// Top-ups (Girasol "Top-up"): a company credits a customer account from its master
// account against an invoice of its own, at most once per invoice, and may reverse it
// once the customer confirms with a one-time code. Accounts are named by number, email or
// QR code: an opaque code per account (AccountQRCode), which only names the account.

// TopUpDetails is what the company said about a top-up, kept as given: how it named the
// account and the point of sale's fields. Only the core's rules read Amount, Tax and
// the account; these are echoed back.
type TopUpDetails struct {
	Email           string `json:"email,omitempty"`
	AccountNumber   string `json:"account,omitempty"`
	QRCode          string `json:"qr_code,omitempty"`
	Cashier         string `json:"cashier"`
	Merchant        string `json:"merchant"`
	TransactionDate string `json:"transaction_date"`
	PaymentType     string `json:"payment_type"`
}

// TopUp is one credit of a customer account from the tenant's master account. Invoice
// is unique per tenant. Reversed is how much completed reversals gave back, at most
// Amount. Tax is recorded, not moved: it is part of what the point of sale collected.
type TopUp struct {
	ID         string // a UUID: the transaction id the company sees
	TenantID   string
	AccountID  int64
	TransferID int64
	Invoice    string
	Amount     int64
	Tax        int64
	Currency   string
	Reversed   int64
	Details    TopUpDetails
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Top-up reversal statuses. A pending reversal ends completed (its code was given in
// time), cancelled (too many wrong codes) or expired (seen past its expiry).
const (
	ReversalPending   = "pending"
	ReversalCompleted = "completed"
	ReversalCancelled = "cancelled"
	ReversalExpired   = "expired"
)

// TopUpReversal is a request to give back part or all of a top-up, confirmed by a
// one-time code of which only a keyed hash is stored.
type TopUpReversal struct {
	ID         string // a time-ordered UUID
	TenantID   string
	TopUpID    string
	Amount     int64
	CodeHash   []byte
	Attempts   int // wrong codes given
	Status     string
	TransferID int64 // the reversal's transfer, once completed
	ExpiresAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TopUpTx holds the queries of top-ups, their reversals and the accounts' QR codes.
type TopUpTx interface {
	// CreateTopUp inserts a top-up; another of the tenant's top-ups with the same
	// invoice is EConflict.
	CreateTopUp(ctx context.Context, t *TopUp) error
	// GetTopUp returns a top-up of the tenant.
	GetTopUp(ctx context.Context, tenantID, id string) (*TopUp, error)
	// LockTopUp is GetTopUp that also locks the top-up's row until the transaction ends.
	LockTopUp(ctx context.Context, tenantID, id string) (*TopUp, error)
	// SetTopUpReversed stores how much of a top-up has been reversed.
	SetTopUpReversed(ctx context.Context, id string, reversed int64, at time.Time) error

	CreateTopUpReversal(ctx context.Context, r *TopUpReversal) error
	// LastTopUpReversal returns the newest reversal of a top-up of the tenant.
	LastTopUpReversal(ctx context.Context, tenantID, topUpID string) (*TopUpReversal, error)
	// UpdateTopUpReversal stores a reversal's status, attempts, transfer and update time.
	UpdateTopUpReversal(ctx context.Context, r *TopUpReversal) error

	// AccountQRCode returns the QR code of an account of the tenant.
	AccountQRCode(ctx context.Context, tenantID string, accountID int64) (string, error)
	// PutAccountQRCode gives an account its QR code; an account that has one, or a code
	// that is taken, is EConflict.
	PutAccountQRCode(ctx context.Context, tenantID string, accountID int64, code string, at time.Time) error
	// FindQRCodeAccount returns the id of the tenant's account that has this QR code.
	FindQRCodeAccount(ctx context.Context, tenantID, code string) (int64, error)
}
