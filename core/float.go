package core

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
)

// The whitelabel float: a tenant's EUR master account, funded by the operator (and in a
// sandbox at creation), drawn on by what the tenant issues and loads. Its movements are
// the postings of that account: a funding is a credit, an issue or load a debit.

// FloatCurrency is the currency of the float.
const FloatCurrency = "EUR"

// MaxFloatMovements bounds one listing of float movements (the newest are kept).
const MaxFloatMovements = 10_000

// Reasons of the float listing's refusals.
const (
	ReasonFloatStartDate = "FLOAT_START_DATE"
	ReasonFloatEndDate   = "FLOAT_END_DATE"
	ReasonFloatDateOrder = "FLOAT_DATE_ORDER"
	ReasonFloatMonth     = "FLOAT_MONTH"
	ReasonFloatYear      = "FLOAT_YEAR"
	ReasonFloatType      = "FLOAT_TYPE"
)

// Float movement types.
const (
	FloatCredit = "credit"
	FloatDebit  = "debit"
)

// FloatFilter selects float movements: created in [From, To) (a zero bound is open), of
// Type FloatCredit, FloatDebit or "" for both.
type FloatFilter struct {
	From, To time.Time
	Type     string
	// Limit is the most movements to return; 0 (or more than MaxFloatMovements) is
	// MaxFloatMovements.
	Limit int
}

// FloatPeriod is the filter of a date range, each date written YYYY-MM-DD (UTC, both days
// included); a blank date leaves that side open. A date that does not parse, or an end
// before the start, is EInvalid.
func FloatPeriod(start, end, typ string) (FloatFilter, error) {
	var f FloatFilter
	var err error
	if f.From, err = floatDate(start, ReasonFloatStartDate, "start date"); err != nil {
		return f, err
	}
	if f.To, err = floatDate(end, ReasonFloatEndDate, "end date"); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, baas.Reasonf(baas.EInvalid, ReasonFloatDateOrder, "end date must not be before the start date")
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	f.Type, err = floatType(typ)
	return f, err
}

func floatDate(s, reason, name string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, baas.Reasonf(baas.EInvalid, reason, "%s must be a date written YYYY-MM-DD", name)
	}
	return t, nil
}

// FloatMonth is the filter of a calendar month (UTC): month 1 to 12 ("03" or "3"), year
// of four digits. Both blank: every movement; a year alone: that year; a month needs
// its year.
func FloatMonth(month, year, typ string) (FloatFilter, error) {
	var f FloatFilter
	typ, err := floatType(typ)
	if err != nil {
		return f, err
	}
	f.Type = typ
	f.From, f.To, err = monthPeriod(month, year, false,
		baas.Reasonf(baas.EInvalid, ReasonFloatMonth, "month must be a month from 01 to 12 (MM)"),
		baas.Reasonf(baas.EInvalid, ReasonFloatYear, "year must be a year of four digits (YYYY)"))
	return f, err
}

// monthPeriod reads a calendar month (UTC) as the period [from, to): month 1 to 12 ("03"
// or "3") and a year of four digits (or, with shortYear, two: "21" is 2021). Both blank:
// no period (zero times); a year alone: that whole year; a month needs its year. A bad
// month is monthErr, a bad or missing year yearErr.
func monthPeriod(month, year string, shortYear bool, monthErr, yearErr error) (from, to time.Time, err error) {
	month, year = strings.TrimSpace(month), strings.TrimSpace(year)
	if month == "" && year == "" {
		return from, to, nil
	}
	y, err := strconv.Atoi(year)
	switch {
	case err == nil && shortYear && len(year) == 2 && year[0] >= '0' && year[0] <= '9':
		y += 2000
	case err != nil || len(year) != 4 || y < 1970:
		return from, to, yearErr
	}
	if month == "" {
		from = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(1, 0, 0), nil
	}
	m, err := strconv.Atoi(month)
	if err != nil || len(month) > 2 || m < 1 || m > 12 {
		return from, to, monthErr
	}
	from = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 1, 0), nil
}

func floatType(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "all":
		return "", nil
	case FloatCredit:
		return FloatCredit, nil
	case FloatDebit:
		return FloatDebit, nil
	}
	return "", baas.Reasonf(baas.EInvalid, ReasonFloatType, "transaction type must be all, credit or debit")
}

// FloatBalance returns the balance of the tenant's float, in cents of FloatCurrency (0
// before it was ever funded).
func (s *Service) FloatBalance(ctx context.Context) (int64, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return 0, err
	}
	a, err := floatAccount(ctx, s.store.Read(), tenantID)
	if a == nil || err != nil {
		return 0, err
	}
	return a.Balance, nil
}

// floatAccount returns the tenant's float, or nil when it has none yet.
func floatAccount(ctx context.Context, tx baas.Tx, tenantID string) (*baas.Account, error) {
	kind, cur := baas.AccountMaster, FloatCurrency
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, Kind: &kind, Currency: &cur})
	if baas.IsCode(err, baas.ENotFound) {
		return nil, nil
	}
	return a, err
}

// FloatMovement is one movement of the float.
type FloatMovement struct {
	TransferID  int64
	Kind        string // the transfer's kind: funding, crypto_deposit, …
	Type        string // FloatCredit or FloatDebit
	Amount      int64  // cents, positive
	Currency    string
	Description string
	CreatedAt   time.Time
}

// FloatMovements returns the movements of the tenant's float that f selects, newest
// first, at most f.Limit (MaxFloatMovements), read in one snapshot, and the tenant's name.
func (s *Service) FloatMovements(ctx context.Context, f FloatFilter) ([]FloatMovement, *baas.Tenant, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, nil, err
	}
	limit := MaxFloatMovements
	if f.Limit > 0 && f.Limit < limit {
		limit = f.Limit
	}
	var out []FloatMovement
	var t *baas.Tenant
	err = s.store.View(ctx, func(tx baas.Tx) error {
		out = nil
		if t, err = tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		a, err := floatAccount(ctx, tx, tenantID)
		if a == nil || err != nil {
			return err
		}
		sf := baas.StatementFilter{AccountID: a.ID, Limit: min(Pages.Max, limit)}
		for len(out) < limit {
			page, err := tx.ListStatements(ctx, sf)
			if err != nil {
				return err
			}
			for _, st := range page {
				if !f.To.IsZero() && !st.CreatedAt.Before(f.To) {
					continue
				}
				if !f.From.IsZero() && st.CreatedAt.Before(f.From) {
					continue // not a stop: times follow posting ids only roughly
				}
				m := FloatMovement{TransferID: st.TransferID, Kind: st.Kind, Type: FloatCredit, Amount: st.Amount,
					Currency: st.Currency, Description: st.Description, CreatedAt: st.CreatedAt}
				if st.Amount < 0 {
					m.Type, m.Amount = FloatDebit, -st.Amount
				}
				if f.Type == "" || f.Type == m.Type {
					out = append(out, m)
				}
			}
			if len(page) < sf.Limit {
				return nil
			}
			sf.BeforeID = page[len(page)-1].PostingID
		}
		return nil
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, t, err
}
