package webhook_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
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
