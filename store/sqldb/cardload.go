package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/baas-oss/baas"
)

// --- prepaid card loads ---

func (x *queries) GetCardLoadLimits(ctx context.Context, tenantID string) (*baas.CardLoadLimits, error) {
	l := &baas.CardLoadLimits{TenantID: tenantID}
	var updated int64
	err := x.row(ctx, `SELECT daily_amount, daily_count, updated_at FROM card_load_limits WHERE tenant_id = ?`,
		tenantID).Scan(&l.DailyAmount, &l.DailyCount, &updated)
	if err != nil {
		return nil, x.scanErr(err, "card load limits")
	}
	l.UpdatedAt = fromMicros(updated)
	return l, nil
}

func (x *queries) PutCardLoadLimits(ctx context.Context, l *baas.CardLoadLimits) error {
	_, err := x.exec(ctx, `INSERT INTO card_load_limits (tenant_id, daily_amount, daily_count, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET daily_amount = excluded.daily_amount,
		daily_count = excluded.daily_count, updated_at = excluded.updated_at`,
		l.TenantID, l.DailyAmount, l.DailyCount, micros(l.UpdatedAt))
	return err
}

const cardLoadCols = `id, tenant_id, card_id, account_id, hold_id, amount, currency, status, reason, transfer_id,
	settle_at, created_at, updated_at`

func (x *queries) InsertCardLoad(ctx context.Context, l *baas.CardLoad) error {
	err := x.row(ctx, `INSERT INTO card_loads (tenant_id, card_id, account_id, hold_id, amount, currency, status, reason,
		transfer_id, settle_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		l.TenantID, l.CardID, l.AccountID, l.HoldID, l.Amount, l.Currency, l.Status, l.Reason, nullInt(l.TransferID),
		micros(l.SettleAt), micros(l.CreatedAt), micros(l.UpdatedAt)).Scan(&l.ID)
	return x.translate(err)
}

func (x *queries) LockCardLoad(ctx context.Context, tenantID string, id int64) (*baas.CardLoad, error) {
	w := &where{}
	w.add("id = ?", id)
	if tenantID != "" {
		w.add("tenant_id = ?", tenantID)
	}
	var l baas.CardLoad
	var transfer sql.NullInt64
	var settle, created, updated int64
	err := x.row(ctx, `SELECT `+cardLoadCols+` FROM card_loads`+w.String()+x.db.dialect.ForUpdate, w.args...).Scan(
		&l.ID, &l.TenantID, &l.CardID, &l.AccountID, &l.HoldID, &l.Amount, &l.Currency, &l.Status, &l.Reason, &transfer,
		&settle, &created, &updated)
	if err != nil {
		return nil, x.scanErr(err, "card load")
	}
	l.TransferID = transfer.Int64
	l.SettleAt, l.CreatedAt, l.UpdatedAt = fromMicros(settle), fromMicros(created), fromMicros(updated)
	return &l, nil
}

func (x *queries) UpdateCardLoad(ctx context.Context, l *baas.CardLoad) error {
	res, err := x.exec(ctx, `UPDATE card_loads SET status = ?, reason = ?, transfer_id = ?, updated_at = ?
		WHERE id = ? AND tenant_id = ?`, l.Status, l.Reason, nullInt(l.TransferID), micros(l.UpdatedAt), l.ID, l.TenantID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return baas.Errorf(baas.ENotFound, "card load not found")
	}
	return nil
}

func (x *queries) CardLoadsSince(ctx context.Context, cardID string, since time.Time) (int, int64, error) {
	var n int
	var sum int64
	err := x.row(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM card_loads
		WHERE card_id = ? AND created_at >= ? AND status <> ?`, cardID, micros(since), baas.CardLoadFailed).Scan(&n, &sum)
	return n, sum, x.translate(err)
}

func (x *queries) DueCardLoads(ctx context.Context, tenantID string, now time.Time, limit int) ([]int64, error) {
	w := &where{}
	w.add("status = ?", baas.CardLoadPending)
	w.add("settle_at <= ?", micros(now))
	if tenantID != "" {
		w.add("tenant_id = ?", tenantID)
	}
	q := `SELECT id FROM card_loads` + w.String() + ` ORDER BY id`
	args := w.args
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := x.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
