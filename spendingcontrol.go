package baas

import (
	"context"
	"time"
)

// SpendingControl is one stored spending-control rule (the Girasol "Controls"): set by a
// tenant on itself (OwnerType "company", OwnerID the company id), on a card product
// ("product", the product's name) or on one of its cards ("card", the card id). The
// fields are the spec's; what they mean and how a transaction is checked against them is
// the rules package's (rules.Rule mirrors this type, which stays free of imports).
type SpendingControl struct {
	ID             string // a time-ordered UUID: rules list in creation order
	TenantID       string
	OwnerType      string // "company", "product" or "card"
	OwnerID        string
	ValidationType string // Mcc, Amount or EntryMode
	Value          string
	Amount         int64 // a limit in minor units of CurrencyCode
	CurrencyCode   string
	BusinessScope  string // International, Domestic or Both
	RangeType      string // Daily, Weekly, Monthly or Always
	TimeBegin      string // "HH:MM:SS"; both empty: the whole day
	TimeEnd        string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SpendingControlOwners names the owners whose rules apply to one card: its tenant's
// company, its product and the card itself.
type SpendingControlOwners struct {
	TenantID  string
	CompanyID string
	Product   string
	CardID    string
}

// TenantRegion is where a tenant is, for spending controls: its IANA time zone (time
// frames and daily, weekly and monthly windows) and its ISO 3166 alpha-2 country
// (Domestic or International). The zero value (nothing configured) is what
// GetTenantRegion returns for a tenant that never set one: UTC and no country.
type TenantRegion struct {
	TenantID  string
	TimeZone  string // "" is UTC
	Country   string // "" is unknown: every transaction counts as domestic
	UpdatedAt time.Time
}

// AuditTenantRegionChanged is the audit action of an operator setting a tenant's region
// (target: tenant).
const AuditTenantRegionChanged = "tenant.region_changed"

// SpendingControlTx holds the queries of spending-control rules and of the tenant's
// region they are evaluated in.
type SpendingControlTx interface {
	// CreateSpendingControl inserts a rule; an existing id is EConflict.
	CreateSpendingControl(ctx context.Context, c *SpendingControl) error
	// GetSpendingControl returns a rule of the tenant, ENotFound for an unknown rule or
	// another tenant's.
	GetSpendingControl(ctx context.Context, tenantID, id string) (*SpendingControl, error)
	// UpdateSpendingControl stores every field of a rule but its id, tenant, owner and
	// creation time; ENotFound when the tenant has no such rule.
	UpdateSpendingControl(ctx context.Context, c *SpendingControl) error
	// DeleteSpendingControl deletes a rule of the tenant; ENotFound when there is none.
	DeleteSpendingControl(ctx context.Context, tenantID, id string) error
	// ListSpendingControls returns the tenant's rules of one owner in id order.
	ListSpendingControls(ctx context.Context, tenantID, ownerType, ownerID string) ([]*SpendingControl, error)
	// CardSpendingControls returns, in one query, every rule that applies to a card: its
	// company's, its product's and its own, each owner's in id order.
	CardSpendingControls(ctx context.Context, o SpendingControlOwners) ([]*SpendingControl, error)

	// GetTenantRegion returns a tenant's region, the zero region when it has none.
	GetTenantRegion(ctx context.Context, tenantID string) (*TenantRegion, error)
	PutTenantRegion(ctx context.Context, r *TenantRegion) error
}
