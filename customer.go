package baas

import (
	"context"
	"time"
)

// Customer is an end user of a tenant.
type Customer struct {
	ID           string
	TenantID     string
	Email        string
	Handle       string
	FirstName    string
	LastName     string
	Phone        string
	AddressLine1 string
	AddressLine2 string
	City         string
	ZipCode      string
	CreatedAt    time.Time
}

// CustomerFilter selects customers of one tenant; nil fields do not filter.
type CustomerFilter struct {
	TenantID string
	ID       *string
	Email    *string
	Handle   *string
}

// CustomerKey names one customer of a tenant: by ID, or, when ID is empty, by Ref, the
// external reference a dialect allocated for it. The zero key names no customer.
type CustomerKey struct {
	ID  string
	Ref string
}

// CustomerProfile is what a full signup records about a customer beyond the fields every
// Customer has (name, phone, address, city and zip code live in Customer). Countries are
// ids of the countries list (Country.ID).
type CustomerProfile struct {
	DateOfBirth        string // YYYY-MM-DD
	CountryOfResidence int
	PhoneCountry       int // the country of the phone number
	Nationality        int
	AddressCountry     int
	SameShipping       bool // the shipping address is the address
	ShipAddress        string
	ShipRegion         string
	ShipCity           string
	ShipCountry        int
	ShipZipCode        string
	WorkCountry        int
	IncomeSource       string
	PoliticallyExposed bool
	TaxCountry         int
	TaxNumber          string
	Gender             string
	DeviceType         string
	DeviceToken        string
	DeviceModel        string
	IPAddress          string
	PasswordHash       string // argon2id, in the PHC string format
}

// ProfiledCustomer is a customer with their external reference and profile.
type ProfiledCustomer struct {
	Customer
	// Ref is the customer's external reference: an opaque id, unique across tenants, that
	// the dialect which opened the customer allocated and its clients name the customer
	// by (the Codego user_id); "" when none was allocated. Stored in the column
	// codego_user_id, which existing databases keep.
	Ref     string
	Profile CustomerProfile
}

// CustomerSummary is a customer's name, first customer account and newest KYC document
// of each type (by type). Of the documents only ID, TenantID, CustomerID, Type, Status and
// AutoVerifyAt are filled.
type CustomerSummary struct {
	CustomerID string
	FirstName  string
	LastName   string
	Account    Account
	Documents  []*KYCDocument
}

// CustomerAccountFilter pages a tenant's customer accounts with their customers.
type CustomerAccountFilter struct {
	TenantID string
	// Sort orders the rows: CustomerSortCreated (also ""), CustomerSortNewest or
	// CustomerSortName. AfterID is the keyset cursor in that order: the account id of the
	// last row of the page before.
	Sort    string
	AfterID int64
	Limit   int
}

// Customer list orders, each a keyset order that ends in the account's id.
const (
	CustomerSortCreated = "created" // oldest account first
	CustomerSortNewest  = "newest"  // newest account first
	CustomerSortName    = "name"    // by last name, then first name
)

// AccountHolder is a customer account with its customer.
type AccountHolder struct {
	Account  Account
	Customer Customer
}

// CustomerTx holds the queries of customers and their profiles.
type CustomerTx interface {
	CreateCustomer(ctx context.Context, c *Customer) error
	// ListAccountHolders returns a page of the tenant's customer accounts with their
	// customers, in f.Sort's order, in one query.
	ListAccountHolders(ctx context.Context, f CustomerAccountFilter) ([]*AccountHolder, error)
	FindCustomer(ctx context.Context, f CustomerFilter) (*Customer, error)

	// CreateProfiledCustomer inserts a customer with their reference and profile. A
	// customer with the same email in the tenant, or the same reference, returns
	// EConflict.
	CreateProfiledCustomer(ctx context.Context, c *ProfiledCustomer) error
	// FindProfiledCustomer returns the tenant's customer named by k, with reference and
	// profile (the zero profile for a customer opened without one).
	FindProfiledCustomer(ctx context.Context, tenantID string, k CustomerKey) (*ProfiledCustomer, error)
	// CustomerSummary reads a customer's name, first account and KYC documents in one
	// query: ENotFound when the tenant has no such customer or the customer no account.
	CustomerSummary(ctx context.Context, tenantID string, k CustomerKey) (*CustomerSummary, error)
}
