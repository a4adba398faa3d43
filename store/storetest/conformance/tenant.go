package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.TenantTx: tenants and their credentials.

func testTenants(t *testing.T, s baas.Store) {
	ctx := context.Background()
	if ts, err := s.Read().ListTenantPage(ctx, baas.TenantPageFilter{}); err != nil || len(ts) != 0 {
		t.Fatalf("ListTenantPage on an empty store = %v, %v", ts, err)
	}
	wantTenantCount(t, s, 0)
	got, err := s.Read().GetTenant(ctx, "nope")
	wantCode(t, err, baas.ENotFound)
	if got != nil {
		t.Fatalf("GetTenant(unknown) returned %+v with its error", got)
	}

	a := newTenant(t, s)
	b := &baas.Tenant{ID: uniq("ten_"), Name: "B", CompanyID: uniq("co_"), WhitelabelID: uniq("wl_"), Sandbox: false,
		CreatedAt: a.CreatedAt.Add(time.Second)}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateTenant(ctx, b) })

	for _, want := range []*baas.Tenant{a, b} {
		got, err := s.Read().GetTenant(ctx, want.ID)
		if err != nil {
			t.Fatalf("GetTenant(%s): %v", want.ID, err)
		}
		assertTenant(t, got, want)
	}
	list, err := s.Read().ListTenantPage(ctx, baas.TenantPageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("ListTenantPage returned %d tenants, want 2", len(list))
	}
	assertTenant(t, list[0], a)
	assertTenant(t, list[1], b)
	wantTenantCount(t, s, 2)

	// The keyset page: creation order, after the named tenant; a third tenant created at
	// the same instant as b sorts after it by id or before it.
	c := &baas.Tenant{ID: uniq("ten_"), Name: "C", CompanyID: uniq("co_"), WhitelabelID: uniq("wl_"), CreatedAt: b.CreatedAt}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateTenant(ctx, c) })
	all, err := s.Read().ListTenantPage(ctx, baas.TenantPageFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("ListTenantPage = %d, %v; want 3", len(all), err)
	}
	wantTenantCount(t, s, 3)
	for _, tc := range []struct {
		f    baas.TenantPageFilter
		want []*baas.Tenant
	}{
		{baas.TenantPageFilter{Limit: 2}, all[:2]},
		{baas.TenantPageFilter{AfterID: all[0].ID, Limit: 1}, all[1:2]},
		{baas.TenantPageFilter{AfterID: all[1].ID, Limit: 5}, all[2:]},
		{baas.TenantPageFilter{AfterID: all[2].ID}, nil},
		{baas.TenantPageFilter{AfterID: "nope"}, nil},
	} {
		page, err := s.Read().ListTenantPage(ctx, tc.f)
		if err != nil || len(page) != len(tc.want) {
			t.Fatalf("ListTenantPage(%+v) = %d tenants, %v; want %d", tc.f, len(page), err, len(tc.want))
		}
		for i := range page {
			assertTenant(t, page[i], tc.want[i])
		}
	}

	for name, dup := range map[string]*baas.Tenant{
		"id":            {ID: a.ID, Name: "x", CompanyID: uniq("co_"), WhitelabelID: uniq("wl_"), CreatedAt: now()},
		"company_id":    {ID: uniq("ten_"), Name: "x", CompanyID: a.CompanyID, WhitelabelID: uniq("wl_"), CreatedAt: now()},
		"whitelabel_id": {ID: uniq("ten_"), Name: "x", CompanyID: uniq("co_"), WhitelabelID: a.WhitelabelID, CreatedAt: now()},
	} {
		err := s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateTenant(ctx, dup) })
		if baas.ErrorCode(err) != baas.EConflict {
			t.Fatalf("tenant with a duplicate %s: %v, want %s", name, err, baas.EConflict)
		}
	}
}

func assertTenant(t *testing.T, got, want *baas.Tenant) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.CompanyID != want.CompanyID ||
		got.WhitelabelID != want.WhitelabelID || got.Sandbox != want.Sandbox || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("tenant = %+v, want %+v", got, want)
	}
}

func testCredentials(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	other := newTenant(t, s)
	c := &baas.Credential{ID: uniq("cred_"), TenantID: tn.ID, Kind: baas.CredGirasol, KeyID: uniq("key_"),
		SecretHash: []byte{0, 1, 2, 0xfe, 0xff}, CreatedAt: now()}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCredential(ctx, c) })

	got, err := s.Read().FindCredential(ctx, c.Kind, c.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.TenantID != c.TenantID || got.Kind != c.Kind || got.KeyID != c.KeyID ||
		string(got.SecretHash) != string(c.SecretHash) || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("credential = %+v, want %+v", got, c)
	}

	for _, q := range [][2]string{{c.Kind, "unknown"}, {baas.CredCodegoAPI, c.KeyID}} {
		got, err := s.Read().FindCredential(ctx, q[0], q[1])
		wantCode(t, err, baas.ENotFound)
		if got != nil {
			t.Fatalf("FindCredential(%s, %s) returned %+v with its error", q[0], q[1], got)
		}
	}

	// (kind, key_id) is unique across tenants.
	dup := &baas.Credential{ID: uniq("cred_"), TenantID: other.ID, Kind: c.Kind, KeyID: c.KeyID, SecretHash: []byte{1}, CreatedAt: now()}
	err = s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateCredential(ctx, dup) })
	wantCode(t, err, baas.EConflict)

	// The same key id under another kind is another credential.
	dup.Kind = baas.CredCodegoClient
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCredential(ctx, dup) })
	if got, err := s.Read().FindCredential(ctx, dup.Kind, dup.KeyID); err != nil || got.TenantID != other.ID {
		t.Fatalf("FindCredential(other kind) = %+v, %v", got, err)
	}
}

// wantTenantCount checks CountTenants outside a transaction and inside one.
func wantTenantCount(t *testing.T, s baas.Store, want int) {
	t.Helper()
	if n, err := s.Read().CountTenants(context.Background()); err != nil || n != want {
		t.Fatalf("CountTenants = %d, %v; want %d", n, err, want)
	}
	var n int
	inTx(t, s, func(ctx context.Context, tx baas.Tx) (err error) {
		n, err = tx.CountTenants(ctx)
		return err
	})
	if n != want {
		t.Fatalf("CountTenants in a transaction = %d; want %d", n, want)
	}
}
