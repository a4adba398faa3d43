package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.LedgerTx: accounts and balances, transfers and postings, statements, holds and
// the ledger checks.

func testAccounts(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	other := newTenant(t, s)
	cust := newAccount(t, s, tn.ID, accountOpts{})
	eur := newAccount(t, s, tn.ID, accountOpts{Currency: "EUR"})
	master := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountMaster})
	funding := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	otherMaster := newAccount(t, s, other.ID, accountOpts{Kind: baas.AccountMaster})
	if !(cust.ID < eur.ID && eur.ID < master.ID && master.ID < funding.ID && funding.ID < otherMaster.ID) {
		t.Fatalf("account ids not increasing: %d %d %d %d %d", cust.ID, eur.ID, master.ID, funding.ID, otherMaster.ID)
	}

	got := getAccount(t, s, tn.ID, cust.ID)
	if got.TenantID != tn.ID || got.CustomerID != cust.CustomerID || got.Kind != baas.AccountCustomer ||
		got.Number != cust.Number || got.Currency != "USD" || got.Balance != 0 || got.Held != 0 ||
		got.AllowNegative || got.Status != baas.AccountActive || !got.CreatedAt.Equal(cust.CreatedAt) {
		t.Fatalf("customer account = %+v, want %+v", got, cust)
	}
	got = getAccount(t, s, tn.ID, funding.ID)
	if got.CustomerID != "" || got.Number != 0 || got.Kind != baas.AccountFunding || !got.AllowNegative {
		t.Fatalf("funding account = %+v", got)
	}

	str := func(v string) *string { return &v }
	i64 := func(v int64) *int64 { return &v }
	for name, tc := range map[string]struct {
		f    baas.AccountFilter
		want int64
	}{
		"id":               {baas.AccountFilter{TenantID: tn.ID, ID: &cust.ID}, cust.ID},
		"number":           {baas.AccountFilter{TenantID: tn.ID, Number: &eur.Number}, eur.ID},
		"customer":         {baas.AccountFilter{TenantID: tn.ID, CustomerID: &eur.CustomerID}, eur.ID},
		"kind":             {baas.AccountFilter{TenantID: tn.ID, Kind: str(baas.AccountMaster)}, master.ID},
		"currency":         {baas.AccountFilter{TenantID: tn.ID, Currency: str("EUR")}, eur.ID},
		"kind+currency":    {baas.AccountFilter{TenantID: tn.ID, Kind: str(baas.AccountFunding), Currency: str("USD")}, funding.ID},
		"lowest id":        {baas.AccountFilter{TenantID: tn.ID, Kind: str(baas.AccountCustomer)}, cust.ID},
		"number+kind":      {baas.AccountFilter{TenantID: tn.ID, Number: &cust.Number, Kind: str(baas.AccountCustomer)}, cust.ID},
		"other tenant":     {baas.AccountFilter{TenantID: other.ID, Kind: str(baas.AccountMaster)}, otherMaster.ID},
		"only tenant":      {baas.AccountFilter{TenantID: other.ID}, otherMaster.ID},
		"all the filters":  {baas.AccountFilter{TenantID: tn.ID, ID: &eur.ID, Number: &eur.Number, CustomerID: &eur.CustomerID, Kind: str(baas.AccountCustomer), Currency: str("EUR")}, eur.ID},
		"id and no number": {baas.AccountFilter{TenantID: tn.ID, ID: &master.ID, Kind: str(baas.AccountMaster), Currency: str("USD")}, master.ID},
	} {
		got, err := s.Read().FindAccount(ctx, tc.f)
		if err != nil {
			t.Fatalf("FindAccount by %s: %v", name, err)
		}
		if got.ID != tc.want {
			t.Fatalf("FindAccount by %s = account %d, want %d", name, got.ID, tc.want)
		}
	}
	for name, f := range map[string]baas.AccountFilter{
		"another tenant's id":     {TenantID: other.ID, ID: &cust.ID},
		"another tenant's number": {TenantID: other.ID, Number: &cust.Number},
		"unknown number":          {TenantID: tn.ID, Number: i64(99_999_999)},
		"no tenant":               {ID: &cust.ID},
		"mismatched filters":      {TenantID: tn.ID, ID: &cust.ID, Currency: str("EUR")},
		"unknown kind":            {TenantID: tn.ID, Kind: str(baas.AccountNetwork)},
	} {
		got, err := s.Read().FindAccount(ctx, f)
		wantCode(t, err, baas.ENotFound)
		if got != nil {
			t.Fatalf("FindAccount (%s) returned %+v with its error", name, got)
		}
	}

	// Account numbers are unique across tenants.
	dup := &baas.Account{TenantID: other.ID, CustomerID: newCustomer(t, s, other.ID).ID, Kind: baas.AccountCustomer,
		Number: cust.Number, Currency: "USD", Status: baas.AccountActive, CreatedAt: now()}
	err := s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateAccount(ctx, dup) })
	wantCode(t, err, baas.EConflict)
	// One system account per tenant, kind and currency.
	sys := &baas.Account{TenantID: tn.ID, Kind: baas.AccountMaster, Currency: "USD", Status: baas.AccountActive, CreatedAt: now()}
	err = s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateAccount(ctx, sys) })
	wantCode(t, err, baas.EConflict)
	sys.Currency = "EUR"
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateAccount(ctx, sys) })

	// CreateAccount starts every account at zero whatever it is given.
	rich := &baas.Account{TenantID: tn.ID, Kind: baas.AccountFees, Currency: "USD", Balance: 500, Held: 7,
		Status: baas.AccountActive, CreatedAt: now()}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateAccount(ctx, rich) })
	if got := getAccount(t, s, tn.ID, rich.ID); got.Balance != 0 || got.Held != 0 || rich.Balance != 0 || rich.Held != 0 {
		t.Fatalf("new account stored %d/%d, struct %d/%d; want zeros", got.Balance, got.Held, rich.Balance, rich.Held)
	}

	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.UpdateAccountStatus(ctx, cust.ID, baas.AccountInactive)
	})
	if got := getAccount(t, s, tn.ID, cust.ID); got.Status != baas.AccountInactive {
		t.Fatalf("status = %q after UpdateAccountStatus", got.Status)
	}
	if got := getAccount(t, s, tn.ID, eur.ID); got.Status != baas.AccountActive {
		t.Fatalf("UpdateAccountStatus changed another account: %q", got.Status)
	}
}

