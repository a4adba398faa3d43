package postgres

import (
	"context"
	"sync"
	"testing"
)

// TestRowQueue: turnsPerRow turns per id at a time, handed to the next waiter on
// release; a cancelled wait gives up; ids nobody holds or waits for are forgotten.
func TestRowQueue(t *testing.T) {
	var q rowQueue
	ctx := context.Background()
	release := q.take(ctx, 7)
	if release == nil {
		t.Fatal("no turn on a free id")
	}
	var others []func() // the other holders of id 7's turn
	for i := 1; i < turnsPerRow; i++ {
		r := q.take(ctx, 7)
		if r == nil {
			t.Fatalf("turn %d of %d not given", i+1, turnsPerRow)
		}
		others = append(others, r)
	}
	other := q.take(ctx, 8) // another id is independent
	if other == nil {
		t.Fatal("no turn on another id")
	}
	other()

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if r := q.take(cancelled, 7); r != nil {
		t.Fatal("a cancelled wait got the turn")
	}

	var wg sync.WaitGroup
	got := make(chan func(), 1)
	wg.Go(func() { got <- q.take(ctx, 7) })
	release() // hands the turn to the waiter
	wg.Wait()
	next := <-got
	if next == nil {
		t.Fatal("the waiter did not get the turn")
	}
	next()
	for _, r := range others {
		r()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.m) != 0 {
		t.Fatalf("ids left behind: %v", q.m)
	}
}
