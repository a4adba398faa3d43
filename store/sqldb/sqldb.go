// Package sqldb implements baas.Store over database/sql, once for every engine: the SQL
// of each query is written here, in the subset the engines share. An engine (a package
// such as store/sqlite or store/postgres) supplies two things to New:
//
//   - a Dialect: what differs in SQL text and driver errors (placeholders, row-lock and
//     skip-locked suffixes, advisory locks, View's isolation level, the few statements
//     only it can run such as CreditAndPost, and which errors are unique violations or
//     retryable). The queries ask the Dialect; they never test the engine's name.
//   - an Executor: how a read-write transaction runs (which connection, how it begins
//     and commits, how its statements reach the server). Executor.InTx runs a Work once,
//     handing Work.Run the Querier the queries are to use; DB.InTx retries. SQLite's is a
//     group-commit writer (savepoints on one connection, one fsync per batch);
//     PostgreSQL's pipelines. BasicExecutor runs one database/sql transaction each.
//
// A Querier that is also a Pipeliner lets the queries hold statements back until the
// transaction's next round trip and send several at once; the queries check for it once
// per transaction, and on any other Querier run each statement at once. Reads outside a
// transaction (Read, View) use the read pool directly.
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
	"github.com/pressly/goose/v3/lock"
)

// Dialect describes what differs between engines in SQL text and driver errors; the
// shared queries ask it (dialect.go) instead of testing the engine's name. What differs
// in how transactions run is the engine's Executor.
type Dialect struct {
	Name        string // "sqlite" or "postgres"
	Goose       goose.Dialect
	Dollar      bool   // placeholders are $1, $2… rather than ?
	ForUpdate   string // suffix that locks selected rows, "" where the engine serializes writers
	IsUnique    func(error) bool
	IsRetryable func(error) bool // serialization failure, deadlock, busy
	IsCheck     func(error) bool // a CHECK constraint refused a row
	IsNotNull   func(error) bool // a NOT NULL constraint refused a row
	// CacheStatements prepares each query once per pool (for drivers that do not cache
	// prepared statements themselves; pgx does).
	CacheStatements bool
	// SkipLocked is the suffix with which a claim selects rows to update, passing over
	// those other transactions have locked ("" where the engine serializes writers).
	SkipLocked string
	// XactLock and XactLockShared name the functions that take an exclusive or a shared
	// lock on a BIGINT key until the transaction ends (PostgreSQL's advisory locks); ""
	// where the engine serializes writers and needs none.
	XactLock, XactLockShared string
	// ViewIsolation is the isolation level of View's read-only transactions, one that
	// gives a consistent snapshot (sql.LevelDefault where the engine's default does).
	ViewIsolation sql.IsolationLevel
	// CreditAndPost, when set, returns one statement that does what CreditLater does
	// in two (a pipelined transaction holds it back until the commit): see CreditStmt.
	CreditAndPost func(c CreditStmt) (query string, args []any)
	// MigrationLock, when set, returns the lock Migrate holds while it migrates db, so
	// that processes starting at once on one database migrate it one after another.
	MigrationLock func(ctx context.Context, db *sql.DB) (lock.SessionLocker, error)
}

// DB is a baas.Store.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect *Dialect
	rebinds sync.Map // query text -> rebound text
	exec    Executor // runs the read-write transactions
	reads   Querier  // the read pool, through a statement cache when the dialect asks
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

// New returns a store that runs its read-write transactions through exec (which writes
// to write) and reads through read (which may be the same pool as write). A nil exec
// runs each transaction on its own with database/sql (BasicExecutor).
func New(write, read *sql.DB, d *Dialect, exec Executor) *DB {
	db := &DB{write: write, read: read, dialect: d, exec: exec, reads: plain{read}, stmts: new(statementCounter)}
	if d.CacheStatements {
		db.reads = NewStmtCache(read.PrepareContext)
	}
	if db.exec == nil {
		db.exec = BasicExecutor{Pool: write}
	}
	return db
}

func (db *DB) Engine() string { return db.dialect.Name }

// Ping checks that both the writer (through the executor) and the readers work.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.exec.Ping(ctx); err != nil {
		return err
	}
	return db.read.PingContext(ctx)
}

// Close stops the executor, then closes the pools.
func (db *DB) Close() error {
	db.exec.Close()
	if c, ok := db.reads.(*StmtCache); ok {
		c.Close()
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

// InTx runs fn in a read-write transaction through the executor, retrying on the errors
// the dialect calls retryable (serialization failures, deadlocks, busy errors).
func (db *DB) InTx(ctx context.Context, fn func(tx baas.Tx) error) error {
	var err error
	w := Work{db: db, fn: fn}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.exec.InTx(ctx, w)
		if err == nil || !db.dialect.IsRetryable(err) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt*attempt) * time.Millisecond)
	}
	if err != nil && db.dialect.IsRetryable(err) {
		return &baas.Error{Code: baas.EInternal, Message: "Internal error", Err: err}
	}
	return err
}

// View runs fn in a read-only transaction with a consistent snapshot.
func (db *DB) View(ctx context.Context, fn func(tx baas.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true, Isolation: db.dialect.ViewIsolation}
	sqlTx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	return fn(&queries{db: db, q: plain{sqlTx}})
}

// Read returns queries on the read pool.
func (db *DB) Read() baas.Tx { return &queries{db: db, q: db.reads} }

// queries is the baas.Tx of one transaction (or of reads outside one): the shared SQL,
// run through q.
type queries struct {
	db   *DB
	q    Querier
	pipe Pipeliner // q, when it pipelines
	// hooked says, for the tenants ExpectEvents looked up, whether they have live
	// webhook endpoints.
	hooked map[string]bool
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

func (x *queries) row(ctx context.Context, q string, args ...any) Row {
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

// execOne runs an update that must change exactly one row: none is ENotFound (what).
func (x *queries) execOne(ctx context.Context, what, q string, args ...any) error {
	res, err := x.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return baas.Errorf(baas.ENotFound, "%s not found", what)
	}
	return nil
}
