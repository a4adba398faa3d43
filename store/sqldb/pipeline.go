package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/baas-oss/baas"
)

// PipeStmt is one statement of a pipeline. Dest, when set, receives the one row the
// statement returns (sql.ErrNoRows when it returns none); Each, when set instead, is
// called for every row the statement returns, with the function that scans it;
// RowsAffected is set after it ran.
type PipeStmt struct {
	Query        string
	Args         []any
	Dest         []any
	Each         func(scan func(dest ...any) error) error
	RowsAffected int64
	// mapErr, when set, turns the statement's error into the one its caller would have
	// returned had it run on its own (deferred statements only).
	mapErr func(error) error
	// after, when set, runs once the statement's rows are in (a held-back read: see
	// laterRead).
	after func() error
}

// PipelineFunc sends stmts over the driver connection in one round trip and reads their
// results in order. It returns the index of the statement that failed with its error, or
// (len(stmts), nil). store/postgres provides one (PostgreSQL's pipeline mode, through pgx);
// the Dialect's Pipeline is nil where the engine has none.
type PipelineFunc func(ctx context.Context, driverConn any, stmts []PipeStmt) (int, error)

// pipeTx is a read-write transaction on one connection of a pool whose engine pipelines
// (PostgreSQL). It saves round trips, which dominate a short transaction's cost there:
// BEGIN goes out with the first statement, statements whose results nobody waits for
// (postings, the idempotency record) go out with the next statement or the COMMIT, and a
// transfer's balance updates go out together. A deferred statement that fails reports
// its error at the next statement or at the commit, and the transaction rolls back as
// for any other error.
type pipeTx struct {
	db      *DB
	conn    *sql.Conn
	pending []PipeStmt
	begun   bool     // BEGIN has been sent
	broken  bool     // the connection must not go back to the pool
	turns   []func() // rowQueue turns held until the transaction ends
	queued  []int64  // whose turns
	// then holds what must run before the COMMIT with the answers of held-back
	// statements (laterRow); unanswered is set while one of those is still pending.
	then       []func(context.Context) error
	unanswered bool
	// queueLater are accounts whose turns are taken just before the next round trip
	// (which sends their held-back updates), not when the update was asked for.
	queueLater []int64
	// hooked says, for the tenants ExpectEvents looked up, whether they have live
	// webhook endpoints.
	hooked map[string]bool
}

// laterRow holds s back like a deferred write, but s returns a row (into s.Dest): then
// runs before the COMMIT, once the row is in.
func (p *pipeTx) laterRow(s PipeStmt, then func(context.Context) error) {
	p.pending = append(p.pending, s)
	p.then = append(p.then, then)
	p.unanswered = true
}

