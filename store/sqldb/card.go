package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/baas-oss/baas"
)

// --- cards ---

const cardCols = `id, tenant_id, customer_id, account_id, product, variant, form_factor, status, name_for_print, holder, masked_pan,
	last4, exp_month, exp_year, pan_hash, sealed, pin_hash, activation_failures, created_at, updated_at`

func scanCard(s interface{ Scan(...any) error }) (*baas.Card, error) {
	var c baas.Card
	var holder string
	var created, updated int64
	if err := s.Scan(&c.ID, &c.TenantID, &c.CustomerID, &c.AccountID, &c.Product, &c.Variant, &c.FormFactor, &c.Status,
		&c.NameForPrint, &holder, &c.MaskedPAN, &c.Last4, &c.ExpMonth, &c.ExpYear, &c.PANHash, &c.Sealed, &c.PINHash,
		&c.ActivationFailures, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(holder), &c.Holder); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

func (x *queries) CreateCard(ctx context.Context, c *baas.Card) error {
	holder, err := json.Marshal(c.Holder)
	if err != nil {
		return err
	}
	_, err = x.exec(ctx, `INSERT INTO cards (`+cardCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TenantID, c.CustomerID, c.AccountID, c.Product, c.Variant, c.FormFactor, string(c.Status), c.NameForPrint,
		string(holder), c.MaskedPAN, c.Last4, c.ExpMonth, c.ExpYear, c.PANHash, c.Sealed, c.PINHash, c.ActivationFailures,
		micros(c.CreatedAt), micros(c.UpdatedAt))
	return err
}

func (x *queries) GetCard(ctx context.Context, tenantID, id string) (*baas.Card, error) {
	return x.getCard(ctx, tenantID, id, "")
}

func (x *queries) LockCard(ctx context.Context, tenantID, id string) (*baas.Card, error) {
	return x.getCard(ctx, tenantID, id, x.db.dialect.ForUpdate)
}

func (x *queries) LockCards(ctx context.Context, ids []string) ([]*baas.Card, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return x.cards(ctx, `SELECT `+cardCols+` FROM cards WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY id`+
		x.db.dialect.ForUpdate, args...)
}

// cards runs a query of cardCols.
func (x *queries) cards(ctx context.Context, q string, args ...any) ([]*baas.Card, error) {
	rows, err := x.query(ctx, q, args...)
	if err != nil {
		return nil, x.translate(err)
	}
	defer rows.Close()
	var out []*baas.Card
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, x.translate(rows.Err())
}

func (x *queries) getCard(ctx context.Context, tenantID, id, lock string) (*baas.Card, error) {
	w := &where{}
	w.add("id = ?", id)
	if tenantID != "" {
		w.add("tenant_id = ?", tenantID)
	}
	c, err := scanCard(x.row(ctx, `SELECT `+cardCols+` FROM cards`+w.String()+lock, w.args...))
	return c, x.scanErr(err, "card")
}

func (x *queries) FindCardByPANHash(ctx context.Context, hashes [][]byte) (*baas.Card, error) {
	if len(hashes) == 0 {
		return nil, baas.Errorf(baas.ENotFound, "card not found")
	}
	args := make([]any, len(hashes))
	for i, h := range hashes {
		args[i] = h
	}
	c, err := scanCard(x.row(ctx, `SELECT `+cardCols+` FROM cards WHERE pan_hash IN (?`+
		strings.Repeat(", ?", len(hashes)-1)+`) LIMIT 1`, args...))
	return c, x.scanErr(err, "card")
}

func (x *queries) ListCards(ctx context.Context, f baas.CardFilter) ([]*baas.Card, error) {
	w := &where{}
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.CustomerID != "" {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.AccountID != 0 {
		w.add("account_id = ?", f.AccountID)
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if len(f.Statuses) > 0 {
		args := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			args[i] = string(st)
		}
		w.conds = append(w.conds, "status IN (?"+strings.Repeat(", ?", len(args)-1)+")")
		w.args = append(w.args, args...)
	}
	if !f.ExpiredBy.IsZero() {
		w.add("exp_year * 12 + exp_month < ?", f.ExpiredBy.Year()*12+int(f.ExpiredBy.Month()))
	}
	if f.Last4 != "" {
		w.add("last4 = ?", f.Last4)
	}
	order := ` ORDER BY id`
	switch f.Sort {
	case baas.CardSortNewest:
		order = ` ORDER BY id DESC`
		if f.AfterID != "" {
			w.add("id < ?", f.AfterID)
		}
	case baas.CardSortStatus:
		order = ` ORDER BY status, id`
		if f.AfterID != "" {
			// The cursor is the row of the card it names (indexes cards_status and
			// cards_tenant_status).
			w.add("(status, id) > (SELECT status, id FROM cards WHERE id = ?)", f.AfterID)
		}
	default:
		if f.AfterID != "" {
			w.add("id > ?", f.AfterID)
		}
	}
	q := `SELECT ` + cardCols + ` FROM cards` + w.String() + order
	args := w.args
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return x.cards(ctx, q, args...)
}

func (x *queries) UpdateCard(ctx context.Context, c *baas.Card) error {
	return x.execOne(ctx, "card", `UPDATE cards SET status = ?, pin_hash = ?, activation_failures = ?, updated_at = ?
		WHERE id = ? AND tenant_id = ?`, string(c.Status), c.PINHash, c.ActivationFailures, micros(c.UpdatedAt), c.ID, c.TenantID)
}

// --- card settings ---

func (x *queries) GetCardProductSettings(ctx context.Context, tenantID, product string) (*baas.CardProductSettings, error) {
	s := &baas.CardProductSettings{TenantID: tenantID, Product: product}
	var updated int64
	err := x.row(ctx, `SELECT bin_range, expiry_years, updated_at FROM card_product_settings
		WHERE tenant_id = ? AND product = ?`, tenantID, product).Scan(&s.BINRange, &s.ExpiryYears, &updated)
	if err != nil {
		return nil, x.scanErr(err, "card product settings")
	}
	s.UpdatedAt = fromMicros(updated)
	return s, nil
}

func (x *queries) PutCardProductSettings(ctx context.Context, s *baas.CardProductSettings) error {
	_, err := x.exec(ctx, `INSERT INTO card_product_settings (tenant_id, product, bin_range, expiry_years, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, product) DO UPDATE SET bin_range = excluded.bin_range,
		expiry_years = excluded.expiry_years, updated_at = excluded.updated_at`,
		s.TenantID, s.Product, s.BINRange, s.ExpiryYears, micros(s.UpdatedAt))
	return err
}

func (x *queries) GetCardSettings(ctx context.Context, tenantID string) (*baas.CardSettings, error) {
	s := &baas.CardSettings{TenantID: tenantID}
	var updated int64
	err := x.row(ctx, `SELECT auto_ship, cards_per_type, data_key_id, data_public_key, updated_at FROM card_settings
		WHERE tenant_id = ?`, tenantID).Scan(&s.AutoShip, &s.CardsPerType, &s.DataKeyID, &s.DataPublicKey, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return nil, x.translate(err)
	}
	s.UpdatedAt = fromMicros(updated)
	return s, nil
}

func (x *queries) PutCardSettings(ctx context.Context, s *baas.CardSettings) error {
	_, err := x.exec(ctx, `INSERT INTO card_settings (tenant_id, auto_ship, cards_per_type, data_key_id, data_public_key,
		updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET auto_ship = excluded.auto_ship,
		cards_per_type = excluded.cards_per_type, data_key_id = excluded.data_key_id,
		data_public_key = excluded.data_public_key, updated_at = excluded.updated_at`,
		s.TenantID, s.AutoShip, s.CardsPerType, s.DataKeyID, s.DataPublicKey, micros(s.UpdatedAt))
	return err
}
