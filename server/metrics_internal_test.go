package server

import (
	"strings"
	"testing"

	"github.com/baas-oss/baas/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestBatchCollector: the core's plain batch counts come out as the Prometheus
// histograms (cumulative buckets, sum, count) and counter they always were.
func TestBatchCollector(t *testing.T) {
	st := core.BatchStats{Batches: 3, Jobs: 70, AtMost: []uint64{1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3},
		Ended: 3, Seconds: 0.0125, SecondsAtMost: []uint64{0, 0, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3},
		LeftOut: map[string]uint64{"refused": 2, "panic": 1}}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(newBatchCollector("p2p", "P2P transfers", core.P2PLeftOutReasons, func() core.BatchStats { return st }))
	want := `# HELP baas_p2p_batch_duration_seconds Time from a batch's start to its callers' release (its transaction and commit).
# TYPE baas_p2p_batch_duration_seconds histogram
baas_p2p_batch_duration_seconds_bucket{le="0.0005"} 0
baas_p2p_batch_duration_seconds_bucket{le="0.001"} 0
baas_p2p_batch_duration_seconds_bucket{le="0.002"} 1
baas_p2p_batch_duration_seconds_bucket{le="0.005"} 1
baas_p2p_batch_duration_seconds_bucket{le="0.01"} 2
baas_p2p_batch_duration_seconds_bucket{le="0.02"} 3
baas_p2p_batch_duration_seconds_bucket{le="0.05"} 3
baas_p2p_batch_duration_seconds_bucket{le="0.1"} 3
baas_p2p_batch_duration_seconds_bucket{le="0.25"} 3
baas_p2p_batch_duration_seconds_bucket{le="0.5"} 3
baas_p2p_batch_duration_seconds_bucket{le="1"} 3
baas_p2p_batch_duration_seconds_bucket{le="2.5"} 3
baas_p2p_batch_duration_seconds_bucket{le="+Inf"} 3
baas_p2p_batch_duration_seconds_sum 0.0125
baas_p2p_batch_duration_seconds_count 3
# HELP baas_p2p_batch_left_out_total P2P transfers a batch left to the one-by-one path, by reason.
# TYPE baas_p2p_batch_left_out_total counter
baas_p2p_batch_left_out_total{reason="batch_failed"} 0
baas_p2p_batch_left_out_total{reason="duplicate_key"} 0
baas_p2p_batch_left_out_total{reason="panic"} 1
baas_p2p_batch_left_out_total{reason="recorded_key"} 0
baas_p2p_batch_left_out_total{reason="refused"} 2
# HELP baas_p2p_batch_size P2P transfers taken into one batch (one transaction), as queued when the batch started.
# TYPE baas_p2p_batch_size histogram
baas_p2p_batch_size_bucket{le="1"} 1
baas_p2p_batch_size_bucket{le="2"} 1
baas_p2p_batch_size_bucket{le="4"} 2
baas_p2p_batch_size_bucket{le="8"} 2
baas_p2p_batch_size_bucket{le="16"} 2
baas_p2p_batch_size_bucket{le="32"} 2
baas_p2p_batch_size_bucket{le="64"} 2
baas_p2p_batch_size_bucket{le="128"} 3
baas_p2p_batch_size_bucket{le="256"} 3
baas_p2p_batch_size_bucket{le="512"} 3
baas_p2p_batch_size_bucket{le="1000"} 3
baas_p2p_batch_size_bucket{le="+Inf"} 3
baas_p2p_batch_size_sum 70
baas_p2p_batch_size_count 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
