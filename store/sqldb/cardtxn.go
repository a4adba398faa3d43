package sqldb

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/baas-oss/baas"
)

// --- card transactions ---

const cardTxnCols = `id, tenant_id, card_id, customer_id, account_id, type, status, state, reason, detail, amount, currency,
	authorized, captured, reversed, refunded, merchant_name, merchant_city, merchant_country, mcc, entry_mode,
	hold_id, original_id, transfer_id, expires_at, created_at, updated_at`

func scanCardTxn(s interface{ Scan(...any) error }) (*baas.CardTransaction, error) {
	var t baas.CardTransaction
	var expires, created, updated int64
	if err := s.Scan(&t.ID, &t.TenantID, &t.CardID, &t.CustomerID, &t.AccountID, &t.Type, &t.Status, &t.State, &t.Reason,
		&t.Detail, &t.Amount, &t.Currency, &t.Authorized, &t.Captured, &t.Reversed, &t.Refunded, &t.MerchantName,
		&t.MerchantCity, &t.MerchantCountry, &t.MCC, &t.EntryMode, &t.HoldID, &t.OriginalID, &t.TransferID,
		&expires, &created, &updated); err != nil {
		return nil, err
	}
	if expires != 0 {
		t.ExpiresAt = fromMicros(expires)
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &t, nil
}

func optMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// InsertCardTransaction is held back where the querier pipelines: nothing in the
// transaction waits for it, so it goes out with the next round trip or the COMMIT.
func (x *queries) InsertCardTransaction(ctx context.Context, t *baas.CardTransaction) error {
	return x.InsertCardTransactions(ctx, []*baas.CardTransaction{t})
}

func (x *queries) InsertCardTransactions(ctx context.Context, ts []*baas.CardTransaction) error {
	if len(ts) == 0 {
		return nil
	}
	const cols = 27
	args := make([]any, 0, cols*len(ts))
	for _, t := range ts {
		args = append(args, t.ID, t.TenantID, t.CardID, t.CustomerID, t.AccountID, t.Type, t.Status, t.State, t.Reason,
			t.Detail, t.Amount, t.Currency, t.Authorized, t.Captured, t.Reversed, t.Refunded, t.MerchantName, t.MerchantCity,
			t.MerchantCountry, t.MCC, t.EntryMode, t.HoldID, t.OriginalID, t.TransferID, optMicros(t.ExpiresAt),
			micros(t.CreatedAt), micros(t.UpdatedAt))
	}
	return x.later(ctx, `INSERT INTO card_transactions (`+cardTxnCols+`) VALUES `+valuesList(cols, len(ts)), x.translate, args...)
}

func (x *queries) GetCardTransaction(ctx context.Context, tenantID, id string) (*baas.CardTransaction, error) {
	return x.getCardTxn(ctx, tenantID, id, "")
}

func (x *queries) LockCardTransaction(ctx context.Context, tenantID, id string) (*baas.CardTransaction, error) {
	return x.getCardTxn(ctx, tenantID, id, x.db.dialect.ForUpdate)
}

func (x *queries) getCardTxn(ctx context.Context, tenantID, id, lock string) (*baas.CardTransaction, error) {
	w := &where{}
	w.add("id = ?", id)
	if tenantID != "" {
		w.add("tenant_id = ?", tenantID)
	}
	t, err := scanCardTxn(x.row(ctx, `SELECT `+cardTxnCols+` FROM card_transactions`+w.String()+lock, w.args...))
	return t, x.scanErr(err, "card transaction")
}

func (x *queries) UpdateCardTransaction(ctx context.Context, t *baas.CardTransaction) error {
	res, err := x.exec(ctx, `UPDATE card_transactions SET state = ?, authorized = ?, captured = ?, reversed = ?,
		refunded = ?, hold_id = ?, updated_at = ? WHERE id = ? AND tenant_id = ?`, t.State, t.Authorized, t.Captured,
		t.Reversed, t.Refunded, t.HoldID, micros(t.UpdatedAt), t.ID, t.TenantID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return baas.Errorf(baas.ENotFound, "card transaction not found")
	}
	return nil
}

// in adds "col IN (?, ?, …)" for a non-empty list.
func (w *where) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	w.conds = append(w.conds, col+" IN (?"+strings.Repeat(", ?", len(vals)-1)+")")
	for _, v := range vals {
		w.args = append(w.args, v)
	}
}

// cardTxnWhere is the condition of a card transaction filter (its Offset and Limit aside).
func cardTxnWhere(f baas.CardTxnFilter) *where {
	w := &where{}
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.CardID != "" {
		w.add("card_id = ?", f.CardID)
	}
	w.in("card_id", f.CardIDs)
	w.in("type", f.Types)
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	w.in("state", f.States)
	if !f.ExpiresBefore.IsZero() {
		w.conds = append(w.conds, "hold_id <> 0")
		w.add("expires_at <= ?", micros(f.ExpiresBefore))
	}
	if f.BeforeID != "" {
		w.add("id < ?", f.BeforeID)
	}
	if !f.CreatedFrom.IsZero() {
		w.add("created_at >= ?", micros(f.CreatedFrom))
	}
	if !f.CreatedBefore.IsZero() {
		w.add("created_at < ?", micros(f.CreatedBefore))
	}
	return w
}

