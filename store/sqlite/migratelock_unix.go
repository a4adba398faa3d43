//go:build unix

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// migrationLockWait is how long lockMigrations waits for another process's migration:
// as long as PostgreSQL's advisory lock waits (a large database's migration takes a while).
const migrationLockWait = 10 * time.Minute

// lockMigrations takes an exclusive flock on the lock file beside the database at path,
// <path>-migrate.lock, so that processes opening one database at once migrate it one
// after another, as PostgreSQL's advisory lock (MigrationLock) makes them do there. The
// lock is on a file of its own, not on the database: closing a descriptor of the
// database would drop the POSIX locks SQLite holds on it in this process. The lock file
// is created 0600 and kept (removing it would let a waiting process lock a file no one
// else opens again); unlock releases the lock and closes it. The kernel releases the
// lock of a process that dies.
func lockMigrations(ctx context.Context, path string) (unlock func() error, err error) {
	name := path + "-migrate.lock"
	if err := createPrivate(name); err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, migrationLockWait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("migration lock %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("migration lock %s: another process is migrating the database: %w", name, ctx.Err())
		case <-tick.C:
		}
	}
	return func() error {
		uerr := unix.Flock(int(f.Fd()), unix.LOCK_UN)
		return errors.Join(uerr, f.Close()) // closing releases the lock in any case
	}, nil
}
