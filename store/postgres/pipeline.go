package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/sqldb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// executor is the store's sqldb.Executor: each read-write transaction runs on a pipeTx.
type executor struct {
	pool *sql.DB
	rows rowQueue // rowqueue.go
}

func (e *executor) Ping(ctx context.Context) error { return e.pool.PingContext(ctx) }

// Close does nothing: the transactions in flight hold their own connections, and the
// pool is the DB's to close.
func (e *executor) Close() {}

// InTx runs w on a pipeTx, on one connection of the pool.
func (e *executor) InTx(ctx context.Context, w sqldb.Work) (err error) {
	conn, err := e.pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	p := &pipeTx{exec: e, conn: conn}
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
	if _, err = p.Pipeline(ctx, []sqldb.PipeStmt{{Query: "COMMIT"}}); err != nil {
		var be *baas.Error
		if errors.As(err, &be) {
			return err
		}
		return fmt.Errorf("commit: %w", err)
	}
	p.begun = false
	return nil
}

// pipeTx is a read-write transaction on one connection of the pool: the sqldb.Pipeliner
// the shared queries run on. It saves round trips, which dominate a short transaction's
// cost on PostgreSQL: BEGIN goes out with the first statement, statements whose results
// nobody waits for (postings, the idempotency record) go out with the next statement or
// the COMMIT, and a transfer's balance updates go out together. A deferred statement
// that fails reports its error at the next statement or at the commit, and the
// transaction rolls back as for any other error.
type pipeTx struct {
	exec    *executor
	conn    *sql.Conn
	pending []sqldb.PipeStmt
	begun   bool     // BEGIN has been sent
	broken  bool     // the connection must not go back to the pool
	turns   []func() // rowQueue turns held until the transaction ends
	queued  []int64  // whose turns
	// then holds what must run before the COMMIT with the answers of held-back
	// statements (LaterThen); unanswered is set while one of those is still pending.
	then       []func(context.Context) error
	unanswered bool
	// queueLater are accounts whose turns are taken just before the next round trip
	// (which sends their held-back updates), not when the update was asked for.
	queueLater []int64
}

// Later implements sqldb.Pipeliner.
func (p *pipeTx) Later(s sqldb.PipeStmt) { p.pending = append(p.pending, s) }

// LaterThen implements sqldb.Pipeliner: then runs before the COMMIT, once s's rows are in.
func (p *pipeTx) LaterThen(s sqldb.PipeStmt, then func(context.Context) error) {
	p.pending = append(p.pending, s)
	p.then = append(p.then, then)
	p.unanswered = true
}

// Locking implements sqldb.Pipeliner: it takes the accounts' turns in the row queue.
func (p *pipeTx) Locking(ctx context.Context, updates []baas.BalanceDelta) {
	for _, u := range updates {
		p.queue(ctx, u.AccountID)
	}
}

// LockingLater implements sqldb.Pipeliner: the account's turn is taken when its held-back
// update goes out, so that it covers that round trip only.
func (p *pipeTx) LockingLater(id int64) { p.queueLater = append(p.queueLater, id) }

