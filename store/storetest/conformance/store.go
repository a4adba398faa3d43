package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.Store and baas.SettingTx: the engine, settings, and what InTx and View promise.

// testEngine: the store names its engine in lower case (which name is for the engine's
// own test to check, so that a new engine needs no change here) and answers a ping.
func testEngine(t *testing.T, s baas.Store) {
	if e := s.Engine(); e == "" || e != strings.ToLower(e) {
		t.Fatalf("Engine() = %q", e)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testSettings(t *testing.T, s baas.Store) {
	ctx := context.Background()
	v, err := s.Read().GetSetting(ctx, "missing")
	wantCode(t, err, baas.ENotFound)
	if v != "" {
		t.Fatalf("missing setting has value %q", v)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutSetting(ctx, "k", "one") })
	if v, err := s.Read().GetSetting(ctx, "k"); err != nil || v != "one" {
		t.Fatalf("GetSetting = %q, %v; want one", v, err)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.PutSetting(ctx, "k", "two"); err != nil {
			return err
		}
		// Visible inside the transaction that wrote it.
		if v, err := tx.GetSetting(ctx, "k"); err != nil || v != "two" {
			return fmt.Errorf("GetSetting in tx = %q, %v; want two", v, err)
		}
		return tx.PutSetting(ctx, "other", "x")
	})
	if v, err := s.Read().GetSetting(ctx, "k"); err != nil || v != "two" {
		t.Fatalf("after upsert GetSetting = %q, %v; want two", v, err)
	}
	if v, err := s.Read().GetSetting(ctx, "other"); err != nil || v != "x" {
		t.Fatalf("GetSetting(other) = %q, %v; want x", v, err)
	}
}

// testSettingForUpdate: transactions that each read a setting with GetSettingForUpdate
// and write it back incremented run one after another, so no increment is lost; a
// missing key is ENotFound.
func testSettingForUpdate(t *testing.T, s baas.Store) {
	ctx := context.Background()
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if _, err := tx.GetSettingForUpdate(ctx, "missing"); !baas.IsCode(err, baas.ENotFound) {
			return fmt.Errorf("GetSettingForUpdate(missing) = %v, want ENotFound", err)
		}
		return tx.PutSetting(ctx, "counter", "0")
	})
	const writers = 8
	errs := make([]error, writers)
	AtOnce(writers, func(i int) {
		errs[i] = s.InTx(ctx, func(tx baas.Tx) error {
			v, err := tx.GetSettingForUpdate(ctx, "counter")
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return err
			}
			return tx.PutSetting(ctx, "counter", strconv.Itoa(n+1))
		})
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("increment: %v", err)
		}
	}
	if v, err := s.Read().GetSetting(ctx, "counter"); err != nil || v != strconv.Itoa(writers) {
		t.Fatalf("counter = %q, %v after %d increments", v, err, writers)
	}
}

// testInitSetting: of the transactions that race to write a key with InitSetting, the
// first wins; none fails, and every one returns the winner's value. A key already set
// keeps its value.
func testInitSetting(t *testing.T, s baas.Store) {
	ctx := context.Background()
	const writers = 8
	got := make([]string, writers)
	errs := make([]error, writers)
	AtOnce(writers, func(i int) {
		errs[i] = s.InTx(ctx, func(tx baas.Tx) error {
			if _, err := tx.GetSetting(ctx, "first"); !baas.IsCode(err, baas.ENotFound) {
				return nil // a writer that starts late sees the winner and writes nothing
			}
			v, err := tx.InitSetting(ctx, "first", fmt.Sprintf("v%d", i))
			got[i] = v
			return err
		})
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("InitSetting: %v", err)
		}
	}
	stored, err := s.Read().GetSetting(ctx, "first")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != "" && v != stored {
			t.Errorf("writer %d got %q; the setting holds %q", i, v, stored)
		}
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if v, err := tx.InitSetting(ctx, "first", "late"); err != nil || v != stored {
			return fmt.Errorf("InitSetting on a set key = %q, %v; want %q", v, err, stored)
		}
		return nil
	})
	if v, err := s.Read().GetSetting(ctx, "first"); err != nil || v != stored {
		t.Fatalf("after a late InitSetting GetSetting = %q, %v; want %q", v, err, stored)
	}
}

