package loadtest_test

import (
	"context"
	"io"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas/loadtest"
	"github.com/baas-oss/baas/server/servertest"
)

// TestWorkloads runs every workload of the load tool briefly against a real server: each
// must complete requests without any error and leave the ledger consistent.
func TestWorkloads(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	names := make([]string, 0, len(loadtest.Workloads))
	for n := range loadtest.Workloads {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			cfg := loadtest.DefaultConfig()
			cfg.BaseURL, cfg.AdminToken, cfg.Workload = e.URL, servertest.AdminToken, name
			cfg.Clients, cfg.Accounts, cfg.Duration = 4, 6, 5*time.Second
			cfg.MaxRequests = 150 // under the Codego rate limit of the test server
			res, err := loadtest.Run(context.Background(), cfg, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests == 0 || res.Succeeded != res.Requests || len(res.Errors) > 0 || !res.LedgerOK {
				t.Fatalf("%s: %+v", name, *res)
			}
			if res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 {
				t.Fatalf("%s: implausible percentiles %+v", name, *res)
			}
			// Every P2P transfer goes through a batch (the server's /metrics), and none
			// was left to the one-by-one path.
			if strings.HasPrefix(name, "p2p") {
				if b := res.Batches; b == nil || b.Transfers != res.Requests || b.Batches < 1 || b.Batches > b.Transfers || len(b.LeftOut) > 0 {
					t.Fatalf("%s: batches %+v for %d transfers", name, b, res.Requests)
				}
			} else if res.Batches != nil {
				t.Fatalf("%s: batches %+v without transfers", name, *res.Batches)
			}
		})
	}
}

// TestProgress: with Progress set, the run prints a line per interval while it goes on.
func TestProgress(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	cfg := loadtest.DefaultConfig()
	cfg.BaseURL, cfg.AdminToken = e.URL, servertest.AdminToken
	cfg.Clients, cfg.Accounts, cfg.Duration, cfg.Progress = 2, 4, time.Second, 100*time.Millisecond
	var log strings.Builder
	res, err := loadtest.Run(context.Background(), cfg, &log)
	if err != nil {
		t.Fatal(err)
	}
	if !res.LedgerOK {
		t.Fatalf("ledger: %s", res.Ledger)
	}
	lines := regexp.MustCompile(`(?m)^ +\d+(ms|s) +\d+/s +p50 \S+ +p99 \S+ +max \S+ +errors 0$`).FindAllString(log.String(), -1)
	if len(lines) == 0 {
		t.Fatalf("no progress lines in:\n%s", log.String())
	}
}
