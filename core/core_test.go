package core_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
	"pgregory.net/rapid"
)

// tb is what the helpers need of *testing.T and *rapid.T alike.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

const sandboxFloat = 50_000_000 // core.DefaultConfig().SandboxMasterBalance

func newService(t *testing.T, engine string) *core.Service {
	t.Helper()
	return newServiceClock(t, engine, nil)
}

func newServiceClock(t *testing.T, engine string, now baas.Clock) *core.Service {
	t.Helper()
	svc, err := core.New(storetest.Open(t, engine), core.DefaultConfig(), core.NewMasterKey(), now, nil)
	if err != nil {
		t.Fatalf("core.New: %v", err)
	}
	return svc
}

// newTenant creates a tenant and returns a context acting for it.
func newTenant(t tb, svc *core.Service, sandbox bool) (context.Context, *core.TenantCredentials) {
	t.Helper()
	creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "Acme", Sandbox: sandbox})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	return baas.WithTenant(context.Background(), creds.TenantID), creds
}

var handles atomic.Int64

func newAccount(t tb, svc *core.Service, ctx context.Context) *core.AccountInfo {
	t.Helper()
	h := fmt.Sprintf("user%d", handles.Add(1))
	info, replayed, err := svc.CreateAccount(ctx, core.CreateAccountParams{Email: h + "@example.com", Handle: h,
		FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	if replayed {
		t.Fatalf("CreateAccount without a key replayed")
	}
	return info
}

func balance(t tb, svc *core.Service, ctx context.Context, number int64) int64 {
	t.Helper()
	info, err := svc.GetAccountInfo(ctx, number)
	if err != nil {
		t.Fatalf("GetAccountInfo(%d): %v", number, err)
	}
	return info.Account.Balance
}

func masterBalance(t tb, svc *core.Service, tenantID string) int64 {
	t.Helper()
	m, err := svc.MasterBalance(context.Background(), tenantID, "USD")
	if err != nil {
		t.Fatalf("MasterBalance: %v", err)
	}
	return m.Balance
}

func cashIn(t tb, svc *core.Service, ctx context.Context, number, amount int64) *core.CashInResult {
	t.Helper()
	res, _, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: number, Amount: amount, Message: "top up"})
	if err != nil {
		t.Fatalf("CashIn(%d, %d): %v", number, amount, err)
	}
	return res
}

func verifyLedger(t tb, svc *core.Service) *core.LedgerReport {
	t.Helper()
	rep, err := svc.VerifyLedger(context.Background())
	if err != nil {
		t.Fatalf("VerifyLedger: %v", err)
	}
	if !rep.OK || len(rep.Violations) != 0 {
		t.Fatalf("ledger not OK: %+v", rep.Violations)
	}
	for _, tot := range rep.Totals {
		if tot.Total != 0 {
			t.Fatalf("balances in %s sum to %d", tot.Currency, tot.Total)
		}
	}
	return rep
}

// wantErr fails unless err has code and, when reason is not empty, reason.
func wantErr(t tb, err error, code baas.Code, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %s", code, reason)
	}
	if got := baas.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %s, want %s", err, got, code)
	}
	if reason != "" && baas.ErrorReason(err) != reason {
		t.Fatalf("error %v has reason %q, want %q", err, baas.ErrorReason(err), reason)
	}
}

func TestCreateTenantFundsSandboxMaster(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, creds := newTenant(t, svc, true)
		if got := masterBalance(t, svc, creds.TenantID); got != sandboxFloat {
			t.Fatalf("sandbox master balance = %d, want %d", got, sandboxFloat)
		}
		tn, err := svc.GetTenant(ctx, creds.TenantID)
		if err != nil || !tn.Sandbox || tn.Name != "Acme" || tn.CompanyID != creds.TenantID || tn.WhitelabelID != creds.Codego.WhitelabelID {
			t.Fatalf("GetTenant = %+v, %v", tn, err)
		}
		// A float in EUR as well, the currency of the Codego card holders' accounts.
		if eur, err := svc.MasterBalance(ctx, creds.TenantID, "EUR"); err != nil || eur.Balance != sandboxFloat {
			t.Fatalf("sandbox EUR master = %+v, %v, want %d", eur, err, sandboxFloat)
		}
		rep := verifyLedger(t, svc)
		if len(rep.Totals) != 2 || rep.Totals[0].Currency != "EUR" || rep.Totals[1].Currency != "USD" {
			t.Fatalf("totals = %+v, want EUR and USD only", rep.Totals)
		}

		// A production tenant starts with an empty master account.
		_, prod := newTenant(t, svc, false)
		if got := masterBalance(t, svc, prod.TenantID); got != 0 {
			t.Fatalf("non-sandbox master balance = %d, want 0", got)
		}
		verifyLedger(t, svc)

		// The credentials it returned authenticate it, and only it.
		id, err := svc.AuthenticateGirasol(ctx, creds.Girasol.APIKey, creds.Girasol.SecretKey, creds.Girasol.CompanyID)
		if err != nil || id != creds.TenantID {
			t.Fatalf("AuthenticateGirasol = %q, %v", id, err)
		}
		_, err = svc.AuthenticateGirasol(ctx, creds.Girasol.APIKey, prod.Girasol.SecretKey, "")
		wantErr(t, err, baas.EUnauthorized, "")
		_, err = svc.AuthenticateGirasol(ctx, creds.Girasol.APIKey, creds.Girasol.SecretKey, prod.TenantID)
		wantErr(t, err, baas.EUnauthorized, "")

		list, err := svc.ListTenantPage(ctx, "", 0)
		if err != nil || len(list) != 2 {
			t.Fatalf("ListTenantPage = %d tenants, %v; want 2", len(list), err)
		}
		_, err = svc.GetTenant(ctx, "no-such-tenant")
		wantErr(t, err, baas.ENotFound, "")

		_, err = svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "  "})
		wantErr(t, err, baas.EInvalid, "")
	})
}

