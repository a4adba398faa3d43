package core

import "sync"

// batcher gathers concurrent jobs into batches for one function that deals with a whole
// batch in one transaction (P2P transfers: p2pbatch.go; card payments: cardbatch.go).
// Nothing waits to fill a batch: a batch takes whatever has queued while the previous
// ones ran, so under light load a job goes alone and under heavy load batches grow with
// the queue, up to size.
type batcher[J any] struct {
	size    int        // at most this many jobs per batch
	flight  int        // at most this many batches at once (0: 1)
	do      func([]J)  // deals with one batch; it must answer every job of it
	mu      sync.Mutex //
	queue   []J
	running int // batches in flight
}

// How many batches of one batcher run at once (batcher.flight). One by default: the
// next batch gathers what arrives while one runs. With more, batches are smaller and
// each job costs more, and two concurrent batches of P2P transfers usually share an
// account anyway (one waits on the other's row lock): PostgreSQL p2p 2,311/s with one,
// 2,135/s with two, ~2,200/s with four, 1,558/s with eight (docs/benchmarks.md, fourth
// session). Card payments on PostgreSQL are the exception (cardbatch.go).

// post queues j and waits until done is closed (by b.do, which deals with j's batch).
func (b *batcher[J]) post(j J, done <-chan struct{}) {
	b.mu.Lock()
	b.queue = append(b.queue, j)
	start := b.running < max(b.flight, 1)
	if start {
		b.running++
	}
	b.mu.Unlock()
	if start {
		go b.run()
	}
	<-done
}

// again puts jobs back at the head of the queue, for the next batch: do calls it for
// jobs of its batch that it leaves to the next one (and must not answer them).
func (b *batcher[J]) again(jobs []J) {
	if len(jobs) == 0 {
		return
	}
	b.mu.Lock()
	b.queue = append(jobs[:len(jobs):len(jobs)], b.queue...)
	b.mu.Unlock()
}

// run deals with batches while jobs are queued.
func (b *batcher[J]) run() {
	for {
		b.mu.Lock()
		n := min(len(b.queue), b.size)
		if n == 0 {
			b.running--
			b.queue = nil // let the backing array go
			b.mu.Unlock()
			return
		}
		jobs := make([]J, n)
		copy(jobs, b.queue)
		b.queue = b.queue[n:]
		b.mu.Unlock()
		b.do(jobs)
	}
}
