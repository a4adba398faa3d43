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
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/postgres"
	"github.com/baas-oss/baas/store/sqlite"
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
	ctx := context.Background()
	switch engine {
	case "sqlite":
		path := filepath.Join(t.TempDir(), "baas.db")
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s, path
	case "postgres":
		u := PostgresURL(t)
		s, err := postgres.Open(ctx, u)
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s, u
	}
	t.Fatalf("unknown engine %q", engine)
	return nil, ""
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
