package admin_test

import (
	"database/sql"
	"testing"

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
		if _, err := db.Exec(`UPDATE accounts SET currency = 'XXX' WHERE kind = 'master' AND currency = '`+
			e.Core.Config().MasterCurrency+`'`); err != nil {
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
