package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/baas-oss/baas"
)

// --- spending controls ---

const controlCols = `id, tenant_id, owner_type, owner_id, validation_type, value, amount, currency_code,
	business_scope, range_type, time_begin, time_end, created_at, updated_at`

func scanControl(s interface{ Scan(...any) error }) (*baas.SpendingControl, error) {
	var c baas.SpendingControl
	var created, updated int64
	if err := s.Scan(&c.ID, &c.TenantID, &c.OwnerType, &c.OwnerID, &c.ValidationType, &c.Value, &c.Amount,
		&c.CurrencyCode, &c.BusinessScope, &c.RangeType, &c.TimeBegin, &c.TimeEnd, &created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

func (x *queries) CreateSpendingControl(ctx context.Context, c *baas.SpendingControl) error {
	_, err := x.exec(ctx, `INSERT INTO spending_controls (`+controlCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TenantID, c.OwnerType, c.OwnerID, c.ValidationType, c.Value, c.Amount, c.CurrencyCode,
		c.BusinessScope, c.RangeType, c.TimeBegin, c.TimeEnd, micros(c.CreatedAt), micros(c.UpdatedAt))
	return err
}

func (x *queries) GetSpendingControl(ctx context.Context, tenantID, id string) (*baas.SpendingControl, error) {
	c, err := scanControl(x.row(ctx, `SELECT `+controlCols+` FROM spending_controls WHERE id = ? AND tenant_id = ?`,
		id, tenantID))
	return c, x.scanErr(err, "rule")
}

func (x *queries) UpdateSpendingControl(ctx context.Context, c *baas.SpendingControl) error {
	res, err := x.exec(ctx, `UPDATE spending_controls SET validation_type = ?, value = ?, amount = ?, currency_code = ?,
		business_scope = ?, range_type = ?, time_begin = ?, time_end = ?, updated_at = ? WHERE id = ? AND tenant_id = ?`,
		c.ValidationType, c.Value, c.Amount, c.CurrencyCode, c.BusinessScope, c.RangeType, c.TimeBegin, c.TimeEnd,
		micros(c.UpdatedAt), c.ID, c.TenantID)
	return x.oneRow(res, err)
}

func (x *queries) DeleteSpendingControl(ctx context.Context, tenantID, id string) error {
	res, err := x.exec(ctx, `DELETE FROM spending_controls WHERE id = ? AND tenant_id = ?`, id, tenantID)
	return x.oneRow(res, err)
}

// oneRow checks that a statement on one rule changed it.
func (x *queries) oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return baas.Errorf(baas.ENotFound, "rule not found")
	}
	return nil
}

func (x *queries) ListSpendingControls(ctx context.Context, tenantID, ownerType, ownerID string) ([]*baas.SpendingControl, error) {
	return x.controls(ctx, `SELECT `+controlCols+` FROM spending_controls
		WHERE tenant_id = ? AND owner_type = ? AND owner_id = ? ORDER BY id`, tenantID, ownerType, ownerID)
}

// CardSpendingControls reads the three owners' rules in one statement; each arm of the
// OR is a prefix of the owner index.
func (x *queries) CardSpendingControls(ctx context.Context, o baas.SpendingControlOwners) ([]*baas.SpendingControl, error) {
	// Three look-ups of the owner index, one per owner: SQLite plans an OR of the three as a
	// scan of every rule of the tenant (a tenant with a rule set per card has thousands).
	one := `SELECT ` + controlCols + ` FROM spending_controls WHERE tenant_id = ? AND owner_type = ? AND owner_id = ?`
	return x.controls(ctx, one+` UNION ALL `+one+` UNION ALL `+one+` ORDER BY id`,
		o.TenantID, "company", o.CompanyID, o.TenantID, "product", o.Product, o.TenantID, "card", o.CardID)
}

func (x *queries) controls(ctx context.Context, q string, args ...any) ([]*baas.SpendingControl, error) {
	rows, err := x.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.SpendingControl
	for rows.Next() {
		c, err := scanControl(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// --- tenant regions ---

func (x *queries) GetTenantRegion(ctx context.Context, tenantID string) (*baas.TenantRegion, error) {
	r := &baas.TenantRegion{TenantID: tenantID}
	var updated int64
	err := x.row(ctx, `SELECT time_zone, country, updated_at FROM tenant_regions WHERE tenant_id = ?`, tenantID).
		Scan(&r.TimeZone, &r.Country, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return nil, x.translate(err)
	}
	r.UpdatedAt = fromMicros(updated)
	return r, nil
}

func (x *queries) PutTenantRegion(ctx context.Context, r *baas.TenantRegion) error {
	_, err := x.exec(ctx, `INSERT INTO tenant_regions (tenant_id, time_zone, country, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET time_zone = excluded.time_zone, country = excluded.country,
		updated_at = excluded.updated_at`, r.TenantID, r.TimeZone, r.Country, micros(r.UpdatedAt))
	return err
}