func testAccountNumberTaken(t *testing.T, s baas.Store) {
	ctx := context.Background()
	a := newTenant(t, s)
	acc := newAccount(t, s, a.ID, accountOpts{})
	for _, tc := range []struct {
		n    int64
		want bool
	}{{acc.Number, true}, {acc.Number + 1_000_000, false}, {0, false}} {
		got, err := s.Read().AccountNumberTaken(ctx, tc.n)
		if err != nil || got != tc.want {
			t.Fatalf("AccountNumberTaken(%d) = %v, %v; want %v", tc.n, got, err, tc.want)
		}
	}
	// Taken whatever tenant asks, and inside a transaction too.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		got, err := tx.AccountNumberTaken(ctx, acc.Number)
		if err != nil || !got {
			return fmt.Errorf("AccountNumberTaken in tx = %v, %v", got, err)
		}
		return nil
	})
}

func testLockAccounts(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	var ids []int64
	for i := 0; i < 5; i++ {
		ids = append(ids, newAccount(t, s, tn.ID, accountOpts{}).ID)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		got, err := tx.LockAccounts(ctx, []int64{ids[3], ids[0], ids[4], ids[1]})
		if err != nil {
			return err
		}
		var gotIDs []int64
		for _, a := range got {
			gotIDs = append(gotIDs, a.ID)
			if a.TenantID != tn.ID || a.Currency != "USD" || a.Number == 0 {
				return fmt.Errorf("locked account %+v not fully read", a)
			}
		}
		if want := []int64{ids[0], ids[1], ids[3], ids[4]}; !slices.Equal(gotIDs, want) {
			return fmt.Errorf("LockAccounts returned %v, want %v (ascending)", gotIDs, want)
		}
		got, err = tx.LockAccounts(ctx, []int64{ids[2], 1 << 50})
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].ID != ids[2] {
			return fmt.Errorf("LockAccounts with an unknown id returned %v", got)
		}
		got, err = tx.LockAccounts(ctx, nil)
		if err != nil || len(got) != 0 {
			return fmt.Errorf("LockAccounts(nil) = %v, %v", got, err)
		}
		return nil
	})
}

// testLockAccountsConcurrent has many transactions read, change and write the same
// balances at once, locking them with LockAccounts or LockCustomerAccounts: the locks
// must make every change count.
func testLockAccountsConcurrent(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{})
	b := newAccount(t, s, tn.ID, accountOpts{})
	const start = 1_000
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.SaveBalances(ctx, []*baas.Account{{ID: a.ID, Balance: start}})
	})
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				ctx := context.Background()
				errs <- s.InTx(ctx, func(tx baas.Tx) error {
					var accts []*baas.Account
					var err error
					switch (w + r) % 3 {
					case 0:
						accts, err = tx.LockAccounts(ctx, []int64{a.ID, b.ID})
					case 1:
						accts, err = tx.LockAccounts(ctx, []int64{b.ID, a.ID}) // the store orders the locks itself
					default:
						accts, err = tx.LockCustomerAccounts(ctx, tn.ID, []int64{b.Number, a.Number})
					}
					if err != nil {
						return err
					}
					if len(accts) != 2 || accts[0].ID != a.ID || accts[1].ID != b.ID {
						return fmt.Errorf("locked %+v", accts)
					}
					accts[0].Balance--
					accts[1].Balance++
					return tx.SaveBalances(ctx, accts)
				})
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent InTx: %v", err)
		}
	}
	const moved = workers * rounds
	if ga, gb := getAccount(t, s, tn.ID, a.ID), getAccount(t, s, tn.ID, b.ID); ga.Balance != start-moved || gb.Balance != moved {
		t.Fatalf("balances %d and %d after %d moves, want %d and %d", ga.Balance, gb.Balance, moved, start-moved, moved)
	}
}

// testFindCustomerAccounts: the unlocked read of customer accounts by number sees only
// the tenant's customer accounts, in ascending id order.
func testFindCustomerAccounts(t *testing.T, s baas.Store) {
	tn, other := newTenant(t, s), newTenant(t, s)
	a1 := newAccount(t, s, tn.ID, accountOpts{})
	a2 := newAccount(t, s, tn.ID, accountOpts{})
	o1 := newAccount(t, s, other.ID, accountOpts{})
	got, err := s.Read().FindCustomerAccounts(context.Background(), tn.ID, []int64{a2.Number, o1.Number, a1.Number, 99_999_999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != a1.ID || got[1].ID != a2.ID || got[1].CustomerID != a2.CustomerID {
		t.Fatalf("FindCustomerAccounts = %+v, want accounts %d and %d", got, a1.ID, a2.ID)
	}
	if got, err := s.Read().FindCustomerAccounts(context.Background(), tn.ID, nil); err != nil || len(got) != 0 {
		t.Fatalf("no numbers: %v, %v", got, err)
	}
}

// testFindCustomerAccount: one customer account with its customer, by number or email;
// another tenant's is not found, and so is a system account.
func testFindCustomerAccount(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn, other := newTenant(t, s), newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{})
	o := newAccount(t, s, other.ID, accountOpts{})
	c, err := s.Read().FindCustomer(ctx, baas.CustomerFilter{TenantID: tn.ID, ID: &a.CustomerID})
	if err != nil {
		t.Fatal(err)
	}
	gotA, gotC, err := s.Read().FindCustomerAccount(ctx, tn.ID, &a.Number, nil)
	if err != nil || gotA.ID != a.ID || gotA.Number != a.Number || gotC.ID != c.ID || gotC.Email != c.Email || gotC.City != c.City {
		t.Fatalf("by number: %+v %+v %v", gotA, gotC, err)
	}
	gotA, gotC, err = s.Read().FindCustomerAccount(ctx, tn.ID, nil, &c.Email)
	if err != nil || gotA.ID != a.ID || gotC.ID != c.ID || !gotC.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("by email: %+v %+v %v", gotA, gotC, err)
	}
	_, _, err = s.Read().FindCustomerAccount(ctx, tn.ID, &o.Number, nil)
	wantCode(t, err, baas.ENotFound)
	_, _, err = s.Read().FindCustomerAccount(ctx, other.ID, nil, &c.Email)
	wantCode(t, err, baas.ENotFound)
}

