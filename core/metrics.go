package core

import "github.com/prometheus/client_golang/prometheus"

// metrics are the core's own Prometheus metrics: how P2P transfers batch (p2pbatch.go).
// They exist whether or not anything registers them (Service.Collectors).
type metrics struct {
	batchSize prometheus.Histogram
	leftOut   *prometheus.CounterVec
}

// Reasons a batch leaves a transfer to the one-by-one path (the leftOut label).
const (
	leftOutDuplicateKey = "duplicate_key" // its Idempotency-Key came twice in the batch
	leftOutRefused      = "refused"       // insufficient funds or an inactive account
	leftOutRecordedKey  = "recorded_key"  // its key is already recorded (a retry): replayed
	leftOutFailed       = "batch_failed"  // the batch's transaction failed
	leftOutPanic        = "panic"         // the batch panicked (a bug; logged)
)

func newMetrics() *metrics {
	m := &metrics{
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "baas_p2p_batch_size",
			Help:    "P2P transfers taken into one batch (one transaction), as queued when the batch started.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000}}),
		leftOut: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baas_p2p_batch_left_out_total",
			Help: "P2P transfers a batch left to the one-by-one path, by reason."}, []string{"reason"}),
	}
	for _, r := range []string{leftOutDuplicateKey, leftOutRefused, leftOutRecordedKey, leftOutFailed, leftOutPanic} {
		m.leftOut.WithLabelValues(r) // every reason shows, at 0 until it happens
	}
	return m
}

// Collectors returns the core's metrics, for the server's registry.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.metrics.batchSize, s.metrics.leftOut}
}
