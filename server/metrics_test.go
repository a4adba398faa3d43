package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/baas-oss/baas/server/servertest"
)

// TestMetricsShowP2PBatches: the core's P2P batch figures are on /metrics under their
// names, help texts, labels and buckets, every left-out reason at 0 before it happens.
func TestMetricsShowP2PBatches(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	resp, err := e.Client.Get(e.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "baas_p2p_") {
			got = append(got, line)
		}
	}
	want := []string{
		"# HELP baas_p2p_batch_duration_seconds Time from a batch's start to its callers' release (its transaction and commit).",
		"# TYPE baas_p2p_batch_duration_seconds histogram",
	}
	for _, le := range []string{"0.0005", "0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"} {
		want = append(want, `baas_p2p_batch_duration_seconds_bucket{le="`+le+`"} 0`)
	}
	want = append(want, "baas_p2p_batch_duration_seconds_sum 0", "baas_p2p_batch_duration_seconds_count 0",
		"# HELP baas_p2p_batch_left_out_total P2P transfers a batch left to the one-by-one path, by reason.",
		"# TYPE baas_p2p_batch_left_out_total counter",
		`baas_p2p_batch_left_out_total{reason="batch_failed"} 0`,
		`baas_p2p_batch_left_out_total{reason="duplicate_key"} 0`,
		`baas_p2p_batch_left_out_total{reason="panic"} 0`,
		`baas_p2p_batch_left_out_total{reason="recorded_key"} 0`,
		`baas_p2p_batch_left_out_total{reason="refused"} 0`,
		"# HELP baas_p2p_batch_size P2P transfers taken into one batch (one transaction), as queued when the batch started.",
		"# TYPE baas_p2p_batch_size histogram")
	for _, le := range []string{"1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "1000", "+Inf"} {
		want = append(want, `baas_p2p_batch_size_bucket{le="`+le+`"} 0`)
	}
	want = append(want, "baas_p2p_batch_size_sum 0", "baas_p2p_batch_size_count 0")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("/metrics P2P batch lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
