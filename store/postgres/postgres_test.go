package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/postgres"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/store/storetest/conformance"
)

// TestConformance runs the store suite on the server named by BAAS_TEST_POSTGRES_URL, each
// subtest in a schema of its own there. It skips without the URL, unless
// BAAS_TEST_REQUIRE_POSTGRES is set: then each subtest fails.
func TestConformance(t *testing.T) {
	if os.Getenv(storetest.PostgresURLEnv) == "" && os.Getenv("BAAS_TEST_REQUIRE_POSTGRES") == "" {
		t.Skipf("%s not set: skipping PostgreSQL", storetest.PostgresURLEnv)
	}
	t.Parallel()
	conformance.Run(t, func(t testing.TB) baas.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresURL(t))
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		if e := s.Engine(); e != "postgres" {
			t.Fatalf("Engine() = %q, want postgres", e)
		}
		return s
	})
}

// TestConcurrentMigrations: processes that open one new database at once migrate it one
// after another (a session advisory lock of the schema's), so every one opens it.
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	u := storetest.PostgresURL(t)
	errs := make([]error, 4)
	storetest.AtOnce(len(errs), func(i int) {
		s, err := postgres.Open(context.Background(), u)
		if err == nil {
			err = s.Close()
		}
		errs[i] = err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
}