func (x *queries) ListCardTransactions(ctx context.Context, f baas.CardTxnFilter) ([]*baas.CardTransaction, error) {
	w := cardTxnWhere(f)
	limit, args := limitClause(f.Limit, w.args)
	if f.Offset > 0 && limit != "" {
		limit, args = limit+" OFFSET ?", append(args, f.Offset)
	}
	rows, err := x.query(ctx, `SELECT `+cardTxnCols+` FROM card_transactions`+w.String()+` ORDER BY id DESC`+limit, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.CardTransaction
	for rows.Next() {
		t, err := scanCardTxn(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (x *queries) CountCardTransactions(ctx context.Context, f baas.CardTxnFilter) (int, error) {
	w := cardTxnWhere(f)
	var n int
	err := x.row(ctx, `SELECT COUNT(*) FROM card_transactions`+w.String(), w.args...).Scan(&n)
	return n, x.translate(err)
}

func (x *queries) ApprovedCardTotals(ctx context.Context, qs []baas.CardTotalsQuery) ([][]baas.CardTotals, error) {
	out := make([][]baas.CardTotals, len(qs))
	for i, q := range qs {
		out[i] = make([]baas.CardTotals, len(q.Since))
	}
	// Queries alike (currency, home country, windows) go in one statement, which sums
	// each of their cards apart (GROUP BY card_id): a batch of payments of one tenant
	// is one statement.
	done := make([]bool, len(qs))
	for i, q := range qs {
		if done[i] || len(q.Since) == 0 {
			continue
		}
		var alike []int
		var cards []any
		seen := map[string]bool{}
		for j := i; j < len(qs); j++ {
			if !done[j] && sameTotalsQuery(q, qs[j]) {
				done[j], alike = true, append(alike, j)
				if !seen[qs[j].CardID] {
					seen[qs[j].CardID], cards = true, append(cards, qs[j].CardID)
				}
			}
		}
		sums, err := x.cardTotals(ctx, q, cards)
		if err != nil {
			return nil, err
		}
		for _, j := range alike {
			copy(out[j], sums[qs[j].CardID]) // none: nothing approved in the windows
		}
	}
	return out, nil
}

// sameTotalsQuery reports whether a and b differ at most in their card.
func sameTotalsQuery(a, b baas.CardTotalsQuery) bool {
	return strings.EqualFold(a.Currency, b.Currency) && strings.EqualFold(a.HomeCountry, b.HomeCountry) &&
		slices.EqualFunc(a.Since, b.Since, time.Time.Equal)
}

// hourMicros is an hour in the unit of the stored times: card_spend's hour is
// created_at / hourMicros.
const hourMicros = 3_600_000_000

// cardTotals sums the approved totals of cards for q's currency, home country and
// windows, with one statement: a card with nothing approved in them is left out. When
// every window starts on an hour (UTC and whole-hour zones), from the per-hour sums
// that the triggers keep in card_spend (migration 00016); otherwise from the card's
// transactions.
func (x *queries) cardTotals(ctx context.Context, q baas.CardTotalsQuery, cards []any) (map[string][]baas.CardTotals, error) {
	table, at, amount, where := "card_spend", "hour", "amount", ""
	since := make([]int64, len(q.Since))
	for i, t := range q.Since {
		since[i] = micros(t)
		if since[i]%hourMicros != 0 {
			table, at, amount = "card_transactions", "created_at", "authorized - reversed - refunded"
			where = " AND status = 'approved' AND type IN ('authorization', 'purchase')"
		}
	}
	if table == "card_spend" {
		for i := range since {
			since[i] /= hourMicros
		}
	}
	// Merchant countries are stored upper case; without a home country every transaction
	// is domestic (rules.IsDomestic). One row scan for every window: the rows since the
	// earliest, each summed into the windows it falls in.
	dom, domArgs := "TRUE", []any{}
	if q.HomeCountry != "" {
		dom, domArgs = "merchant_country IN ('', ?)", []any{strings.ToUpper(q.HomeCountry)}
	}
	var cols []string
	var args []any
	first := since[0]
	for _, t := range since {
		cols = append(cols,
			"COALESCE(SUM(CASE WHEN "+at+" >= ? AND "+dom+" THEN "+amount+" ELSE 0 END), 0)",
			"COALESCE(SUM(CASE WHEN "+at+" >= ? AND NOT ("+dom+") THEN "+amount+" ELSE 0 END), 0)")
		args = append(append(append(append(args, t), domArgs...), t), domArgs...)
		first = min(first, t)
	}
	args = append(append(args, cards...), strings.ToUpper(q.Currency), first)
	rows, err := x.query(ctx, `SELECT card_id, `+strings.Join(cols, ", ")+` FROM `+table+`
		WHERE card_id IN (?`+strings.Repeat(", ?", len(cards)-1)+`)`+where+` AND currency = ? AND `+at+` >= ?
		GROUP BY card_id`, args...)
	if err != nil {
		return nil, x.translate(err)
	}
	defer rows.Close()
	out := make(map[string][]baas.CardTotals, len(cards))
	for rows.Next() {
		var id string
		sums := make([]baas.CardTotals, len(q.Since))
		dest := make([]any, 0, 1+2*len(q.Since))
		dest = append(dest, &id)
		for i := range sums {
			dest = append(dest, &sums[i].Domestic, &sums[i].International)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, x.translate(err)
		}
		out[id] = sums
	}
	return out, x.translate(rows.Err())
}
