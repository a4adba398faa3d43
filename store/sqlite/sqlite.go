// Package sqlite opens the embedded default store: a SQLite file in WAL mode with one
// writer connection and a pool of read-only readers. Its sqldb.Executor is a
// group-commit writer (group.go): concurrent transactions run one after another on the
// writer, each in a savepoint, and share one durable commit (synchronous=FULL).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/baas-oss/baas/store/sqldb"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect is the SQLite dialect of sqldb.
var Dialect = &sqldb.Dialect{
	Name:  "sqlite",
	Goose: goose.DialectSQLite3,
	// One writer connection serializes writers: no row locks (ForUpdate, SkipLocked),
	// no advisory locks (XactLock), and a read transaction is a snapshot as it is.
	ForUpdate:       "",
	CacheStatements: true,
	IsUnique: func(err error) bool {
		var e *sqlite.Error
		if errors.As(err, &e) {
			c := e.Code()
			return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		}
		return false
	},
	IsCheck: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_CHECK
	},
	IsNotNull: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_NOTNULL
	},
	IsRetryable: func(err error) bool {
		if errors.Is(err, errBatchAborted) {
			return true
		}
		var e *sqlite.Error
		if errors.As(err, &e) {
			c := e.Code() & 0xff
			return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
		}
		return false
	},
}

// Open opens (creating if needed) the SQLite database at path and applies migrations.
// path may be a plain file path or a "sqlite:" / "file:" URL.
// The database file is created 0600 (owner only), whatever the umask; SQLite gives the
// -wal and -shm files it creates the database file's permissions.
func Open(ctx context.Context, path string) (*sqldb.DB, error) {
	return open(ctx, path, newBatcher)
}

// open is Open with the executor that runs the read-write transactions on write; dsn
// opens another read-write connection to the database (the group-commit writer's
// checkpoints).
func open(ctx context.Context, path string, executor func(write *sql.DB, dsn string) (sqldb.Executor, error)) (*sqldb.DB, error) {
	path = FilePath(path)
	if path == "" {
		return nil, fmt.Errorf("sqlite: empty database path")
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// wal_autocheckpoint(0): SQLite would copy the WAL into the database inside a commit,
	// every 1,000 pages, while that commit's callers wait. The group-commit writer runs
	// the checkpoint instead, every checkpointEvery transactions, on a connection of its
	// own beside the writer (group.go). Durability is unchanged: commits are in the
	// WAL, fsynced. A process that only opens the file briefly (baas tenant create)
	// leaves its few pages to the server, or to SQLite's checkpoint on close.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(0)"
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	// The writer keeps 64 MiB of pages (SQLite's default is 2 MiB): every card payment
	// reads its card, account and totals, and under load a small cache sent most of those
	// reads to the file (pread calls were a tenth of the server's CPU). The readers keep
	// the default: a commit by the writer empties their caches anyway.
	write, err := sql.Open("sqlite", base+"?"+common+"&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// Processes opening a new file at once would race in the migrations ("table settings
	// already exists"): they migrate one after another, each under the lock file's flock,
	// released as soon as the schema is up to date.
	unlock, err := lockMigrations(ctx, path)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	err = sqldb.Migrate(ctx, write, Dialect)
	if uerr := unlock(); err == nil && uerr != nil {
		err = fmt.Errorf("sqlite: %w", uerr)
	}
	if err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", base+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	ex, err := executor(write, base+"?"+common)
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	return sqldb.New(write, read, Dialect, ex), nil
}

// FilePath returns the file path of a database given as a plain path or a "sqlite:" /
// "file:" URL.
func FilePath(dsn string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path
}

// createPrivate creates an empty database file readable by its owner only, unless the
// file exists (its permissions are then the operator's).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil { // the umask may have taken bits off
		f.Close()
		return err
	}
	return f.Close()
}