func TestFundMaster(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, creds := newTenant(t, svc, false)
		acc := newAccount(t, svc, ctx)
		_, _, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: acc.Account.Number, Amount: 1})
		wantErr(t, err, baas.EInsufficientFunds, "MASTER_ACCOUNT_INSUFFICIENT_FUNDS")

		res, replayed, err := svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: creds.TenantID, Amount: 10_000})
		if err != nil || replayed || res.Balance != 10_000 || res.Currency != "USD" || res.TransferID == 0 {
			t.Fatalf("FundMaster = %+v, %v, %v", res, replayed, err)
		}
		cashIn(t, svc, ctx, acc.Account.Number, 10_000)
		if got := masterBalance(t, svc, creds.TenantID); got != 0 {
			t.Fatalf("master balance = %d after spending all of it", got)
		}
		_, _, err = svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: "no-such-tenant", Amount: 1})
		wantErr(t, err, baas.ENotFound, "")
		_, _, err = svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: creds.TenantID, Amount: 0})
		wantErr(t, err, baas.EInvalid, "")

		// Only a real ISO 4217 code, and only one the tenant's accounts are opened in: EUR
		// (the Codego card holders') and, once the tenant chose it for them, GBP.
		for _, cur := range []string{"XYZ", "US", "usd1", "€"} {
			_, _, err = svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: creds.TenantID, Amount: 1, Currency: cur})
			wantErr(t, err, baas.EInvalid, "")
		}
		_, _, err = svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: creds.TenantID, Amount: 1, Currency: "GBP"})
		wantErr(t, err, baas.EInvalid, core.ReasonCurrencyNotUsed)
		if got, err := svc.TenantCurrencies(ctx, creds.TenantID); err != nil || strings.Join(got, " ") != "USD EUR" {
			t.Fatalf("TenantCurrencies = %v, %v", got, err)
		}
		res, _, err = svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: creds.TenantID, Amount: 5, Currency: "eur"})
		if err != nil || res.Currency != "EUR" || res.Balance != 5 {
			t.Fatalf("FundMaster EUR = %+v, %v", res, err)
		}
		if err := svc.SetAccountCurrency(ctx, creds.TenantID, core.ProductCards, "GBP"); err != nil {
			t.Fatal(err)
		}
		if res, _, err = svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: creds.TenantID, Amount: 7, Currency: "GBP"}); err != nil || res.Balance != 7 {
			t.Fatalf("FundMaster GBP once the tenant uses it = %+v, %v", res, err)
		}
		verifyLedger(t, svc)
	})
}

func TestCreateAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, creds := newTenant(t, svc, true)
		info, replayed, err := svc.CreateAccount(ctx, core.CreateAccountParams{Email: "  Ada@Example.COM ", Handle: " ada ",
			FirstName: "Ada", LastName: "Lovelace", Phone: "+441234", City: "London"})
		if err != nil || replayed {
			t.Fatalf("CreateAccount = %v, %v", replayed, err)
		}
		a := info.Account
		if a.Number < 10_000_000 || a.Number > 99_999_999 || !core.ValidAccountNumber(a.Number) || len(fmt.Sprint(a.Number)) != 8 {
			t.Fatalf("account number %d is not 8 digits", a.Number)
		}
		if a.ID == 0 || a.TenantID != creds.TenantID || a.Kind != baas.AccountCustomer || a.Currency != "USD" ||
			a.Status != baas.AccountActive || a.Balance != 0 || a.Held != 0 || a.AllowNegative || a.CustomerID != info.Customer.ID {
			t.Fatalf("account = %+v", a)
		}
		if c := info.Customer; c.Email != "ada@example.com" || c.Handle != "ada" || c.TenantID != creds.TenantID || c.City != "London" {
			t.Fatalf("customer = %+v", c)
		}
		got, err := svc.GetAccountInfo(ctx, a.Number)
		if err != nil || got.Account.ID != a.ID || got.Customer.ID != info.Customer.ID {
			t.Fatalf("GetAccountInfo = %+v, %v", got, err)
		}
		got, err = svc.GetAccountInfoByEmail(ctx, "ADA@example.com")
		if err != nil || got.Account.Number != a.Number {
			t.Fatalf("GetAccountInfoByEmail = %+v, %v", got, err)
		}

		_, _, err = svc.CreateAccount(ctx, core.CreateAccountParams{Email: "ADA@example.com", Handle: "other"})
		wantErr(t, err, baas.EConflict, "EMAIL_ALREADY_EXIST")
		_, _, err = svc.CreateAccount(ctx, core.CreateAccountParams{Email: "other@example.com", Handle: "ada"})
		wantErr(t, err, baas.EConflict, "HANDLE_ALREADY_EXIST")
		_, _, err = svc.CreateAccount(ctx, core.CreateAccountParams{Email: "not an email", Handle: "x"})
		wantErr(t, err, baas.EInvalid, "")
		_, _, err = svc.CreateAccount(ctx, core.CreateAccountParams{Email: "x@example.com", Handle: "  "})
		wantErr(t, err, baas.EInvalid, "")
		_, _, err = svc.CreateAccount(context.Background(), core.CreateAccountParams{Email: "x@example.com", Handle: "x"})
		wantErr(t, err, baas.EUnauthorized, "")

		// Email and handle are unique per tenant only.
		ctx2, _ := newTenant(t, svc, true)
		info2, _, err := svc.CreateAccount(ctx2, core.CreateAccountParams{Email: "ada@example.com", Handle: "ada"})
		if err != nil {
			t.Fatalf("same email in another tenant: %v", err)
		}
		if info2.Account.Number == a.Number {
			t.Fatalf("two accounts share number %d", a.Number)
		}
		if got, err := svc.GetAccountInfoByEmail(ctx2, "ada@example.com"); err != nil || got.Account.Number != info2.Account.Number {
			t.Fatalf("GetAccountInfoByEmail in tenant 2 = %+v, %v", got, err)
		}
		_, err = svc.GetAccountInfoByEmail(ctx2, "nobody@example.com")
		wantErr(t, err, baas.ENotFound, "ACCOUNT_NOT_FOUND")
		verifyLedger(t, svc)
	})
}

func TestCashIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, creds := newTenant(t, svc, true)
		acc := newAccount(t, svc, ctx)
		n := acc.Account.Number

		res := cashIn(t, svc, ctx, n, 12_345)
		if res.Balance != 12_345 || res.MasterBalance != sandboxFloat-12_345 || res.Currency != "USD" ||
			res.Description != "top up" || res.TransferID == 0 {
			t.Fatalf("CashIn = %+v", res)
		}
		res = cashIn(t, svc, ctx, n, 55)
		if res.Balance != 12_400 || res.MasterBalance != sandboxFloat-12_400 {
			t.Fatalf("second CashIn = %+v", res)
		}
		if got := masterBalance(t, svc, creds.TenantID); got != sandboxFloat-12_400 {
			t.Fatalf("master balance = %d, want %d", got, sandboxFloat-12_400)
		}
		if got := balance(t, svc, ctx, n); got != 12_400 {
			t.Fatalf("account balance = %d, want 12400", got)
		}
		st, err := svc.AccountStatements(ctx, n, baas.StatementFilter{})
		if err != nil || len(st) != 2 || st[0].Amount != 55 || st[0].BalanceAfter != 12_400 || st[1].Amount != 12_345 ||
			st[0].Kind != baas.TransferCashIn || st[0].Description != "top up" || st[0].TransferID != res.TransferID {
			t.Fatalf("statements = %+v, %v", st, err)
		}

		for _, amount := range []int64{0, -5} {
			_, _, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: n, Amount: amount})
			wantErr(t, err, baas.EInvalid, "")
		}
		_, _, err = svc.CashIn(ctx, core.CashInParams{AccountNumber: n, Amount: sandboxFloat})
		wantErr(t, err, baas.EInsufficientFunds, "MASTER_ACCOUNT_INSUFFICIENT_FUNDS")
		_, _, err = svc.CashIn(ctx, core.CashInParams{AccountNumber: 11_111_111, Amount: 1})
		wantErr(t, err, baas.ENotFound, "ACCOUNT_NOT_FOUND")
		if _, err := svc.ChangeAccountStatus(ctx, n, baas.AccountInactive); err != nil {
			t.Fatal(err)
		}
		_, _, err = svc.CashIn(ctx, core.CashInParams{AccountNumber: n, Amount: 1})
		wantErr(t, err, baas.EConflict, "ACCOUNT_INACTIVE")
		_, _, err = svc.CashIn(context.Background(), core.CashInParams{AccountNumber: n, Amount: 1})
		wantErr(t, err, baas.EUnauthorized, "")

		// The failures moved nothing.
		if got := balance(t, svc, ctx, n); got != 12_400 {
			t.Fatalf("account balance = %d after failures, want 12400", got)
		}
		if got := masterBalance(t, svc, creds.TenantID); got != sandboxFloat-12_400 {
			t.Fatalf("master balance = %d after failures", got)
		}
		verifyLedger(t, svc)
	})
}

