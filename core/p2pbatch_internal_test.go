package core

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/storetest"
)

// TestP2PBatch builds batches by hand (postP2PBatch) and checks what they post and what
// they leave to the one-by-one path: transfers apply in order within a batch (one may
// spend what an earlier one paid in), each result and posting carries the balance after
// its own transfer, an insufficient balance, an inactive account and a key seen twice
// leave the transfer out without disturbing the others, and a key already recorded fails
// the whole batch, after which the one-by-one path replays it. Events (with deliveries
// when the tenant has an endpoint), idempotency records and the ledger are as if each
// transfer had gone alone; no discarded transfer remains.
func TestP2PBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		s, err := New(storetest.Open(t, engine), DefaultConfig(), NewMasterKey(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		creds, err := s.CreateTenant(context.Background(), CreateTenantParams{Name: "b", Sandbox: true})
		if err != nil {
			t.Fatal(err)
		}
		tenantID := creds.TenantID
		ctx := baas.WithTenant(context.Background(), tenantID)
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

		// A key already recorded fails the batch: nothing of it is posted, and one by one
		// the key replays while the other transfer goes through.
		again := []*p2pJob{job("c", "e", 10, ""), job("a", "e", 200, "k3")}
		s.postP2PBatch(again)
		if again[0].posted || again[1].posted {
			t.Fatalf("a batch with a recorded key posted something")
		}
		if res, replayed, err := oneByOne(again[1]); err != nil || !replayed || *res != *jobs[5].res {
			t.Fatalf("recorded key one by one: %+v, %v, %v", res, replayed, err)
		}
		if _, replayed, err := oneByOne(again[0]); err != nil || replayed {
			t.Fatalf("fresh transfer one by one: %v, %v", replayed, err)
		}

		// Balances: a 500, b 200, c 500 + 100 - 10, d 100, e 200 + 10.
		for name, want := range map[string]int64{"a": 500, "b": 200, "c": 590, "d": 100, "e": 210} {
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