// testAddToBalance: the balance moves by the delta and the account comes back as it is
// after; the database refuses to take a non-negative account below its holds (and leaves
// it unchanged), allows it for an account that may go negative, and an unknown id is not
// found.
func testAddToBalance(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{})
	neg := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		got, err := tx.AddToBalance(ctx, a.ID, 500)
		if err != nil {
			return err
		}
		if got.ID != a.ID || got.Balance != 500 || got.TenantID != tn.ID || got.Number != a.Number || got.Status != baas.AccountActive {
			return fmt.Errorf("after +500: %+v", got)
		}
		if got, err = tx.AddToBalance(ctx, a.ID, -200); err != nil || got.Balance != 300 {
			return fmt.Errorf("after -200: %+v %v", got, err)
		}
		if got, err = tx.AddToBalance(ctx, neg.ID, -1000); err != nil || got.Balance != -1000 {
			return fmt.Errorf("allow-negative after -1000: %+v %v", got, err)
		}
		return nil
	})
	err := s.InTx(ctx, func(tx baas.Tx) error {
		_, err := tx.AddToBalance(ctx, a.ID, -301)
		return err
	})
	wantCode(t, err, baas.EInsufficientFunds)
	if got := getAccount(t, s, tn.ID, a.ID); got.Balance != 300 {
		t.Fatalf("balance after a refused overdraft: %d, want 300", got.Balance)
	}
	err = s.InTx(ctx, func(tx baas.Tx) error {
		_, err := tx.AddToBalance(ctx, 987_654_321, 1)
		return err
	})
	wantCode(t, err, baas.ENotFound)
}

// testAddToBalances: the deltas apply in the order given and the accounts come back in
// that order; one refused delta refuses them all (the transaction rolls back).
func testAddToBalances(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{})
	b := newAccount(t, s, tn.ID, accountOpts{})
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		got, err := tx.AddToBalances(ctx, []baas.BalanceDelta{{AccountID: b.ID, Delta: 700}, {AccountID: a.ID, Delta: 300}})
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].ID != b.ID || got[0].Balance != 700 || got[1].ID != a.ID || got[1].Balance != 300 ||
			got[1].TenantID != tn.ID || got[1].Number != a.Number {
			return fmt.Errorf("AddToBalances = %+v", got)
		}
		return nil
	})
	err := s.InTx(ctx, func(tx baas.Tx) error {
		_, err := tx.AddToBalances(ctx, []baas.BalanceDelta{{AccountID: b.ID, Delta: 1}, {AccountID: a.ID, Delta: -301}})
		return err
	})
	wantCode(t, err, baas.EInsufficientFunds)
	if !strings.Contains(err.Error(), strconv.FormatInt(a.ID, 10)) {
		t.Fatalf("the error names another account: %v", err)
	}
	if ga, gb := getAccount(t, s, tn.ID, a.ID), getAccount(t, s, tn.ID, b.ID); ga.Balance != 300 || gb.Balance != 700 {
		t.Fatalf("balances after a refused pair: %d, %d; want 300, 700", ga.Balance, gb.Balance)
	}
}

// testCreditLater: a credit left to the commit updates the balance and writes its
// posting with the balance after it; one to an account that is inactive, another
// tenant's or in another currency fails its transaction, which leaves nothing behind.
func testCreditLater(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn, other := newTenant(t, s), newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{})
	inactive := newAccount(t, s, tn.ID, accountOpts{})
	foreign := newAccount(t, s, other.ID, accountOpts{})
	eur := newAccount(t, s, tn.ID, accountOpts{Currency: "EUR"})
	src := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.UpdateAccountStatus(ctx, inactive.ID, baas.AccountInactive)
	})
	// move credits to in a transaction that debits src, locked first (its id is the
	// highest: the credited account comes last in the lock order, as it must).
	move := func(to int64, amount int64) (*baas.Posting, int64, error) {
		var postings []baas.Posting
		var tid int64
		err := s.InTx(ctx, func(tx baas.Tx) error {
			tr := &baas.Transfer{TenantID: tn.ID, Kind: baas.TransferP2P, CreatedAt: now()}
			if err := tx.InsertTransfer(ctx, tr); err != nil {
				return err
			}
			tid = tr.ID
			debited, err := tx.AddToBalance(ctx, src.ID, -amount)
			if err != nil {
				return err
			}
			postings = []baas.Posting{{AccountID: src.ID, Currency: "USD", Amount: -amount, BalanceAfter: debited.Balance},
				{AccountID: to, Currency: "USD", Amount: amount}}
			return tx.CreditLater(ctx, tn.ID, baas.AccountActive, tr.ID, postings, 1)
		})
		if err == nil && (postings[0].TransferID != tid || postings[1].TransferID != tid) {
			t.Fatalf("postings' transfer ids %d, %d; want %d", postings[0].TransferID, postings[1].TransferID, tid)
		}
		return &postings[1], tid, err
	}
	p, tid, err := move(a.ID, 250)
	if err != nil {
		t.Fatalf("CreditLater: %v", err)
	}
	if p.BalanceAfter != 250 {
		t.Fatalf("posting's balance after = %d, want 250", p.BalanceAfter)
	}
	if p, _, err = move(a.ID, 50); err != nil || p.BalanceAfter != 300 {
		t.Fatalf("second credit: %v, balance after %d", err, p.BalanceAfter)
	}
	if got := getAccount(t, s, tn.ID, a.ID).Balance; got != 300 {
		t.Fatalf("balance = %d, want 300", got)
	}
	stmts, err := s.Read().ListStatements(ctx, baas.StatementFilter{TenantID: tn.ID, AccountID: a.ID})
	if err != nil || len(stmts) != 2 || stmts[1].TransferID != tid || stmts[1].Amount != 250 || stmts[1].BalanceAfter != 250 {
		t.Fatalf("statements = %+v, %v", stmts, err)
	}
	if st, err := s.Read().ListStatements(ctx, baas.StatementFilter{TenantID: tn.ID, AccountID: src.ID}); err != nil ||
		len(st) != 2 || st[1].Amount != -250 || st[1].BalanceAfter != -250 || st[0].BalanceAfter != -300 {
		t.Fatalf("statements of the debited account = %+v, %v", st, err)
	}
	for name, id := range map[string]int64{"inactive": inactive.ID, "another tenant's": foreign.ID, "in EUR": eur.ID} {
		_, _, err := move(id, 10)
		if baas.ErrorReason(err) != baas.ErrCreditRefused {
			t.Fatalf("credit to an account %s: %v, want reason %s", name, err, baas.ErrCreditRefused)
		}
	}
	p, _, err = move(a.ID, -5)
	wantCode(t, err, baas.EInvalid)
	if got := getAccount(t, s, tn.ID, src.ID).Balance; got != -300 {
		t.Fatalf("src balance = %d after refused credits, want -300", got)
	}
	_, checks, unbalanced := ledgerReport(t, s)
	for _, acct := range []*baas.Account{inactive, foreign, eur} {
		if got := getAccount(t, s, acct.TenantID, acct.ID).Balance; got != 0 {
			t.Fatalf("refused account %d has balance %d", acct.ID, got)
		}
	}
	if len(checks) != 0 || len(unbalanced) != 0 {
		t.Fatalf("ledger after refused credits: %+v, %+v", checks, unbalanced)
	}
}