func TestP2P(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, _ := newTenant(t, svc, true)
		a, b, c := newAccount(t, svc, ctx).Account.Number, newAccount(t, svc, ctx).Account.Number, newAccount(t, svc, ctx).Account.Number
		cashIn(t, svc, ctx, a, 1_000)

		p2p := func(from, to, amount int64) (*core.P2PResult, error) {
			res, _, err := svc.P2P(ctx, core.P2PParams{OriginNumber: from, DestinationNumber: to, Amount: amount, Message: "rent"})
			return res, err
		}
		res, err := p2p(a, b, 400)
		if err != nil || res.OriginBalance != 600 || res.Currency != "USD" || res.Description != "rent" || res.TransferID == 0 {
			t.Fatalf("P2P = %+v, %v", res, err)
		}
		if got := balance(t, svc, ctx, b); got != 400 {
			t.Fatalf("destination balance = %d, want 400", got)
		}
		st, err := svc.AccountStatements(ctx, b, baas.StatementFilter{})
		if err != nil || len(st) != 1 || st[0].Kind != baas.TransferP2P || st[0].Amount != 400 || st[0].TransferID != res.TransferID {
			t.Fatalf("destination statements = %+v, %v", st, err)
		}
		// Exactly the balance may be sent; one more unit may not.
		_, err = p2p(a, c, 601)
		wantErr(t, err, baas.EInsufficientFunds, "")
		if res, err := p2p(a, c, 600); err != nil || res.OriginBalance != 0 {
			t.Fatalf("P2P of the whole balance = %+v, %v", res, err)
		}
		_, err = p2p(a, b, 1)
		wantErr(t, err, baas.EInsufficientFunds, "")

		_, err = p2p(b, b, 1)
		wantErr(t, err, baas.EConflict, "SAME_ACCOUNT")
		_, err = p2p(b, c, 0)
		wantErr(t, err, baas.EInvalid, "")
		_, err = p2p(11_111_111, c, 1)
		wantErr(t, err, baas.ENotFound, "ORIGIN_ACCOUNT_NOT_FOUND")
		_, err = p2p(b, 11_111_111, 1)
		wantErr(t, err, baas.ENotFound, "DESTINATION_ACCOUNT_NOT_FOUND")

		if _, err := svc.ChangeAccountStatus(ctx, b, baas.AccountInactive); err != nil {
			t.Fatal(err)
		}
		_, err = p2p(b, c, 1)
		wantErr(t, err, baas.EConflict, "ORIGIN_ACCOUNT_INACTIVE")
		_, err = p2p(c, b, 1)
		wantErr(t, err, baas.EConflict, "DESTINATION_ACCOUNT_INACTIVE")
		// The inactive account is the answer even when the funds would not suffice either.
		_, err = p2p(b, c, 1_000_000_000)
		wantErr(t, err, baas.EConflict, "ORIGIN_ACCOUNT_INACTIVE")
		if _, err := svc.ChangeAccountStatus(ctx, b, baas.AccountActive); err != nil {
			t.Fatal(err)
		}
		if _, err := p2p(b, c, 1); err != nil {
			t.Fatalf("P2P after reactivation: %v", err)
		}
		for n, want := range map[int64]int64{a: 0, b: 399, c: 601} {
			if got := balance(t, svc, ctx, n); got != want {
				t.Fatalf("balance of %d = %d, want %d", n, got, want)
			}
		}
		verifyLedger(t, svc)
	})
}

func TestChangeAccountStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, _ := newTenant(t, svc, true)
		n := newAccount(t, svc, ctx).Account.Number
		_, err := svc.ChangeAccountStatus(ctx, n, baas.AccountActive)
		wantErr(t, err, baas.EConflict, "ACCOUNT_ALREADY_ACTIVE")
		a, err := svc.ChangeAccountStatus(ctx, n, baas.AccountInactive)
		if err != nil || a.Status != baas.AccountInactive || a.Number != n {
			t.Fatalf("deactivate = %+v, %v", a, err)
		}
		_, err = svc.ChangeAccountStatus(ctx, n, baas.AccountInactive)
		wantErr(t, err, baas.EConflict, "ACCOUNT_ALREADY_INACTIVE")
		if info, err := svc.GetAccountInfo(ctx, n); err != nil || info.Account.Status != baas.AccountInactive {
			t.Fatalf("GetAccountInfo = %+v, %v", info, err)
		}
		if a, err := svc.ChangeAccountStatus(ctx, n, baas.AccountActive); err != nil || a.Status != baas.AccountActive {
			t.Fatalf("reactivate = %+v, %v", a, err)
		}
		_, err = svc.ChangeAccountStatus(ctx, n, "frozen")
		wantErr(t, err, baas.EInvalid, "")
		_, err = svc.ChangeAccountStatus(ctx, 11_111_111, baas.AccountInactive)
		wantErr(t, err, baas.ENotFound, "ACCOUNT_NOT_FOUND")
	})
}

