package admin_test

import (
	"database/sql"
	"slices"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// openStoreDB opens the database of e's store directly, bypassing baas.
func openStoreDB(t *testing.T, engine string, e *servertest.Env) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", e.StoreURL
	if engine == "sqlite" {
		driver, dsn = "sqlite", "file:"+e.StoreURL+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestGetTenantMasterAccount: a tenant's master account is in the answer; a tenant without
// one is answered without it; an error reading it is answered as an error, not hidden.
func TestGetTenantMasterAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		path := "/admin/api/tenants/" + e.Tenant.TenantID
		r := e.Admin(t, "GET", path, nil)
		if _, ok := r.JSON["master_account"]; r.Status != 200 || !ok {
			t.Fatalf("GET tenant: %d %s; want 200 with master_account", r.Status, r.Raw)
		}

		db := openStoreDB(t, engine, e)
		// No master account in the master currency: the tenant alone.
		if _, err := db.Exec(`UPDATE accounts SET currency = 'XXX' WHERE kind = 'master' AND currency = '` +
			e.Core.Config().MasterCurrency + `'`); err != nil {
			t.Fatal(err)
		}
		r = e.Admin(t, "GET", path, nil)
		if _, ok := r.JSON["master_account"]; r.Status != 200 || ok || r.JSON["tenant"] == nil {
			t.Fatalf("GET tenant without a master account: %d %s; want 200 without master_account", r.Status, r.Raw)
		}

		// The accounts cannot be read: an internal error in the envelope, not a tenant
		// silently missing its master account.
		if _, err := db.Exec(`ALTER TABLE accounts RENAME TO accounts_gone`); err != nil {
			t.Fatal(err)
		}
		r = e.Admin(t, "GET", path, nil)
		errBody, _ := r.JSON["error"].(map[string]any)
		if r.Status != 500 || errBody["message"] != "Internal error" {
			t.Fatalf("GET tenant with unreadable accounts: %d %s; want 500 Internal error", r.Status, r.Raw)
		}
	})
}

// TestListTenantsPages: the tenant list is read a page at a time, 100 by default, with
// next_after while pages are full; walking the pages gives every tenant once, in creation
// order. A bad limit is a 400 naming the range.
func TestListTenantsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		want := append([]string{e.Tenant.TenantID}, tenantIDs(storetest.AddTenants(t, e.Store, 150))...)

		first := e.Admin(t, "GET", "/admin/api/tenants", nil)
		if got := pageIDs(t, first); first.Status != 200 || len(got) != 100 || first.JSON["next_after"] != got[99] {
			t.Fatalf("first page: %d, %d tenants, next_after %v", first.Status, len(got), first.JSON["next_after"])
		}
		rest := e.Admin(t, "GET", "/admin/api/tenants?after="+first.JSON["next_after"].(string), nil)
		if got := pageIDs(t, rest); rest.Status != 200 || len(got) != 51 || rest.JSON["next_after"] != nil {
			t.Fatalf("second page: %d, %d tenants, next_after %v", rest.Status, len(got), rest.JSON["next_after"])
		}

		var all []string
		for path := "/admin/api/tenants?limit=7"; ; {
			r := e.Admin(t, "GET", path, nil)
			all = append(all, pageIDs(t, r)...)
			next, ok := r.JSON["next_after"].(string)
			if !ok {
				break
			}
			path = "/admin/api/tenants?limit=7&after=" + next
		}
		if !slices.Equal(all, want) {
			t.Fatalf("walking pages of 7 gave %d tenants, want the %d in creation order", len(all), len(want))
		}

		if r := e.Admin(t, "GET", "/admin/api/tenants?after=no-such-tenant", nil); r.Status != 200 || len(pageIDs(t, r)) != 0 {
			t.Errorf("after an unknown tenant: %d %s; want an empty page", r.Status, r.Raw)
		}
		for _, limit := range []string{"0", "1001", "x", "07", "-1"} {
			r := e.Admin(t, "GET", "/admin/api/tenants?limit="+limit, nil)
			msg, _ := r.JSON["error"].(map[string]any)["message"].(string)
			if r.Status != 400 || msg != "limit must be an integer between 1 and 1000" {
				t.Errorf("limit=%s: %d %s", limit, r.Status, r.Raw)
			}
		}
	})
}

func pageIDs(t *testing.T, r *servertest.Response) []string {
	t.Helper()
	ts, ok := r.JSON["tenants"].([]any)
	if r.Status != 200 || !ok {
		t.Fatalf("tenant list: %d %s", r.Status, r.Raw)
	}
	out := make([]string, len(ts))
	for i, v := range ts {
		out[i], _ = v.(map[string]any)["tenant_id"].(string)
	}
	return out
}

func tenantIDs(ts []*baas.Tenant) []string {
	out := make([]string, len(ts))
	for i, tn := range ts {
		out[i] = tn.ID
	}
	return out
}
