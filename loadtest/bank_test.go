package loadtest_test

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/baas-oss/baas/loadtest"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestBank is the bank test on both stores: 64 clients transfer among 100 accounts while
// readers snapshot every balance; each snapshot must add up to the total, no balance may
// go negative, and the ledger check must pass. It runs for 3 s; set
// BAAS_BANK_DURATION (e.g. 60s) for the full run.
func TestBank(t *testing.T) {
	d := 3 * time.Second
	if v := os.Getenv("BAAS_BANK_DURATION"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		cfg := loadtest.DefaultBankConfig()
		cfg.BaseURL, cfg.AdminToken, cfg.Duration = e.URL, servertest.AdminToken, d
		res, err := loadtest.Bank(context.Background(), cfg, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %+v", engine, *res)
		if !res.Passed() {
			t.Fatalf("bank test failed: %+v", *res)
		}
		if res.Insufficient == 0 {
			t.Logf("no transfer was refused for insufficient funds; amounts may be too small to exercise it")
		}
	})
}
