package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/sqldb"
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
// separately in that order. It is the store's sqldb.Executor.
type batcher struct {
	write   *sql.DB          // the writer pool (one connection)
	conn    *sql.Conn        // the writer connection, owned by the loop
	stmts   *sqldb.StmtCache // statements prepared on conn
	jobs    chan *job
	mu      sync.RWMutex // held for reading while submitting, for writing to close
	closed  bool
	stopped chan struct{}
	since   int           // transactions committed since the last checkpoint
	ckpt    *sql.DB       // the checkpointer's connection
	ckptDue chan struct{} // a checkpoint is due (buffer 1: one pending at most)
	ckptRan atomic.Bool   // the checkpointer has run one since the writer last finished one
	ckptEnd chan struct{} // closed when the checkpointer has stopped
}

type job struct {
	ctx  context.Context
	w    sqldb.Work
	done chan error
}

const (
	// checkpoint runs once checkpointEvery transactions have committed since the last
	// one: SQLite would otherwise run it inside a commit while its callers wait (Open
	// turns its automatic checkpoints off). Every 256 transactions: ~1,300 WAL pages
	// under the p2p load (5 random pages per transfer). Measured with the p2p load, 40 s
	// runs: every ~20 commits gave p99 19.4 and 20.4 ms, every 64 commits 24–25 ms for no
	// clear gain in throughput. It runs in two steps so that the writer does not wait for
	// most of it (it did, a few milliseconds every 256 commits: the purchase benchmark's
	// p99): a connection of its own (checkpointer) copies the WAL's pages into the
	// database while the writer goes on appending, then the writer, after its next
	// commit, copies only what it appended meanwhile. The WAL can start over from its
	// beginning only when every frame has been copied as a write transaction begins,
	// which under a steady load only the writer's own step makes true: without it the
	// WAL file would grow for as long as the load lasts.
	checkpoint      = "PRAGMA wal_checkpoint(PASSIVE)"
	checkpointEvery = 256
)

// panicked carries a panic from a batched function back to its caller's goroutine.
type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprintf("panic: %v", p.value) }

func newBatcher(write *sql.DB, dsn string) (sqldb.Executor, error) {
	ckpt, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	ckpt.SetMaxOpenConns(1)
	ckpt.SetMaxIdleConns(1)
	ckpt.SetConnMaxLifetime(0)
	b := &batcher{write: write, jobs: make(chan *job, maxBatch), stopped: make(chan struct{}),
		ckpt: ckpt, ckptDue: make(chan struct{}, 1), ckptEnd: make(chan struct{})}
	go b.checkpointer()
	go b.loop()
	return b, nil
}

// checkpointer runs a checkpoint each time one is due, until the loop stops. Errors
// (SQLITE_BUSY while another process checkpoints) mean "next time".
func (b *batcher) checkpointer() {
	defer close(b.ckptEnd)
	for range b.ckptDue {
		_, _ = b.ckpt.ExecContext(context.Background(), checkpoint)
		b.ckptRan.Store(true)
	}
	b.ckpt.Close()
}

// begin makes sure the loop holds the writer connection and opens a transaction on it.
func (b *batcher) begin() error {
	if b.conn == nil {
		c, err := b.write.Conn(context.Background())
		if err != nil {
			return err
		}
		b.conn = c
		b.stmts = sqldb.NewStmtCache(c.PrepareContext)
	}
	_, err := b.conn.ExecContext(context.Background(), "BEGIN IMMEDIATE")
	if err != nil && errors.Is(err, driver.ErrBadConn) {
		b.dropConn()
	}
	return err
}

func (b *batcher) dropConn() {
	if b.conn != nil {
		b.stmts.Close()
		b.conn.Close()
		b.conn, b.stmts = nil, nil
	}
}

// Close stops taking jobs, finishes the queued ones and waits for the loop to end.
func (b *batcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.jobs)
	}
	b.mu.Unlock()
	<-b.stopped
}

// InTx submits w and waits for the commit that includes it.
func (b *batcher) InTx(ctx context.Context, w sqldb.Work) error {
	j := &job{ctx: ctx, w: w, done: make(chan error, 1)}
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
	defer func() { close(b.ckptDue); <-b.ckptEnd }()
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
		err := call(j.w, q)
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
	if cerr == nil {
		if b.since += len(batch); b.since >= checkpointEvery {
			b.since = 0
			select {
			case b.ckptDue <- struct{}{}:
			default: // one is pending: it will copy this commit's pages too
			}
		}
		if b.ckptRan.Swap(false) {
			_ = exec(checkpoint) // the rest, on the writer (errors: next time)
		}
	}
}

// errBatchAborted is the answer to a job whose batch could not be committed for a reason
// that was not its own: the Dialect calls it retryable, so DB.InTx runs it again.
var errBatchAborted = errors.New("group commit aborted by another transaction of the batch")

// detached runs queries without the caller's cancellation (values are kept).
type detached struct{ q sqldb.Querier }

func (d detached) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.q.ExecContext(context.WithoutCancel(ctx), q, args...)
}

func (d detached) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.q.QueryContext(context.WithoutCancel(ctx), q, args...)
}

func (d detached) QueryRowContext(ctx context.Context, q string, args ...any) sqldb.Row {
	return d.q.QueryRowContext(context.WithoutCancel(ctx), q, args...)
}

// Ping runs an empty transaction: the writer connection belongs to the loop.
func (b *batcher) Ping(ctx context.Context) error { return b.InTx(ctx, sqldb.Work{}) }

// call runs w on q, turning a panic into an error value.
func call(w sqldb.Work, q sqldb.Querier) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked{p}
		}
	}()
	return w.Run(q)
}
