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

// p2pBatchCollector shows the core's P2P batch figures (core.P2PBatchStats), read at
// each scrape, as a histogram of batch sizes and a counter of transfers left out by
// reason.
type p2pBatchCollector struct {
	stats func() core.P2PBatchStats
}

var (
	p2pBatchSize = prometheus.NewDesc("baas_p2p_batch_size",
		"P2P transfers taken into one batch (one transaction), as queued when the batch started.", nil, nil)
	p2pBatchLeftOut = prometheus.NewDesc("baas_p2p_batch_left_out_total",
		"P2P transfers a batch left to the one-by-one path, by reason.", []string{"reason"}, nil)
)

func (c *p2pBatchCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- p2pBatchSize
	ch <- p2pBatchLeftOut
}

func (c *p2pBatchCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	buckets := make(map[float64]uint64, len(core.P2PBatchSizeBounds))
	for i, le := range core.P2PBatchSizeBounds {
		buckets[float64(le)] = st.AtMost[i]
	}
	ch <- prometheus.MustNewConstHistogram(p2pBatchSize, st.Batches, float64(st.Transfers), buckets)
	for _, r := range core.P2PLeftOutReasons {
		ch <- prometheus.MustNewConstMetric(p2pBatchLeftOut, prometheus.CounterValue, float64(st.LeftOut[r]), r)
	}
}
