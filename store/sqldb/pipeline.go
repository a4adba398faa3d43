package sqldb

import (
	"cmp"
	"context"

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
	// MapErr, when set, turns the statement's error into the one its caller would have
	// returned had it run on its own (held-back statements only).
	MapErr func(error) error
	// After, when set, runs once the statement's rows are in (a held-back read: see
	// laterRead).
	After func() error
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

// Pipeliner is a Querier that sends several statements in one round trip and lets
// statements wait for the transaction's next one (store/postgres, over PostgreSQL's
// pipeline mode). When an Executor hands one to Work.Run, the queries hold back the
// statements nobody waits for (postings, events, idempotency records, saved balances)
// and send a transfer's balance updates together; on any other Querier each statement
// runs at once, one after another.
//
// A held-back statement that fails fails the transaction at its next round trip (the
// next statement that waits for an answer, or the commit) with the error its MapErr
// makes.
type Pipeliner interface {
	Querier
	// Pipeline sends the held-back statements, then stmts, in one round trip and reads
	// their results in order (into Dest, through Each, RowsAffected; then each
	// statement's After). It returns len(stmts) and nil, or the index in stmts of the
	// statement that failed and its error: -1 when a held-back statement failed.
	Pipeline(ctx context.Context, stmts []PipeStmt) (int, error)
	// Later holds s back until the transaction's next round trip.
	Later(s PipeStmt)
	// LaterThen holds s back like Later; then runs before the commit, once s's results
	// are in (and may itself send statements).
	LaterThen(s PipeStmt, then func(context.Context) error)
	// Locking says that the transaction's next round trip locks the rows of the
	// accounts of these balance updates, in this order; LockingLater, that a held-back
	// statement locks account id's row. The engine may make its transactions wait in
	// turn for a busy row before they reach the database (store/postgres's row queue).
	// (Locking takes the updates as they are, not a slice of ids built for it: that
	// would cost an allocation per transfer.)
	Locking(ctx context.Context, updates []baas.BalanceDelta)
	LockingLater(id int64)
}

// later holds a write back until the next statement or the commit where the querier
// pipelines, and runs it now elsewhere.
func (x *queries) later(ctx context.Context, q string, mapErr func(error) error, args ...any) error {
	x.db.stmts.Add(1)
	s := PipeStmt{Query: x.db.rebind(q), Args: args, MapErr: mapErr}
	if x.pipe != nil {
		x.pipe.Later(s)
		return nil
	}
	_, err := x.q.ExecContext(ctx, s.Query, args...)
	if err != nil && mapErr != nil {
		return mapErr(err)
	}
	return x.translate(err)
}

// laterRead holds s, a statement that returns rows, back like a deferred write where the
// querier pipelines: its rows are read, and s.After run, when the transaction's next
// round trip has carried it (the next statement that waits for an answer, or the
// COMMIT). Elsewhere it runs now.
func (x *queries) laterRead(ctx context.Context, s PipeStmt) error {
	s.Query = x.db.rebind(s.Query)
	if x.pipe != nil {
		x.db.stmts.Add(1)
		x.pipe.Later(s)
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
	if x.pipe != nil {
		return x.pipe.Pipeline(ctx, stmts)
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
			if err == nil && s.After != nil {
				err = s.After()
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
