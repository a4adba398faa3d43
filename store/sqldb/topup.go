package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/baas-oss/baas"
)

// --- top-ups, their reversals, accounts' QR codes ---

const topUpCols = `id, tenant_id, account_id, transfer_id, invoice, amount, tax, currency, reversed, details,
	created_at, updated_at`

func scanTopUp(s interface{ Scan(...any) error }) (*baas.TopUp, error) {
	var t baas.TopUp
	var details string
	var created, updated int64
	if err := s.Scan(&t.ID, &t.TenantID, &t.AccountID, &t.TransferID, &t.Invoice, &t.Amount, &t.Tax, &t.Currency,
		&t.Reversed, &details, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(details), &t.Details); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &t, nil
}

func (x *queries) CreateTopUp(ctx context.Context, t *baas.TopUp) error {
	details, err := json.Marshal(t.Details)
	if err != nil {
		return err
	}
	_, err = x.exec(ctx, `INSERT INTO top_ups (`+topUpCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.TenantID, t.AccountID, t.TransferID, t.Invoice, t.Amount, t.Tax, t.Currency, t.Reversed, string(details),
		micros(t.CreatedAt), micros(t.UpdatedAt))
	return err
}

func (x *queries) GetTopUp(ctx context.Context, tenantID, id string) (*baas.TopUp, error) {
	t, err := scanTopUp(x.row(ctx, `SELECT `+topUpCols+` FROM top_ups WHERE id = ? AND tenant_id = ?`, id, tenantID))
	return t, x.scanErr(err, "top-up")
}

func (x *queries) LockTopUp(ctx context.Context, tenantID, id string) (*baas.TopUp, error) {
	t, err := scanTopUp(x.row(ctx, `SELECT `+topUpCols+` FROM top_ups WHERE id = ? AND tenant_id = ?`+
		x.db.dialect.ForUpdate, id, tenantID))
	return t, x.scanErr(err, "top-up")
}

func (x *queries) SetTopUpReversed(ctx context.Context, id string, reversed int64, at time.Time) error {
	return x.execOne(ctx, "top-up", `UPDATE top_ups SET reversed = ?, updated_at = ? WHERE id = ?`, reversed, micros(at), id)
}

const reversalCols = `id, tenant_id, top_up_id, amount, code_hash, attempts, status, transfer_id, expires_at, created_at,
	updated_at`

func (x *queries) CreateTopUpReversal(ctx context.Context, r *baas.TopUpReversal) error {
	_, err := x.exec(ctx, `INSERT INTO top_up_reversals (`+reversalCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.TenantID, r.TopUpID, r.Amount, r.CodeHash, r.Attempts, r.Status, nullInt(r.TransferID),
		micros(r.ExpiresAt), micros(r.CreatedAt), micros(r.UpdatedAt))
	return err
}

func (x *queries) LastTopUpReversal(ctx context.Context, tenantID, topUpID string) (*baas.TopUpReversal, error) {
	var r baas.TopUpReversal
	var transfer sql.NullInt64
	var expires, created, updated int64
	err := x.row(ctx, `SELECT `+reversalCols+` FROM top_up_reversals WHERE top_up_id = ? AND tenant_id = ?
		ORDER BY created_at DESC, id DESC LIMIT 1`, topUpID, tenantID).Scan(&r.ID, &r.TenantID, &r.TopUpID, &r.Amount,
		&r.CodeHash, &r.Attempts, &r.Status, &transfer, &expires, &created, &updated)
	if err != nil {
		return nil, x.scanErr(err, "top-up reversal")
	}
	r.TransferID = transfer.Int64
	r.ExpiresAt, r.CreatedAt, r.UpdatedAt = fromMicros(expires), fromMicros(created), fromMicros(updated)
	return &r, nil
}

func (x *queries) UpdateTopUpReversal(ctx context.Context, r *baas.TopUpReversal) error {
	return x.execOne(ctx, "top-up reversal", `UPDATE top_up_reversals SET status = ?, attempts = ?, transfer_id = ?,
		updated_at = ? WHERE id = ? AND tenant_id = ?`, r.Status, r.Attempts, nullInt(r.TransferID), micros(r.UpdatedAt),
		r.ID, r.TenantID)
}

func (x *queries) AccountQRCode(ctx context.Context, tenantID string, accountID int64) (string, error) {
	var code string
	err := x.row(ctx, `SELECT code FROM account_qr_codes WHERE account_id = ? AND tenant_id = ?`, accountID, tenantID).
		Scan(&code)
	return code, x.scanErr(err, "QR code")
}

func (x *queries) PutAccountQRCode(ctx context.Context, tenantID string, accountID int64, code string, at time.Time) error {
	_, err := x.exec(ctx, `INSERT INTO account_qr_codes (code, tenant_id, account_id, created_at) VALUES (?, ?, ?, ?)`,
		code, tenantID, accountID, micros(at))
	return err
}

func (x *queries) FindQRCodeAccount(ctx context.Context, tenantID, code string) (int64, error) {
	var id int64
	err := x.row(ctx, `SELECT account_id FROM account_qr_codes WHERE code = ? AND tenant_id = ?`, code, tenantID).Scan(&id)
	return id, x.scanErr(err, "QR code")
}