func testInTxRollback(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	acc := newAccount(t, s, tn.ID, accountOpts{})
	src := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	boom := errors.New("boom")
	var newTenantID, newCustomerID string
	var newAccountID, transferID, holdID int64
	err := s.InTx(ctx, func(tx baas.Tx) error {
		nt := &baas.Tenant{ID: uniq("ten_"), Name: "ghost", CompanyID: uniq("co_"), WhitelabelID: uniq("wl_"), CreatedAt: now()}
		if err := tx.CreateTenant(ctx, nt); err != nil {
			return err
		}
		newTenantID = nt.ID
		c := &baas.Customer{ID: uniq("cus_"), TenantID: tn.ID, Email: "ghost@example.com", Handle: "ghost", CreatedAt: now()}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		newCustomerID = c.ID
		a := &baas.Account{TenantID: tn.ID, CustomerID: c.ID, Kind: baas.AccountCustomer, Number: nextNumber(), Currency: "USD",
			Status: baas.AccountActive, CreatedAt: now()}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		newAccountID = a.ID
		if err := tx.PutSetting(ctx, "ghost", "1"); err != nil {
			return err
		}
		if err := tx.SaveBalances(ctx, []*baas.Account{{ID: acc.ID, Balance: 10}, {ID: src.ID, Balance: -10}}); err != nil {
			return err
		}
		tr := &baas.Transfer{TenantID: tn.ID, Kind: baas.TransferP2P, CreatedAt: now(), Postings: []baas.Posting{
			{AccountID: src.ID, Currency: "USD", Amount: -10, BalanceAfter: -10},
			{AccountID: acc.ID, Currency: "USD", Amount: 10, BalanceAfter: 10}}}
		if err := tx.InsertTransfer(ctx, tr); err != nil {
			return err
		}
		transferID = tr.ID
		h := &baas.Hold{TenantID: tn.ID, AccountID: acc.ID, Currency: "USD", Amount: 1, Status: baas.HoldActive, CreatedAt: now(), UpdatedAt: now()}
		if err := tx.InsertHold(ctx, h); err != nil {
			return err
		}
		holdID = h.ID
		if err := tx.PutIdempotency(ctx, &baas.IdempotencyRecord{TenantID: tn.ID, Key: "ghost", Fingerprint: "f",
			Result: json.RawMessage(`{}`), CreatedAt: now(), ExpiresAt: now().Add(time.Hour)}); err != nil {
			return err
		}
		if err := tx.UpdateAccountStatus(ctx, acc.ID, baas.AccountInactive); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	r := s.Read()
	_, err = r.GetTenant(ctx, newTenantID)
	wantCode(t, err, baas.ENotFound)
	_, err = r.FindCustomer(ctx, baas.CustomerFilter{TenantID: tn.ID, ID: &newCustomerID})
	wantCode(t, err, baas.ENotFound)
	_, err = r.FindAccount(ctx, baas.AccountFilter{TenantID: tn.ID, ID: &newAccountID})
	wantCode(t, err, baas.ENotFound)
	_, err = r.GetSetting(ctx, "ghost")
	wantCode(t, err, baas.ENotFound)
	_, err = r.GetHold(ctx, tn.ID, holdID)
	wantCode(t, err, baas.ENotFound)
	_, err = r.GetIdempotency(ctx, tn.ID, "ghost")
	wantCode(t, err, baas.ENotFound)
	if got := getAccount(t, s, tn.ID, acc.ID); got.Balance != 0 || got.Status != baas.AccountActive {
		t.Fatalf("account after rollback = %+v", got)
	}
	if st, err := r.ListStatements(ctx, baas.StatementFilter{AccountID: acc.ID}); err != nil || len(st) != 0 {
		t.Fatalf("statements after rollback of transfer %d = %v, %v", transferID, st, err)
	}
	if ts, err := r.ListTenantPage(ctx, baas.TenantPageFilter{}); err != nil || len(ts) != 1 {
		t.Fatalf("tenants after rollback = %d, %v", len(ts), err)
	}
	// The store is still usable, and a committed transaction is visible.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutSetting(ctx, "after", "ok") })
	if v, err := r.GetSetting(ctx, "after"); err != nil || v != "ok" {
		t.Fatalf("GetSetting after commit = %q, %v", v, err)
	}
}

func testInTxPanic(t *testing.T, s baas.Store) {
	ctx := context.Background()
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v, want the panic of fn", r)
			}
		}()
		_ = s.InTx(ctx, func(tx baas.Tx) error {
			if err := tx.PutSetting(ctx, "panic", "1"); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	_, err := s.Read().GetSetting(ctx, "panic")
	wantCode(t, err, baas.ENotFound)
	// The connection went back to the pool in a usable state.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutSetting(ctx, "after", "1") })
}

// testInTxConcurrentRollbacks runs many transactions at once, some of which fail (by
// returning an error, or by breaking a constraint after a write): each failed one leaves
// nothing behind and each successful one is kept, whatever ran beside it.
func testInTxConcurrentRollbacks(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	acc := newAccount(t, s, tn.ID, accountOpts{})
	const n = 48
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			ctx := context.Background()
			errs[i] = s.InTx(ctx, func(tx baas.Tx) error {
				if err := tx.PutSetting(ctx, fmt.Sprintf("k%d", i), "v"); err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return fmt.Errorf("job %d fails", i)
				case 2:
					// Refused by the database's balance check.
					return tx.SaveBalances(ctx, []*baas.Account{{ID: acc.ID, Balance: -1}})
				}
				return nil
			})
		}(i)
	}
	close(start)
	wg.Wait()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		_, err := s.Read().GetSetting(ctx, fmt.Sprintf("k%d", i))
		if i%3 == 0 {
			if errs[i] != nil {
				t.Fatalf("transaction %d: %v", i, errs[i])
			}
			if err != nil {
				t.Fatalf("write of committed transaction %d is missing: %v", i, err)
			}
			continue
		}
		if errs[i] == nil {
			t.Fatalf("failing transaction %d returned nil", i)
		}
		if !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("write of failed transaction %d is visible (%v)", i, err)
		}
	}
	if got := getAccount(t, s, tn.ID, acc.ID); got.Balance != 0 {
		t.Fatalf("balance = %d, want 0", got.Balance)
	}
}

