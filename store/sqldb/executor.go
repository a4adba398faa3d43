package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/baas-oss/baas"
)

// Querier runs the statements of the shared queries: on a pool, a transaction, a
// connection or whatever an Executor puts in their way. The query text is already
// rebound to the dialect's placeholders; the errors are the driver's (the queries
// translate them).
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) Row
}

// Executor runs a DB's read-write transactions: how a transaction begins, which
// connection it runs on, how its statements reach the server and how it commits. It is
// what an engine supplies besides its Dialect — store/sqlite's group-commit writer,
// store/postgres's pipeline — and BasicExecutor serves an engine that needs nothing
// special.
type Executor interface {
	// InTx runs w once, in a read-write transaction that it commits when w returns nil
	// and rolls back otherwise; it returns w's error, or the engine's when the
	// transaction could not begin or commit. It does not retry: DB.InTx runs it again
	// when the Dialect calls the error retryable. A panic in w reaches InTx's caller,
	// after the rollback.
	InTx(ctx context.Context, w Work) error
	// Ping checks that a transaction could be run now.
	Ping(ctx context.Context) error
	// Close finishes or refuses the transactions in flight and releases what the
	// executor holds, before DB.Close closes the pools.
	Close()
}

// Work is one run of a transaction's function, handed to an Executor. The zero Work does
// nothing (an Executor may run it to check its own path).
type Work struct {
	db *DB
	fn func(tx baas.Tx) error
}

// Run calls the transaction's function with the shared queries over q, which the
// Executor has set up inside its transaction. It is called once per transaction.
func (w Work) Run(q Querier) error {
	if w.fn == nil {
		return nil
	}
	return w.fn(w.db.queries(q))
}

// queries returns the queries of a read-write transaction run on q: whether q pipelines
// is asked here, once per transaction, not at each statement.
func (db *DB) queries(q Querier) *queries {
	p, _ := q.(Pipeliner)
	return &queries{db: db, q: q, pipe: p}
}

// BasicExecutor runs each transaction on its own through database/sql: BEGIN, the
// statements, COMMIT, one round trip each.
type BasicExecutor struct{ Pool *sql.DB }

// InTx implements Executor.
func (e BasicExecutor) InTx(ctx context.Context, w Work) (err error) {
	sqlTx, err := e.Pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = w.Run(plain{sqlTx}); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Ping implements Executor.
func (e BasicExecutor) Ping(ctx context.Context) error { return e.Pool.PingContext(ctx) }

// Close implements Executor: the pool is the DB's to close.
func (BasicExecutor) Close() {}
