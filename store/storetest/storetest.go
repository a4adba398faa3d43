// Package storetest opens fresh stores for tests — a SQLite file in a temporary folder
// always, and a PostgreSQL schema of its own when BAAS_TEST_POSTGRES_URL is set — for the
// tests of the packages above the store. The conformance suite that every store passes is
// in store/storetest/conformance, which imports no engine; each engine runs it from its
// own tests.
//
// Set BAAS_TEST_REQUIRE_POSTGRES=1 (as .ci/run does) to make a missing PostgreSQL a test
// failure instead of a skip.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/postgres"
	"github.com/baas-oss/baas/store/sqldb"
	"github.com/baas-oss/baas/store/sqlite"
	"github.com/baas-oss/baas/store/storetest/conformance"
)

// PostgresURLEnv names the environment variable with the PostgreSQL URL for tests.
const PostgresURLEnv = "BAAS_TEST_POSTGRES_URL"

// Engines are the store engines tests run on.
var Engines = []string{"sqlite", "postgres"}

// Open returns a fresh, migrated store of the named engine, closed and removed at the end
// of the test. For postgres it skips the test when no URL is configured (or fails it when
// BAAS_TEST_REQUIRE_POSTGRES is set).
func Open(t testing.TB, engine string) baas.Store {
	t.Helper()
	s, _ := OpenURL(t, engine)
	return s
}

// OpenURL is Open that also returns the database URL a second process could open.
func OpenURL(t testing.TB, engine string) (baas.Store, string) {
	t.Helper()
	u := NewURL(t, engine)
	return OpenAt(t, engine, u), u
}

// NewURL returns where a new, empty database of the named engine can be made: a SQLite
// file in a temporary folder, or a schema of its own on the test PostgreSQL server
// (PostgresURL), removed at the end of the test.
func NewURL(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case "sqlite":
		return filepath.Join(t.TempDir(), "baas.db")
	case "postgres":
		return PostgresURL(t)
	}
	t.Fatalf("unknown engine %q", engine)
	return ""
}

// OpenAt opens (and migrates) the store of the named engine at u, as a process would,
// and closes it at the end of the test. Several stores may be open at one u, like several
// processes on one database.
func OpenAt(t testing.TB, engine, u string) baas.Store {
	t.Helper()
	s, err := Dial(context.Background(), engine, u)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Dial opens (and migrates) the store of the named engine at u, which the caller closes:
// OpenAt for a goroutine, which must not stop the test.
func Dial(ctx context.Context, engine, u string) (baas.Store, error) {
	var open func(context.Context, string) (*sqldb.DB, error)
	switch engine {
	case "sqlite":
		open = sqlite.Open
	case "postgres":
		open = postgres.Open
	default:
		return nil, fmt.Errorf("unknown engine %q", engine)
	}
	s, err := open(ctx, u)
	if err != nil {
		return nil, err // not a nil *sqldb.DB in a non-nil baas.Store
	}
	return s, nil
}

// PostgresURL returns the URL of a new, empty schema of the test PostgreSQL server,
// dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		if os.Getenv("BAAS_TEST_REQUIRE_POSTGRES") != "" {
			t.Fatalf("%s is not set but BAAS_TEST_REQUIRE_POSTGRES is", PostgresURLEnv)
		}
		t.Skipf("%s not set: skipping PostgreSQL", PostgresURLEnv)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Each runs fn as a subtest once per engine.
func Each(t *testing.T, fn func(t *testing.T, engine string)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(e, func(t *testing.T) { fn(t, e) })
	}
}

// AddTenants writes n bare tenants (no credentials, no accounts) in one transaction, each
// created a microsecond after the one before and after now, and returns them in creation
// order: enough rows for a list of several pages, quickly.
func AddTenants(t testing.TB, s baas.Store, n int) []*baas.Tenant {
	t.Helper()
	start := time.Now().UTC().Truncate(time.Microsecond)
	out := make([]*baas.Tenant, n)
	for i := range out {
		id := fmt.Sprintf("bulk-%s-%05d", start.Format("150405.000000"), i)
		out[i] = &baas.Tenant{ID: id, Name: "Bulk " + id, CompanyID: id, WhitelabelID: "wl-" + id, Sandbox: true,
			CreatedAt: start.Add(time.Duration(i+1) * time.Microsecond)}
	}
	err := s.InTx(context.Background(), func(tx baas.Tx) error {
		for _, tn := range out {
			if err := tx.CreateTenant(context.Background(), tn); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("add %d tenants: %v", n, err)
	}
	return out
}

// AtOnce runs fn(0) … fn(n-1) released at the same moment: conformance.AtOnce, which
// the engine-neutral suite uses too.
var AtOnce = conformance.AtOnce
