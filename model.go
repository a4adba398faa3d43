package baas

import (
	"encoding/json"
	"time"
)

// Tenant is one customer of baas: a Codego "whitelabel" and a Girasol "company" at once.
type Tenant struct {
	ID           string
	Name         string
	CompanyID    string // Girasol company id (a UUID)
	WhitelabelID string // Codego whitelabel id
	Sandbox      bool
	CreatedAt    time.Time
}

// Credential kinds.
const (
	CredGirasol      = "girasol"       // KeyID: x-api-key (base64); secret: x-secret-key
	CredCodegoClient = "codego_client" // KeyID: clientkey; secret: secretkey
	CredCodegoAPI    = "codego_api"    // KeyID: whitelabel_id; secret: apikey
)

// Credential is one key pair of a tenant. The secret is kept only as a keyed hash.
type Credential struct {
	ID         string
	TenantID   string
	Kind       string
	KeyID      string
	SecretHash []byte
	CreatedAt  time.Time
}

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

// Account kinds. Customer accounts carry a number and may not go negative; the system
// kinds exist once per tenant and currency.
const (
	AccountCustomer = "customer" // a customer's money
	AccountMaster   = "master"   // the tenant's float / master funding account
	AccountFunding  = "funding"  // money entering or leaving baas from outside (may go negative)
	AccountFees     = "fees"     // fee revenue
	AccountNetwork  = "network"  // card-network settlement (may go negative)
)

// Account statuses.
const (
	AccountActive   = "active"
	AccountInactive = "inactive"
)

// Account is a ledger account. Balance is the posted balance in minor units; Held is the
// sum of active holds; Available = Balance - Held.
type Account struct {
	ID            int64
	TenantID      string
	CustomerID    string // "" for system accounts
	Kind          string
	Number        int64 // customer account number, 0 for system accounts
	Currency      string
	Balance       int64
	Held          int64
	AllowNegative bool
	Status        string
	CreatedAt     time.Time
}

// Available is the balance that may be spent: posted balance less active holds.
func (a *Account) Available() int64 { return a.Balance - a.Held }

// Transfer kinds.
const (
	TransferCashIn  = "cash_in"
	TransferP2P     = "p2p"
	TransferFunding = "funding"
	TransferCapture = "capture"
)

// Transfer is one balanced movement of money: its postings sum to zero per currency.
type Transfer struct {
	ID          int64
	TenantID    string
	Kind        string
	Description string
	Merchant    string
	Metadata    json.RawMessage
	CreatedAt   time.Time
	Postings    []Posting
}

// Posting is one leg of a transfer. Amount is signed: positive raises the account's
// balance. BalanceAfter is the account's balance right after this posting.
type Posting struct {
	ID           int64
	TransferID   int64
	AccountID    int64
	Currency     string
	Amount       int64
	BalanceAfter int64
}

// Statement is one posting of an account with the transfer it belongs to.
type Statement struct {
	PostingID    int64
	TransferID   int64
	Kind         string
	Amount       int64
	BalanceAfter int64
	Currency     string
	Description  string
	Merchant     string
	Metadata     json.RawMessage
	CreatedAt    time.Time
}

// Hold statuses.
const (
	HoldActive   = "active"
	HoldReleased = "released"
	HoldCaptured = "captured"
)

// Hold reserves part of an account's balance, for example for a card authorization.
type Hold struct {
	ID        int64
	TenantID  string
	AccountID int64
	Currency  string
	Amount    int64
	Status    string
	Reference string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Event is a notifiable change, written in the same transaction as the change.
type Event struct {
	ID        int64
	TenantID  string
	Type      string
	ObjectID  string
	Payload   json.RawMessage
	CreatedAt time.Time
}

// IdempotencyRecord remembers the result of a request made with an Idempotency-Key.
type IdempotencyRecord struct {
	TenantID    string
	Key         string
	Fingerprint string
	Result      json.RawMessage
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// CurrencyTotal is the sum of all balances in one currency.
type CurrencyTotal struct {
	Currency string `json:"currency"`
	Total    int64  `json:"total"`
}

// AccountCheck compares an account's stored balance and held amount with what its
// postings and holds add up to.
type AccountCheck struct {
	Account     Account
	PostingSum  int64
	ActiveHolds int64
}

// UnbalancedTransfer is a transfer whose postings do not sum to zero in some currency,
// some of whose postings name a transfer or an account that does not exist, or that has
// no postings at all (Empty, with no currency).
type UnbalancedTransfer struct {
	TransferID int64
	Currency   string
	Sum        int64
	Orphans    int64 // postings in this currency whose transfer or account does not exist
	Empty      bool
}
