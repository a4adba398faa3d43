package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/baas-oss/baas/store/sqldb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

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
