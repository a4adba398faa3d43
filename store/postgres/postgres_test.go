package postgres_test

import (
	"os"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/storetest"
)

// TestConformance runs on the server named by BAAS_TEST_POSTGRES_URL and skips without it
// (each subtest opens its own schema there).
func TestConformance(t *testing.T) {
	if os.Getenv(storetest.PostgresURLEnv) == "" && os.Getenv("BAAS_TEST_REQUIRE_POSTGRES") == "" {
		t.Skipf("%s not set: skipping PostgreSQL", storetest.PostgresURLEnv)
	}
	t.Parallel()
	storetest.Run(t, func(t *testing.T) baas.Store { return storetest.Open(t, "postgres") })
}
