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

// CustomerProfile is what a Codego signup records about a customer beyond the fields every
// Customer has (name, surname, mobile, address, city and zip code live in Customer). Ids of
// countries are ids of the Codego countries list.
type CustomerProfile struct {
	UserID             string // the Codego user_id: random and opaque
	DOB                string // date of birth, YYYY-MM-DD
	CountryOfResidence int
	CountryID          int // the country of the mobile number
	Nationality        int
	Country            int // the country of the address
	SameShipping       bool
	ShipAddress        string
	ShipCapital        string
	ShipCity           string
	ShipCountry        int
	ShipZipCode        string
	WorkCountry        int
	IncomeSource       string
	PoliticalPerson    bool
	TaxCountry         int
	TaxNumber          string
	Gender             string
	DeviceType         string
	DeviceToken        string
	DeviceModel        string
	IPAddress          string
	PasswordHash       string // argon2id, in the PHC string format
}

// CodegoCustomer is a customer who signed up through the Codego dialect.
type CodegoCustomer struct {
	Customer
	Profile CustomerProfile
}

// CodegoAccountSummary is a customer's name, first customer account and newest KYC
// document of each type (by type). Of the documents only ID, TenantID, CustomerID, Type,
// Status and AutoVerifyAt are filled.
type CodegoAccountSummary struct {
	CustomerID string
	FirstName  string
	LastName   string
	Account    Account
	Documents  []*KYCDocument
}

// CustomerTx holds the queries of customers and their profiles.
type CustomerTx interface {
	CreateCustomer(ctx context.Context, c *Customer) error
	FindCustomer(ctx context.Context, f CustomerFilter) (*Customer, error)

	// CreateCodegoCustomer inserts a customer with its Codego profile. A customer with the
	// same email in the tenant, or the same user id, returns EConflict.
	CreateCodegoCustomer(ctx context.Context, c *CodegoCustomer) error
	FindCodegoCustomer(ctx context.Context, tenantID, userID string) (*CodegoCustomer, error)
	// CodegoAccountSummary reads what account_detail shows in one query: ENotFound when the
	// tenant has no such user or the user no account.
	CodegoAccountSummary(ctx context.Context, tenantID, userID string) (*CodegoAccountSummary, error)
}
