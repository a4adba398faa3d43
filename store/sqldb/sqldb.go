// Package sqldb implements baas.Store over database/sql for both SQLite and PostgreSQL.
// The SQL is the common subset of the two engines; what differs (placeholders, row locks,
// driver errors, DDL) is described by a Dialect supplied by store/sqlite and
// store/postgres.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/baas-oss/baas"
	"github.com/pressly/goose/v3"
)

// Dialect describes what differs between engines.
type Dialect struct {
	Name        string // "sqlite" or "postgres"
	Goose       goose.Dialect
	Dollar      bool   // placeholders are $1, $2… rather than ?
	ForUpdate   string // suffix that locks selected rows, "" where the engine serializes writers
	IsUnique    func(error) bool
	IsRetryable func(error) bool // serialization failure, deadlock, busy
	IsCheck     func(error) bool // a CHECK constraint refused a row
	IsNotNull   func(error) bool // a NOT NULL constraint refused a row
	GroupCommit bool             // batch concurrent transactions into one commit (single-writer engines)
	// Checkpoint, with GroupCommit, runs on the writer once CheckpointEvery transactions
	// have committed since the last one, after the callers of the commit have their
	// answers (SQLite's WAL checkpoint, which the engine would otherwise run inside a
	// commit while its callers wait).
	Checkpoint      string
	CheckpointEvery int
	// CacheStatements prepares each query once per pool (for drivers that do not cache
	// prepared statements themselves; pgx does).
	CacheStatements bool
	// Pipeline, when set, sends several statements in one round trip: write transactions
	// then go through inPipeTx (pipeline.go).
	Pipeline PipelineFunc
}

// DB is a baas.Store.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect *Dialect
	rebinds sync.Map // query text -> rebound text
	batch   *batcher // group commit, when the dialect asks for it
	reads   querier  // the read pool, through a statement cache when the dialect asks
	rows    rowQueue // pipeline.go
	stmts   *statementCounter
}

// statementCounter counts statements (DB.Statements) on a cache line of its own: every
// statement on every core adds to it, and it must not make the DB's read-mostly fields
// (the pools, the rebind cache) bounce between cores with it.
type statementCounter struct {
	_ [64]byte
	atomic.Int64
	_ [56]byte
}

// New returns a store that writes through write and reads through read (which may be the
// same pool).
func New(write, read *sql.DB, d *Dialect) *DB {
	db := &DB{write: write, read: read, dialect: d, reads: plain{read}, stmts: new(statementCounter)}
	if d.CacheStatements {
		db.reads = newStmtCache(read.PrepareContext)
	}
	if d.GroupCommit {
		db.batch = newBatcher(db)
	}
	return db
}

func (db *DB) Engine() string { return db.dialect.Name }

// Ping checks that both the writer and the readers work. With group commit the writer
// connection belongs to the batcher, so the check is an empty transaction through it.
func (db *DB) Ping(ctx context.Context) error {
	if db.batch != nil {
		if err := db.batch.run(ctx, func(baas.Tx) error { return nil }); err != nil {
			return err
		}
	} else if err := db.write.PingContext(ctx); err != nil {
		return err
	}
	return db.read.PingContext(ctx)
}

func (db *DB) Close() error {
	if db.batch != nil {
		db.batch.close()
	}
	if c, ok := db.reads.(*stmtCache); ok {
		c.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		if err2 := db.read.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// Statements is how many SQL statements the store's queries have run (or sent in a
// pipeline) since it opened, on all its connections, not counting transaction control
// (BEGIN, savepoints, COMMIT): a diagnostic, with which tests show that a list costs
// the same statements however long it is (no query per item).
func (db *DB) Statements() int64 { return db.stmts.Load() }

// WritePool and ReadPool expose the pools to tests and tools of this module.
func (db *DB) WritePool() *sql.DB { return db.write }

// maxAttempts bounds how often InTx runs fn when the database asks for a retry.
const maxAttempts = 8

// InTx runs fn in a read-write transaction, retrying on serialization failures,
// deadlocks and busy errors.
func (db *DB) InTx(ctx context.Context, fn func(tx baas.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if db.batch != nil {
			err = db.batch.run(ctx, fn)
		} else if db.dialect.Pipeline != nil {
			err = db.inPipeTx(ctx, fn)
		} else {
			err = db.inTx(ctx, fn)
		}
		if err == nil || !db.retryable(err) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt*attempt) * time.Millisecond)
	}
	if err != nil && db.retryable(err) {
		return &baas.Error{Code: baas.EInternal, Message: "Internal error", Err: err}
	}
	return err
}

func (db *DB) retryable(err error) bool {
	return errors.Is(err, errBatchAborted) || db.dialect.IsRetryable(err)
}

func (db *DB) inTx(ctx context.Context, fn func(tx baas.Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
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
	if err = fn(&queries{db: db, q: plain{sqlTx}}); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// View runs fn in a read-only transaction with a consistent snapshot.
func (db *DB) View(ctx context.Context, fn func(tx baas.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect.Name == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	return fn(&queries{db: db, q: plain{sqlTx}})
}

// Read returns queries on the read pool.
func (db *DB) Read() baas.Tx { return &queries{db: db, q: db.reads} }

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) scanner
}

type queries struct {
	db *DB
	q  querier
}

// rebind turns ? placeholders into $N for dialects that need it.
func (db *DB) rebind(q string) string {
	if !db.dialect.Dollar {
		return q
	}
	if v, ok := db.rebinds.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	db.rebinds.Store(q, out)
	return out
}

func (x *queries) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	x.db.stmts.Add(1)
	res, err := x.q.ExecContext(ctx, x.db.rebind(q), args...)
	return res, x.translate(err)
}

func (x *queries) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	x.db.stmts.Add(1)
	rows, err := x.q.QueryContext(ctx, x.db.rebind(q), args...)
	return rows, x.translate(err)
}

func (x *queries) row(ctx context.Context, q string, args ...any) scanner {
	x.db.stmts.Add(1)
	return x.q.QueryRowContext(ctx, x.db.rebind(q), args...)
}

// translate maps driver errors to domain errors: a unique violation becomes EConflict;
// retryable errors pass through untouched so InTx can see them.
func (x *queries) translate(err error) error {
	var be *baas.Error
	if err == nil || errors.As(err, &be) {
		return err // nil, or already translated (a deferred statement's mapped error)
	}
	if x.db.dialect.IsUnique(err) {
		return &baas.Error{Code: baas.EConflict, Message: "already exists", Err: err}
	}
	return err
}

// scanErr turns sql.ErrNoRows into a not-found error naming what was looked for.
func (x *queries) scanErr(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return baas.Errorf(baas.ENotFound, "%s not found", what)
	}
	return x.translate(err)
}

// where builds " WHERE a = ? AND b = ?" from optional conditions.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, arg any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, arg)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