// beforeCommit runs what laterRow left to do, sending first what it waits for.
func (p *pipeTx) beforeCommit(ctx context.Context) error {
	for len(p.then) > 0 {
		if p.unanswered {
			if _, err := p.pipeline(ctx, nil); err != nil {
				return err
			}
		}
		fns := p.then
		p.then = nil
		for _, f := range fns {
			if err := f(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// pipeline sends the pending statements and stmts together, in order. The index it
// returns counts stmts only; a pending statement that fails returns -1 and its (mapped)
// error.
func (p *pipeTx) pipeline(ctx context.Context, stmts []PipeStmt) (int, error) {
	if len(p.queueLater) > 0 {
		p.queue(ctx, p.queueLater)
		p.queueLater = nil
	}
	all := stmts
	pre := len(p.pending)
	if !p.begun {
		pre++
	}
	if pre > 0 {
		all = make([]PipeStmt, 0, pre+len(stmts))
		if !p.begun {
			all = append(all, PipeStmt{Query: "BEGIN"})
		}
		all = append(append(all, p.pending...), stmts...)
	}
	if len(all) == 0 {
		return 0, nil
	}
	p.pending, p.begun, p.unanswered = p.pending[:0], true, false
	var i int
	var err error
	rerr := p.conn.Raw(func(dc any) error {
		i, err = p.db.dialect.Pipeline(ctx, dc, all)
		if err != nil && (ctx.Err() != nil || isConnError(err)) {
			p.broken = true
			return driver.ErrBadConn // the pool drops the connection
		}
		return nil
	})
	if err == nil && rerr != nil {
		p.broken = true
		err = rerr
	}
	if pre > 0 {
		copy(stmts, all[pre:]) // RowsAffected
	}
	if err == nil {
		for i := range all {
			if f := all[i].after; f != nil {
				if err := f(); err != nil {
					return -1, err
				}
			}
		}
		return len(stmts), nil
	}
	if i < pre {
		if f := all[i].mapErr; f != nil {
			return -1, f(err)
		}
		return -1, err
	}
	return i - pre, err
}

// isConnError reports whether err left the connection unusable (not a statement's error
// reported by the server).
func isConnError(err error) bool {
	var se interface{ SQLState() string }
	return !errors.As(err, &se) && !errors.Is(err, sql.ErrNoRows)
}

func (p *pipeTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s := []PipeStmt{{Query: q, Args: args}}
	if _, err := p.pipeline(ctx, s); err != nil {
		return nil, err
	}
	return rowsAffected(s[0].RowsAffected), nil
}

// QueryContext reads many rows through database/sql, after sending what is pending.
func (p *pipeTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if len(p.pending) > 0 || !p.begun {
		if _, err := p.pipeline(ctx, nil); err != nil {
			return nil, err
		}
	}
	return p.conn.QueryContext(ctx, q, args...)
}

// QueryRowContext runs the query, with what is pending, when the row is scanned.
func (p *pipeTx) QueryRowContext(ctx context.Context, q string, args ...any) Row {
	return pipeRow{p: p, ctx: ctx, q: q, args: args}
}

type pipeRow struct {
	p    *pipeTx
	ctx  context.Context
	q    string
	args []any
}

func (r pipeRow) Scan(dest ...any) error {
	_, err := r.p.pipeline(r.ctx, []PipeStmt{{Query: r.q, Args: r.args, Dest: dest}})
	return err
}

// ScanEach passes each row to s.Each while next reports one, counting them in
// s.RowsAffected.
func (s *PipeStmt) ScanEach(next func() bool, scan func(dest ...any) error) error {
	for next() {
		if err := s.Each(scan); err != nil {
			return err
		}
		s.RowsAffected++
	}
	return nil
}

type rowsAffected int64

func (n rowsAffected) LastInsertId() (int64, error) {
	return 0, errors.New("LastInsertId is not supported")
}
func (n rowsAffected) RowsAffected() (int64, error) { return int64(n), nil }

// pipeExecutor is the Executor of engines that pipeline.
type pipeExecutor struct{ db *DB }

func (e *pipeExecutor) Ping(ctx context.Context) error { return e.db.write.PingContext(ctx) }
func (e *pipeExecutor) Close()                         {}

// InTx runs w on a pipeTx.
func (e *pipeExecutor) InTx(ctx context.Context, w Work) (err error) {
	db := e.db
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	p := &pipeTx{db: db, conn: conn}
	defer func() {
		r := recover()
		if p.begun && (err != nil || r != nil) {
			// Detached: the context may be the reason for the failure.
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				p.broken = true
			}
		}
		if p.broken {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // the pool drops it
		}
		conn.Close()
		for i := len(p.turns) - 1; i >= 0; i-- {
			p.turns[i]()
		}
		if r != nil {
			panic(r)
		}
	}()
	if err = w.Run(p); err != nil {
		return err
	}
	if err = p.beforeCommit(ctx); err != nil {
		return err
	}
	if !p.begun && len(p.pending) == 0 {
		return nil // nothing was sent
	}
	if _, err = p.pipeline(ctx, []PipeStmt{{Query: "COMMIT"}}); err != nil {
		var be *baas.Error
		if errors.As(err, &be) {
			return err
		}
		return fmt.Errorf("commit: %w", err)
	}
	p.begun = false
	return nil
}

// later holds s back until the next statement or the commit where the querier pipelines,
// and runs it now elsewhere.
func (x *queries) later(ctx context.Context, q string, mapErr func(error) error, args ...any) error {
	x.db.stmts.Add(1)
	s := PipeStmt{Query: x.db.rebind(q), Args: args, mapErr: mapErr}
	if p, ok := x.q.(*pipeTx); ok {
		p.pending = append(p.pending, s)
		return nil
	}
	_, err := x.q.ExecContext(ctx, s.Query, args...)
	if err != nil && mapErr != nil {
		return mapErr(err)
	}
	return x.translate(err)
}

// laterRead holds s, a statement that returns rows, back like a deferred write where the
// querier pipelines: its rows are read, and s.after run, when the transaction's next
// round trip has carried it (the next statement that waits for an answer, or the
// COMMIT). Elsewhere it runs now.
func (x *queries) laterRead(ctx context.Context, s PipeStmt) error {
	s.Query = x.db.rebind(s.Query)
	if p, ok := x.q.(*pipeTx); ok {
		x.db.stmts.Add(1)
		p.pending = append(p.pending, s)
		return nil
	}
	_, err := x.pipeline(ctx, []PipeStmt{s}) // counts it
	return err
}

// pipeline runs stmts in one round trip where the querier pipelines, one by one
// elsewhere. It returns the index of the failing statement and its error.
func (x *queries) pipeline(ctx context.Context, stmts []PipeStmt) (int, error) {
	x.db.stmts.Add(int64(len(stmts)))
	for i := range stmts {
		stmts[i].Query = x.db.rebind(stmts[i].Query)
	}
	if p, ok := x.q.(*pipeTx); ok {
		return p.pipeline(ctx, stmts)
	}
	for i := range stmts {
		s := &stmts[i]
		if s.Dest != nil {
			if err := x.q.QueryRowContext(ctx, s.Query, s.Args...).Scan(s.Dest...); err != nil {
				return i, err
			}
			continue
		}
		if s.Each != nil {
			rows, err := x.q.QueryContext(ctx, s.Query, s.Args...)
			if err == nil {
				err = s.ScanEach(rows.Next, rows.Scan)
				if cerr := rows.Close(); err == nil {
					err = cmp.Or(cerr, rows.Err())
				}
			}
			if err == nil && s.after != nil {
				err = s.after()
			}
			if err != nil {
				return i, err
			}
			continue
		}
		res, err := x.q.ExecContext(ctx, s.Query, s.Args...)
		if err != nil {
			return i, err
		}
		if s.RowsAffected, err = res.RowsAffected(); err != nil {
			return i, err
		}
	}
	return len(stmts), nil
}

// rowQueue makes the transactions of this process that update one account's balance
// wait for each other in Go, before PostgreSQL's row lock, which they then take in turn.
// Without it every transaction paying a busy account (a merchant, a master account)
// waits inside PostgreSQL, and each commit wakes all the waiters to fight for the row
// again: under the hot-merchant load that cost more database CPU than the transfers
// themselves. Correctness still rests on the row locks; this only keeps the queue out of
// the database. Two transactions at a time have an account's turn (turnsPerRow): the
// second goes on to the row lock and waits inside PostgreSQL, which hands the row over
// the moment the first commits — no round trip through Go between two commits on a busy
// account — and one waiter is not a herd. A wait is bounded (queueWait), so a cycle through a lock the queue does
// not know of (SELECT … FOR UPDATE) cannot hang: past the bound the transaction goes on
// to the row lock, where PostgreSQL detects any deadlock.
type rowQueue struct {
	mu sync.Mutex
	m  map[int64]*rowTurn
}

type rowTurn struct {
	ch   chan struct{} // holds a token for each holder of the turn
	refs int           // holders and waiters
}

const (
	queueWait = time.Second
	// turnsPerRow is how many transactions of this process go on to an account's row
	// lock together. With one, each commit on a busy account waited for a wake-up of its
	// transaction's goroutine and of the next one's before the next could send its update:
	// p2p-hot 1,467-1,848/s; with two, 1,805-1,938/s (15 s runs, alternating).
	turnsPerRow = 2
)

// take waits for id's turn (at most queueWait or until ctx ends) and returns the release
// function, which is nil when the turn was not obtained.
func (q *rowQueue) take(ctx context.Context, id int64) func() {
	q.mu.Lock()
	if q.m == nil {
		q.m = map[int64]*rowTurn{}
	}
	t := q.m[id]
	if t == nil {
		t = &rowTurn{ch: make(chan struct{}, turnsPerRow)}
		q.m[id] = t
	}
	t.refs++
	q.mu.Unlock()
	done := func() {
		q.mu.Lock()
		if t.refs--; t.refs == 0 {
			delete(q.m, id)
		}
		q.mu.Unlock()
	}
	select {
	case t.ch <- struct{}{}:
		return func() { <-t.ch; done() }
	default:
	}
	timer := time.NewTimer(queueWait)
	defer timer.Stop()
	select {
	case t.ch <- struct{}{}:
		return func() { <-t.ch; done() }
	case <-timer.C:
	case <-ctx.Done():
	}
	done()
	return nil
}

// queue takes the turns of ids, in the order given (the order the rows are locked in),
// holding them until the transaction ends.
func (p *pipeTx) queue(ctx context.Context, ids []int64) {
	for _, id := range ids {
		if slices.Contains(p.queued, id) {
			continue // this transaction has the turn (or gave up waiting for it)
		}
		p.queued = append(p.queued, id)
		if release := p.db.rows.take(ctx, id); release != nil {
			p.turns = append(p.turns, release)
		}
	}
}
