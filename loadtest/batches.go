package loadtest

import (
	"context"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Batches is what the server's batches of one kind (P2P transfers, card payments) did
// during a run, from its /metrics before and after: how many batches, how many transfers
// or payments they took, the time they took in all, and how many of those they left to
// the one-by-one path, by reason. Zero when the server batches nothing (or does not say).
type Batches struct {
	Batches   int64            `json:"batches"`
	Transfers int64            `json:"transfers"`       // or payments
	Ended     int64            `json:"ended,omitempty"` // batches over, which Seconds is the time of
	Seconds   float64          `json:"seconds,omitempty"`
	LeftOut   map[string]int64 `json:"left_out,omitempty"`
}

// batchMetrics reads the batch metrics of kind ("p2p", "card") from the server's
// /metrics; ok is false when it cannot (an older server, metrics not served).
func (c *Client) batchMetrics(ctx context.Context, kind string) (b Batches, ok bool) {
	raw, status, err := c.do(ctx, "GET", "/metrics", nil, nil)
	if err != nil || status != 200 {
		return b, false
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(raw)))
	if err != nil {
		return b, false
	}
	size, ok := fams["baas_"+kind+"_batch_size"]
	if !ok || len(size.GetMetric()) == 0 {
		return b, false
	}
	h := size.GetMetric()[0].GetHistogram()
	b.Batches, b.Transfers = int64(h.GetSampleCount()), int64(h.GetSampleSum())
	b.LeftOut = map[string]int64{}
	if d, ok := fams["baas_"+kind+"_batch_duration_seconds"]; ok && len(d.GetMetric()) > 0 {
		h := d.GetMetric()[0].GetHistogram()
		b.Ended, b.Seconds = int64(h.GetSampleCount()), h.GetSampleSum()
	}
	for _, m := range fams["baas_"+kind+"_batch_left_out_total"].GetMetric() {
		b.LeftOut[label(m, "reason")] = int64(m.GetCounter().GetValue())
	}
	return b, true
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// sub returns what happened between before and b.
func (b Batches) sub(before Batches) Batches {
	d := Batches{Batches: b.Batches - before.Batches, Transfers: b.Transfers - before.Transfers,
		Ended: b.Ended - before.Ended, Seconds: b.Seconds - before.Seconds, LeftOut: map[string]int64{}}
	for k, v := range b.LeftOut {
		if n := v - before.LeftOut[k]; n != 0 {
			d.LeftOut[k] = n
		}
	}
	return d
}
