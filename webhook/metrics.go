package webhook

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts delivery attempts by outcome and times them.
type metrics struct {
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
}

// newMetrics registers the dispatcher's metrics with reg; nil registers nothing.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baas_webhook_attempts_total",
			Help: "Webhook delivery attempts by outcome: succeeded, retry (failed, will be retried), failed (given up), unrecorded (result not stored)."},
			[]string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "baas_webhook_attempt_duration_seconds",
			Help:    "Duration of webhook delivery attempts (the HTTP exchange).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}),
	}
	if reg != nil {
		reg.MustRegister(m.attempts, m.latency)
	}
	return m
}

func (m *metrics) observe(outcome string, latency time.Duration) {
	m.attempts.WithLabelValues(outcome).Inc()
	m.latency.Observe(latency.Seconds())
}