// testDeferredWriteFails: writes a store may hold back until the commit (postings, the
// idempotency record) still fail their transaction, which leaves nothing behind — many
// times over, so that a connection returned to a pool with a transaction still open would
// show.
func testDeferredWriteFails(t *testing.T, s baas.Store) {
	ctx := context.Background()
	t0 := now()
	rec := &baas.IdempotencyRecord{TenantID: "ten-d", Key: "taken", Fingerprint: "f", Result: json.RawMessage(`{}`),
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutIdempotency(ctx, rec) })
	for i := range 40 {
		key := fmt.Sprintf("deferred-%d", i)
		err := s.InTx(ctx, func(tx baas.Tx) error {
			if err := tx.PutSetting(ctx, key, "1"); err != nil {
				return err
			}
			if err := tx.PutIdempotency(ctx, rec); err != nil {
				return err
			}
			if i%2 == 0 {
				return nil // the failure shows at the commit, where the store held the write back
			}
			return tx.PutSetting(ctx, key+"-after", "1") // or at the next statement
		})
		wantCode(t, err, baas.EConflict)
		if r := baas.ErrorReason(err); r != baas.ErrIdempotencyKeyTaken {
			t.Fatalf("reason %q, want %s", r, baas.ErrIdempotencyKeyTaken)
		}
		if v, err := s.Read().GetSetting(ctx, key); !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("a failed transaction left %q = %q (%v)", key, v, err)
		}
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutSetting(ctx, "deferred-ok", "1") })
	if v, err := s.Read().GetSetting(ctx, "deferred-ok"); err != nil || v != "1" {
		t.Fatalf("after the failures: %q, %v", v, err)
	}
}

func testLockCustomerAccounts(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	other := newTenant(t, s)
	a1 := newAccount(t, s, tn.ID, accountOpts{})
	newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountMaster})
	a2 := newAccount(t, s, tn.ID, accountOpts{Currency: "EUR"})
	a3 := newAccount(t, s, tn.ID, accountOpts{})
	o1 := newAccount(t, s, other.ID, accountOpts{})
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		got, err := tx.LockCustomerAccounts(ctx, tn.ID, []int64{a3.Number, o1.Number, 99_999_999, a1.Number, a2.Number})
		if err != nil {
			return err
		}
		var ids []int64
		for _, a := range got {
			ids = append(ids, a.ID)
		}
		if want := []int64{a1.ID, a2.ID, a3.ID}; !slices.Equal(ids, want) {
			return fmt.Errorf("LockCustomerAccounts = %v, want %v (the tenant's, ascending)", ids, want)
		}
		if got[1].Number != a2.Number || got[1].Currency != "EUR" || got[1].CustomerID != a2.CustomerID ||
			got[1].TenantID != tn.ID || got[1].Kind != baas.AccountCustomer || got[1].Status != baas.AccountActive {
			return fmt.Errorf("locked account not fully read: %+v", got[1])
		}
		for name, q := range map[string]struct {
			tenant  string
			numbers []int64
		}{
			"another tenant's number": {tn.ID, []int64{o1.Number}},
			"from the other tenant":   {other.ID, []int64{a1.Number, a2.Number}},
			"no numbers":              {tn.ID, nil},
			"system account number":   {tn.ID, []int64{0}},
		} {
			got, err := tx.LockCustomerAccounts(ctx, q.tenant, q.numbers)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if len(got) != 0 {
				return fmt.Errorf("LockCustomerAccounts (%s) = %+v, want none", name, got)
			}
		}
		got, err = tx.LockCustomerAccounts(ctx, other.ID, []int64{o1.Number, o1.Number})
		if err != nil || len(got) != 1 || got[0].ID != o1.ID {
			return fmt.Errorf("LockCustomerAccounts with a repeated number = %+v, %v", got, err)
		}
		return nil
	})
}