// TestOtherTenantIsNotFound: an account of another tenant behaves as if it did not exist.
func TestOtherTenantIsNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctxA, credsA := newTenant(t, svc, true)
		ctxB, credsB := newTenant(t, svc, true)
		a := newAccount(t, svc, ctxA)
		b := newAccount(t, svc, ctxB)
		na, nb := a.Account.Number, b.Account.Number
		cashIn(t, svc, ctxA, na, 500)
		cashIn(t, svc, ctxB, nb, 500)

		_, err := svc.GetAccountInfo(ctxB, na)
		wantErr(t, err, baas.ENotFound, "")
		_, err = svc.GetAccountInfoByEmail(ctxB, a.Customer.Email)
		wantErr(t, err, baas.ENotFound, "")
		_, err = svc.AccountStatements(ctxB, na, baas.StatementFilter{})
		wantErr(t, err, baas.ENotFound, "")
		_, _, err = svc.CashIn(ctxB, core.CashInParams{AccountNumber: na, Amount: 1})
		wantErr(t, err, baas.ENotFound, "")
		_, _, err = svc.P2P(ctxB, core.P2PParams{OriginNumber: na, DestinationNumber: nb, Amount: 1})
		wantErr(t, err, baas.ENotFound, "")
		_, _, err = svc.P2P(ctxB, core.P2PParams{OriginNumber: nb, DestinationNumber: na, Amount: 1})
		wantErr(t, err, baas.ENotFound, "")
		_, err = svc.ChangeAccountStatus(ctxB, na, baas.AccountInactive)
		wantErr(t, err, baas.ENotFound, "")

		if got := balance(t, svc, ctxA, na); got != 500 {
			t.Fatalf("A's balance = %d, want 500", got)
		}
		if got := balance(t, svc, ctxB, nb); got != 500 {
			t.Fatalf("B's balance = %d, want 500", got)
		}
		if info, _ := svc.GetAccountInfo(ctxA, na); info.Account.Status != baas.AccountActive {
			t.Fatalf("A's account status = %q", info.Account.Status)
		}
		for _, id := range []string{credsA.TenantID, credsB.TenantID} {
			if got := masterBalance(t, svc, id); got != sandboxFloat-500 {
				t.Fatalf("master of %s = %d", id, got)
			}
		}
		verifyLedger(t, svc)
	})
}

func TestIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, creds := newTenant(t, svc, true)
		a := newAccount(t, svc, ctx).Account.Number
		b := newAccount(t, svc, ctx).Account.Number
		idem := core.Idempotency{Key: "key-1", Fingerprint: "POST /cash-in {100}"}

		first, replayed, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: a, Amount: 100, Message: "m", Idem: idem})
		if err != nil || replayed {
			t.Fatalf("first CashIn = %v, %v", replayed, err)
		}
		again, replayed, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: a, Amount: 100, Message: "m", Idem: idem})
		if err != nil || !replayed {
			t.Fatalf("repeated CashIn = replayed %v, %v; want a replay", replayed, err)
		}
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("replayed result %+v differs from the first %+v", again, first)
		}
		if got := balance(t, svc, ctx, a); got != 100 {
			t.Fatalf("balance = %d after a replayed cash-in, want 100", got)
		}
		if got := masterBalance(t, svc, creds.TenantID); got != sandboxFloat-100 {
			t.Fatalf("master = %d after a replayed cash-in", got)
		}

		// The same key for another request is refused, and moves nothing.
		_, _, err = svc.CashIn(ctx, core.CashInParams{AccountNumber: a, Amount: 999, Idem: core.Idempotency{Key: idem.Key, Fingerprint: "other"}})
		wantErr(t, err, baas.EConflict, "IDEMPOTENCY_KEY_REUSED")
		_, _, err = svc.P2P(ctx, core.P2PParams{OriginNumber: a, DestinationNumber: b, Amount: 1, Idem: core.Idempotency{Key: idem.Key, Fingerprint: "p2p"}})
		wantErr(t, err, baas.EConflict, "IDEMPOTENCY_KEY_REUSED")
		if got := balance(t, svc, ctx, a); got != 100 {
			t.Fatalf("balance = %d after a refused reuse, want 100", got)
		}

		// Keys belong to a tenant.
		ctx2, _ := newTenant(t, svc, true)
		c := newAccount(t, svc, ctx2).Account.Number
		if _, replayed, err := svc.CashIn(ctx2, core.CashInParams{AccountNumber: c, Amount: 100, Message: "m", Idem: idem}); err != nil || replayed {
			t.Fatalf("same key in another tenant = replayed %v, %v", replayed, err)
		}

		// A failed request is not remembered: the same key may be retried.
		p2pIdem := core.Idempotency{Key: "key-2", Fingerprint: "p2p 150"}
		p := core.P2PParams{OriginNumber: a, DestinationNumber: b, Amount: 150, Idem: p2pIdem}
		_, _, err = svc.P2P(ctx, p)
		wantErr(t, err, baas.EInsufficientFunds, "")
		cashIn(t, svc, ctx, a, 100)
		res, replayed, err := svc.P2P(ctx, p)
		if err != nil || replayed || res.OriginBalance != 50 {
			t.Fatalf("retried P2P = %+v, replayed %v, %v", res, replayed, err)
		}
		res2, replayed, err := svc.P2P(ctx, p)
		if err != nil || !replayed || !reflect.DeepEqual(res, res2) {
			t.Fatalf("replayed P2P = %+v, replayed %v, %v; want %+v", res2, replayed, err, res)
		}
		if got := balance(t, svc, ctx, b); got != 150 {
			t.Fatalf("destination = %d, want 150", got)
		}

		// CreateAccount replays the same account rather than opening another.
		caIdem := core.Idempotency{Key: "key-3", Fingerprint: "new account"}
		acc1, _, err := svc.CreateAccount(ctx, core.CreateAccountParams{Email: "idem@example.com", Handle: "idem", Idem: caIdem})
		if err != nil {
			t.Fatal(err)
		}
		acc2, replayed, err := svc.CreateAccount(ctx, core.CreateAccountParams{Email: "idem@example.com", Handle: "idem", Idem: caIdem})
		if err != nil || !replayed || acc2.Account.Number != acc1.Account.Number || acc2.Customer.ID != acc1.Customer.ID {
			t.Fatalf("replayed CreateAccount = %+v, replayed %v, %v", acc2, replayed, err)
		}
		if !acc2.Account.CreatedAt.Equal(acc1.Account.CreatedAt) {
			t.Fatalf("replayed CreatedAt %v, first %v", acc2.Account.CreatedAt, acc1.Account.CreatedAt)
		}
		verifyLedger(t, svc)
	})
}

