package server

import (
	"strings"
	"testing"

	"github.com/baas-oss/baas/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestP2PBatchCollector: the core's plain batch counts come out as the Prometheus
// histogram (cumulative buckets, sum, count) and counter they always were.
func TestP2PBatchCollector(t *testing.T) {
	st := core.P2PBatchStats{Batches: 3, Transfers: 70, AtMost: []uint64{1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3},
		LeftOut: map[string]uint64{"refused": 2, "panic": 1}}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(&p2pBatchCollector{stats: func() core.P2PBatchStats { return st }})
	want := `# HELP baas_p2p_batch_left_out_total P2P transfers a batch left to the one-by-one path, by reason.
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
