package baas

import (
	"context"
	"time"
)

// Gift cards (Codego "Giftcard - …", "HS Giftcard - …", "US Giftcard - …"): cards of
// the one card model (Card, with gift-card products), each spending from an account of
// its own (AccountGiftcard) loaded from the tenant's float when it is issued. Giftcard is
// what the issue adds to the card: the access code that opens its details, when they
// become available and whether they were delivered, and what the issue cost.

// AuditGiftcardFeesSet is the audit action of an operator setting a tenant's gift-card
// fees (target: tenant).
const AuditGiftcardFeesSet = "giftcard_fees.set"

// AccountGiftcard is the kind of a gift card's own account: a customer's, without a
// number, one per gift card.
const AccountGiftcard = "giftcard"

// Giftcard is the issue record of a gift card.
type Giftcard struct {
	CardID      string
	TenantID    string
	CustomerID  string
	AccessHash  []byte // keyed hash of the access code, salted by the card id
	Mobile      string // the mobile_number given at issue; "" when none
	Amount      int64  // the load, minor units of Currency
	Fee         int64  // issue fee + fixed load fee + percentage load fee
	Currency    string
	Description string // the float movement's description
	TransferID  int64  // the issue's ledger transfer
	DetailsAt   time.Time
	DeliveredAt time.Time // zero until the full details were shown
	CreatedAt   time.Time
}

// GiftcardFees is a tenant's fees of one gift-card product: minor units of EUR, and the
// percentage load fee in hundredths of a percent (65 = 0.65 %).
type GiftcardFees struct {
	TenantID      string
	Product       string
	IssueFee      int64
	LoadFixed     int64
	LoadPercentBP int64
	UpdatedAt     time.Time
}

// GiftcardTx holds the queries of gift cards' issue records and fees.
type GiftcardTx interface {
	// CreateGiftcard inserts an issue record; a second one for a card is EConflict.
	CreateGiftcard(ctx context.Context, g *Giftcard) error
	// GetGiftcard returns the issue record of a card of the tenant.
	GetGiftcard(ctx context.Context, tenantID, cardID string) (*Giftcard, error)
	// ListGiftcards returns the tenant's issue records, oldest first: a customer's when
	// customerID is set.
	ListGiftcards(ctx context.Context, tenantID string, customerID *string) ([]*Giftcard, error)
	// MarkGiftcardDelivered sets DeliveredAt of a record whose details were never
	// delivered; ENotFound when there is none such (delivered already).
	MarkGiftcardDelivered(ctx context.Context, tenantID, cardID string, at time.Time) error
	// GetGiftcardFees returns a tenant's fees of a product, ENotFound when it set none.
	GetGiftcardFees(ctx context.Context, tenantID, product string) (*GiftcardFees, error)
	PutGiftcardFees(ctx context.Context, f *GiftcardFees) error
}
