package admin

import (
	"net/http"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
)

// Each tenant's gift-card fees per product (docs/codego.md, "Gift cards"): the issue fee,
// the fixed load fee (cents of EUR) and the percentage load fee (hundredths of a percent).

func (h *Handler) registerGiftcardFees(mux httpx.Mux) {
	mux.Handle("GET /admin/api/tenants/{id}/fees", h.authed(h.getGiftcardFees))
	mux.Handle("PUT /admin/api/tenants/{id}/fees", h.authed(h.putGiftcardFees))
}

// getGiftcardFees: GET /admin/api/tenants/{id}/fees — {"fees":[one per gift-card product]}.
func (h *Handler) getGiftcardFees(w http.ResponseWriter, r *http.Request) error {
	fs, err := h.core.TenantGiftcardFees(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"fees": fs})
	return nil
}

// putGiftcardFees: PUT /admin/api/tenants/{id}/fees
// {"product":"codego-giftcard","issue_fee":1000,"load_fee_fixed":100,"load_fee_percent_bp":65}.
func (h *Handler) putGiftcardFees(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Product   string `json:"product"`
		IssueFee  *int64 `json:"issue_fee" want:"an integer number of cents"`
		LoadFixed *int64 `json:"load_fee_fixed" want:"an integer number of cents"`
		PercentBP *int64 `json:"load_fee_percent_bp" want:"an integer number of hundredths of a percent"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	if in.Product == "" || in.IssueFee == nil || in.LoadFixed == nil || in.PercentBP == nil {
		return baas.Invalid("product, issue_fee, load_fee_fixed and load_fee_percent_bp are required")
	}
	f, err := h.core.PutGiftcardFees(r.Context(), r.PathValue("id"), in.Product, *in.IssueFee, *in.LoadFixed, *in.PercentBP)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, f)
	return nil
}
