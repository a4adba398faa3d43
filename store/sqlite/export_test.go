package sqlite

import (
	"context"
	"database/sql"

	"github.com/baas-oss/baas/store/sqldb"
)

// OpenBasic is Open with sqldb.BasicExecutor instead of the group-commit writer: one
// database/sql transaction per InTx on the one writer connection (tests only).
func OpenBasic(ctx context.Context, path string) (*sqldb.DB, error) {
	return open(ctx, path, func(write *sql.DB, _ string) (sqldb.Executor, error) { return sqldb.BasicExecutor{Pool: write}, nil })
}