// TestIdempotencyExpiry moves a fake clock past the TTL: the key is forgotten, and the
// purge removes it.
func TestIdempotencyExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		var offset atomic.Int64
		clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		svc := newServiceClock(t, engine, clock)
		ctx, _ := newTenant(t, svc, true)
		a := newAccount(t, svc, ctx).Account.Number
		idem := core.Idempotency{Key: "k", Fingerprint: "f"}
		p := core.CashInParams{AccountNumber: a, Amount: 10, Idem: idem}
		if _, replayed, err := svc.CashIn(ctx, p); err != nil || replayed {
			t.Fatalf("CashIn = %v, %v", replayed, err)
		}
		if n, err := svc.PurgeIdempotencyKeys(ctx); err != nil || n != 0 {
			t.Fatalf("purge before expiry removed %d, %v", n, err)
		}
		offset.Store(int64(23 * time.Hour))
		if _, replayed, err := svc.CashIn(ctx, p); err != nil || !replayed {
			t.Fatalf("CashIn within the TTL = replayed %v, %v", replayed, err)
		}
		offset.Store(int64(25 * time.Hour))
		if _, replayed, err := svc.CashIn(ctx, p); err != nil || replayed {
			t.Fatalf("CashIn after the TTL = replayed %v, %v; want a new request", replayed, err)
		}
		if got := balance(t, svc, ctx, a); got != 20 {
			t.Fatalf("balance = %d, want 20", got)
		}
		// A different fingerprint is refused again now the key is fresh.
		_, _, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: a, Amount: 10, Idem: core.Idempotency{Key: "k", Fingerprint: "g"}})
		wantErr(t, err, baas.EConflict, "IDEMPOTENCY_KEY_REUSED")
		offset.Store(int64(50 * time.Hour))
		if n, err := svc.PurgeIdempotencyKeys(ctx); err != nil || n != 1 {
			t.Fatalf("purge after expiry removed %d, %v; want 1", n, err)
		}
		verifyLedger(t, svc)
	})
}

// TestIdempotencyConcurrent sends the same request with the same key many times at once:
// money moves exactly once and every caller gets the same result.
func TestIdempotencyConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, creds := newTenant(t, svc, true)
		a := newAccount(t, svc, ctx).Account.Number
		b := newAccount(t, svc, ctx).Account.Number
		cashIn(t, svc, ctx, a, 1_000)

		const n = 12
		type outcome struct {
			cash     *core.CashInResult
			p2p      *core.P2PResult
			replayed bool
			err      error
		}
		var wg sync.WaitGroup
		outs := make([]outcome, 2*n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(2)
			go func(i int) {
				defer wg.Done()
				<-start
				res, replayed, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: b, Amount: 77,
					Idem: core.Idempotency{Key: "cash", Fingerprint: "same"}})
				outs[i] = outcome{cash: res, replayed: replayed, err: err}
			}(i)
			go func(i int) {
				defer wg.Done()
				<-start
				res, replayed, err := svc.P2P(ctx, core.P2PParams{OriginNumber: a, DestinationNumber: b, Amount: 300,
					Idem: core.Idempotency{Key: "p2p", Fingerprint: "same"}})
				outs[n+i] = outcome{p2p: res, replayed: replayed, err: err}
			}(i)
		}
		close(start)
		wg.Wait()

		var fresh [2]int
		for i, o := range outs {
			if o.err != nil {
				t.Fatalf("request %d: %v", i, o.err)
			}
			kind := i / n
			if !o.replayed {
				fresh[kind]++
			}
			if kind == 0 && !reflect.DeepEqual(o.cash, outs[0].cash) {
				t.Fatalf("cash-in results differ: %+v and %+v", o.cash, outs[0].cash)
			}
			if kind == 1 && !reflect.DeepEqual(o.p2p, outs[n].p2p) {
				t.Fatalf("p2p results differ: %+v and %+v", o.p2p, outs[n].p2p)
			}
		}
		if fresh != [2]int{1, 1} {
			t.Fatalf("requests that ran rather than replayed: %v, want one of each", fresh)
		}
		if got := balance(t, svc, ctx, a); got != 700 {
			t.Fatalf("origin = %d, want 700", got)
		}
		if got := balance(t, svc, ctx, b); got != 377 {
			t.Fatalf("destination = %d, want 377", got)
		}
		if got := masterBalance(t, svc, creds.TenantID); got != sandboxFloat-1_077 {
			t.Fatalf("master = %d, want %d", got, sandboxFloat-1_077)
		}
		st, err := svc.AccountStatements(ctx, b, baas.StatementFilter{})
		if err != nil || len(st) != 2 {
			t.Fatalf("destination has %d postings, %v; want 2", len(st), err)
		}
		verifyLedger(t, svc)
	})
}

