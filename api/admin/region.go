package admin

import (
	"net/http"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
)

// A tenant's region: the time zone and country its spending controls are evaluated in.

func (h *Handler) registerRegion(mux httpx.Mux) {
	mux.Handle("GET /admin/api/tenants/{id}/region", h.authed(h.getRegion))
	mux.Handle("PUT /admin/api/tenants/{id}/region", h.authed(h.putRegion))
}

type regionView struct {
	TenantID string `json:"tenant_id"`
	TimeZone string `json:"time_zone"` // "UTC" when none is set
	Country  string `json:"country"`   // "" when none is set
}

func viewRegion(r *baas.TenantRegion) regionView {
	v := regionView{TenantID: r.TenantID, TimeZone: r.TimeZone, Country: r.Country}
	if v.TimeZone == "" {
		v.TimeZone = "UTC"
	}
	return v
}

func (h *Handler) getRegion(w http.ResponseWriter, r *http.Request) error {
	reg, err := h.core.GetTenantRegion(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, viewRegion(reg))
	return nil
}

// putRegion: PUT /admin/api/tenants/{id}/region {"time_zone":"America/New_York","country":"US"}
// — both fields required; "UTC" and "" (no country) are values.
func (h *Handler) putRegion(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TimeZone *string `json:"time_zone"`
		Country  *string `json:"country"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	var missing []string
	if in.TimeZone == nil {
		missing = append(missing, "time_zone is required")
	}
	if in.Country == nil {
		missing = append(missing, "country is required")
	}
	if missing != nil {
		return baas.Invalid(missing...)
	}
	reg, err := h.core.SetTenantRegion(r.Context(), r.PathValue("id"), *in.TimeZone, *in.Country)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, viewRegion(reg))
	return nil
}
