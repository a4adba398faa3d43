package conformance

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// The batch writes of several areas at once, as a P2P batch makes them.

// testBatchWrites: the writes of a batch of transfers, one statement per table where the
// store can. InsertTransfers sets increasing ids in the order given — also when held
// back until the lock that follows it, as a P2P batch does; RecordEvents gives each
// event its id in order and its deliveries when its tenant has an endpoint, also after
// ExpectEvents (with or without endpoints); the
// postings of several transfers go in at once; PutIdempotencies writes every record, and
// one key already recorded fails them all and the transaction.
func testBatchWrites(t *testing.T, s baas.Store) {
	hooked, quiet := newTenant(t, s), newTenant(t, s)
	newEndpoint(t, s, hooked.ID)
	a := newAccount(t, s, hooked.ID, accountOpts{AllowNegative: true})
	b := newAccount(t, s, quiet.ID, accountOpts{})
	ts := []*baas.Transfer{
		{TenantID: hooked.ID, Kind: baas.TransferP2P, Description: "one", CreatedAt: now()},
		{TenantID: quiet.ID, Kind: baas.TransferP2P, Description: "two", CreatedAt: now()},
		{TenantID: hooked.ID, Kind: baas.TransferP2P, Description: "three", CreatedAt: now()},
	}
	var es []*baas.Event
	recs := []*baas.IdempotencyRecord{
		{TenantID: hooked.ID, Key: uniq("k"), Fingerprint: "f1", Result: json.RawMessage(`{"n":1}`), CreatedAt: now(), ExpiresAt: now().Add(time.Hour)},
		{TenantID: quiet.ID, Key: uniq("k"), Fingerprint: "f2", Result: json.RawMessage(`{"n":2}`), CreatedAt: now(), ExpiresAt: now().Add(time.Hour)},
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.InsertTransfers(ctx, ts); err != nil {
			return err
		}
		if err := tx.ExpectEvents(ctx, []string{hooked.ID, quiet.ID}); err != nil {
			return err
		}
		locked, err := tx.LockAccounts(ctx, []int64{b.ID, a.ID})
		if err != nil {
			return err
		}
		if len(locked) != 2 || locked[0].ID != min(a.ID, b.ID) {
			t.Fatalf("LockAccounts = %+v, want both in ascending id order", locked)
		}
		// The ids are in once the lock has returned.
		if ts[0].ID <= 0 || ts[1].ID <= ts[0].ID || ts[2].ID <= ts[1].ID {
			t.Fatalf("transfer ids %d, %d, %d", ts[0].ID, ts[1].ID, ts[2].ID)
		}
		es = nil
		for _, tr := range ts {
			es = append(es, &baas.Event{TenantID: tr.TenantID, Type: "transfer.p2p", ObjectID: uniq("obj_"),
				Payload: json.RawMessage(`{"d":"` + tr.Description + `"}`), CreatedAt: now()})
		}
		if err := tx.RecordEvents(ctx, es); err != nil {
			return err
		}
		var ps []baas.Posting
		for i, tr := range ts {
			acct := a
			if tr.TenantID == quiet.ID {
				acct = b
			}
			amount := int64(i + 1)
			ps = append(ps, baas.Posting{TransferID: tr.ID, AccountID: acct.ID, Currency: "USD", Amount: -amount, BalanceAfter: -amount},
				baas.Posting{TransferID: tr.ID, AccountID: acct.ID, Currency: "USD", Amount: amount, BalanceAfter: 0})
		}
		if err := tx.InsertAllPostings(ctx, ps); err != nil {
			return err
		}
		return tx.PutIdempotencies(ctx, recs)
	})
	for i, e := range es {
		if e.ID <= 0 || (i > 0 && e.ID <= es[i-1].ID) {
			t.Fatalf("event ids %d, %d, %d", es[0].ID, es[1].ID, es[2].ID)
		}
		got, err := s.Read().GetEvent(context.Background(), e.TenantID, e.ID)
		if err != nil || string(got.Payload) != string(e.Payload) {
			t.Fatalf("event %d: %+v, %v; want payload %s", e.ID, got, err, e.Payload)
		}
		want := 0
		if e.TenantID == hooked.ID {
			want = 1
		}
		if ds := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: e.TenantID, EventID: e.ID}); len(ds) != want {
			t.Fatalf("event %d of tenant %s has %d deliveries, want %d", e.ID, e.TenantID, len(ds), want)
		}
	}
	// Each transfer's postings, newest first, on its account.
	for _, acct := range []*baas.Account{a, b} {
		st, err := s.Read().ListStatements(context.Background(), baas.StatementFilter{AccountID: acct.ID})
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for i := len(ts) - 1; i >= 0; i-- {
			if (ts[i].TenantID == quiet.ID) == (acct == b) {
				want = append(want, ts[i].ID, ts[i].ID)
			}
		}
		var got []int64
		for _, p := range st {
			got = append(got, p.TransferID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("postings of account %d name transfers %v, want %v", acct.ID, got, want)
		}
	}
	for _, r := range recs {
		got, err := s.Read().GetIdempotency(context.Background(), r.TenantID, r.Key)
		if err != nil || got.Fingerprint != r.Fingerprint || string(got.Result) != string(r.Result) {
			t.Fatalf("idempotency record %s: %+v, %v", r.Key, got, err)
		}
	}
	// Events of a tenant ExpectEvents found without an endpoint: their ids are set by the
	// time InTx returns, and they have no delivery.
	calm := []*baas.Event{
		{TenantID: quiet.ID, Type: "transfer.p2p", ObjectID: uniq("obj_"), Payload: json.RawMessage(`{}`), CreatedAt: now()},
		{TenantID: quiet.ID, Type: "transfer.p2p", ObjectID: uniq("obj_"), Payload: json.RawMessage(`{}`), CreatedAt: now()},
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.ExpectEvents(ctx, []string{quiet.ID}); err != nil {
			return err
		}
		if _, err := tx.AddToBalance(ctx, b.ID, 0); err != nil {
			return err
		}
		return tx.RecordEvents(ctx, calm)
	})
	if calm[0].ID <= es[2].ID || calm[1].ID <= calm[0].ID {
		t.Fatalf("event ids %d, %d after %d", calm[0].ID, calm[1].ID, es[2].ID)
	}
	for _, e := range calm {
		if _, err := s.Read().GetEvent(context.Background(), quiet.ID, e.ID); err != nil {
			t.Fatalf("event %d: %v", e.ID, err)
		}
	}
	if ds := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: quiet.ID}); len(ds) != 0 {
		t.Fatalf("deliveries of a tenant without endpoints: %+v", ds)
	}

	// One key already recorded: nothing of the transaction remains.
	fresh := &baas.IdempotencyRecord{TenantID: quiet.ID, Key: uniq("k"), Fingerprint: "f3", Result: json.RawMessage(`{}`),
		CreatedAt: now(), ExpiresAt: now().Add(time.Hour)}
	late := &baas.Transfer{TenantID: quiet.ID, Kind: baas.TransferP2P, CreatedAt: now()}
	err := s.InTx(context.Background(), func(tx baas.Tx) error {
		if err := tx.InsertTransfers(context.Background(), []*baas.Transfer{late}); err != nil {
			return err
		}
		return tx.PutIdempotencies(context.Background(), []*baas.IdempotencyRecord{fresh, recs[1]})
	})
	if baas.ErrorReason(err) != baas.ErrIdempotencyKeyTaken {
		t.Fatalf("PutIdempotencies with a recorded key: %v, want %s", err, baas.ErrIdempotencyKeyTaken)
	}
	if _, err := s.Read().GetIdempotency(context.Background(), fresh.TenantID, fresh.Key); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("the other record of the failed transaction: %v, want not found", err)
	}
	if _, _, unbalanced := ledgerReport(t, s); len(unbalanced) != 0 {
		t.Fatalf("after the failed transaction: %+v", unbalanced)
	}

	// Which keys are recorded: the tenant's own only (recs[0] is another tenant's).
	got, err := s.Read().RecordedIdempotencyKeys(context.Background(), quiet.ID, []string{fresh.Key, recs[1].Key, recs[0].Key})
	if err != nil || len(got) != 1 || got[0] != recs[1].Key {
		t.Fatalf("RecordedIdempotencyKeys: %v, %v; want [%s]", got, err, recs[1].Key)
	}
	if got, err := s.Read().RecordedIdempotencyKeys(context.Background(), quiet.ID, nil); err != nil || len(got) != 0 {
		t.Fatalf("RecordedIdempotencyKeys of no keys: %v, %v", got, err)
	}
}
