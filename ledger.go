package baas

import (
	"context"
	"encoding/json"
	"time"
)

// Account kinds. Customer accounts carry a number and may not go negative; the system
// kinds exist once per tenant and currency.
const (
	AccountCustomer = "customer" // a customer's money
	AccountMaster   = "master"   // the tenant's float / master funding account
	AccountFunding  = "funding"  // money entering or leaving baas from outside (may go negative)
	AccountFees     = "fees"     // fee revenue
	AccountNetwork  = "network"  // card-network settlement (may go negative)
	AccountPrepaid  = "prepaid"  // a prepaid card's own balance: a customer's, without a number
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
	// Girasol's push payment to an outside card, its top-ups and their reversals.
	TransferMoneySend     = "money_send"
	TransferTopUp         = "top_up"
	TransferTopUpReversal = "top_up_reversal"
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

// AccountFilter selects accounts of one tenant; nil fields do not filter.
type AccountFilter struct {
	TenantID   string
	ID         *int64
	Number     *int64
	CustomerID *string
	Kind       *string
	Currency   *string
}

// AccountListFilter pages through a tenant's accounts; Kind "" lists every kind.
type AccountListFilter struct {
	TenantID string
	Kind     string
	AfterID  int64
	Limit    int
}

// StatementFilter pages through an account's postings, newest first.
type StatementFilter struct {
	AccountID int64
	// Without AccountID: the customer account with this number of this tenant.
	TenantID      string
	AccountNumber int64
	BeforeID      int64 // only postings with a smaller id; 0 for the newest
	Limit         int
}

// BalanceDelta is an amount to add to an account's balance.
type BalanceDelta struct {
	AccountID int64
	Delta     int64
}

// ErrCreditRefused is the reason of the EConflict error of CreditLater when the account
// is not the tenant's, not in the posting's currency or not in the required status.
const ErrCreditRefused = "CREDIT_REFUSED"

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

// LedgerTx holds the queries of accounts, transfers, postings, holds and the ledger
// checks.
type LedgerTx interface {
	// CreateAccount inserts a, setting a.ID.
	CreateAccount(ctx context.Context, a *Account) error
	FindAccount(ctx context.Context, f AccountFilter) (*Account, error)
	// FindCustomerAccount returns a customer account of the tenant with its customer, by
	// account number or by the customer's email (exactly one of the two is set).
	FindCustomerAccount(ctx context.Context, tenantID string, number *int64, email *string) (*Account, *Customer, error)
	// ListAccounts returns a tenant's accounts in ascending id order after f.AfterID.
	ListAccounts(ctx context.Context, f AccountListFilter) ([]*Account, error)
	// AccountNumberTaken reports whether any tenant has an account with this number.
	AccountNumberTaken(ctx context.Context, number int64) (bool, error)
	UpdateAccountStatus(ctx context.Context, id int64, status string) error
	// LockAccounts returns the accounts with the given ids in ascending id order, locked
	// against concurrent writers until the transaction ends.
	LockAccounts(ctx context.Context, ids []int64) ([]*Account, error)
	// FindCustomerAccounts returns the tenant's customer accounts with the given numbers
	// (those that exist) in ascending id order, without locking them.
	FindCustomerAccounts(ctx context.Context, tenantID string, numbers []int64) ([]*Account, error)
	// LockCustomerAccounts returns the tenant's customer accounts with the given numbers
	// (those that exist), locked like LockAccounts, in ascending id order.
	LockCustomerAccounts(ctx context.Context, tenantID string, numbers []int64) ([]*Account, error)
	// AddToBalance adds delta to an account's balance and returns the account as it is
	// after, locked until the transaction ends. An account that may not go negative and
	// would have less than zero available fails with EInsufficientFunds (the database
	// refuses the row); an unknown account with ENotFound.
	AddToBalance(ctx context.Context, id, delta int64) (*Account, error)
	// AddToBalances is AddToBalance for each delta, in the order given (the order in
	// which the rows are locked), in one round trip where the store can. It returns the
	// accounts in the same order.
	AddToBalances(ctx context.Context, deltas []BalanceDelta) ([]*Account, error)
	// SaveBalances writes Balance and Held of each account. The store may hold the write
	// back until the next statement or the commit; a balance the database refuses (below
	// zero where it may not be) is then an EInsufficientFunds error from there.
	SaveBalances(ctx context.Context, accounts []*Account) error
	// InsertTransfer inserts t and its postings, setting t.ID and each posting's TransferID.
	InsertTransfer(ctx context.Context, t *Transfer) error
	// InsertTransfers inserts transfers without their postings, in one statement where the
	// store can, setting their IDs (increasing in the order given). The store may hold
	// the insert back until the transaction's next statement that returns rows (a lock,
	// a balance update): the IDs are set once that statement has returned, or by the
	// time InTx returns.
	InsertTransfers(ctx context.Context, ts []*Transfer) error
	// DiscardTransfers deletes transfers that this transaction inserted and that have no
	// postings (those a batch could not post), held back like InsertPostings.
	DiscardTransfers(ctx context.Context, ids []int64) error
	// InsertAllPostings inserts postings of existing transfers, each naming its transfer,
	// held back like InsertPostings.
	InsertAllPostings(ctx context.Context, postings []Posting) error
	// InsertPostings inserts postings of an existing transfer, setting their TransferID.
	// The store may hold the write back until the next statement or the commit; an error
	// then shows there.
	InsertPostings(ctx context.Context, transferID int64, postings []Posting) error
	// CreditLater inserts the postings of transfer transferID, of which postings[credit]
	// credits an account not yet updated: it adds that posting's Amount (> 0) to the
	// account's balance and records the balance after it, provided the account belongs
	// to tenantID, holds the posting's currency and has the given status; otherwise the
	// transaction fails with an EConflict error of reason ErrCreditRefused. A credit cannot overdraw,
	// so nothing in the transaction needs its answer: the store may hold it back until
	// the commit (PostgreSQL sends it with the COMMIT, so a busy account paid by many — a
	// merchant — is locked for that last round trip only). postings[credit].BalanceAfter
	// is then set by the time InTx returns, and the error comes from InTx. The account
	// must come last in the transaction's lock order (descending id). It sets each
	// posting's TransferID.
	CreditLater(ctx context.Context, tenantID, status string, transferID int64, postings []Posting, credit int) error
	ListStatements(ctx context.Context, f StatementFilter) ([]*Statement, error)

	InsertHold(ctx context.Context, h *Hold) error
	GetHold(ctx context.Context, tenantID string, id int64) (*Hold, error)
	UpdateHoldStatus(ctx context.Context, id int64, status string, at time.Time) error

	// Ledger checks.
	CurrencyTotals(ctx context.Context) ([]CurrencyTotal, error)
	// AccountChecks returns the accounts whose balance differs from the sum of their
	// postings, whose held amount differs from the sum of their active holds, or that are
	// below zero while not allowed to be.
	AccountChecks(ctx context.Context) ([]AccountCheck, error)
	// UnbalancedTransfers returns, per transfer and currency, the postings that do not sum
	// to zero or that name a transfer or an account that does not exist, and the
	// transfers that have no postings (Empty), ordered by transfer and currency.
	UnbalancedTransfers(ctx context.Context) ([]UnbalancedTransfer, error)
}