// TestRandomOperations checks random sequences of cash-ins, P2P transfers and status
// changes against a model that is a map of balances.
func TestRandomOperations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		rapid.Check(t, func(t *rapid.T) {
			ctx, creds := newTenant(t, svc, true)
			var numbers []int64
			for i, n := 0, rapid.IntRange(2, 4).Draw(t, "accounts"); i < n; i++ {
				numbers = append(numbers, newAccount(t, svc, ctx).Account.Number)
			}
			balances := map[int64]int64{}
			active := map[int64]bool{}
			for _, n := range numbers {
				active[n] = true
			}
			master := int64(sandboxFloat)
			amount := func(label string) int64 {
				return rapid.OneOf(rapid.Int64Range(1, 500), rapid.Int64Range(-1, 0), rapid.Int64Range(500, 5_000)).Draw(t, label)
			}
			t.Repeat(map[string]func(*rapid.T){
				"cash-in": func(t *rapid.T) {
					n := rapid.SampledFrom(numbers).Draw(t, "account")
					amt := amount("amount")
					res, replayed, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: n, Amount: amt})
					switch {
					case amt <= 0:
						wantErr(t, err, baas.EInvalid, "")
					case !active[n]:
						wantErr(t, err, baas.EConflict, "ACCOUNT_INACTIVE")
					default:
						if err != nil || replayed {
							t.Fatalf("CashIn(%d, %d) = %v, %v", n, amt, replayed, err)
						}
						balances[n] += amt
						master -= amt
						if res.Balance != balances[n] || res.MasterBalance != master {
							t.Fatalf("CashIn = %+v, want balance %d master %d", res, balances[n], master)
						}
					}
				},
				"drain master": func(t *rapid.T) {
					n := rapid.SampledFrom(numbers).Draw(t, "account")
					if !active[n] {
						return
					}
					_, _, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: n, Amount: master + 1})
					wantErr(t, err, baas.EInsufficientFunds, "MASTER_ACCOUNT_INSUFFICIENT_FUNDS")
				},
				"p2p": func(t *rapid.T) {
					from := rapid.SampledFrom(numbers).Draw(t, "from")
					to := rapid.SampledFrom(numbers).Draw(t, "to")
					amt := rapid.OneOf(rapid.Just(balances[from]), rapid.Just(balances[from]+1), rapid.Int64Range(1, 500), rapid.Int64Range(-1, 0)).Draw(t, "amount")
					res, _, err := svc.P2P(ctx, core.P2PParams{OriginNumber: from, DestinationNumber: to, Amount: amt})
					switch {
					case amt <= 0:
						wantErr(t, err, baas.EInvalid, "")
					case from == to:
						wantErr(t, err, baas.EConflict, "SAME_ACCOUNT")
					case !active[from]:
						wantErr(t, err, baas.EConflict, "ORIGIN_ACCOUNT_INACTIVE")
					case !active[to]:
						wantErr(t, err, baas.EConflict, "DESTINATION_ACCOUNT_INACTIVE")
					case amt > balances[from]:
						wantErr(t, err, baas.EInsufficientFunds, "")
					default:
						if err != nil {
							t.Fatalf("P2P(%d -> %d, %d) with balance %d: %v", from, to, amt, balances[from], err)
						}
						balances[from] -= amt
						balances[to] += amt
						if res.OriginBalance != balances[from] {
							t.Fatalf("P2P origin balance %d, want %d", res.OriginBalance, balances[from])
						}
					}
				},
				"status": func(t *rapid.T) {
					n := rapid.SampledFrom(numbers).Draw(t, "account")
					status := rapid.SampledFrom([]string{baas.AccountActive, baas.AccountInactive}).Draw(t, "status")
					_, err := svc.ChangeAccountStatus(ctx, n, status)
					if (status == baas.AccountActive) == active[n] {
						wantErr(t, err, baas.EConflict, "ACCOUNT_ALREADY_"+strings.ToUpper(status))
						return
					}
					if err != nil {
						t.Fatalf("ChangeAccountStatus(%d, %s): %v", n, status, err)
					}
					active[n] = status == baas.AccountActive
				},
				"": func(t *rapid.T) {
					for _, n := range numbers {
						if got := balance(t, svc, ctx, n); got != balances[n] {
							t.Fatalf("account %d balance %d, model %d", n, got, balances[n])
						}
					}
					if got := masterBalance(t, svc, creds.TenantID); got != master {
						t.Fatalf("master balance %d, model %d", got, master)
					}
				},
			})
			verifyLedger(t, svc)
			// Each account's statement is a chain from zero to its balance.
			for _, n := range numbers {
				st, err := svc.AccountStatements(ctx, n, baas.StatementFilter{Limit: 500})
				if err != nil {
					t.Fatalf("AccountStatements: %v", err)
				}
				var running int64
				for i := len(st) - 1; i >= 0; i-- {
					running += st[i].Amount
					if st[i].BalanceAfter != running {
						t.Fatalf("account %d posting %d: balance after %d, running sum %d", n, st[i].PostingID, st[i].BalanceAfter, running)
					}
				}
				if running != balances[n] {
					t.Fatalf("account %d postings sum to %d, balance %d", n, running, balances[n])
				}
			}
		})
	})
}

