// Package postgres opens the production store: PostgreSQL through pgx. Writers lock the
// accounts they move money between (UPDATE … RETURNING or SELECT … FOR UPDATE, in
// descending id order), and transactions are retried on serialization failures and
// deadlocks. Its sqldb.Executor pipelines each read-write transaction (pipeline.go: pgx
// batches, held-back writes) and queues busy accounts' updates in Go (rowqueue.go).
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/baas-oss/baas/store/sqldb"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Dialect is the PostgreSQL dialect of sqldb.
var Dialect = &sqldb.Dialect{
	Name:      "postgres",
	Goose:     goose.DialectPostgres,
	Dollar:    true,
	ForUpdate: " FOR UPDATE",
	// Claims pass over the rows other dispatchers hold; a delivery chain is locked with
	// an advisory lock on its key; View reads one snapshot.
	SkipLocked:     " FOR UPDATE SKIP LOCKED",
	XactLock:       "pg_advisory_xact_lock",
	XactLockShared: "pg_advisory_xact_lock_shared",
	ViewIsolation:  sql.LevelRepeatableRead,
	CreditAndPost:  creditAndPost,
	IsUnique: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
	IsCheck: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23514"
	},
	IsNotNull: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23502"
	},
	IsRetryable: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
	},
	MigrationLock: migrationLock,
}

// migrationLock is a session advisory lock on a key of the database and schema the
// connection uses (so that databases and schemas on one server migrate side by side),
// tried every second for up to ten minutes: a large database's migration takes a while.
func migrationLock(ctx context.Context, db *sql.DB) (lock.SessionLocker, error) {
	var where string
	if err := db.QueryRowContext(ctx, `SELECT current_database() || '.' || COALESCE(current_schema(), '')`).Scan(&where); err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte("baas migrations " + where))
	return lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 600))
}

// MaxConns is the size of the connection pool.
const MaxConns = 32

// Open connects to the PostgreSQL database at url (postgres://…) and applies migrations.
func Open(ctx context.Context, url string) (*sqldb.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(MaxConns)
	db.SetMaxIdleConns(MaxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := sqldb.Migrate(ctx, db, Dialect); err != nil {
		db.Close()
		return nil, err
	}
	return sqldb.New(db, db, Dialect, &executor{pool: db}), nil
}
