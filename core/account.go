package core

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/google/uuid"
)

// Account numbers are 8 digits.
const (
	minAccountNumber = 10_000_000
	maxAccountNumber = 99_999_999
)

// ValidAccountNumber reports whether n has the shape of an account number.
func ValidAccountNumber(n int64) bool { return n >= minAccountNumber && n <= maxAccountNumber }

// ValidPhone accepts a phone number: an optional leading +, then 6 to 15 digits; spaces
// and dashes are ignored.
func ValidPhone(s string) bool {
	n := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case r == '+' && i == 0, r == ' ', r == '-':
		default:
			return false
		}
	}
	return n >= 6 && n <= 15
}

// CreateAccountParams are the inputs of CreateAccount.
type CreateAccountParams struct {
	Email        string
	Handle       string
	FirstName    string
	LastName     string
	Phone        string
	AddressLine1 string
	AddressLine2 string
	City         string
	ZipCode      string
	Idem         Idempotency
}

// AccountInfo is a customer with their account.
type AccountInfo struct {
	Customer baas.Customer `json:"customer"`
	Account  baas.Account  `json:"account"`
}

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s is a plain address (no display name).
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

// CreateAccount opens a customer with an account in the master currency and a fresh
// 8-digit account number. Email and handle are unique within the tenant.
func (s *Service) CreateAccount(ctx context.Context, p CreateAccountParams) (*AccountInfo, bool, error) {
	p.Email = NormalizeEmail(p.Email)
	p.Handle = strings.TrimSpace(p.Handle)
	if !ValidEmail(p.Email) {
		return nil, false, baas.Invalid("email must be an email")
	}
	if p.Handle == "" {
		return nil, false, baas.Invalid("handle should not be empty")
	}
	if p.Phone != "" && !ValidPhone(p.Phone) {
		return nil, false, baas.Invalid("phone must be a valid phone number")
	}
	return idempotent(ctx, s, p.Idem, func(ctx context.Context, tx baas.Tx, now time.Time) (*AccountInfo, error) {
		tenantID := baas.TenantFrom(ctx)
		if _, err := tx.FindCustomer(ctx, baas.CustomerFilter{TenantID: tenantID, Email: &p.Email}); err == nil {
			return nil, baas.Reasonf(baas.EConflict, "EMAIL_ALREADY_EXIST", "email already exists")
		} else if !baas.IsCode(err, baas.ENotFound) {
			return nil, err
		}
		if _, err := tx.FindCustomer(ctx, baas.CustomerFilter{TenantID: tenantID, Handle: &p.Handle}); err == nil {
			return nil, baas.Reasonf(baas.EConflict, "HANDLE_ALREADY_EXIST", "handle already exists")
		} else if !baas.IsCode(err, baas.ENotFound) {
			return nil, err
		}
		c := baas.Customer{ID: uuid.NewString(), TenantID: tenantID, Email: p.Email, Handle: p.Handle,
			FirstName: p.FirstName, LastName: p.LastName, Phone: p.Phone, AddressLine1: p.AddressLine1,
			AddressLine2: p.AddressLine2, City: p.City, ZipCode: p.ZipCode, CreatedAt: now}
		if err := tx.CreateCustomer(ctx, &c); err != nil {
			if baas.IsCode(err, baas.EConflict) {
				return nil, baas.Reasonf(baas.EConflict, "EMAIL_ALREADY_EXIST", "email or handle already exists")
			}
			return nil, err
		}
		currency, err := s.accountCurrency(ctx, tx, tenantID, ProductAccounts)
		if err != nil {
			return nil, err
		}
		a := baas.Account{TenantID: tenantID, CustomerID: c.ID, Kind: baas.AccountCustomer, Currency: currency,
			Status: baas.AccountActive, CreatedAt: now}
		if a.Number, err = freeAccountNumber(ctx, tx); err != nil {
			return nil, err
		}
		if err := tx.CreateAccount(ctx, &a); err != nil {
			return nil, err
		}
		if err := accountCreatedEvent(ctx, tx, &c, "", &a, now); err != nil {
			return nil, err
		}
		return &AccountInfo{Customer: c, Account: a}, nil
	})
}

