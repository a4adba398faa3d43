package core

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/storetest"
)

// TestP2PBatch builds batches by hand (postP2PBatch) and checks what they post and what
// they leave to the one-by-one path: transfers apply in order within a batch (one may
// spend what an earlier one paid in), each result and posting carries the balance after
// its own transfer, an insufficient balance, an inactive account and a key seen twice
// leave the transfer out without disturbing the others, and a key already recorded fails
// the batch's commit, after which the batch goes again without it and the one-by-one
// path replays it. Events (with deliveries when the tenant has an endpoint), idempotency
// records and the ledger are as if each transfer had gone alone; no discarded transfer
// remains.
func TestP2PBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		s, tenantID, ctx := newTenantService(t, storetest.Open(t, engine))
		if _, err := s.CreateWebhookEndpoint(ctx, CreateWebhookEndpointParams{TenantID: tenantID,
			URL: "https://hooks.example.com/baas", EventTypes: []string{"transfer.p2p"}}); err != nil {
			t.Fatal(err)
		}
		refs := map[string]accountRef{}
		for i, name := range []string{"a", "b", "c", "d", "e"} {
			info, _, err := s.CreateAccount(ctx, CreateAccountParams{Email: name + "@example.com", Handle: "batch" + name})
			if err != nil {
				t.Fatal(err)
			}
			a := info.Account
			refs[name] = accountRef{ID: a.ID, TenantID: tenantID, CustomerID: a.CustomerID, Number: a.Number, Currency: a.Currency}
			if amount := []int64{1_000, 0, 500, 100, 0}[i]; amount > 0 {
				if _, _, err := s.CashIn(ctx, CashInParams{AccountNumber: a.Number, Amount: amount}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.ChangeAccountStatus(ctx, refs["d"].Number, baas.AccountInactive); err != nil {
			t.Fatal(err)
		}
		job := func(from, to string, amount int64, key string) *p2pJob {
			return &p2pJob{tenantID: tenantID, origin: refs[from], dest: refs[to], p: P2PParams{OriginNumber: refs[from].Number,
				DestinationNumber: refs[to].Number, Amount: amount, Message: fmt.Sprintf("%s to %s", from, to),
				Idem: Idempotency{Key: key, Fingerprint: fmt.Sprintf("%s-%s-%d", from, to, amount)}}}
		}
		oneByOne := func(j *p2pJob) (*P2PResult, bool, error) {
			return s.p2pOne(ctx, tenantID, j.p, j.origin, j.dest)
		}

		jobs := []*p2pJob{
			job("a", "b", 300, "k1"), // posted: a 700
			job("a", "b", 300, "k1"), // the same key again: left out
			job("a", "c", 800, ""),   // more than a has left: left out
			job("b", "c", 100, "k2"), // spends what the first paid in: b 200
			job("c", "d", 50, ""),    // d is inactive: left out
			job("a", "e", 200, "k3"), // posted: a 500
		}
		s.postP2PBatch(jobs)
		wantPosted := []bool{true, false, false, true, false, true}
		wantBalance := []int64{700, 0, 0, 200, 0, 500}
		for i, j := range jobs {
			if j.posted != wantPosted[i] {
				t.Fatalf("job %d posted = %v, want %v", i, j.posted, wantPosted[i])
			}
			if j.posted && j.res.OriginBalance != wantBalance[i] {
				t.Fatalf("job %d: origin balance %d, want %d", i, j.res.OriginBalance, wantBalance[i])
			}
		}
		// What the batch left out, one by one: the replay, the exact refusals.
		res, replayed, err := oneByOne(jobs[1])
		if err != nil || !replayed || *res != *jobs[0].res {
			t.Fatalf("same key one by one: %+v, %v, %v; want the replay of %+v", res, replayed, err, jobs[0].res)
		}
		if _, _, err := oneByOne(jobs[2]); baas.ErrorCode(err) != baas.EInsufficientFunds {
			t.Fatalf("overdraft one by one: %v", err)
		}
		if _, _, err := oneByOne(jobs[4]); baas.ErrorReason(err) != "DESTINATION_ACCOUNT_INACTIVE" {
			t.Fatalf("inactive destination one by one: %v", err)
		}

		// Postings carry each transfer's own balance after it; one per transfer per account.
		st, err := s.AccountStatements(ctx, refs["a"].Number, baas.StatementFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range st {
			got = append(got, fmt.Sprintf("%d:%d@%d", p.TransferID, p.Amount, p.BalanceAfter))
		}
		want := []string{fmt.Sprintf("%d:-200@500", jobs[5].res.TransferID), fmt.Sprintf("%d:-300@700", jobs[0].res.TransferID)}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("postings of a: %v, want %v then the cash-in", got, want)
		}

		// One event per posted transfer, in order, each with its delivery.
		events, err := s.ListEvents(context.Background(), baas.EventFilter{TenantID: tenantID, Type: "transfer.p2p"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, e := range events {
			var pl p2pEvent
			if err := json.Unmarshal(e.Payload, &pl); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, pl.TransferID)
			ds, err := s.ListDeliveries(context.Background(), baas.DeliveryFilter{TenantID: tenantID, EventID: e.ID})
			if err != nil || len(ds) != 1 {
				t.Fatalf("event %d has %d deliveries (%v), want 1", e.ID, len(ds), err)
			}
		}
		// Newest first: the one-by-one replay wrote nothing.
		if fmt.Sprint(ids) != fmt.Sprint([]int64{jobs[5].res.TransferID, jobs[3].res.TransferID, jobs[0].res.TransferID}) {
			t.Fatalf("events name transfers %v", ids)
		}
		if ids[0] <= ids[1] || ids[1] <= ids[2] {
			t.Fatalf("transfer ids %v do not increase in the batch's order", ids)
		}

		// A key already recorded (a client's retry) fails the batch's commit; the batch
		// goes again without it, and one by one the key replays.
		again := []*p2pJob{job("c", "e", 10, ""), job("a", "e", 200, "k3"), job("c", "e", 1, "k4")}
		s.postP2PBatch(again)
		if !again[0].posted || again[1].posted || !again[2].posted {
			t.Fatalf("a batch with a recorded key: posted %v %v %v, want true false true",
				again[0].posted, again[1].posted, again[2].posted)
		}
		if res, replayed, err := oneByOne(again[1]); err != nil || !replayed || *res != *jobs[5].res {
			t.Fatalf("recorded key one by one: %+v, %v, %v", res, replayed, err)
		}
		if res, replayed, err := oneByOne(again[2]); err != nil || !replayed || *res != *again[2].res {
			t.Fatalf("the retried batch's key one by one: %+v, %v, %v; want the replay of %+v", res, replayed, err, again[2].res)
		}
		if got := leftOut(t, s); got != "batch_failed=0 duplicate_key=1 panic=0 recorded_key=1 refused=2" {
			t.Fatalf("left out: %s", got)
		}

		// Balances: a 500, b 200, c 500 + 100 - 10 - 1, d 100, e 200 + 10 + 1.
		for name, want := range map[string]int64{"a": 500, "b": 200, "c": 589, "d": 100, "e": 211} {
			info, err := s.GetAccountInfo(ctx, refs[name].Number)
			if err != nil || info.Account.Balance != want {
				t.Fatalf("balance of %s: %+v, %v; want %d", name, info, err, want)
			}
		}
		// The ledger check also finds transfers without postings: the discarded ones are
		// gone.
		rep, err := s.VerifyLedger(context.Background())
		if err != nil || !rep.OK {
			t.Fatalf("ledger: %+v, %v", rep, err)
		}
	})
}

// leftOut renders the batches' left-out counter as "reason=n …", by reason.
func leftOut(t *testing.T, s *Service) string {
	t.Helper()
	var out []string
	for r, n := range s.P2PBatchStats().LeftOut {
		out = append(out, fmt.Sprintf("%s=%d", r, n))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// batchSizes returns how many batches ran and how many transfers they took in all.
func batchSizes(t *testing.T, s *Service) (batches, transfers int64) {
	t.Helper()
	st := s.P2PBatchStats()
	return int64(st.Batches), int64(st.Jobs)
}

// p2pFixture is a tenant with a funded payer and payees, over a Service on st.
type p2pFixture struct {
	s      *Service
	ctx    context.Context
	payer  *baas.Account
	payees []*baas.Account
}

func newP2PFixture(t *testing.T, st baas.Store, payees int) *p2pFixture {
	t.Helper()
	s, _, ctx := newTenantService(t, st)
	f := &p2pFixture{s: s, ctx: ctx}
	for i := 0; i <= payees; i++ {
		h := fmt.Sprintf("fixture%d", i)
		info, _, err := s.CreateAccount(f.ctx, CreateAccountParams{Email: h + "@example.com", Handle: h})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.payer = &info.Account
		} else {
			f.payees = append(f.payees, &info.Account)
		}
	}
	if _, _, err := s.CashIn(f.ctx, CashInParams{AccountNumber: f.payer.Number, Amount: 10_000}); err != nil {
		t.Fatal(err)
	}
	return f
}

// pay sends amount from the payer to payee i through Service.P2P, with key.
func (f *p2pFixture) pay(i int, amount int64, key string) (*P2PResult, bool, error) {
	return f.s.P2P(f.ctx, P2PParams{OriginNumber: f.payer.Number, DestinationNumber: f.payees[i].Number,
		Amount: amount, Idem: Idempotency{Key: key, Fingerprint: fmt.Sprintf("%d-%d", i, amount)}})
}

// check fails t unless the payer has want left, each payee holds what it was paid, and
// the ledger is whole.
func (f *p2pFixture) check(t *testing.T, want int64, paid []int64) {
	t.Helper()
	for i, a := range append([]*baas.Account{f.payer}, f.payees...) {
		exp := want
		if i > 0 {
			exp = paid[i-1]
		}
		info, err := f.s.GetAccountInfo(f.ctx, a.Number)
		if err != nil || info.Account.Balance != exp {
			t.Fatalf("balance of account %d: %+v, %v; want %d", i, info, err, exp)
		}
	}
	if rep, err := f.s.VerifyLedger(context.Background()); err != nil || !rep.OK {
		t.Fatalf("ledger: %+v, %v", rep, err)
	}
}

// TestP2PBatchesForm shows batches forming under concurrent requests through
// Service.P2P: while a transaction holds the payer's row (PostgreSQL) or the one writer
// (SQLite), the first transfer's batch waits and the next seven queue; once it ends they
// go as one batch of seven, all posted.
func TestP2PBatchesForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := storetest.Open(t, engine)
		f := newP2PFixture(t, st, 8)
		s := f.s

		locked, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		blocker := make(chan error, 1)
		go func() {
			blocker <- st.InTx(context.Background(), func(tx baas.Tx) error {
				if _, err := tx.LockAccounts(context.Background(), []int64{f.payer.ID}); err != nil {
					return err
				}
				once.Do(func() { close(locked) })
				<-release
				return nil
			})
		}()
		<-locked

		errs := make(chan error, 8)
		pay := func(i int) {
			_, _, err := f.pay(i, 100+int64(i), fmt.Sprintf("form-%d", i))
			errs <- err
		}
		go pay(0)
		waitFor(t, "the first batch to start", func() bool { n, _ := batchSizes(t, s); return n == 1 })
		for i := 1; i < 8; i++ {
			go pay(i)
		}
		waitFor(t, "seven transfers to queue", func() bool {
			s.p2p.mu.Lock()
			defer s.p2p.mu.Unlock()
			return len(s.p2p.queue) == 7
		})
		close(release)
		if err := <-blocker; err != nil {
			t.Fatal(err)
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if n, sum := batchSizes(t, s); n != 2 || sum != 8 {
			t.Fatalf("%d batches took %d transfers, want 2 batches (1 and 7)", n, sum)
		}
		if got := leftOut(t, s); got != "batch_failed=0 duplicate_key=0 panic=0 recorded_key=0 refused=0" {
			t.Fatalf("left out: %s", got)
		}
		paid := make([]int64, 8)
		var total int64
		for i := range paid {
			paid[i] = 100 + int64(i)
			total += paid[i]
		}
		f.check(t, 10_000-total, paid)
	})
}

