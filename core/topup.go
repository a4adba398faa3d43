package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/money"
	"github.com/google/uuid"
)

// Top-ups (Girasol "Top-up"). A company's point of sale credits a customer account from
// the company's master account against an invoice of its own: at most one top-up per
// invoice (the second is refused and moves nothing). The account is named by its
// number, its customer's email or its QR code — an opaque code per account
// (AccountQRCode, which makes it on first use), meant to be printed as a QR image for
// the point of sale to scan; it names the account and nothing else. Every identifier
// given must name the same account.
//
// A top-up is reversed in two steps: ReverseTopUp opens a pending reversal with a random
// 5-digit code, of which only a keyed hash is stored, and sends the code to the company
// in the event top_up.reversal_requested (the company passes it on to its customer);
// ValidateTopUpReversal with that code, before Config.ReversalCodeTTL has passed, moves
// the money back to the master account. MaxReversalCodeFailures wrong codes cancel the
// reversal. A top-up is never reversed for more than it credited (partial reversals add
// up to at most its amount), nor once its money has been spent: a reversal is refused
// when the account's available balance is below the amount to give back, both when it
// is requested and when it is confirmed.

// Purposes of keys derived from a data key for top-ups. Part of the stored format.
const purposeReversalCode = "top-up-reversal-code"

// MaxReversalCodeFailures is how many wrong codes cancel a pending reversal.
const MaxReversalCodeFailures = 5

// DefaultReversalCodeTTL is how long a reversal's code is valid unless configured, and
// MaxReversalCodeTTL its bound.
const (
	DefaultReversalCodeTTL = 10 * time.Minute
	MaxReversalCodeTTL     = 24 * time.Hour
)

// maxInvoice is the longest invoice id kept.
const maxInvoice = 255

// TopUpParams are the inputs of TopUp. At least one of AccountNumber, Email and QRCode
// names the account; Currency is the ISO 4217 numeric code of the account's currency.
type TopUpParams struct {
	AccountNumber string
	Email         string
	QRCode        string
	Amount        int64
	Tax           int64
	Currency      string
	Invoice       string
	Details       baas.TopUpDetails // what the point of sale sent, echoed back
	Idem          Idempotency
}

// TopUpResult is a top-up as its company sees it.
type TopUpResult struct {
	ID            string            `json:"id"`
	AccountNumber int64             `json:"account_number"`
	Amount        int64             `json:"amount"`
	Tax           int64             `json:"tax"`
	Currency      string            `json:"currency"`
	Invoice       string            `json:"invoice"`
	TransferID    int64             `json:"transfer_id"`
	Balance       int64             `json:"balance"`
	Details       baas.TopUpDetails `json:"details"`
	CreatedAt     time.Time         `json:"created_at"`
}

// ValidReversalCode reports whether s has the shape of a reversal code: 5 digits.
func ValidReversalCode(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func errTopUpNotFound() error {
	return baas.Reasonf(baas.ENotFound, "TOP_UP_NOT_FOUND", "top-up not found")
}

// checkTopUpAmounts is the rule for a top-up's or a reversal's amount and tax: a
// positive amount in range, a tax from zero to the amount.
func checkTopUpAmounts(amount, tax int64) error {
	if err := ledger.CheckAmount(amount); err != nil {
		return err
	}
	if tax < 0 || tax > amount {
		return baas.InvalidFields(baas.FieldError{Field: "tax", Reason: "INVALID_TAX",
			Message: "tax must not be negative nor greater than the amount"})
	}
	return nil
}

// checkCurrency refuses a numeric currency code that is not the account's currency.
func checkCurrency(numeric, currency string) error {
	if c, ok := money.LookupNumeric(numeric); ok && c.Code == currency {
		return nil
	}
	return baas.InvalidFields(baas.FieldError{Field: "currency", Reason: "CURRENCY_MISMATCH",
		Message: fmt.Sprintf("currencyCode must be %s, the account's currency (%s)", money.Numeric(currency), currency)})
}

// topUpAccount finds the customer account that every identifier given names.
func (s *Service) topUpAccount(ctx context.Context, tenantID string, p TopUpParams) (*baas.Account, error) {
	r := s.store.Read()
	notFound := baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
	var found *baas.Account
	same := func(a *baas.Account) error {
		if found != nil && found.ID != a.ID {
			return baas.Reasonf(baas.EConflict, "ACCOUNT_MISMATCH", "account, email and qrCode name different accounts")
		}
		found = a
		return nil
	}
	if p.AccountNumber != "" {
		n, err := strconv.ParseInt(p.AccountNumber, 10, 64)
		if err != nil || !ValidAccountNumber(n) {
			return nil, notFound
		}
		a, err := customerAccount(ctx, r, tenantID, n)
		if err != nil {
			return nil, err
		}
		if err := same(a); err != nil {
			return nil, err
		}
	}
	if p.Email != "" {
		email := NormalizeEmail(p.Email)
		a, _, err := r.FindCustomerAccount(ctx, tenantID, nil, &email)
		if baas.IsCode(err, baas.ENotFound) {
			return nil, notFound
		} else if err != nil {
			return nil, err
		}
		if err := same(a); err != nil {
			return nil, err
		}
	}
	if p.QRCode != "" {
		id, err := r.FindQRCodeAccount(ctx, tenantID, p.QRCode)
		if baas.IsCode(err, baas.ENotFound) {
			return nil, notFound
		} else if err != nil {
			return nil, err
		}
		a, err := r.FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, ID: &id})
		if err != nil {
			return nil, err
		}
		if err := same(a); err != nil {
			return nil, err
		}
	}
	if found == nil {
		return nil, baas.Invalid("account, email or qrCode must name the account")
	}
	return found, nil
}