// accountCreatedEvent writes the account.created event of a new customer account, in
// neutral form: customer id (and reference, when the customer has one), account number
// and currency, email. The dialects render it for their receivers.
func accountCreatedEvent(ctx context.Context, tx baas.Tx, c *baas.Customer, ref string, a *baas.Account, now time.Time) error {
	payload := map[string]any{"customer_id": c.ID, "account_number": a.Number, "currency": a.Currency, "email": c.Email}
	if ref != "" {
		payload["customer_ref"] = ref
	}
	return event(ctx, tx, c.TenantID, "account.created", c.ID, now, payload)
}

// freeAccountNumber draws random 8-digit numbers until one is unused.
func freeAccountNumber(ctx context.Context, tx baas.Tx) (int64, error) {
	for i := 0; i < 20; i++ {
		n := randomInt(minAccountNumber, maxAccountNumber)
		taken, err := tx.AccountNumberTaken(ctx, n)
		if err != nil {
			return 0, err
		}
		if !taken {
			return n, nil
		}
	}
	return 0, baas.Errorf(baas.EInternal, "no free account number found")
}

// customerAccount finds a customer account of the tenant by number.
func customerAccount(ctx context.Context, tx baas.Tx, tenantID string, number int64) (*baas.Account, error) {
	kind := baas.AccountCustomer
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, Number: &number, Kind: &kind})
	if baas.IsCode(err, baas.ENotFound) {
		return nil, baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
	}
	return a, err
}

// ChangeAccountStatus sets an account active or inactive. Setting the status it already
// has is a conflict (ACCOUNT_ALREADY_ACTIVE / ACCOUNT_ALREADY_INACTIVE).
func (s *Service) ChangeAccountStatus(ctx context.Context, number int64, status string) (*baas.Account, error) {
	if status != baas.AccountActive && status != baas.AccountInactive {
		return nil, baas.Invalid("status must be active or inactive")
	}
	a, _, err := idempotent(ctx, s, Idempotency{}, func(ctx context.Context, tx baas.Tx, now time.Time) (*baas.Account, error) {
		tenantID := baas.TenantFrom(ctx)
		locked, err := tx.LockCustomerAccounts(ctx, tenantID, []int64{number})
		if err != nil {
			return nil, err
		}
		if len(locked) != 1 {
			return nil, baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
		}
		a := locked[0]
		if a.Status == status {
			return nil, baas.Reasonf(baas.EConflict, "ACCOUNT_ALREADY_"+strings.ToUpper(status), "account is already %s", status)
		}
		if err := tx.UpdateAccountStatus(ctx, a.ID, status); err != nil {
			return nil, err
		}
		a.Status = status
		return a, event(ctx, tx, tenantID, "account.status_changed", a.CustomerID, now, map[string]any{
			"account_number": a.Number, "status": status})
	})
	return a, err
}

// GetAccountInfo returns a customer and account by account number.
func (s *Service) GetAccountInfo(ctx context.Context, number int64) (*AccountInfo, error) {
	return s.accountInfo(ctx, &number, nil)
}

// GetAccountInfoByEmail returns a customer and account by the customer's email.
func (s *Service) GetAccountInfoByEmail(ctx context.Context, email string) (*AccountInfo, error) {
	email = NormalizeEmail(email)
	return s.accountInfo(ctx, nil, &email)
}

func (s *Service) accountInfo(ctx context.Context, number *int64, email *string) (*AccountInfo, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	a, c, err := s.store.Read().FindCustomerAccount(ctx, tenantID, number, email)
	if baas.IsCode(err, baas.ENotFound) {
		return nil, baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
	}
	if err != nil {
		return nil, err
	}
	return &AccountInfo{Customer: *c, Account: *a}, nil
}

