package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/baas-oss/baas/store/sqldb"
	"github.com/baas-oss/baas/store/storetest"
)

// TestAuditLogAppendOnly: on both engines the database itself refuses to change or
// remove an audit entry (UPDATE, DELETE, and TRUNCATE on PostgreSQL), whoever asks; and
// the migration goes down and up again.
func TestAuditLogAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, engine string) {
		db, _ := rawDB(t, engine)
		if err := sqldb.Migrate(ctx, db, migrationDialects[engine]); err != nil {
			t.Fatal(err)
		}
		insert := `INSERT INTO audit_log (actor, source, address, request_id, action, tenant_id, target_type, target_id,
			details, created_at) VALUES ('operator', 'admin_api', '127.0.0.1', 'req', 'tenant.created', 't1', 'tenant', 't1', '{}', 1)`
		if _, err := db.ExecContext(ctx, insert); err != nil {
			t.Fatal(err)
		}
		refused := []string{
			`UPDATE audit_log SET actor = 'someone else'`,
			`DELETE FROM audit_log`,
		}
		if engine == "postgres" {
			refused = append(refused, `TRUNCATE audit_log`)
		}
		for _, q := range refused {
			_, err := db.ExecContext(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only refusal", q, err)
			}
		}
		var n int
		var actor string
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(actor) FROM audit_log`).Scan(&n, &actor); err != nil {
			t.Fatal(err)
		}
		if n != 1 || actor != "operator" {
			t.Fatalf("after the refused statements: %d entries, actor %q; want 1, operator", n, actor)
		}

		p := provider(t, engine, db, rendered(t, engine))
		if _, err := p.DownTo(ctx, 4); err != nil {
			t.Fatalf("down to 4: %v", err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
	})
}