func testListAccounts(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	other := newTenant(t, s)
	var all, customers []int64
	for i := 0; i < 7; i++ {
		o := accountOpts{}
		switch i {
		case 2:
			o = accountOpts{Kind: baas.AccountMaster}
		case 5:
			o = accountOpts{Kind: baas.AccountFunding, AllowNegative: true}
		}
		a := newAccount(t, s, tn.ID, o)
		all = append(all, a.ID)
		if o.Kind == "" {
			customers = append(customers, a.ID)
		}
		newAccount(t, s, other.ID, accountOpts{}) // interleaved ids of another tenant
	}
	list := func(f baas.AccountListFilter) []int64 {
		t.Helper()
		got, err := s.Read().ListAccounts(ctx, f)
		if err != nil {
			t.Fatalf("ListAccounts(%+v): %v", f, err)
		}
		var ids []int64
		for _, a := range got {
			if a.TenantID != f.TenantID || (f.Kind != "" && a.Kind != f.Kind) {
				t.Fatalf("ListAccounts(%+v) returned %+v", f, a)
			}
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := list(baas.AccountListFilter{TenantID: tn.ID, Limit: 100}); !slices.Equal(got, all) {
		t.Fatalf("ListAccounts = %v, want %v", got, all)
	}
	if got := list(baas.AccountListFilter{TenantID: tn.ID, Kind: baas.AccountCustomer, Limit: 100}); !slices.Equal(got, customers) {
		t.Fatalf("ListAccounts of customers = %v, want %v", got, customers)
	}
	// Paging by AfterID.
	var paged []int64
	after := int64(0)
	for i := 0; i < 10; i++ {
		page := list(baas.AccountListFilter{TenantID: tn.ID, AfterID: after, Limit: 3})
		if len(page) > 3 {
			t.Fatalf("page of %d accounts, limit 3", len(page))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1]
	}
	if !slices.Equal(paged, all) {
		t.Fatalf("paged ListAccounts = %v, want %v", paged, all)
	}
	if got := list(baas.AccountListFilter{TenantID: "no-such-tenant", Limit: 10}); len(got) != 0 {
		t.Fatalf("ListAccounts of an unknown tenant = %v", got)
	}
	// The balances read are the stored ones.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.SaveBalances(ctx, []*baas.Account{{ID: customers[0], Balance: 42, Held: 2}})
	})
	got, err := s.Read().ListAccounts(ctx, baas.AccountListFilter{TenantID: tn.ID, Limit: 1})
	if err != nil || len(got) != 1 || got[0].ID != customers[0] || got[0].Balance != 42 || got[0].Held != 2 || got[0].Number == 0 {
		t.Fatalf("ListAccounts limit 1 = %+v, %v", got, err)
	}
}

func testSaveBalances(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{})
	b := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	untouched := newAccount(t, s, tn.ID, accountOpts{})
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		accts, err := tx.LockAccounts(ctx, []int64{a.ID, b.ID})
		if err != nil {
			return err
		}
		accts[0].Balance, accts[0].Held = 1500, 500
		accts[1].Balance, accts[1].Held = -1500, 20
		return tx.SaveBalances(ctx, accts)
	})
	if got := getAccount(t, s, tn.ID, a.ID); got.Balance != 1500 || got.Held != 500 || got.Available() != 1000 {
		t.Fatalf("account a = %d/%d, want 1500/500", got.Balance, got.Held)
	}
	if got := getAccount(t, s, tn.ID, b.ID); got.Balance != -1500 || got.Held != 20 {
		t.Fatalf("account b = %d/%d, want -1500/20", got.Balance, got.Held)
	}
	if got := getAccount(t, s, tn.ID, untouched.ID); got.Balance != 0 || got.Held != 0 {
		t.Fatalf("untouched account = %d/%d", got.Balance, got.Held)
	}
	// Only balance and held are written.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.SaveBalances(ctx, []*baas.Account{{ID: a.ID, Balance: 7, Status: "bogus", Currency: "XXX"}})
	})
	if got := getAccount(t, s, tn.ID, a.ID); got.Balance != 7 || got.Held != 0 || got.Status != baas.AccountActive || got.Currency != "USD" {
		t.Fatalf("account after partial save = %+v", got)
	}
}

// testBalanceConstraint checks that the database itself refuses an account that may not go
// negative going below zero, or holding more than it has, whatever the code above does.
func testBalanceConstraint(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{})
	other := newAccount(t, s, tn.ID, accountOpts{})
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.SaveBalances(ctx, []*baas.Account{{ID: a.ID, Balance: 100, Held: 40}})
	})
	for _, bad := range []struct{ balance, held int64 }{
		{-1, 0},   // below zero
		{100, -1}, // negative held
		{100, 101},
		{39, 40}, // available below zero
	} {
		err := s.InTx(ctx, func(tx baas.Tx) error {
			// A change made earlier in the same transaction is rolled back with it.
			if err := tx.SaveBalances(ctx, []*baas.Account{{ID: other.ID, Balance: 5}}); err != nil {
				return err
			}
			return tx.SaveBalances(ctx, []*baas.Account{{ID: a.ID, Balance: bad.balance, Held: bad.held}})
		})
		if err == nil {
			t.Fatalf("SaveBalances(%d/%d) on an account that may not go negative succeeded", bad.balance, bad.held)
		}
		if got := getAccount(t, s, tn.ID, a.ID); got.Balance != 100 || got.Held != 40 {
			t.Fatalf("after refused save account = %d/%d, want 100/40", got.Balance, got.Held)
		}
		if got := getAccount(t, s, tn.ID, other.ID); got.Balance != 0 {
			t.Fatalf("refused transaction left the other account at %d", got.Balance)
		}
	}
	// Exactly zero available is fine.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.SaveBalances(ctx, []*baas.Account{{ID: a.ID, Balance: 40, Held: 40}})
	})
}

