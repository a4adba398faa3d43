package sqldb

import (
	"context"
	"database/sql"
	"sync"
)

// StmtCache is a Querier that prepares each distinct query once and reuses it: parsing
// SQL was a quarter of the CPU time of a transfer on SQLite. It serves either one
// dedicated connection (the SQLite writer, used by one goroutine at a time) or a whole
// pool (readers). Drivers that cache prepared statements themselves (pgx) do not need it.
type StmtCache struct {
	prepare func(ctx context.Context, q string) (*sql.Stmt, error)
	mu      sync.Mutex
	m       map[string]*sql.Stmt
}

// NewStmtCache returns a cache that prepares with prepare (a *sql.DB's or a *sql.Conn's
// PrepareContext).
func NewStmtCache(prepare func(ctx context.Context, q string) (*sql.Stmt, error)) *StmtCache {
	return &StmtCache{prepare: prepare, m: map[string]*sql.Stmt{}}
}

func (c *StmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	s, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := c.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if old, ok := c.m[q]; ok {
		c.mu.Unlock()
		s.Close()
		return old, nil
	}
	c.m[q] = s
	c.mu.Unlock()
	return s, nil
}

// Close closes the prepared statements.
func (c *StmtCache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
}

func (c *StmtCache) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s, err := c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (c *StmtCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (c *StmtCache) QueryRowContext(ctx context.Context, q string, args ...any) Row {
	s, err := c.get(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return s.QueryRowContext(ctx, args...)
}

// Row is a single-row result: *sql.Row, or a row that returns the error of a query that
// could not be run.
type Row interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// plain adapts a *sql.DB, *sql.Tx or *sql.Conn to querier without caching.
type plain struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

func (p plain) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.q.ExecContext(ctx, q, args...)
}

func (p plain) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.q.QueryContext(ctx, q, args...)
}

func (p plain) QueryRowContext(ctx context.Context, q string, args ...any) Row {
	return p.q.QueryRowContext(ctx, q, args...)
}