// AccountStatements returns a page of a customer account's postings, newest first: one
// query, and a second only to tell an unknown account from one without postings.
func (s *Service) AccountStatements(ctx context.Context, number int64, f baas.StatementFilter) ([]*baas.Statement, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	f.AccountID, f.TenantID, f.AccountNumber = 0, tenantID, number
	f.Limit = Pages.limit(f.Limit)
	r := s.store.Read()
	st, err := r.ListStatements(ctx, f)
	if err != nil || len(st) > 0 {
		return st, err
	}
	if _, err := customerAccount(ctx, r, tenantID, number); err != nil {
		return nil, err
	}
	return st, nil
}

// CashInParams are the inputs of CashIn.
type CashInParams struct {
	AccountNumber int64
	Amount        int64
	Message       string
	Idem          Idempotency
}

// CashInResult is the outcome of CashIn.
type CashInResult struct {
	TransferID    int64     `json:"transfer_id"`
	Balance       int64     `json:"balance"`
	Currency      string    `json:"currency"`
	Description   string    `json:"description"`
	CreatedAt     time.Time `json:"created_at"`
	MasterBalance int64     `json:"master_balance"`
}

// CashIn credits a customer account from the tenant's master account.
//
// The customer account is identified before the transaction, usually from the cache
// (accounts are never deleted and never change tenant, customer, number or currency);
// inside it the transfer and its event are written
// first and the accounts locked last, so the master account — which every cash-in of the
// tenant touches — stays locked only for the balance update, the postings and the commit.
func (s *Service) CashIn(ctx context.Context, p CashInParams) (*CashInResult, bool, error) {
	if err := ledger.CheckAmount(p.Amount); err != nil {
		return nil, false, err
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, false, err
	}
	refs, err := s.accountRefs(ctx, tenantID, p.AccountNumber)
	if err != nil {
		return nil, false, err
	}
	found, ok := refs[p.AccountNumber]
	if !ok {
		return nil, false, baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
	}
	res, replayed, err := idempotent(ctx, s, p.Idem, func(ctx context.Context, tx baas.Tx, now time.Time) (*CashInResult, error) {
		master, err := systemAccount(ctx, tx, tenantID, baas.AccountMaster, found.Currency, now)
		if err != nil {
			return nil, err
		}
		legs := ledger.Move(master.ID, found.ID, p.Amount)
		t, err := openTransfer(ctx, tx, tenantID, now, transferSpec{Kind: baas.TransferCashIn, Description: p.Message})
		if err != nil {
			return nil, err
		}
		if err := event(ctx, tx, tenantID, "transfer.cash_in", found.CustomerID, now, cashInEvent{
			AccountNumber: found.Number, Amount: p.Amount, Currency: found.Currency, TransferID: t.ID}); err != nil {
			return nil, err
		}
		res, err := applyTransfer(ctx, tx, t, legs, nil)
		switch {
		case baas.IsCode(err, baas.EInsufficientFunds):
			return nil, baas.Reasonf(baas.EInsufficientFunds, "MASTER_ACCOUNT_INSUFFICIENT_FUNDS", "master account has insufficient funds")
		case err != nil:
			return nil, err
		}
		// The status read under the lock decides; the transaction rolls back on refusal.
		if res.Accounts[found.ID].Status != baas.AccountActive {
			return nil, baas.Reasonf(baas.EConflict, "ACCOUNT_INACTIVE", "account is inactive")
		}
		return &CashInResult{TransferID: t.ID, Balance: res.Accounts[found.ID].Balance, Currency: found.Currency,
			Description: p.Message, CreatedAt: now, MasterBalance: res.Accounts[master.ID].Balance}, nil
	})
	if baas.IsCode(err, baas.EInsufficientFunds) {
		// An inactive account is the better answer than the master account's funds.
		if a, rerr := customerAccount(ctx, s.store.Read(), tenantID, p.AccountNumber); rerr == nil && a.Status != baas.AccountActive {
			return nil, false, baas.Reasonf(baas.EConflict, "ACCOUNT_INACTIVE", "account is inactive")
		}
	}
	return res, replayed, err
}

