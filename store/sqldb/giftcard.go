package sqldb

import (
	"context"
	"time"

	"github.com/baas-oss/baas"
)

// --- gift cards ---

const giftcardCols = `card_id, tenant_id, customer_id, access_hash, mobile, amount, fee, currency, description,
	transfer_id, details_at, delivered_at, created_at`

func scanGiftcard(s interface{ Scan(...any) error }) (*baas.Giftcard, error) {
	var g baas.Giftcard
	var details, delivered, created int64
	if err := s.Scan(&g.CardID, &g.TenantID, &g.CustomerID, &g.AccessHash, &g.Mobile, &g.Amount, &g.Fee, &g.Currency,
		&g.Description, &g.TransferID, &details, &delivered, &created); err != nil {
		return nil, err
	}
	g.DetailsAt, g.CreatedAt = fromMicros(details), fromMicros(created)
	if delivered != 0 {
		g.DeliveredAt = fromMicros(delivered)
	}
	return &g, nil
}

func (x *queries) CreateGiftcard(ctx context.Context, g *baas.Giftcard) error {
	var delivered int64
	if !g.DeliveredAt.IsZero() {
		delivered = micros(g.DeliveredAt)
	}
	_, err := x.exec(ctx, `INSERT INTO giftcards (`+giftcardCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.CardID, g.TenantID, g.CustomerID, g.AccessHash, g.Mobile, g.Amount, g.Fee, g.Currency, g.Description,
		g.TransferID, micros(g.DetailsAt), delivered, micros(g.CreatedAt))
	return err
}

func (x *queries) GetGiftcard(ctx context.Context, tenantID, cardID string) (*baas.Giftcard, error) {
	g, err := scanGiftcard(x.row(ctx, `SELECT `+giftcardCols+` FROM giftcards WHERE tenant_id = ? AND card_id = ?`,
		tenantID, cardID))
	return g, x.scanErr(err, "gift card")
}

func (x *queries) ListGiftcards(ctx context.Context, tenantID string, customerID *string) ([]*baas.Giftcard, error) {
	q, args := `SELECT `+giftcardCols+` FROM giftcards WHERE tenant_id = ?`, []any{tenantID}
	if customerID != nil {
		q, args = q+` AND customer_id = ?`, append(args, *customerID)
	}
	rows, err := x.query(ctx, q+` ORDER BY created_at, card_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.Giftcard
	for rows.Next() {
		g, err := scanGiftcard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (x *queries) MarkGiftcardDelivered(ctx context.Context, tenantID, cardID string, at time.Time) error {
	return x.execOne(ctx, "undelivered gift card", `UPDATE giftcards SET delivered_at = ?
		WHERE tenant_id = ? AND card_id = ? AND delivered_at = 0`, micros(at), tenantID, cardID)
}

func (x *queries) GetGiftcardFees(ctx context.Context, tenantID, product string) (*baas.GiftcardFees, error) {
	f := &baas.GiftcardFees{TenantID: tenantID, Product: product}
	var updated int64
	err := x.row(ctx, `SELECT issue_fee, load_fixed, load_percent_bp, updated_at FROM giftcard_fees
		WHERE tenant_id = ? AND product = ?`, tenantID, product).Scan(&f.IssueFee, &f.LoadFixed, &f.LoadPercentBP, &updated)
	if err != nil {
		return nil, x.scanErr(err, "gift card fees")
	}
	f.UpdatedAt = fromMicros(updated)
	return f, nil
}

func (x *queries) PutGiftcardFees(ctx context.Context, f *baas.GiftcardFees) error {
	_, err := x.exec(ctx, `INSERT INTO giftcard_fees (tenant_id, product, issue_fee, load_fixed, load_percent_bp, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, product) DO UPDATE SET issue_fee = excluded.issue_fee,
		load_fixed = excluded.load_fixed, load_percent_bp = excluded.load_percent_bp, updated_at = excluded.updated_at`,
		f.TenantID, f.Product, f.IssueFee, f.LoadFixed, f.LoadPercentBP, micros(f.UpdatedAt))
	return err
}
