package codego

import (
	"context"
	"maps"
	"strconv"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
)

// The whitelabel float: admin_float_balance, and its movements through admin_float_trxs
// (start_date, end_date, trans_type) and the deprecated admin_float_trx (month, year,
// trans_type). Their examples are real JSON: "status":"1", a string. docs/codego.md,
// "The float".

func init() { maps.Copy(messages, floatMessages) }

// floatMessages words the float filters' refusals as the spec's table does.
var floatMessages = map[string]string{
	core.ReasonFloatStartDate: "start date should be a date (YYYY-mm-dd)",
	core.ReasonFloatEndDate:   "end date should be a date (YYYY-mm-dd)",
	core.ReasonFloatDateOrder: "end date should be greater than equal to start date",
	core.ReasonFloatMonth:     "month of transactions should be MM",
	core.ReasonFloatYear:      "year of transactions should be YYYY",
	core.ReasonFloatType:      "trans_type possible values : all or credit or debit",
}

// floatBalance: POST /api/admin_float_balance.
func (h *Handler) floatBalance(ctx context.Context, req *request, s *session) (any, error) {
	if err := req.finish(); err != nil {
		return nil, err
	}
	b, err := h.core.FloatBalance(ctx)
	if err != nil {
		return nil, err
	}
	return struct {
		Status      string `json:"status"`
		FloatWallet string `json:"float_wallet"`
		Currency    string `json:"currency"`
	}{"1", money.Format(b, core.FloatCurrency), core.FloatCurrency}, nil
}

type floatEntry struct {
	UniqueID     string `json:"unique_id"`
	CurrencyName string `json:"currency_name"`
	FloatAmount  string `json:"float_amount"`
	Type         string `json:"type"`
	Created      string `json:"created"`
	Description  string `json:"description"`
	DomainName   string `json:"domain_name"`
	AdminName    string `json:"admin_name"`
}

// floatTrxs: POST /api/admin_float_trxs.
func (h *Handler) floatTrxs(ctx context.Context, req *request, s *session) (any, error) {
	start := req.str(strOpt{optional: true, max: 10}, "start_date")
	end := req.str(strOpt{optional: true, max: 10}, "end_date")
	typ := req.str(strOpt{optional: true, max: 10}, "trans_type")
	if err := req.finish(); err != nil {
		return nil, err
	}
	f, err := core.FloatPeriod(start, end, typ)
	if err != nil {
		return nil, err
	}
	return h.floatList(ctx, f)
}

// floatTrx: POST /api/admin_float_trx (deprecated).
func (h *Handler) floatTrx(ctx context.Context, req *request, s *session) (any, error) {
	month := req.str(strOpt{optional: true, max: 2}, "month")
	year := req.str(strOpt{optional: true, max: 4}, "year")
	typ := req.str(strOpt{optional: true, max: 10}, "trans_type")
	if err := req.finish(); err != nil {
		return nil, err
	}
	f, err := core.FloatMonth(month, year, typ)
	if err != nil {
		return nil, err
	}
	return h.floatList(ctx, f)
}

// floatList answers the movements, newest first, each with the example's fields:
// unique_id is the transfer id, domain_name the whitelabel's name, admin_name who moved
// the money ("operator" for a funding, "api" otherwise).
func (h *Handler) floatList(ctx context.Context, f core.FloatFilter) (any, error) {
	ms, t, err := h.core.FloatMovements(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]floatEntry, 0, len(ms))
	for _, m := range ms {
		admin := "api"
		if m.Kind == baas.TransferFunding {
			admin = "operator"
		}
		out = append(out, floatEntry{UniqueID: strconv.FormatInt(m.TransferID, 10), CurrencyName: m.Currency,
			FloatAmount: money.Format(m.Amount, m.Currency), Type: m.Type, Created: datetime(m.CreatedAt),
			Description: m.Description, DomainName: t.Name, AdminName: admin})
	}
	return struct {
		Status       string       `json:"status"`
		Transactions []floatEntry `json:"transactions"`
	}{"1", out}, nil
}
