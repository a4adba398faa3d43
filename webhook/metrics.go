package webhook

import (
	"context"
	"time"

	"github.com/baas-oss/baas"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts delivery attempts by outcome and times them.
type metrics struct {
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
}

// newMetrics registers the dispatcher's metrics with reg, and the backlog read by
// backlog at each scrape; nil registers nothing.
func newMetrics(reg prometheus.Registerer, backlog func(context.Context) (baas.DeliveryBacklog, error), now func() time.Time) *metrics {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baas_webhook_attempts_total",
			Help: "Webhook delivery attempts by outcome: succeeded, retry (failed, will be retried), failed (given up), unrecorded (result not stored)."},
			[]string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "baas_webhook_attempt_duration_seconds",
			Help:    "Duration of webhook delivery attempts (the HTTP exchange).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}),
	}
	if reg != nil {
		reg.MustRegister(m.attempts, m.latency, &backlogCollector{read: backlog, now: now})
	}
	return m
}

// backlogCollector reports the delivery backlog, read from the store at each scrape
// (one query on the pending deliveries' index).
type backlogCollector struct {
	read func(context.Context) (baas.DeliveryBacklog, error)
	now  func() time.Time
}

var (
	backlogPending = prometheus.NewDesc("baas_webhook_deliveries_pending",
		"Webhook deliveries not yet sent successfully nor given up: due now, in flight, or waiting for a retry.", nil, nil)
	backlogDue = prometheus.NewDesc("baas_webhook_deliveries_due",
		"Pending webhook deliveries whose attempt time has come and that no dispatcher holds.", nil, nil)
	backlogLag = prometheus.NewDesc("baas_webhook_oldest_due_seconds",
		"How long the longest-due delivery has waited for a dispatcher (0 when none is due): the dispatcher's lag.", nil, nil)
)

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- backlogPending
	ch <- backlogDue
	ch <- backlogLag
}

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(backlogPending, err)
		return
	}
	lag := 0.0
	if !b.OldestDue.IsZero() {
		lag = max(0, c.now().Sub(b.OldestDue).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(backlogPending, prometheus.GaugeValue, float64(b.Pending))
	ch <- prometheus.MustNewConstMetric(backlogDue, prometheus.GaugeValue, float64(b.Due))
	ch <- prometheus.MustNewConstMetric(backlogLag, prometheus.GaugeValue, lag)
}

func (m *metrics) observe(outcome string, latency time.Duration) {
	m.attempts.WithLabelValues(outcome).Inc()
	m.latency.Observe(latency.Seconds())
}
