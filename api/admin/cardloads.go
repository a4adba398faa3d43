package admin

import (
	"net/http"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// The sandbox's outside world, and the prepaid cards' load limits: an incoming bank
// transfer to a customer's account, and each tenant's DailyLoadLimit and
// DailyLoadFrequencyLimit.

func (h *Handler) registerCardLoads(mux httpx.Mux) {
	mux.Handle("POST /admin/api/sandbox/incoming-transfers", h.authed(h.incomingTransfer))
	mux.Handle("GET /admin/api/tenants/{id}/card-load-limits", h.authed(h.getCardLoadLimits))
	mux.Handle("PUT /admin/api/tenants/{id}/card-load-limits", h.authed(h.putCardLoadLimits))
	mux.Handle("GET /admin/api/tenants/{id}/card-allowance", h.authed(h.getCardAllowance))
	mux.Handle("PUT /admin/api/tenants/{id}/card-allowance", h.authed(h.putCardAllowance))
}

// incomingTransfer: POST /admin/api/sandbox/incoming-transfers
// {"tenant_id","user_id","amount":1234,"currency":"EUR","reference":"…"} — a bank
// transfer from outside reaching the customer's account in the currency (sandbox tenants
// only).
func (h *Handler) incomingTransfer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TenantID  string `json:"tenant_id"`
		UserID    string `json:"user_id"`
		Amount    int64  `json:"amount" want:"an integer number of minor units"`
		Currency  string `json:"currency"`
		Reference string `json:"reference"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	if in.TenantID == "" {
		return baas.Invalid("tenant_id should not be empty")
	}
	res, err := h.core.IncomingTransfer(r.Context(), core.IncomingTransferParams{TenantID: in.TenantID,
		Customer: baas.CustomerKey{Ref: httpx.NormalizeRef(in.UserID)}, Amount: in.Amount, Currency: in.Currency,
		Reference: in.Reference})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, res)
	return nil
}

// getCardLoadLimits: GET /admin/api/tenants/{id}/card-load-limits.
func (h *Handler) getCardLoadLimits(w http.ResponseWriter, r *http.Request) error {
	l, err := h.core.GetCardLoadLimits(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

// putCardLoadLimits: PUT /admin/api/tenants/{id}/card-load-limits
// {"daily_load_limit":500000,"daily_load_frequency_limit":10} — minor units of EUR and a
// number of loads, per card and UTC day.
func (h *Handler) putCardLoadLimits(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DailyAmount *int64 `json:"daily_load_limit" want:"an integer number of minor units"`
		DailyCount  *int   `json:"daily_load_frequency_limit" want:"an integer number of loads"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	if in.DailyAmount == nil || in.DailyCount == nil {
		return baas.Invalid("daily_load_limit and daily_load_frequency_limit are required")
	}
	l, err := h.core.SetCardLoadLimits(r.Context(), r.PathValue("id"), *in.DailyAmount, *in.DailyCount)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

// getCardAllowance: GET /admin/api/tenants/{id}/card-allowance.
func (h *Handler) getCardAllowance(w http.ResponseWriter, r *http.Request) error {
	a, err := h.core.GetCardAllowance(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a)
	return nil
}

// putCardAllowance: PUT /admin/api/tenants/{id}/card-allowance {"cards_per_type":2} — the
// live Codego cards of each type a customer may hold (check_remaining_card).
func (h *Handler) putCardAllowance(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CardsPerType *int `json:"cards_per_type" want:"an integer number of cards"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	if in.CardsPerType == nil {
		return baas.Invalid("cards_per_type is required")
	}
	a, err := h.core.SetCardAllowance(r.Context(), r.PathValue("id"), *in.CardsPerType)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a)
	return nil
}
