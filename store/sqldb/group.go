package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/baas-oss/baas"
)

// maxBatch bounds how many transactions share one commit.
const maxBatch = 128

// batcher implements group commit for a single-writer engine (SQLite): transactions that
// arrive while a commit is in progress are run together in the next database
// transaction, each inside a savepoint of its own, and committed — fsynced — once. A
// transaction whose function fails is rolled back to its savepoint without touching the
// others; each caller gets its answer only after the commit that made its writes durable.
// Isolation is unchanged: the transactions of a batch run one after another on the one
// writer connection, each seeing the ones before it, exactly as if they had committed
// separately in that order.
type batcher struct {
	db      *DB
	conn    *sql.Conn  // the writer connection, owned by the loop
	stmts   *stmtCache // statements prepared on conn
	jobs    chan *job
	mu      sync.RWMutex // held for reading while submitting, for writing to close
	closed  bool
	stopped chan struct{}
	since   int // transactions committed since the last checkpoint
}

type job struct {
	ctx  context.Context
	fn   func(tx baas.Tx) error
	done chan error
}

// panicked carries a panic from a batched function back to its caller's goroutine.
type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprintf("panic: %v", p.value) }

func newBatcher(db *DB) *batcher {
	b := &batcher{db: db, jobs: make(chan *job, maxBatch), stopped: make(chan struct{})}
	go b.loop()
	return b
}

// begin makes sure the loop holds the writer connection and opens a transaction on it.
func (b *batcher) begin() error {
	if b.conn == nil {
		c, err := b.db.write.Conn(context.Background())
		if err != nil {
			return err
		}
		b.conn = c
		b.stmts = newStmtCache(c.PrepareContext)
	}
	_, err := b.conn.ExecContext(context.Background(), "BEGIN IMMEDIATE")
	if err != nil && errors.Is(err, driver.ErrBadConn) {
		b.dropConn()
	}
	return err
}

func (b *batcher) dropConn() {
	if b.conn != nil {
		b.stmts.close()
		b.conn.Close()
		b.conn, b.stmts = nil, nil
	}
}

// close stops taking jobs, finishes the queued ones and waits for the loop to end.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.jobs)
	}
	b.mu.Unlock()
	<-b.stopped
}

// run submits fn and waits for the commit that includes it.
func (b *batcher) run(ctx context.Context, fn func(tx baas.Tx) error) error {
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return baas.Errorf(baas.EInternal, "store closed")
	}
	select {
	case b.jobs <- j:
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	b.mu.RUnlock()
	err := <-j.done // once queued, wait: fn may be running
	if p, ok := err.(panicked); ok {
		panic(p.value)
	}
	return err
}

func (b *batcher) loop() {
	defer close(b.stopped)
	defer b.dropConn()
	batch := make([]*job, 0, maxBatch)
	for j := range b.jobs {
		batch = append(batch[:0], j)
	fill:
		for len(batch) < maxBatch {
			select {
			case j, ok := <-b.jobs:
				if !ok {
					break fill
				}
				batch = append(batch, j)
			default:
				break fill
			}
		}
		b.commit(batch)
	}
}

func (b *batcher) commit(batch []*job) {
	if err := b.begin(); err != nil {
		for _, j := range batch {
			j.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	exec := func(q string) error {
		_, err := b.conn.ExecContext(context.Background(), q)
		return err
	}
	// The savepoint statements are prepared once: one name serves every job, as each
	// savepoint is released (or rolled back to and released) before the next opens.
	stmt := func(q string) error {
		_, err := b.stmts.ExecContext(context.Background(), q)
		return err
	}
	// A job's statements run detached from its caller's context: SQLite answers an
	// interrupted write by rolling back the whole database transaction, which would take
	// the other jobs of the batch with it. A cancelled caller is noticed between jobs.
	q := detached{b.stmts}
	results := make([]error, len(batch))
	var broken error // set when the database transaction itself can no longer be used
	for i, j := range batch {
		if broken != nil {
			results[i] = errBatchAborted
			continue
		}
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if err := stmt("SAVEPOINT job"); err != nil {
			broken, results[i] = err, errBatchAborted
			continue
		}
		err := call(j.fn, &queries{db: b.db, q: q})
		if err != nil {
			results[i] = err
			if rerr := stmt("ROLLBACK TO job"); rerr != nil {
				broken = rerr
				continue
			}
		}
		if rerr := stmt("RELEASE job"); rerr != nil {
			broken = rerr
		}
	}
	var cerr error
	if broken != nil {
		_ = exec("ROLLBACK")
		cerr = errBatchAborted
	} else if err := exec("COMMIT"); err != nil {
		_ = exec("ROLLBACK")
		cerr = fmt.Errorf("commit: %w", err)
	}
	for i, j := range batch {
		if results[i] == nil && cerr != nil {
			results[i] = cerr
		}
		j.done <- results[i]
	}
	if d := b.db.dialect; d.Checkpoint != "" && cerr == nil {
		if b.since += len(batch); b.since >= d.CheckpointEvery {
			b.since = 0
			// Errors (SQLITE_BUSY while another process checkpoints) mean "next time".
			_ = exec(d.Checkpoint)
		}
	}
}

// errBatchAborted is the answer to a job whose batch could not be committed for a reason
// that was not its own: InTx runs it again.
var errBatchAborted = errors.New("group commit aborted by another transaction of the batch")

// detached runs queries without the caller's cancellation (values are kept).
type detached struct{ q querier }

func (d detached) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.q.ExecContext(context.WithoutCancel(ctx), q, args...)
}

func (d detached) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.q.QueryContext(context.WithoutCancel(ctx), q, args...)
}

func (d detached) QueryRowContext(ctx context.Context, q string, args ...any) scanner {
	return d.q.QueryRowContext(context.WithoutCancel(ctx), q, args...)
}

// call runs fn, turning a panic into an error value.
func call(fn func(tx baas.Tx) error, tx baas.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked{p}
		}
	}()
	return fn(tx)
}