func testInsertTransfer(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	b := newAccount(t, s, tn.ID, accountOpts{})
	c := newAccount(t, s, tn.ID, accountOpts{})
	t1 := transfer(t, s, tn.ID, a.ID, b.ID, 100, "one")
	var t2 *baas.Transfer
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		t2 = &baas.Transfer{TenantID: tn.ID, Kind: baas.TransferFunding, Description: "two", CreatedAt: now(),
			Metadata: json.RawMessage(`{"k":"v"}`),
			Postings: []baas.Posting{
				{AccountID: a.ID, Currency: "USD", Amount: -30, BalanceAfter: -130},
				{AccountID: b.ID, Currency: "USD", Amount: 10, BalanceAfter: 110},
				{AccountID: c.ID, Currency: "USD", Amount: 20, BalanceAfter: 20},
			}}
		return tx.InsertTransfer(ctx, t2)
	})
	if t1.ID <= 0 || t2.ID <= t1.ID {
		t.Fatalf("transfer ids %d, %d", t1.ID, t2.ID)
	}
	for _, tr := range []*baas.Transfer{t1, t2} {
		for _, p := range tr.Postings {
			if p.TransferID != tr.ID {
				t.Fatalf("posting %+v has transfer id %d, want %d", p, p.TransferID, tr.ID)
			}
		}
	}
	// Every posting was stored once, with an id of its own, later transfers' postings after
	// earlier ones'.
	seen := map[int64]bool{}
	lastOfT1 := int64(0)
	for _, acc := range []*baas.Account{a, b, c} {
		st, err := s.Read().ListStatements(ctx, baas.StatementFilter{AccountID: acc.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range st {
			if x.PostingID <= 0 || seen[x.PostingID] {
				t.Fatalf("posting id %d not set or not unique", x.PostingID)
			}
			seen[x.PostingID] = true
			if x.TransferID == t1.ID {
				lastOfT1 = max(lastOfT1, x.PostingID)
			}
		}
	}
	if len(seen) != 5 {
		t.Fatalf("%d postings stored, want 5", len(seen))
	}
	st, err := s.Read().ListStatements(ctx, baas.StatementFilter{AccountID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].PostingID <= lastOfT1 || st[0].TransferID != t2.ID || st[0].Amount != 20 ||
		st[0].BalanceAfter != 20 || st[0].Kind != baas.TransferFunding || st[0].Description != "two" ||
		st[0].Merchant != "" || st[0].Currency != "USD" || !st[0].CreatedAt.Equal(t2.CreatedAt) {
		t.Fatalf("statement of c = %+v", st)
	}
	var meta map[string]string
	if err := json.Unmarshal(st[0].Metadata, &meta); err != nil || meta["k"] != "v" {
		t.Fatalf("metadata = %s (%v)", st[0].Metadata, err)
	}
	st, err = s.Read().ListStatements(ctx, baas.StatementFilter{AccountID: a.ID})
	if err != nil || len(st) != 2 || st[0].TransferID != t2.ID || st[0].Amount != -30 || st[0].BalanceAfter != -130 ||
		st[1].TransferID != t1.ID || st[1].Amount != -100 || st[1].BalanceAfter != -100 {
		t.Fatalf("statement of a = %+v, %v", st, err)
	}
}

// testListStatementsByNumber: a customer account's statements by tenant and number are
// those by id; another tenant's number gives none.
func testListStatementsByNumber(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn, other := newTenant(t, s), newTenant(t, s)
	src := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	acc := newAccount(t, s, tn.ID, accountOpts{})
	for i := 1; i <= 3; i++ {
		transfer(t, s, tn.ID, src.ID, acc.ID, int64(i), fmt.Sprintf("t%d", i))
	}
	byID, err := s.Read().ListStatements(ctx, baas.StatementFilter{AccountID: acc.ID, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	byNumber, err := s.Read().ListStatements(ctx, baas.StatementFilter{TenantID: tn.ID, AccountNumber: acc.Number, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) != 2 || len(byNumber) != 2 || byID[0].PostingID != byNumber[0].PostingID || byID[1].PostingID != byNumber[1].PostingID {
		t.Fatalf("by number %+v, by id %+v", byNumber, byID)
	}
	next, err := s.Read().ListStatements(ctx, baas.StatementFilter{TenantID: tn.ID, AccountNumber: acc.Number, BeforeID: byNumber[1].PostingID})
	if err != nil || len(next) != 1 || next[0].Amount != 1 {
		t.Fatalf("second page by number: %+v %v", next, err)
	}
	if st, err := s.Read().ListStatements(ctx, baas.StatementFilter{TenantID: other.ID, AccountNumber: acc.Number}); err != nil || len(st) != 0 {
		t.Fatalf("another tenant's number: %+v %v", st, err)
	}
}

func testListStatements(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	src := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	acc := newAccount(t, s, tn.ID, accountOpts{})
	noise := newAccount(t, s, tn.ID, accountOpts{})
	if st, err := s.Read().ListStatements(ctx, baas.StatementFilter{AccountID: acc.ID}); err != nil || len(st) != 0 {
		t.Fatalf("statements of a new account = %v, %v", st, err)
	}
	var want []*baas.Transfer // oldest first
	for i := 1; i <= 7; i++ {
		want = append(want, transfer(t, s, tn.ID, src.ID, acc.ID, int64(i), fmt.Sprintf("t%d", i)))
		transfer(t, s, tn.ID, src.ID, noise.ID, 1000, "noise")
	}
	postingOf := func(tr *baas.Transfer) baas.Posting { return tr.Postings[1] }

	var got []*baas.Statement
	before := int64(0)
	for page := 0; ; page++ {
		st, err := s.Read().ListStatements(ctx, baas.StatementFilter{AccountID: acc.ID, BeforeID: before, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(st) > 3 {
			t.Fatalf("page %d has %d statements, limit 3", page, len(st))
		}
		if len(st) == 0 {
			break
		}
		got = append(got, st...)
		before = st[len(st)-1].PostingID
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(got) != 7 {
		t.Fatalf("paged through %d statements, want 7", len(got))
	}
	for i, st := range got {
		tr := want[len(want)-1-i] // newest first
		p := postingOf(tr)
		if i > 0 && st.PostingID >= got[i-1].PostingID {
			t.Fatalf("statement %d has posting id %d after %d: not newest first", i, st.PostingID, got[i-1].PostingID)
		}
		if st.TransferID != tr.ID || st.Amount != p.Amount || st.BalanceAfter != p.BalanceAfter ||
			st.Description != tr.Description || st.Merchant != tr.Merchant || st.Kind != tr.Kind || st.Currency != "USD" ||
			!st.CreatedAt.Equal(tr.CreatedAt) || st.Metadata != nil {
			t.Fatalf("statement %d = %+v, want posting %+v of transfer %+v", i, st, p, tr)
		}
		if p.AccountID != acc.ID {
			t.Fatalf("posting %+v is not of account %d", p, acc.ID)
		}
	}
	all, err := s.Read().ListStatements(ctx, baas.StatementFilter{AccountID: acc.ID})
	if err != nil || len(all) != 7 {
		t.Fatalf("ListStatements without a limit = %d statements, %v; want 7", len(all), err)
	}
	if all[0].BalanceAfter != 28 || all[6].BalanceAfter != 1 {
		t.Fatalf("balances after: newest %d, oldest %d; want 28 and 1", all[0].BalanceAfter, all[6].BalanceAfter)
	}
	one, err := s.Read().ListStatements(ctx, baas.StatementFilter{AccountID: acc.ID, BeforeID: all[2].PostingID, Limit: 1})
	if err != nil || len(one) != 1 || one[0].PostingID != all[3].PostingID {
		t.Fatalf("ListStatements before %d limit 1 = %v, %v; want posting %d", all[2].PostingID, one, err, all[3].PostingID)
	}
}

func testHolds(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	other := newTenant(t, s)
	a := newAccount(t, s, tn.ID, accountOpts{})
	created := now()
	h := &baas.Hold{TenantID: tn.ID, AccountID: a.ID, Currency: "USD", Amount: 250, Status: baas.HoldActive,
		Reference: "auth-1", CreatedAt: created, UpdatedAt: created}
	h2 := &baas.Hold{TenantID: tn.ID, AccountID: a.ID, Currency: "USD", Amount: 1, Status: baas.HoldActive,
		Reference: "", CreatedAt: created, UpdatedAt: created}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.InsertHold(ctx, h); err != nil {
			return err
		}
		return tx.InsertHold(ctx, h2)
	})
	if h.ID <= 0 || h2.ID <= h.ID {
		t.Fatalf("hold ids %d, %d", h.ID, h2.ID)
	}
	got, err := s.Read().GetHold(ctx, tn.ID, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != h.ID || got.TenantID != tn.ID || got.AccountID != a.ID || got.Currency != "USD" || got.Amount != 250 ||
		got.Status != baas.HoldActive || got.Reference != "auth-1" || !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(created) {
		t.Fatalf("hold = %+v, want %+v", got, h)
	}
	for name, q := range map[string]struct {
		tenant string
		id     int64
	}{"other tenant": {other.ID, h.ID}, "unknown id": {tn.ID, h2.ID + 100}} {
		got, err := s.Read().GetHold(ctx, q.tenant, q.id)
		wantCode(t, err, baas.ENotFound)
		if got != nil {
			t.Fatalf("GetHold (%s) returned %+v with its error", name, got)
		}
	}
	later := created.Add(time.Minute)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.UpdateHoldStatus(ctx, h.ID, baas.HoldCaptured, later)
	})
	got, err = s.Read().GetHold(ctx, tn.ID, h.ID)
	if err != nil || got.Status != baas.HoldCaptured || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(created) {
		t.Fatalf("hold after update = %+v, %v", got, err)
	}
	if got, err := s.Read().GetHold(ctx, tn.ID, h2.ID); err != nil || got.Status != baas.HoldActive {
		t.Fatalf("other hold after update = %+v, %v", got, err)
	}
	// A hold's amount is positive.
	bad := &baas.Hold{TenantID: tn.ID, AccountID: a.ID, Currency: "USD", Amount: 0, Status: baas.HoldActive, CreatedAt: created, UpdatedAt: created}
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.InsertHold(ctx, bad) }); err == nil {
		t.Fatal("InsertHold with amount 0 succeeded")
	}
}

func testLedgerChecksClean(t *testing.T, s baas.Store) {
	totals, checks, unbalanced := ledgerReport(t, s)
	if len(totals) != 0 || len(checks) != 0 || len(unbalanced) != 0 {
		t.Fatalf("empty store reports %v, %v, %v", totals, checks, unbalanced)
	}
	tn := newTenant(t, s)
	usd := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	eur := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true, Currency: "EUR"})
	a := newAccount(t, s, tn.ID, accountOpts{})
	b := newAccount(t, s, tn.ID, accountOpts{Currency: "EUR"})
	transfer(t, s, tn.ID, usd.ID, a.ID, 1000, "in")
	transfer(t, s, tn.ID, eur.ID, b.ID, 300, "in")
	transfer(t, s, tn.ID, b.ID, eur.ID, 100, "out")
	// A hold matched by the account's held amount, and a released one that no longer counts.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		for _, h := range []*baas.Hold{
			{TenantID: tn.ID, AccountID: a.ID, Currency: "USD", Amount: 400, Status: baas.HoldActive, CreatedAt: now(), UpdatedAt: now()},
			{TenantID: tn.ID, AccountID: a.ID, Currency: "USD", Amount: 77, Status: baas.HoldReleased, CreatedAt: now(), UpdatedAt: now()},
		} {
			if err := tx.InsertHold(ctx, h); err != nil {
				return err
			}
		}
		return tx.SaveBalances(ctx, []*baas.Account{{ID: a.ID, Balance: 1000, Held: 400}})
	})
	totals, checks, unbalanced = ledgerReport(t, s)
	want := []baas.CurrencyTotal{{Currency: "EUR", Total: 0}, {Currency: "USD", Total: 0}}
	if !slices.Equal(totals, want) {
		t.Fatalf("CurrencyTotals = %+v, want %+v", totals, want)
	}
	if len(checks) != 0 || len(unbalanced) != 0 {
		t.Fatalf("consistent ledger reports accounts %+v and transfers %+v", checks, unbalanced)
	}
}

