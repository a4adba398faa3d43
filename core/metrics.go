package core

import (
	"slices"
	"sync"
)

// metrics are the core's own figures: how P2P transfers batch (p2pbatch.go). They are
// plain counts; whoever reports metrics (the server, on /metrics) reads them with
// Service.P2PBatchStats and shows them in its own format.
type metrics struct {
	mu        sync.Mutex // a batch observes a few times; a scrape reads: no contention
	batches   uint64
	transfers uint64
	sizes     []uint64 // batches by size: sizes[i] counts those of at most P2PBatchSizeBounds[i] (and above the previous bound)
	leftOut   map[string]uint64
}

// Reasons a batch leaves a transfer to the one-by-one path (P2PBatchStats.LeftOut).
const (
	leftOutDuplicateKey = "duplicate_key" // its Idempotency-Key came twice in the batch
	leftOutRefused      = "refused"       // insufficient funds or an inactive account
	leftOutRecordedKey  = "recorded_key"  // its key is already recorded (a retry): replayed
	leftOutFailed       = "batch_failed"  // the batch's transaction failed
	leftOutPanic        = "panic"         // the batch panicked (a bug; logged)
)

// P2PLeftOutReasons are the reasons a P2P batch leaves a transfer to the one-by-one path,
// the keys of P2PBatchStats.LeftOut.
var P2PLeftOutReasons = []string{leftOutDuplicateKey, leftOutRefused, leftOutRecordedKey, leftOutFailed, leftOutPanic}

// P2PBatchSizeBounds are the upper bounds of the batch-size classes P2PBatchStats counts.
var P2PBatchSizeBounds = []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000}

// P2PBatchStats is what the P2P batches did since the Service started.
type P2PBatchStats struct {
	Batches   uint64 // batches run
	Transfers uint64 // transfers taken into them, in all (as queued when each started)
	// AtMost[i] counts the batches of at most P2PBatchSizeBounds[i] transfers
	// (cumulative, as a histogram's buckets).
	AtMost []uint64
	// LeftOut counts the transfers a batch left to the one-by-one path, for every reason
	// of P2PLeftOutReasons (0 until it happens).
	LeftOut map[string]uint64
}

func newMetrics() *metrics {
	m := &metrics{sizes: make([]uint64, len(P2PBatchSizeBounds)), leftOut: map[string]uint64{}}
	for _, r := range P2PLeftOutReasons {
		m.leftOut[r] = 0
	}
	return m
}

// batch counts a batch of n transfers.
func (m *metrics) batch(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.batches++
	m.transfers += uint64(n)
	if i, _ := slices.BinarySearch(P2PBatchSizeBounds, n); i < len(m.sizes) {
		m.sizes[i]++
	}
}

// leave counts n transfers left to the one-by-one path for reason.
func (m *metrics) leave(reason string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leftOut[reason] += uint64(n)
}

// P2PBatchStats returns what the P2P batches did so far, for metrics.
func (s *Service) P2PBatchStats() P2PBatchStats {
	m := s.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	st := P2PBatchStats{Batches: m.batches, Transfers: m.transfers, AtMost: make([]uint64, len(m.sizes)),
		LeftOut: make(map[string]uint64, len(m.leftOut))}
	var sum uint64
	for i, n := range m.sizes {
		sum += n
		st.AtMost[i] = sum
	}
	for r, n := range m.leftOut {
		st.LeftOut[r] = n
	}
	return st
}