// waitFor polls cond until it holds; the test's own deadline bounds it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if t.Context().Err() != nil {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// panicStore is a real store whose transactions panic where a batch inserts its
// transfers: a bug in a batch, injected.
type panicStore struct{ baas.Store }

func (p panicStore) InTx(ctx context.Context, fn func(tx baas.Tx) error) error {
	return p.Store.InTx(ctx, func(tx baas.Tx) error { return fn(panicTx{tx}) })
}

type panicTx struct{ baas.Tx }

func (panicTx) InsertTransfers(context.Context, []*baas.Transfer) error {
	panic("injected: a bug in a batch")
}

// TestP2PBatchPanic shows that a batch that panics does not take the process down: its
// transfers go one by one and are posted once, the panic is counted, and the store and
// the batcher go on serving.
func TestP2PBatchPanic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		f := newP2PFixture(t, panicStore{storetest.Open(t, engine)}, 2)
		res, replayed, err := f.pay(0, 300, "panic-1")
		if err != nil || replayed || res.OriginBalance != 9_700 {
			t.Fatalf("first transfer: %+v, %v, %v", res, replayed, err)
		}
		if _, _, err := f.pay(1, 200, ""); err != nil {
			t.Fatalf("second transfer: %v", err)
		}
		// The key was recorded once, by the one-by-one path: it replays.
		if again, replayed, err := f.pay(0, 300, "panic-1"); err != nil || !replayed || *again != *res {
			t.Fatalf("retry: %+v, %v, %v", again, replayed, err)
		}
		if got := leftOut(t, f.s); got != "batch_failed=0 duplicate_key=0 panic=3 recorded_key=0 refused=0" {
			t.Fatalf("left out: %s", got)
		}
		f.check(t, 9_500, []int64{300, 200})
	})
}
