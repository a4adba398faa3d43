package webhook_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/webhook"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestMetrics: every attempt is counted by outcome and timed.
func TestMetrics(t *testing.T) {
	e := newEnv(t, "sqlite")
	rc := newReceiver(t, func(n int, _ *received, w http.ResponseWriter, _ *http.Request) int {
		if n == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return -http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	ep := e.endpoint(t, rc)
	reg := prometheus.NewRegistry()
	cfg := fastConfig()
	cfg.Metrics = reg
	dispatch(t, e.svc, cfg)
	e.account(t)
	eventually(t, 10*time.Second, "delivery succeeded after one 500", func() bool {
		ds := e.deliveries(t, baas.DeliveryFilter{EndpointID: ep.EndpointID})
		return len(ds) == 1 && ds[0].Status == baas.DeliverySucceeded
	})
	want := `
# HELP baas_webhook_attempts_total Webhook delivery attempts by outcome: succeeded, retry (failed, will be retried), failed (given up), unrecorded (result not stored).
# TYPE baas_webhook_attempts_total counter
baas_webhook_attempts_total{outcome="retry"} 1
baas_webhook_attempts_total{outcome="succeeded"} 1
`
	// The dispatcher counts an attempt after it has stored the attempt's result, so the
	// delivery may show as succeeded a moment before the counter moves.
	compare := func() error {
		return testutil.GatherAndCompare(reg, strings.NewReader(want), "baas_webhook_attempts_total")
	}
	eventually(t, 10*time.Second, "attempts counted", func() bool { return compare() == nil })
	if err := compare(); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "baas_webhook_attempt_duration_seconds"); n != 1 {
		t.Fatalf("duration histogram: %d series", n)
	}
}

// TestBacklogMetrics: the backlog gauges read the store at each scrape: deliveries
// enqueued while no dispatcher runs are pending and due, and the lag grows; once a
// dispatcher has delivered them, all three are back to zero.
func TestBacklogMetrics(t *testing.T) {
	e := newEnv(t, "sqlite")
	rc := newReceiver(t, func(int, *received, http.ResponseWriter, *http.Request) int { return http.StatusNoContent })
	e.endpoint(t, rc)
	reg := prometheus.NewRegistry()
	cfg := fastConfig()
	cfg.Metrics = reg
	if _, err := webhook.NewDispatcher(e.svc, cfg, nil); err != nil { // registers, does not run
		t.Fatal(err)
	}
	e.account(t)
	e.account(t)
	gauge := func(name string) float64 {
		t.Helper()
		fams, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			if f.GetName() == name {
				return f.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatalf("no %s", name)
		return 0
	}
	if p, d := gauge("baas_webhook_deliveries_pending"), gauge("baas_webhook_deliveries_due"); p != 2 || d != 2 {
		t.Fatalf("with no dispatcher: %v pending, %v due; want 2 and 2", p, d)
	}
	eventually(t, 10*time.Second, "the lag to grow", func() bool { return gauge("baas_webhook_oldest_due_seconds") > 0 })

	dispatch(t, e.svc, fastConfig())
	eventually(t, 10*time.Second, "the backlog to drain", func() bool {
		return gauge("baas_webhook_deliveries_pending") == 0 && gauge("baas_webhook_deliveries_due") == 0 &&
			gauge("baas_webhook_oldest_due_seconds") == 0
	})
}
