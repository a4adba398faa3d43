package sqldb

import (
	"context"
	"database/sql"

	"github.com/baas-oss/baas"
)

// This file holds the queries of the operator audit log (baas.AuditTx). There is no
// query that updates or deletes an entry; the migration (00005) makes the database
// refuse both.

const auditCols = `id, actor, source, address, request_id, action, tenant_id, target_type, target_id, details, created_at`

func (x *queries) InsertAuditEntry(ctx context.Context, e *baas.AuditEntry) error {
	details := string(e.Details)
	if details == "" {
		details = "{}"
	}
	var tenant any
	if e.TenantID != "" {
		tenant = e.TenantID
	}
	// Nobody waits for it: PostgreSQL sends it with the next statement or the COMMIT.
	return x.later(ctx, `INSERT INTO audit_log (actor, source, address, request_id, action, tenant_id, target_type,
		target_id, details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, nil,
		e.Actor, e.Source, e.Address, e.RequestID, e.Action, tenant, e.TargetType, e.TargetID, details,
		micros(e.CreatedAt))
}

func (x *queries) ListAuditEntries(ctx context.Context, f baas.AuditFilter) ([]*baas.AuditEntry, error) {
	w := &where{}
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.BeforeID > 0 {
		w.add("id < ?", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := x.query(ctx, `SELECT `+auditCols+` FROM audit_log`+w.String()+` ORDER BY id DESC LIMIT ?`,
		append(w.args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.AuditEntry
	for rows.Next() {
		var e baas.AuditEntry
		var tenant sql.NullString
		var details string
		var created int64
		if err := rows.Scan(&e.ID, &e.Actor, &e.Source, &e.Address, &e.RequestID, &e.Action, &tenant, &e.TargetType,
			&e.TargetID, &details, &created); err != nil {
			return nil, err
		}
		e.TenantID, e.Details, e.CreatedAt = tenant.String, []byte(details), fromMicros(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}