// cashInEvent and p2pEvent are the payloads of the transfer.cash_in and transfer.p2p
// events (fields in alphabetical order, as the maps they replaced were encoded).
type cashInEvent struct {
	AccountNumber int64  `json:"account_number"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	TransferID    int64  `json:"transfer_id"`
}

type p2pEvent struct {
	Amount                   int64  `json:"amount"`
	Currency                 string `json:"currency"`
	DestinationAccountNumber int64  `json:"destination_account_number"`
	OriginAccountNumber      int64  `json:"origin_account_number"`
	TransferID               int64  `json:"transfer_id"`
}

func newP2PEvent(origin, dest accountRef, amount, transferID int64) p2pEvent {
	return p2pEvent{Amount: amount, Currency: origin.Currency, DestinationAccountNumber: dest.Number,
		OriginAccountNumber: origin.Number, TransferID: transferID}
}

// p2pInactive is the refusal of a transfer between accounts not both active, the
// origin's status first; nil when both are active.
func p2pInactive(from, to *baas.Account) error {
	if from.Status != baas.AccountActive {
		return baas.Reasonf(baas.EConflict, "ORIGIN_ACCOUNT_INACTIVE", "origin account is inactive")
	}
	if to.Status != baas.AccountActive {
		return baas.Reasonf(baas.EConflict, "DESTINATION_ACCOUNT_INACTIVE", "destination account is inactive")
	}
	return nil
}

// P2PParams are the inputs of P2P.
type P2PParams struct {
	OriginNumber      int64
	DestinationNumber int64
	Amount            int64
	Message           string
	Idem              Idempotency
}

// P2PResult is the outcome of P2P.
type P2PResult struct {
	TransferID    int64     `json:"transfer_id"`
	OriginBalance int64     `json:"origin_balance"`
	Currency      string    `json:"currency"`
	Description   string    `json:"description"`
	CreatedAt     time.Time `json:"created_at"`
}

// P2P moves money between two active customer accounts of the same tenant.
func (s *Service) P2P(ctx context.Context, p P2PParams) (*P2PResult, bool, error) {
	if err := ledger.CheckAmount(p.Amount); err != nil {
		return nil, false, err
	}
	if p.OriginNumber == p.DestinationNumber {
		return nil, false, baas.Reasonf(baas.EConflict, "SAME_ACCOUNT", "origin and destination are the same account")
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, false, err
	}
	// The accounts are identified before the transaction (from the cache, usually) and
	// locked last, as CashIn does: a merchant paid by many customers stays locked only for
	// the balance update, the postings and the commit.
	refs, err := s.accountRefs(ctx, tenantID, p.OriginNumber, p.DestinationNumber)
	if err != nil {
		return nil, false, err
	}
	origin, ok := refs[p.OriginNumber]
	if !ok {
		return nil, false, baas.Reasonf(baas.ENotFound, "ORIGIN_ACCOUNT_NOT_FOUND", "origin account not found")
	}
	dest, ok := refs[p.DestinationNumber]
	if !ok {
		return nil, false, baas.Reasonf(baas.ENotFound, "DESTINATION_ACCOUNT_NOT_FOUND", "destination account not found")
	}
	if origin.Currency != dest.Currency {
		return nil, false, baas.Reasonf(baas.EConflict, "CURRENCY_MISMATCH", "accounts hold different currencies")
	}
	if s.p2p != nil {
		j := &p2pJob{tenantID: tenantID, p: p, origin: origin, dest: dest, done: make(chan struct{})}
		if s.p2p.post(j, j.done); j.posted {
			return j.res, false, nil
		}
	}
	return s.p2pOne(ctx, tenantID, p, origin, dest)
}

// p2pOne posts a P2P transfer in its own transaction: every transfer a batch did not
// post comes here, which gives the exact answer (replays a recorded key, names the
// inactive account, refuses insufficient funds).
func (s *Service) p2pOne(ctx context.Context, tenantID string, p P2PParams, origin, dest accountRef) (*P2PResult, bool, error) {
	legs := ledger.Move(origin.ID, dest.ID, p.Amount)
	res, replayed, err := idempotent(ctx, s, p.Idem, func(ctx context.Context, tx baas.Tx, now time.Time) (*P2PResult, error) {
		t, err := openTransfer(ctx, tx, tenantID, now, transferSpec{Kind: baas.TransferP2P, Description: p.Message})
		if err != nil {
			return nil, err
		}
		if err := event(ctx, tx, tenantID, "transfer.p2p", origin.CustomerID, now, newP2PEvent(origin, dest, p.Amount, t.ID)); err != nil {
			return nil, err
		}
		// The destination is credited at the commit (a merchant paid by many customers
		// is locked only then), on condition that it is active.
		res, err := applyTransfer(ctx, tx, t, legs, &laterCredit{AccountID: dest.ID, Currency: dest.Currency,
			Status: baas.AccountActive})
		if err != nil {
			return nil, err
		}
		// The statuses read under the lock decide; the transaction rolls back on refusal.
		if err := p2pInactive(res.Accounts[origin.ID], res.Accounts[dest.ID]); err != nil {
			return nil, err
		}
		return &P2PResult{TransferID: t.ID, OriginBalance: res.Accounts[origin.ID].Balance, Currency: origin.Currency,
			Description: t.Description, CreatedAt: t.CreatedAt}, nil
	})
	refused := baas.ErrorReason(err) == baas.ErrCreditRefused
	if refused || baas.IsCode(err, baas.EInsufficientFunds) {
		// An inactive account is the better answer than insufficient funds, and the
		// origin's status comes first. A refused credit means an inactive destination
		// (the credit requires it active, of the tenant, in this currency, and only the
		// status can have changed since the account was identified).
		accts, rerr := s.store.Read().FindCustomerAccounts(ctx, tenantID, []int64{origin.Number, dest.Number})
		if rerr == nil && len(accts) == 2 {
			if accts[0].Number != origin.Number {
				accts[0], accts[1] = accts[1], accts[0]
			}
			if ierr := p2pInactive(accts[0], accts[1]); ierr != nil {
				return nil, false, ierr
			}
		}
		if refused {
			return nil, false, baas.Reasonf(baas.EConflict, "DESTINATION_ACCOUNT_INACTIVE", "destination account is inactive")
		}
	}
	return res, replayed, err
}

// accountRef is what never changes about a customer account: a transfer needs it before
// its transaction, to know which rows to lock, and may take it from the cache (balances
// and statuses are read under the lock).
type accountRef struct {
	ID         int64
	TenantID   string
	CustomerID string
	Number     int64
	Currency   string
}

// accountKey identifies a customer account: its tenant and number.
type accountKey struct {
	tenantID string
	number   int64
}

// accountRefs returns the tenant's customer accounts with these numbers, by number (an
// unknown number is absent), from the cache or with one query for the ones it lacks.
func (s *Service) accountRefs(ctx context.Context, tenantID string, numbers ...int64) (map[int64]accountRef, error) {
	out := make(map[int64]accountRef, len(numbers))
	now := s.now()
	key := func(n int64) accountKey { return accountKey{tenantID, n} }
	var missing []int64
	for _, n := range numbers {
		if r, ok := s.refs.lookup(key(n), now); ok {
			out[n] = r
		} else {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := s.store.Read().FindCustomerAccounts(ctx, tenantID, missing)
	if err != nil {
		return nil, err
	}
	for _, a := range found {
		r := accountRef{ID: a.ID, TenantID: a.TenantID, CustomerID: a.CustomerID, Number: a.Number, Currency: a.Currency}
		s.refs.put(key(a.Number), r, now)
		out[a.Number] = r
	}
	return out, nil
}