func testLedgerChecksBroken(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	src := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	a := newAccount(t, s, tn.ID, accountOpts{})
	b := newAccount(t, s, tn.ID, accountOpts{})
	c := newAccount(t, s, tn.ID, accountOpts{Currency: "EUR"})
	transfer(t, s, tn.ID, src.ID, a.ID, 500, "in")

	// A transfer whose postings do not balance, with balances that follow them: the
	// currency total and the transfer are off, each account agrees with its postings.
	var bad *baas.Transfer
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		bad = &baas.Transfer{TenantID: tn.ID, Kind: baas.TransferP2P, CreatedAt: now(), Postings: []baas.Posting{
			{AccountID: a.ID, Currency: "USD", Amount: -100, BalanceAfter: 400},
			{AccountID: b.ID, Currency: "USD", Amount: 130, BalanceAfter: 130},
		}}
		if err := tx.InsertTransfer(ctx, bad); err != nil {
			return err
		}
		return tx.SaveBalances(ctx, []*baas.Account{{ID: a.ID, Balance: 400}, {ID: b.ID, Balance: 130}})
	})
	totals, checks, unbalanced := ledgerReport(t, s)
	if want := []baas.CurrencyTotal{{Currency: "EUR", Total: 0}, {Currency: "USD", Total: 30}}; !slices.Equal(totals, want) {
		t.Fatalf("CurrencyTotals = %+v, want %+v", totals, want)
	}
	if len(checks) != 0 {
		t.Fatalf("AccountChecks = %+v, want none", checks)
	}
	if want := []baas.UnbalancedTransfer{{TransferID: bad.ID, Currency: "USD", Sum: 30}}; !slices.Equal(unbalanced, want) {
		t.Fatalf("UnbalancedTransfers = %+v, want %+v", unbalanced, want)
	}

	// A balance that its postings do not explain, a held amount that no active hold
	// explains, and a transfer balanced overall but mixing currencies.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.SaveBalances(ctx, []*baas.Account{{ID: a.ID, Balance: 370, Held: 0}, {ID: b.ID, Balance: 130, Held: 60}}); err != nil {
			return err
		}
		return tx.InsertTransfer(ctx, &baas.Transfer{TenantID: tn.ID, Kind: baas.TransferP2P, CreatedAt: now(), Postings: []baas.Posting{
			{AccountID: src.ID, Currency: "USD", Amount: -5, BalanceAfter: -505},
			{AccountID: c.ID, Currency: "EUR", Amount: 5, BalanceAfter: 5},
		}})
	})
	totals, checks, unbalanced = ledgerReport(t, s)
	if want := []baas.CurrencyTotal{{Currency: "EUR", Total: 0}, {Currency: "USD", Total: 0}}; !slices.Equal(totals, want) {
		t.Fatalf("CurrencyTotals = %+v, want %+v", totals, want)
	}
	if len(checks) != 4 {
		t.Fatalf("AccountChecks = %+v, want accounts %d, %d, %d, %d", checks, src.ID, a.ID, b.ID, c.ID)
	}
	wantChecks := []struct {
		id, balance, held, postings, holds int64
	}{
		{src.ID, -500, 0, -505, 0},
		{a.ID, 370, 0, 400, 0},
		{b.ID, 130, 60, 130, 0},
		{c.ID, 0, 0, 5, 0},
	}
	for i, w := range wantChecks {
		g := checks[i]
		if g.Account.ID != w.id || g.Account.Balance != w.balance || g.Account.Held != w.held || g.PostingSum != w.postings || g.ActiveHolds != w.holds {
			t.Fatalf("AccountChecks[%d] = %d balance %d held %d postings %d holds %d; want %+v", i, g.Account.ID,
				g.Account.Balance, g.Account.Held, g.PostingSum, g.ActiveHolds, w)
		}
		if g.Account.TenantID != tn.ID || g.Account.Currency == "" || g.Account.Status != baas.AccountActive {
			t.Fatalf("AccountChecks[%d] account not fully read: %+v", i, g.Account)
		}
	}
	if checks[1].Account.Number != a.Number || checks[1].Account.CustomerID != a.CustomerID || checks[0].Account.AllowNegative != true {
		t.Fatalf("AccountChecks accounts = %+v, %+v", checks[0].Account, checks[1].Account)
	}
	if len(unbalanced) != 3 {
		t.Fatalf("UnbalancedTransfers = %+v, want the unbalanced transfer and both currencies of the mixed one", unbalanced)
	}

	// An active hold that matches the held amount clears that report.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.InsertHold(ctx, &baas.Hold{TenantID: tn.ID, AccountID: b.ID, Currency: "USD", Amount: 60, Status: baas.HoldActive,
			CreatedAt: now(), UpdatedAt: now()})
	})
	_, checks, _ = ledgerReport(t, s)
	for _, ch := range checks {
		if ch.Account.ID == b.ID {
			t.Fatalf("account b still reported with a matching hold: %+v", ch)
		}
	}

	// Postings have no foreign keys: one naming an account that does not exist, in a
	// balanced transfer, and a balanced pair whose transfer does not exist are orphans.
	var orphaned *baas.Transfer
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		orphaned = &baas.Transfer{TenantID: tn.ID, Kind: baas.TransferP2P, CreatedAt: now(), Postings: []baas.Posting{
			{AccountID: src.ID, Currency: "USD", Amount: -1, BalanceAfter: -501},
			{AccountID: 1 << 40, Currency: "USD", Amount: 1, BalanceAfter: 1},
		}}
		if err := tx.InsertTransfer(ctx, orphaned); err != nil {
			return err
		}
		return tx.InsertPostings(ctx, 1<<41, []baas.Posting{
			{AccountID: a.ID, Currency: "USD", Amount: -2, BalanceAfter: 368},
			{AccountID: b.ID, Currency: "USD", Amount: 2, BalanceAfter: 132},
		})
	})
	_, _, unbalanced = ledgerReport(t, s)
	wantOrphans := []baas.UnbalancedTransfer{{TransferID: orphaned.ID, Currency: "USD", Orphans: 1}, {TransferID: 1 << 41, Currency: "USD", Orphans: 2}}
	if len(unbalanced) != 5 || !slices.Equal(unbalanced[3:], wantOrphans) {
		t.Fatalf("UnbalancedTransfers = %+v, want the three above then %+v", unbalanced, wantOrphans)
	}

	// Transfers without postings are reported as empty; discarded, they are gone.
	empty := []*baas.Transfer{{TenantID: tn.ID, Kind: baas.TransferP2P, CreatedAt: now()},
		{TenantID: tn.ID, Kind: baas.TransferP2P, CreatedAt: now()}}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertTransfers(ctx, empty) })
	_, _, unbalanced = ledgerReport(t, s)
	wantEmpty := []baas.UnbalancedTransfer{{TransferID: empty[0].ID, Empty: true}, {TransferID: empty[1].ID, Empty: true}}
	if len(unbalanced) != 7 || !slices.Equal(unbalanced[4:6], wantEmpty) {
		t.Fatalf("UnbalancedTransfers = %+v, want the four above then %+v and the orphan pair", unbalanced, wantEmpty)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.DiscardTransfers(ctx, []int64{empty[0].ID, empty[1].ID})
	})
	if _, _, unbalanced = ledgerReport(t, s); len(unbalanced) != 5 {
		t.Fatalf("UnbalancedTransfers after the discard = %+v, want the five above", unbalanced)
	}

}