// TopUp credits a customer account of the tenant in ctx from the tenant's master account,
// once per invoice. Refusals, each leaving the ledger untouched: amounts out of range or
// a tax above the amount, a currency that is not the account's, no identifier (EInvalid);
// an unknown account (ENotFound ACCOUNT_NOT_FOUND); identifiers naming different accounts
// (EConflict ACCOUNT_MISMATCH); an invoice already topped up (EConflict
// INVOICE_ALREADY_USED); an inactive account (EConflict ACCOUNT_INACTIVE); a master
// account that cannot pay (EInsufficientFunds MASTER_ACCOUNT_INSUFFICIENT_FUNDS).
func (s *Service) TopUp(ctx context.Context, p TopUpParams) (*TopUpResult, bool, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := checkTopUpAmounts(p.Amount, p.Tax); err != nil {
		return nil, false, err
	}
	if p.Invoice = strings.TrimSpace(p.Invoice); p.Invoice == "" || len(p.Invoice) > maxInvoice {
		return nil, false, baas.Invalid(fmt.Sprintf("id_invoice must be 1 to %d characters", maxInvoice))
	}
	acct, err := s.topUpAccount(ctx, tenantID, p)
	if err != nil {
		return nil, false, err
	}
	if err := checkCurrency(p.Currency, acct.Currency); err != nil {
		return nil, false, err
	}
	return idempotent(ctx, s, p.Idem, func(ctx context.Context, tx baas.Tx, now time.Time) (*TopUpResult, error) {
		master, err := systemAccount(ctx, tx, tenantID, baas.AccountMaster, acct.Currency, now)
		if err != nil {
			return nil, err
		}
		tu := &baas.TopUp{ID: uuid.NewString(), TenantID: tenantID, AccountID: acct.ID, Invoice: p.Invoice,
			Amount: p.Amount, Tax: p.Tax, Currency: acct.Currency, Details: p.Details, CreatedAt: now, UpdatedAt: now}
		t, err := openTransfer(ctx, tx, tenantID, now, transferSpec{Kind: baas.TransferTopUp,
			Description: "top-up " + p.Invoice, Merchant: p.Details.Merchant,
			Metadata: map[string]any{"top_up_id": tu.ID, "invoice": p.Invoice, "tax": p.Tax}})
		if err != nil {
			return nil, err
		}
		tu.TransferID = t.ID
		// The invoice's uniqueness decides here, before any account is locked.
		if err := tx.CreateTopUp(ctx, tu); baas.IsCode(err, baas.EConflict) {
			return nil, baas.Reasonf(baas.EConflict, "INVOICE_ALREADY_USED", "a top-up with this id_invoice already exists")
		} else if err != nil {
			return nil, err
		}
		if err := event(ctx, tx, tenantID, "top_up.created", tu.ID, now, map[string]any{
			"transaction_id": tu.ID, "invoice": tu.Invoice, "account_number": acct.Number, "amount": tu.Amount,
			"tax": tu.Tax, "currency": tu.Currency, "transfer_id": t.ID}); err != nil {
			return nil, err
		}
		res, err := applyTransfer(ctx, tx, t, ledger.Move(master.ID, acct.ID, p.Amount), nil)
		switch {
		case baas.IsCode(err, baas.EInsufficientFunds):
			return nil, baas.Reasonf(baas.EInsufficientFunds, "MASTER_ACCOUNT_INSUFFICIENT_FUNDS",
				"master account has insufficient funds")
		case err != nil:
			return nil, err
		}
		if res.Accounts[acct.ID].Status != baas.AccountActive {
			return nil, baas.Reasonf(baas.EConflict, "ACCOUNT_INACTIVE", "account is inactive")
		}
		return &TopUpResult{ID: tu.ID, AccountNumber: acct.Number, Amount: tu.Amount, Tax: tu.Tax, Currency: tu.Currency,
			Invoice: tu.Invoice, TransferID: t.ID, Balance: res.Accounts[acct.ID].Balance, Details: tu.Details,
			CreatedAt: now}, nil
	})
}

