package server

import (
	"github.com/baas-oss/baas/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// NewRegistry returns a metrics registry with the Go runtime and process collectors, for
// the server and whatever else of the process reports metrics (the webhook dispatcher).
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// metrics count the HTTP requests by route, method and status, and time them.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baas_http_requests_total",
			Help: "HTTP requests by route, method and status code."}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "baas_http_request_duration_seconds",
			Help: "HTTP request latency by route and method.", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}},
			[]string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// batchCollector shows the core's figures of one kind of batch (core.BatchStats), read
// at each scrape: a histogram of batch sizes, one of their durations, and a counter of
// the jobs left to the one-by-one path by reason. kind names the metrics
// (baas_<kind>_batch_…): "p2p" for P2P transfers, "card" for card payments.
type batchCollector struct {
	stats                  func() core.BatchStats
	reasons                []string
	size, seconds, leftOut *prometheus.Desc
}

func newBatchCollector(kind, jobs string, reasons []string, stats func() core.BatchStats) *batchCollector {
	return &batchCollector{stats: stats, reasons: reasons,
		size: prometheus.NewDesc("baas_"+kind+"_batch_size",
			jobs+" taken into one batch (one transaction), as queued when the batch started.", nil, nil),
		seconds: prometheus.NewDesc("baas_"+kind+"_batch_duration_seconds",
			"Time from a batch's start to its callers' release (its transaction and commit).", nil, nil),
		leftOut: prometheus.NewDesc("baas_"+kind+"_batch_left_out_total",
			jobs+" a batch left to the one-by-one path, by reason.", []string{"reason"}, nil)}
}

func (c *batchCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.size
	ch <- c.seconds
	ch <- c.leftOut
}

func (c *batchCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	buckets := make(map[float64]uint64, len(core.BatchSizeBounds))
	for i, le := range core.BatchSizeBounds {
		buckets[float64(le)] = st.AtMost[i]
	}
	ch <- prometheus.MustNewConstHistogram(c.size, st.Batches, float64(st.Jobs), buckets)
	times := make(map[float64]uint64, len(core.BatchSecondsBounds))
	for i, le := range core.BatchSecondsBounds {
		times[le] = st.SecondsAtMost[i]
	}
	ch <- prometheus.MustNewConstHistogram(c.seconds, st.Ended, st.Seconds, times)
	for _, r := range c.reasons {
		ch <- prometheus.MustNewConstMetric(c.leftOut, prometheus.CounterValue, float64(st.LeftOut[r]), r)
	}
}
