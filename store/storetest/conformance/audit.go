package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.AuditTx: the operator audit log.

// testAuditLog: entries come back as written, newest first, filtered by tenant and
// action, in keyset pages; an entry without a tenant or details reads back with "" and
// "{}"; an entry written in a transaction that rolls back is not there.
func testAuditLog(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s).ID, newTenant(t, s).ID
	at := now()
	var written []*baas.AuditEntry
	for i, e := range []struct{ tenant, action string }{
		{ten, baas.AuditTenantCreated}, {other, baas.AuditTenantCreated}, {ten, baas.AuditTenantFunded},
		{"", baas.AuditKeysRotated}, {ten, baas.AuditTenantFunded}, {ten, baas.AuditKYCVerified},
	} {
		entry := &baas.AuditEntry{Actor: "operator", Source: baas.ActorSourceAPI, Address: "192.0.2.1", RequestID: uniq("req_"),
			Action: e.action, TenantID: e.tenant, TargetType: "tenant", TargetID: e.tenant,
			Details: json.RawMessage(`{"n":` + string(rune('0'+i)) + `}`), CreatedAt: at.Add(time.Duration(i) * time.Second)}
		if e.tenant == "" {
			entry.TargetType, entry.TargetID, entry.Details = "data_key", "2", nil
		}
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertAuditEntry(ctx, entry) })
		written = append(written, entry)
	}
	// Rolled back: never there.
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx baas.Tx) error {
		if err := tx.InsertAuditEntry(ctx, &baas.AuditEntry{Actor: "operator", Source: baas.ActorSourceAPI, Address: "x",
			Action: baas.AuditTenantCreated, TenantID: ten, TargetType: "tenant", TargetID: "rolled-back", CreatedAt: at}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}

	r := s.Read()
	all, err := r.ListAuditEntries(ctx, baas.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(written) {
		t.Fatalf("listed %d entries, want %d: %+v", len(all), len(written), all)
	}
	for i, got := range all {
		want := *written[len(written)-1-i]
		if want.Details == nil {
			want.Details = json.RawMessage(`{}`)
		}
		if got.ID <= 0 || (i > 0 && got.ID >= all[i-1].ID) {
			t.Fatalf("entry %d: id %d, not newest first (%+v)", i, got.ID, all)
		}
		want.ID = got.ID
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("entry %d:\n got %+v\nwant %+v", i, *got, want)
		}
	}

	list := func(f baas.AuditFilter) []string {
		t.Helper()
		es, err := r.ListAuditEntries(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, string(e.Details))
		}
		return out
	}
	if got, want := list(baas.AuditFilter{TenantID: ten}), []string{`{"n":5}`, `{"n":4}`, `{"n":2}`, `{"n":0}`}; !reflect.DeepEqual(got, want) {
		t.Fatalf("by tenant: %v, want %v", got, want)
	}
	if got, want := list(baas.AuditFilter{Action: baas.AuditTenantFunded}), []string{`{"n":4}`, `{"n":2}`}; !reflect.DeepEqual(got, want) {
		t.Fatalf("by action: %v, want %v", got, want)
	}
	if got, want := list(baas.AuditFilter{TenantID: other, Action: baas.AuditTenantFunded}), []string(nil); !reflect.DeepEqual(got, want) {
		t.Fatalf("by tenant and action: %v, want none", got)
	}
	// Keyset pages of two, newest first, until an empty page.
	var paged []int64
	before := int64(0)
	for page := 0; ; page++ {
		es, err := r.ListAuditEntries(ctx, baas.AuditFilter{BeforeID: before, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) > 2 || page > 10 {
			t.Fatalf("page %d has %d entries", page, len(es))
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			paged = append(paged, e.ID)
		}
		before = es[len(es)-1].ID
	}
	var ids []int64
	for _, e := range all {
		ids = append(ids, e.ID)
	}
	if !reflect.DeepEqual(paged, ids) {
		t.Fatalf("pages gave %v, want %v", paged, ids)
	}
}