// AccountQRCode returns the QR code of a customer account of the tenant in ctx, making
// it on first use: "qr_" and 24 random letters and digits. It names the account and
// nothing else, and does not change.
func (s *Service) AccountQRCode(ctx context.Context, number int64) (string, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return "", err
	}
	a, err := customerAccount(ctx, s.store.Read(), tenantID, number)
	if err != nil {
		return "", err
	}
	if code, err := s.store.Read().AccountQRCode(ctx, tenantID, a.ID); !baas.IsCode(err, baas.ENotFound) {
		return code, err
	}
	code := "qr_" + randomString(24, alnum)
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		return tx.PutAccountQRCode(ctx, tenantID, a.ID, code, s.now())
	})
	if baas.IsCode(err, baas.EConflict) {
		// Made meanwhile by a concurrent request (a clash of random codes is not a concern).
		return s.store.Read().AccountQRCode(ctx, tenantID, a.ID)
	}
	return code, err
}

// ReverseTopUpParams are the inputs of ReverseTopUp: the top-up, its invoice and
// currency (which must match it), and the amount to give back.
type ReverseTopUpParams struct {
	TopUpID  string
	Invoice  string
	Amount   int64
	Tax      int64
	Currency string
	Idem     Idempotency
}

// ReversalResult is a reversal as its company sees it.
type ReversalResult struct {
	TopUpID    string    `json:"top_up_id"`
	ReversalID string    `json:"reversal_id"`
	Amount     int64     `json:"amount"`
	Status     string    `json:"status"`
	TransferID int64     `json:"transfer_id,omitempty"`
	Balance    int64     `json:"balance,omitempty"`
	ExpiresAt  time.Time `json:"expires_at"`
	CreatedAt  time.Time `json:"created_at"`
}

// reversalCodeInput salts a reversal code by the reversal's id.
func reversalCodeInput(reversalID, code string) string { return reversalID + "\x00" + code }

// lockTopUp locks a top-up of the tenant whose invoice is invoice: TOP_UP_NOT_FOUND
// otherwise (another tenant's top-up too).
func lockTopUp(ctx context.Context, tx baas.Tx, tenantID, id, invoice string) (*baas.TopUp, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, errTopUpNotFound()
	}
	tu, err := tx.LockTopUp(ctx, tenantID, id)
	if baas.IsCode(err, baas.ENotFound) {
		return nil, errTopUpNotFound()
	}
	if err != nil {
		return nil, err
	}
	if tu.Invoice != strings.TrimSpace(invoice) {
		return nil, baas.Reasonf(baas.EConflict, "INVOICE_MISMATCH", "id_invoice is not the top-up's invoice")
	}
	return tu, nil
}

// checkReversible refuses to give back amount of tu from acct: more than is left of the
// top-up (REVERSAL_EXCEEDS_TOP_UP), or more than the account has available
// (TOP_UP_FUNDS_SPENT).
func checkReversible(tu *baas.TopUp, acct *baas.Account, amount int64) error {
	if amount > tu.Amount-tu.Reversed {
		return baas.Reasonf(baas.EConflict, "REVERSAL_EXCEEDS_TOP_UP",
			"the top-up has %d left to reverse", tu.Amount-tu.Reversed)
	}
	if acct.Available() < amount {
		return baas.Reasonf(baas.EConflict, "TOP_UP_FUNDS_SPENT",
			"the top-up's money has been spent: the account's available balance is below the amount to reverse")
	}
	return nil
}

