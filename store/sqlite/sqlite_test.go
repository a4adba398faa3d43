package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/sqlite"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/store/storetest/conformance"
)

// TestConformance runs the store suite, each subtest on a SQLite file of its own.
func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, func(t testing.TB) baas.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "baas.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		if e := s.Engine(); e != "sqlite" {
			t.Fatalf("Engine() = %q, want sqlite", e)
		}
		return s
	})
}

// TestConformanceBasicExecutor: the shared queries pass the suite on the plainest
// executor too (one database/sql transaction each, no pipeline), the one a new engine
// starts from. Not under the race detector: without the writer's statement cache, the
// suite's setups that write 100,000 rows parse every statement in the instrumented
// engine, minutes of CI for an executor that has no concurrency of its own.
func TestConformanceBasicExecutor(t *testing.T) {
	if raceEnabled {
		t.Skip("slow under the race detector; BasicExecutor has no concurrency of its own")
	}
	t.Parallel()
	conformance.Run(t, func(t testing.TB) baas.Store {
		s, err := sqlite.OpenBasic(context.Background(), filepath.Join(t.TempDir(), "basic.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestWALIsCheckpointed: with SQLite's automatic checkpoint off, the group-commit writer
// checkpoints by itself, so the WAL stops growing under a steady stream of transactions
// (each one here writes a fresh ~4 KiB setting, several pages per commit).
func TestWALIsCheckpointed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "wal.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	value := strings.Repeat("x", 4000)
	const n = 3000
	for i := range n {
		if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.PutSetting(ctx, fmt.Sprintf("k%05d", i), value) }); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// Without checkpoints the WAL would hold every page of every commit: over n × 4 KiB.
	if limit := int64(n) * 4096 / 2; st.Size() > limit {
		t.Fatalf("WAL is %d bytes after %d transactions; want under %d", st.Size(), n, limit)
	}
}

// TestFilesArePrivate: the database, its -wal, -shm and migration lock files are created 0600 under the
// usual umask 022 (which would leave them world-readable), including the -wal and -shm
// files SQLite creates again after the database was closed. Not parallel: the umask is
// the process's.
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "private.db")
	ctx := context.Background()
	for round := range 2 {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.PutSetting(ctx, "k", fmt.Sprint(round)) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().GetSetting(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{path, path + "-wal", path + "-shm", path + "-migrate.lock"} {
			st, err := os.Stat(name)
			if err != nil {
				t.Fatal(err)
			}
			if m := st.Mode().Perm(); m != 0o600 {
				t.Errorf("round %d: %s has mode %o, want 600", round, filepath.Base(name), m)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentFirstOpen: processes starting at once on a new database file migrate it
// one after another (a lock file beside the database), instead of racing in the
// migrations ("table … already exists"). Goroutines stand for the processes: each Open
// has connections of its own, as another process would.
func TestConcurrentFirstOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for round := range 5 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("first%d.db", round))
		const n = 8
		stores := make([]baas.Store, n)
		errs := make([]error, n)
		storetest.AtOnce(n, func(i int) { stores[i], errs[i] = storetest.Dial(ctx, "sqlite", path) })
		for _, s := range stores {
			if s != nil {
				t.Cleanup(func() {
					if err := s.Close(); err != nil {
						t.Error(err)
					}
				})
			}
		}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: open %d of %d: %v", round, i, n, err)
			}
		}
		// Every store sees the whole schema: each writes and reads a setting of its own.
		for i, s := range stores {
			k := fmt.Sprintf("k%d", i)
			if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.PutSetting(ctx, k, "v") }); err != nil {
				t.Fatalf("round %d: store %d: %v", round, i, err)
			}
			if v, err := stores[(i+1)%n].Read().GetSetting(ctx, k); err != nil || v != "v" {
				t.Fatalf("round %d: setting %s = %q, %v", round, k, v, err)
			}
		}
		// The lock file is the owner's only, as the database is.
		st, err := os.Stat(path + "-migrate.lock")
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Mode().Perm(); m != 0o600 {
			t.Errorf("lock file has mode %o, want 600", m)
		}
	}
}
