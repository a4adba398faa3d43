package core

import (
	"slices"
	"sync"
	"time"
)

// metrics are the core's own figures: how P2P transfers (p2pbatch.go) and card payments
// (cardbatch.go) batch. They are plain counts; whoever reports metrics (the server, on
// /metrics) reads them with Service.P2PBatchStats and Service.CardBatchStats and shows
// them in its own format.
type metrics struct {
	mu   sync.Mutex // a batch observes a few times; a scrape reads: no contention
	p2p  batchCounts
	card batchCounts
}

// batchCounts are the counts of one kind of batch.
type batchCounts struct {
	batches uint64
	jobs    uint64
	sizes   []uint64 // batches by size: sizes[i] counts those of at most BatchSizeBounds[i] (and above the previous bound)
	ended   uint64   // batches over
	seconds float64  // their time, in all
	times   []uint64 // batches over by duration, as sizes by BatchSecondsBounds
	leftOut map[string]uint64
}

// Reasons a batch leaves a job to the one-by-one path (BatchStats.LeftOut).
const (
	leftOutDuplicateKey = "duplicate_key" // P2P: its Idempotency-Key came twice in the batch
	leftOutRefused      = "refused"       // P2P: insufficient funds or an inactive account
	leftOutRecordedKey  = "recorded_key"  // P2P: its key is already recorded (a retry): replayed
	leftOutSameCard     = "same_card"     // card: another payment of its card is in the batch (it goes in the next)
	leftOutFailed       = "batch_failed"  // the batch's transaction failed
	leftOutPanic        = "panic"         // the batch panicked (a bug; logged)
)

// P2PLeftOutReasons are the reasons a P2P batch leaves a transfer to the one-by-one path,
// the keys of P2PBatchStats().LeftOut.
var P2PLeftOutReasons = []string{leftOutDuplicateKey, leftOutRefused, leftOutRecordedKey, leftOutFailed, leftOutPanic}

// CardLeftOutReasons are the reasons a card payment batch leaves a payment out, the
// keys of CardBatchStats().LeftOut: same_card to the next batch, the others to the
// one-by-one path. A payment declined in a batch is not left out: the batch decided it.
var CardLeftOutReasons = []string{leftOutSameCard, leftOutFailed, leftOutPanic}

// BatchSizeBounds are the upper bounds of the batch-size classes BatchStats counts.
var BatchSizeBounds = []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000}

// BatchSecondsBounds are the upper bounds of the batch-duration classes BatchStats
// counts: from a batch's start to its callers' release (its transaction, commit included).
var BatchSecondsBounds = []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5}

// BatchStats is what one kind of batch did since the Service started.
type BatchStats struct {
	Batches uint64 // batches started
	Jobs    uint64 // transfers or payments taken into them, in all (as queued when each started)
	// AtMost[i] counts the batches of at most BatchSizeBounds[i] jobs (cumulative, as a
	// histogram's buckets).
	AtMost []uint64
	// Ended counts the batches over, Seconds the time they took in all, and
	// SecondsAtMost[i] those that took at most BatchSecondsBounds[i] (cumulative).
	Ended         uint64
	Seconds       float64
	SecondsAtMost []uint64
	// LeftOut counts the jobs a batch left to the one-by-one path, for every reason of
	// the kind's reasons (0 until it happens).
	LeftOut map[string]uint64
}

func newMetrics() *metrics {
	return &metrics{p2p: newBatchCounts(P2PLeftOutReasons), card: newBatchCounts(CardLeftOutReasons)}
}

func newBatchCounts(reasons []string) batchCounts {
	c := batchCounts{sizes: make([]uint64, len(BatchSizeBounds)), times: make([]uint64, len(BatchSecondsBounds)),
		leftOut: map[string]uint64{}}
	for _, r := range reasons {
		c.leftOut[r] = 0
	}
	return c
}

// batch counts a batch of n jobs of c, as it starts.
func (m *metrics) batch(c *batchCounts, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c.batches++
	c.jobs += uint64(n)
	if i, _ := slices.BinarySearch(BatchSizeBounds, n); i < len(c.sizes) {
		c.sizes[i]++
	}
}

// took counts a batch of c that took d, as it ends.
func (m *metrics) took(c *batchCounts, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c.ended++
	c.seconds += d.Seconds()
	if i, _ := slices.BinarySearch(BatchSecondsBounds, d.Seconds()); i < len(c.times) {
		c.times[i]++
	}
}

// leave counts n jobs of c left to the one-by-one path for reason.
func (m *metrics) leave(c *batchCounts, reason string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c.leftOut[reason] += uint64(n)
}

// stats returns c so far.
func (m *metrics) stats(c *batchCounts) BatchStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := BatchStats{Batches: c.batches, Jobs: c.jobs, AtMost: cumulative(c.sizes), Ended: c.ended, Seconds: c.seconds,
		SecondsAtMost: cumulative(c.times), LeftOut: make(map[string]uint64, len(c.leftOut))}
	for r, n := range c.leftOut {
		st.LeftOut[r] = n
	}
	return st
}

func cumulative(counts []uint64) []uint64 {
	out := make([]uint64, len(counts))
	var sum uint64
	for i, n := range counts {
		sum += n
		out[i] = sum
	}
	return out
}

// P2PBatchStats returns what the P2P batches did so far, for metrics.
func (s *Service) P2PBatchStats() BatchStats { return s.metrics.stats(&s.metrics.p2p) }

// CardBatchStats returns what the card payment batches did so far, for metrics.
func (s *Service) CardBatchStats() BatchStats { return s.metrics.stats(&s.metrics.card) }
