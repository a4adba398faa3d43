package baas

import (
	"context"
	"time"
)

// Store is a transactional store. Every store passes the conformance suite in
// store/storetest.
type Store interface {
	// InTx runs fn in one read-write transaction and commits when fn returns nil. It may
	// run fn again when the database reports a serialization failure or deadlock, so fn
	// must not have effects outside tx.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction that sees one consistent snapshot.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Read returns queries that run outside any transaction, for single reads.
	Read() Tx
	Ping(ctx context.Context) error
	// Engine names the database engine: "sqlite" or "postgres".
	Engine() string
	Close() error
}

// CustomerFilter selects customers of one tenant; nil fields do not filter.
type CustomerFilter struct {
	TenantID string
	ID       *string
	Email    *string
	Handle   *string
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

// Tx holds every query of the core. Methods that find one object return an *Error with
// ENotFound when there is none, never a nil object and nil error.
type Tx interface {
	WebhookTx // webhook.go
	CodegoTx  // codego.go
	GetSetting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error

	CreateTenant(ctx context.Context, t *Tenant) error
	GetTenant(ctx context.Context, id string) (*Tenant, error)
	ListTenants(ctx context.Context) ([]*Tenant, error)
	CreateCredential(ctx context.Context, c *Credential) error
	FindCredential(ctx context.Context, kind, keyID string) (*Credential, error)

	CreateCustomer(ctx context.Context, c *Customer) error
	FindCustomer(ctx context.Context, f CustomerFilter) (*Customer, error)

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

	InsertEvent(ctx context.Context, e *Event) error

	GetIdempotency(ctx context.Context, tenantID, key string) (*IdempotencyRecord, error)
	// PutIdempotency inserts r; a record with the same tenant and key is an EConflict
	// error with reason ErrIdempotencyKeyTaken. The store may hold the write back until
	// the commit (PostgreSQL pipelines it with the COMMIT): the error then comes from InTx.
	PutIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// PutIdempotencies is PutIdempotency for several records, in one statement: one key
	// already recorded fails them all.
	PutIdempotencies(ctx context.Context, rs []*IdempotencyRecord) error
	// RecordedIdempotencyKeys returns which of keys the tenant has a record for (expired
	// or not), in ascending order.
	RecordedIdempotencyKeys(ctx context.Context, tenantID string, keys []string) ([]string, error)
	DeleteIdempotency(ctx context.Context, tenantID, key string) error
	DeleteExpiredIdempotency(ctx context.Context, now time.Time) (int64, error)

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

// BalanceDelta is an amount to add to an account's balance.
type BalanceDelta struct {
	AccountID int64
	Delta     int64
}

// ErrIdempotencyKeyTaken is the reason of the EConflict error of PutIdempotency when the
// tenant already has a record with the key.
const ErrIdempotencyKeyTaken = "IDEMPOTENCY_KEY_TAKEN"

// ErrCreditRefused is the reason of the EConflict error of CreditLater when the account
// is not the tenant's, not in the posting's currency or not in the required status.
const ErrCreditRefused = "CREDIT_REFUSED"
