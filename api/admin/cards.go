package admin

import (
	"net/http"
	"strconv"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
)

// Cards for the operator: list and read cards (masked numbers only), accept, ship and
// block them, read what a sandbox card's holder has in hand; and each tenant's card
// configuration: BIN range and validity per product, auto-ship (sandbox), and the public
// key to which card data is encrypted for the company.

func (h *Handler) registerCards(mux httpx.Mux) {
	mux.Handle("GET /admin/api/cards", h.authed(h.listCards))
	mux.Handle("GET /admin/api/cards/{card_id}", h.authed(h.getCard))
	for _, a := range []baas.CardAction{baas.CardAccept, baas.CardShip, baas.CardBlock} {
		mux.Handle("POST /admin/api/cards/{card_id}/"+string(a), h.authed(h.cardAction(a)))
	}
	mux.Handle("GET /admin/api/cards/{card_id}/sandbox-data", h.authed(h.sandboxCardData))
	mux.Handle("GET /admin/api/tenants/{id}/card-data-key", h.authed(h.getCardDataKey))
	mux.Handle("PUT /admin/api/tenants/{id}/card-data-key", h.authed(h.putCardDataKey))
	mux.Handle("GET /admin/api/tenants/{id}/card-products/{product}", h.authed(h.getCardProduct))
	mux.Handle("PUT /admin/api/tenants/{id}/card-products/{product}", h.authed(h.putCardProduct))
	mux.Handle("GET /admin/api/tenants/{id}/card-settings", h.authed(h.getCardSettings))
	mux.Handle("PUT /admin/api/tenants/{id}/card-settings", h.authed(h.putCardSettings))
}

// listCards: GET /admin/api/cards?tenant_id=&status=&after=&limit= — in creation order;
// next_after is present when the page is full.
func (h *Handler) listCards(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := baas.CardFilter{TenantID: q.Get("tenant_id"), Status: baas.CardStatus(q.Get("status")), AfterID: q.Get("after")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return baas.Invalid("limit must be an integer between 1 and 1000")
		}
		f.Limit = n
	}
	cards, err := h.core.ListCards(r.Context(), f)
	if err != nil {
		return err
	}
	out := map[string]any{"cards": cards}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if len(cards) == f.Limit {
		out["next_after"] = cards[len(cards)-1].ID
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getCard(w http.ResponseWriter, r *http.Request) error {
	c, err := h.core.OperatorGetCard(r.Context(), r.PathValue("card_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"card": c})
	return nil
}

// cardAction: POST /admin/api/cards/{card_id}/accept, …/ship, …/block.
func (h *Handler) cardAction(a baas.CardAction) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := h.core.OperatorCardAction(r.Context(), r.PathValue("card_id"), a)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"card": c})
		return nil
	}
}

// sandboxCardData: GET /admin/api/cards/{card_id}/sandbox-data — number, CVV, expiry and
// name of a sandbox tenant's card; 403 for a live tenant's.
func (h *Handler) sandboxCardData(w http.ResponseWriter, r *http.Request) error {
	d, err := h.core.SandboxCardData(r.Context(), r.PathValue("card_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (h *Handler) getCardDataKey(w http.ResponseWriter, r *http.Request) error {
	k, err := h.core.GetCardDataKey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, k)
	return nil
}

// putCardDataKey: PUT /admin/api/tenants/{id}/card-data-key {"kid","public_key"}.
func (h *Handler) putCardDataKey(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		KeyID     string `json:"kid"`
		PublicKey string `json:"public_key"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	k, err := h.core.PutCardDataKey(r.Context(), r.PathValue("id"), in.KeyID, in.PublicKey)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, k)
	return nil
}

func (h *Handler) getCardProduct(w http.ResponseWriter, r *http.Request) error {
	c, err := h.core.GetCardProduct(r.Context(), r.PathValue("id"), r.PathValue("product"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

// putCardProduct: PUT /admin/api/tenants/{id}/card-products/{product}
// {"bin_range":"411111-411112:16","expiry_years":3}.
func (h *Handler) putCardProduct(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		BINRange    string `json:"bin_range"`
		ExpiryYears int    `json:"expiry_years"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	c, err := h.core.PutCardProduct(r.Context(), r.PathValue("id"), r.PathValue("product"), in.BINRange, in.ExpiryYears)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

type cardSettingsView struct {
	TenantID  string `json:"tenant_id"`
	AutoShip  bool   `json:"auto_ship"`
	DataKeyID string `json:"card_data_kid"`
}

func (h *Handler) getCardSettings(w http.ResponseWriter, r *http.Request) error {
	s, err := h.core.GetCardSettings(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, cardSettingsView{TenantID: s.TenantID, AutoShip: s.AutoShip, DataKeyID: s.DataKeyID})
	return nil
}

// putCardSettings: PUT /admin/api/tenants/{id}/card-settings {"auto_ship":true} — sandbox
// tenants only.
func (h *Handler) putCardSettings(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AutoShip *bool `json:"auto_ship"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	if in.AutoShip == nil {
		return baas.Invalid("auto_ship is required")
	}
	s, err := h.core.SetCardAutoShip(r.Context(), r.PathValue("id"), *in.AutoShip)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, cardSettingsView{TenantID: s.TenantID, AutoShip: s.AutoShip, DataKeyID: s.DataKeyID})
	return nil
}