func testInTxCancelled(t *testing.T, s baas.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.InTx(ctx, func(tx baas.Tx) error {
		ran = true
		return tx.PutSetting(ctx, "cancelled", "1")
	})
	if err == nil {
		t.Fatalf("InTx with a cancelled context succeeded (fn ran: %v)", ran)
	}
	_, err = s.Read().GetSetting(context.Background(), "cancelled")
	wantCode(t, err, baas.ENotFound)
}

// testInTxCancelledNeighbour: the caller of one transaction going away while its write
// runs must not undo or fail another caller's transaction that ran beside it (on SQLite,
// in the same group commit). A long DELETE is cancelled while it runs; the transaction
// queued next to it must commit.
func testInTxCancelledNeighbour(t *testing.T, s baas.Store) {
	ctx := context.Background()
	rows, perTx := 100_000, 5_000
	if s.Engine() == "postgres" {
		rows = 4_000 // no group commit there; keep the setup short
	}
	old := now().Add(-48 * time.Hour)
	for b := 0; b < rows/perTx || b == 0; b++ {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			for i := 0; i < min(perTx, rows); i++ {
				if err := tx.PutIdempotency(ctx, &baas.IdempotencyRecord{TenantID: "t", Key: fmt.Sprintf("%d-%d", b, i),
					Fingerprint: "f", Result: json.RawMessage(`{}`), CreatedAt: old, ExpiresAt: old}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// A blocker holds the writer while the two others queue up behind it, so that on a
	// single-writer store they run together once it lets go.
	release := make(chan struct{})
	blocked := make(chan error, 1)
	go func() { blocked <- s.InTx(ctx, func(tx baas.Tx) error { <-release; return nil }) }()
	time.Sleep(20 * time.Millisecond)
	neighbour := make(chan error, 1)
	go func() {
		neighbour <- s.InTx(ctx, func(tx baas.Tx) error { return tx.PutSetting(ctx, "neighbour", "1") })
	}()
	time.Sleep(20 * time.Millisecond)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := make(chan struct{})
	cancelled := make(chan error, 1)
	go func() {
		cancelled <- s.InTx(cctx, func(tx baas.Tx) error {
			close(started)
			_, err := tx.DeleteExpiredIdempotency(cctx, now())
			return err
		})
	}()
	time.Sleep(20 * time.Millisecond)
	close(release)
	if err := <-blocked; err != nil {
		t.Fatalf("blocker: %v", err)
	}
	select {
	case <-started:
		time.Sleep(2 * time.Millisecond)
	case <-time.After(10 * time.Second):
	}
	cancel()
	<-cancelled // either outcome is right for the cancelled one
	if err := <-neighbour; err != nil {
		t.Fatalf("a transaction failed because another caller went away: %v", err)
	}
	if v, err := s.Read().GetSetting(ctx, "neighbour"); err != nil || v != "1" {
		t.Fatalf("the neighbour's write is missing: %q, %v", v, err)
	}
}

func testViewSnapshot(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	src := newAccount(t, s, tn.ID, accountOpts{Kind: baas.AccountFunding, AllowNegative: true})
	acc := newAccount(t, s, tn.ID, accountOpts{})
	transfer(t, s, tn.ID, src.ID, acc.ID, 100, "before")

	err := s.View(ctx, func(tx baas.Tx) error {
		a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: tn.ID, ID: &acc.ID})
		if err != nil {
			return err
		}
		if a.Balance != 100 {
			return fmt.Errorf("balance %d in view, want 100", a.Balance)
		}
		// Another transaction commits while the view is open.
		transfer(t, s, tn.ID, src.ID, acc.ID, 50, "during")
		if got := getAccount(t, s, tn.ID, acc.ID); got.Balance != 150 {
			return fmt.Errorf("committed balance %d outside the view, want 150", got.Balance)
		}
		a, err = tx.FindAccount(ctx, baas.AccountFilter{TenantID: tn.ID, ID: &acc.ID})
		if err != nil {
			return err
		}
		if a.Balance != 100 {
			return fmt.Errorf("view saw balance %d after a concurrent commit, want its snapshot's 100", a.Balance)
		}
		st, err := tx.ListStatements(ctx, baas.StatementFilter{AccountID: acc.ID})
		if err != nil {
			return err
		}
		if len(st) != 1 {
			return fmt.Errorf("view saw %d postings, want 1", len(st))
		}
		totals, err := tx.CurrencyTotals(ctx)
		if err != nil {
			return err
		}
		if len(totals) != 1 || totals[0].Total != 0 {
			return fmt.Errorf("totals in view = %+v", totals)
		}
		checks, err := tx.AccountChecks(ctx)
		if err != nil {
			return err
		}
		if len(checks) != 0 {
			return fmt.Errorf("view saw inconsistent accounts %+v", checks)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := getAccount(t, s, tn.ID, acc.ID); got.Balance != 150 {
		t.Fatalf("balance after the view = %d, want 150", got.Balance)
	}
	// An error of fn is View's error.
	boom := errors.New("boom")
	if err := s.View(ctx, func(tx baas.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("View returned %v, want fn's error", err)
	}
}

func testViewReadOnly(t *testing.T, s baas.Store) {
	ctx := context.Background()
	err := s.View(ctx, func(tx baas.Tx) error { return tx.PutSetting(ctx, "k", "v") })
	if err == nil {
		t.Fatal("a write inside View succeeded")
	}
	_, err = s.Read().GetSetting(ctx, "k")
	wantCode(t, err, baas.ENotFound)
}

// AtOnce runs fn(0) … fn(n-1), each in a goroutine of its own released at the same
// moment (like n processes started together), and returns when all have returned. fn
// must not stop the test (no t.Fatal): it records what it got for the caller to check.
func AtOnce(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}