// ReverseTopUp opens a pending reversal of a top-up of the tenant in ctx and sends its
// one-time code in the event top_up.reversal_requested. Refusals: an unknown or foreign
// top-up (ENotFound TOP_UP_NOT_FOUND), another invoice (EConflict INVOICE_MISMATCH), a
// currency that is not the top-up's (EInvalid), a reversal still pending (EConflict
// REVERSAL_PENDING), more than is left (REVERSAL_EXCEEDS_TOP_UP), spent money
// (TOP_UP_FUNDS_SPENT).
func (s *Service) ReverseTopUp(ctx context.Context, p ReverseTopUpParams) (*ReversalResult, bool, error) {
	if _, err := tenant(ctx); err != nil {
		return nil, false, err
	}
	if err := checkTopUpAmounts(p.Amount, p.Tax); err != nil {
		return nil, false, err
	}
	return idempotent(ctx, s, p.Idem, func(ctx context.Context, tx baas.Tx, now time.Time) (*ReversalResult, error) {
		tenantID := baas.TenantFrom(ctx)
		tu, err := lockTopUp(ctx, tx, tenantID, p.TopUpID, p.Invoice)
		if err != nil {
			return nil, err
		}
		if err := checkCurrency(p.Currency, tu.Currency); err != nil {
			return nil, err
		}
		last, err := tx.LastTopUpReversal(ctx, tenantID, tu.ID)
		if err == nil && last.Status == baas.ReversalPending {
			if now.Before(last.ExpiresAt) {
				return nil, baas.Reasonf(baas.EConflict, "REVERSAL_PENDING",
					"a reversal of this top-up is waiting for its code")
			}
			last.Status, last.UpdatedAt = baas.ReversalExpired, now
			if err := tx.UpdateTopUpReversal(ctx, last); err != nil {
				return nil, err
			}
		} else if err != nil && !baas.IsCode(err, baas.ENotFound) {
			return nil, err
		}
		locked, err := tx.LockAccounts(ctx, []int64{tu.AccountID})
		if err != nil {
			return nil, err
		}
		if err := checkReversible(tu, locked[0], p.Amount); err != nil {
			return nil, err
		}
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		code := fmt.Sprintf("%05d", randomInt(0, 99_999))
		r := &baas.TopUpReversal{ID: id.String(), TenantID: tenantID, TopUpID: tu.ID, Amount: p.Amount,
			CodeHash: s.keys.hash(purposeReversalCode, reversalCodeInput(id.String(), code)), Status: baas.ReversalPending,
			ExpiresAt: now.Add(s.cfg.ReversalCodeTTL), CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateTopUpReversal(ctx, r); err != nil {
			return nil, err
		}
		// The code reaches the company in this event by design (docs/webhooks.md).
		if err := event(ctx, tx, tenantID, "top_up.reversal_requested", tu.ID, now, map[string]any{
			"transaction_id": tu.ID, "user_code": code, "reversal_id": r.ID, "invoice": tu.Invoice,
			"amount": r.Amount, "currency": tu.Currency, "expires_at": r.ExpiresAt}); err != nil {
			return nil, err
		}
		return &ReversalResult{TopUpID: tu.ID, ReversalID: r.ID, Amount: r.Amount, Status: r.Status,
			ExpiresAt: r.ExpiresAt, CreatedAt: now}, nil
	})
}

// ValidateTopUpReversalParams are the inputs of ValidateTopUpReversal.
type ValidateTopUpReversalParams struct {
	TopUpID string
	Invoice string
	Code    string
}

// ValidateTopUpReversal completes the pending reversal of a top-up of the tenant in ctx
// with its code: the amount goes back from the account to the master account. A code
// that is not 5 digits is EInvalid. Refusals: no reversal (EConflict
// REVERSAL_NOT_FOUND), one completed already (REVERSAL_ALREADY_COMPLETED), cancelled
// (REVERSAL_CANCELLED), expired (REVERSAL_EXPIRED, recorded), a wrong code (EConflict
// INVALID_USER_CODE, counted: the MaxReversalCodeFailures-th cancels the reversal and is
// answered REVERSAL_CANCELLED), and the refusals of checkReversible under the locks.
func (s *Service) ValidateTopUpReversal(ctx context.Context, p ValidateTopUpReversalParams) (*ReversalResult, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidReversalCode(p.Code) {
		return nil, baas.InvalidFields(baas.FieldError{Field: "code", Reason: "INVALID_CODE",
			Message: "user_code must be exactly 5 digits long"})
	}
	var out *ReversalResult
	var refusal error // committed, then answered
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		out, refusal = nil, nil
		now := s.now()
		tu, err := lockTopUp(ctx, tx, tenantID, p.TopUpID, p.Invoice)
		if err != nil {
			return err
		}
		r, err := tx.LastTopUpReversal(ctx, tenantID, tu.ID)
		if baas.IsCode(err, baas.ENotFound) {
			return baas.Reasonf(baas.EConflict, "REVERSAL_NOT_FOUND", "no reversal of this top-up was requested")
		} else if err != nil {
			return err
		}
		switch r.Status {
		case baas.ReversalCompleted:
			return baas.Reasonf(baas.EConflict, "REVERSAL_ALREADY_COMPLETED", "the reversal is already completed")
		case baas.ReversalCancelled:
			return errReversalCancelled()
		case baas.ReversalExpired:
			return errReversalExpired()
		}
		r.UpdatedAt = now
		if !now.Before(r.ExpiresAt) {
			r.Status, refusal = baas.ReversalExpired, errReversalExpired()
			return tx.UpdateTopUpReversal(ctx, r)
		}
		if !s.keys.matches(purposeReversalCode, reversalCodeInput(r.ID, p.Code), r.CodeHash) {
			r.Attempts++
			refusal = baas.Reasonf(baas.EConflict, "INVALID_USER_CODE", "user_code is wrong")
			if r.Attempts >= MaxReversalCodeFailures {
				r.Status, refusal = baas.ReversalCancelled, errReversalCancelled()
				if err := event(ctx, tx, tenantID, "top_up.reversal_cancelled", tu.ID, now, map[string]any{
					"transaction_id": tu.ID, "reversal_id": r.ID, "reason": "too_many_wrong_codes"}); err != nil {
					return err
				}
			}
			return tx.UpdateTopUpReversal(ctx, r)
		}
		locked, err := tx.LockAccounts(ctx, []int64{tu.AccountID})
		if err != nil {
			return err
		}
		if err := checkReversible(tu, locked[0], r.Amount); err != nil {
			return err
		}
		master, err := systemAccount(ctx, tx, tenantID, baas.AccountMaster, tu.Currency, now)
		if err != nil {
			return err
		}
		t, err := openTransfer(ctx, tx, tenantID, now, transferSpec{Kind: baas.TransferTopUpReversal,
			Description: "top-up reversal " + tu.Invoice, Merchant: tu.Details.Merchant,
			Metadata: map[string]any{"top_up_id": tu.ID, "reversal_id": r.ID, "invoice": tu.Invoice}})
		if err != nil {
			return err
		}
		if err := event(ctx, tx, tenantID, "top_up.reversed", tu.ID, now, map[string]any{
			"transaction_id": tu.ID, "reversal_id": r.ID, "invoice": tu.Invoice, "amount": r.Amount,
			"currency": tu.Currency, "transfer_id": t.ID}); err != nil {
			return err
		}
		res, err := applyTransfer(ctx, tx, t, ledger.Move(tu.AccountID, master.ID, r.Amount), nil)
		if baas.IsCode(err, baas.EInsufficientFunds) {
			return checkReversible(tu, &baas.Account{}, r.Amount)
		} else if err != nil {
			return err
		}
		if err := tx.SetTopUpReversed(ctx, tu.ID, tu.Reversed+r.Amount, now); err != nil {
			return err
		}
		r.Status, r.TransferID = baas.ReversalCompleted, t.ID
		if err := tx.UpdateTopUpReversal(ctx, r); err != nil {
			return err
		}
		out = &ReversalResult{TopUpID: tu.ID, ReversalID: r.ID, Amount: r.Amount, Status: r.Status, TransferID: t.ID,
			Balance: res.Accounts[tu.AccountID].Balance, ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return out, nil
}

func errReversalCancelled() error {
	return baas.Reasonf(baas.EConflict, "REVERSAL_CANCELLED",
		"the reversal was cancelled after too many wrong codes: request a new one")
}

func errReversalExpired() error {
	return baas.Reasonf(baas.EConflict, "REVERSAL_EXPIRED", "the reversal's code has expired: request a new one")
}