// TestConcurrentP2P runs many P2P transfers at once among a few accounts: no money is
// created or lost, no balance goes negative and the ledger stays consistent.
func TestConcurrentP2P(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, creds := newTenant(t, svc, true)
		const accounts, workers, perWorker = 10, 16, 25
		var numbers []int64
		var total int64
		for i := 0; i < accounts; i++ {
			n := newAccount(t, svc, ctx).Account.Number
			numbers = append(numbers, n)
			amt := int64(1_000 * (i + 1))
			cashIn(t, svc, ctx, n, amt)
			total += amt
		}
		var wg sync.WaitGroup
		var ok, declined atomic.Int64
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, 7))
				for i := 0; i < perWorker; i++ {
					from := numbers[r.IntN(accounts)]
					to := numbers[r.IntN(accounts)]
					if from == to {
						continue
					}
					amt := 1 + r.Int64N(3_000)
					_, _, err := svc.P2P(ctx, core.P2PParams{OriginNumber: from, DestinationNumber: to, Amount: amt})
					switch {
					case err == nil:
						ok.Add(1)
					case baas.IsCode(err, baas.EInsufficientFunds):
						declined.Add(1)
					default:
						errs <- fmt.Errorf("P2P(%d -> %d, %d): %w", from, to, amt, err)
						return
					}
				}
			}(uint64(w))
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if ok.Load() == 0 {
			t.Fatalf("no transfer succeeded (%d declined)", declined.Load())
		}
		var sum int64
		for _, n := range numbers {
			b := balance(t, svc, ctx, n)
			if b < 0 {
				t.Fatalf("account %d went negative: %d", n, b)
			}
			sum += b
		}
		if sum != total {
			t.Fatalf("customer money %d after %d transfers, want %d", sum, ok.Load(), total)
		}
		if got := masterBalance(t, svc, creds.TenantID); got != sandboxFloat-total {
			t.Fatalf("master = %d, want %d", got, sandboxFloat-total)
		}
		verifyLedger(t, svc)
		t.Logf("%s: %d transfers, %d declined", engine, ok.Load(), declined.Load())
	})
}

// TestCancelledRequests runs P2P transfers at once, half of them with contexts that expire
// at random moments: a request either fails and moves nothing or succeeds and moves its
// money once, requests that are not cancelled are not disturbed by those that are, and the
// ledger stays consistent. Nothing here depends on timing for its verdict.
func TestCancelledRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		svc := newService(t, engine)
		ctx, _ := newTenant(t, svc, true)
		const accounts, workers, perWorker = 6, 16, 20
		var numbers []int64
		var total int64
		for i := 0; i < accounts; i++ {
			n := newAccount(t, svc, ctx).Account.Number
			cashIn(t, svc, ctx, n, 100_000)
			numbers = append(numbers, n)
			total += 100_000
		}
		var wg sync.WaitGroup
		var ok atomic.Int64
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), 11))
				for i := 0; i < perWorker; i++ {
					from, to := numbers[r.IntN(accounts)], numbers[r.IntN(accounts)]
					if from == to {
						continue
					}
					c, cancel := ctx, context.CancelFunc(func() {})
					cancelling := w%2 == 1
					if cancelling {
						c, cancel = context.WithTimeout(ctx, time.Duration(r.IntN(2_000))*time.Microsecond)
					}
					_, _, err := svc.P2P(c, core.P2PParams{OriginNumber: from, DestinationNumber: to, Amount: 1})
					cancel()
					switch {
					case err == nil:
						ok.Add(1)
					case !cancelling:
						errs <- fmt.Errorf("P2P without cancellation: %w", err)
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var sum int64
		var transfers int64
		for _, n := range numbers {
			sum += balance(t, svc, ctx, n)
			st, err := svc.AccountStatements(ctx, n, baas.StatementFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range st {
				if x.Kind == baas.TransferP2P && x.Amount < 0 {
					transfers++
				}
			}
		}
		// Every transfer reported done is in the ledger. On SQLite a caller is answered only
		// with the outcome of the commit, so the reverse holds too; on PostgreSQL a context
		// that expires while COMMIT is on the wire leaves the outcome unknown to the caller
		// (the commit may have happened), which is what idempotency keys are for.
		if transfers < ok.Load() || (engine == "sqlite" && transfers != ok.Load()) {
			t.Fatalf("%d P2P transfers in the ledger, %d reported as done", transfers, ok.Load())
		}
		if sum != total {
			t.Fatalf("customer money %d, want %d", sum, total)
		}
		verifyLedger(t, svc)
	})
}