// beforeCommit runs what LaterThen left to do, sending first what it waits for.
func (p *pipeTx) beforeCommit(ctx context.Context) error {
	for len(p.then) > 0 {
		if p.unanswered {
			if _, err := p.Pipeline(ctx, nil); err != nil {
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

// Pipeline implements sqldb.Pipeliner: it sends the pending statements and stmts
// together, in order. The index it returns counts stmts only; a pending statement that
// fails returns -1 and its (mapped) error.
func (p *pipeTx) Pipeline(ctx context.Context, stmts []sqldb.PipeStmt) (int, error) {
	if len(p.queueLater) > 0 {
		for _, id := range p.queueLater {
			p.queue(ctx, id)
		}
		p.queueLater = nil
	}
	all := stmts
	pre := len(p.pending)
	if !p.begun {
		pre++
	}
	if pre > 0 {
		all = make([]sqldb.PipeStmt, 0, pre+len(stmts))
		if !p.begun {
			all = append(all, sqldb.PipeStmt{Query: "BEGIN"})
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
		i, err = pipeline(ctx, dc, all)
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
			if f := all[i].After; f != nil {
				if err := f(); err != nil {
					return -1, err
				}
			}
		}
		return len(stmts), nil
	}
	if i < pre {
		if f := all[i].MapErr; f != nil {
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
	s := []sqldb.PipeStmt{{Query: q, Args: args}}
	if _, err := p.Pipeline(ctx, s); err != nil {
		return nil, err
	}
	return rowsAffected(s[0].RowsAffected), nil
}

// QueryContext reads many rows through database/sql, after sending what is pending.
func (p *pipeTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if len(p.pending) > 0 || !p.begun {
		if _, err := p.Pipeline(ctx, nil); err != nil {
			return nil, err
		}
	}
	return p.conn.QueryContext(ctx, q, args...)
}

// QueryRowContext runs the query, with what is pending, when the row is scanned.
func (p *pipeTx) QueryRowContext(ctx context.Context, q string, args ...any) sqldb.Row {
	return pipeRow{p: p, ctx: ctx, q: q, args: args}
}

type pipeRow struct {
	p    *pipeTx
	ctx  context.Context
	q    string
	args []any
}

func (r pipeRow) Scan(dest ...any) error {
	_, err := r.p.Pipeline(r.ctx, []sqldb.PipeStmt{{Query: r.q, Args: r.args, Dest: dest}})
	return err
}

type rowsAffected int64

func (n rowsAffected) LastInsertId() (int64, error) {
	return 0, errors.New("LastInsertId is not supported")
}
func (n rowsAffected) RowsAffected() (int64, error) { return int64(n), nil }

// queue takes the turn of account id, holding it until the transaction ends. Callers
// queue in the order the rows are locked in.
func (p *pipeTx) queue(ctx context.Context, id int64) {
	if slices.Contains(p.queued, id) {
		return // this transaction has the turn (or gave up waiting for it)
	}
	p.queued = append(p.queued, id)
	if release := p.exec.rows.take(ctx, id); release != nil {
		p.turns = append(p.turns, release)
	}
}

// pipeline sends stmts as one pgx batch: one network round trip, the statements run in
// order, and the first one that fails stops the rest (the server skips them).
func pipeline(ctx context.Context, driverConn any, stmts []sqldb.PipeStmt) (int, error) {
	sc, ok := driverConn.(*stdlib.Conn)
	if !ok {
		return 0, fmt.Errorf("postgres: pipeline on a %T", driverConn)
	}
	b := &pgx.Batch{}
	for i := range stmts {
		b.Queue(stmts[i].Query, stmts[i].Args...)
	}
	br := sc.Conn().SendBatch(ctx, b)
	failed, ferr := len(stmts), error(nil)
	for i := range stmts {
		s := &stmts[i]
		var err error
		if s.Dest != nil {
			err = br.QueryRow().Scan(s.Dest...)
			if errors.Is(err, pgx.ErrNoRows) {
				err = sql.ErrNoRows
			}
			if err == nil {
				s.RowsAffected = 1
			}
		} else if s.Each != nil {
			var rows pgx.Rows
			if rows, err = br.Query(); err == nil {
				err = s.ScanEach(rows.Next, rows.Scan)
				rows.Close()
				if err == nil {
					err = rows.Err()
				}
			}
		} else {
			var tag pgconn.CommandTag
			tag, err = br.Exec()
			s.RowsAffected = tag.RowsAffected()
		}
		if err != nil {
			failed, ferr = i, err
			break
		}
	}
	if err := br.Close(); ferr == nil && err != nil {
		return len(stmts), err
	}
	return failed, ferr
}
