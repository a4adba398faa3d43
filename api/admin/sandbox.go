package admin

import (
	"net/http"

	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// The sandbox card network for the operator and the tests: card network messages
// (purchase, authorization, capture, reversal, refund) for any card of a sandbox tenant,
// of either dialect, through the core's one authorization path; and a card's
// transactions with their states.

func (h *Handler) registerSandbox(mux httpx.Mux) {
	mux.Handle("POST /admin/api/sandbox/cards/{card_id}/transactions", h.authed(h.sandboxCardTransaction))
	mux.Handle("GET /admin/api/cards/{card_id}/transactions", h.authed(h.cardTransactions))
}

// sandboxCardTransaction: POST /admin/api/sandbox/cards/{card_id}/transactions
// {"type":"purchase|authorization|capture|reversal|refund","amount":1234,"currency":"USD",
// "merchant_name","merchant_city","merchant_country","mcc","entry_mode",
// "original_transaction_id"} — every field but type optional. 201 with the recorded
// transaction, approved or declined (status, decline_reason); 403 for a live tenant's
// card; 404 for an unknown card or original; 409 for a capture, reversal or refund beyond
// what is left.
func (h *Handler) sandboxCardTransaction(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Type            string `json:"type"`
		Amount          int64  `json:"amount"`
		Currency        string `json:"currency"`
		MerchantName    string `json:"merchant_name"`
		MerchantCity    string `json:"merchant_city"`
		MerchantCountry string `json:"merchant_country"`
		MCC             string `json:"mcc"`
		EntryMode       string `json:"entry_mode"`
		OriginalID      string `json:"original_transaction_id"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	t, err := h.core.SandboxCardTransaction(r.Context(), core.SandboxTxnParams{CardID: r.PathValue("card_id"),
		Type: in.Type, Amount: in.Amount, Currency: in.Currency, MerchantName: in.MerchantName,
		MerchantCity: in.MerchantCity, MerchantCountry: in.MerchantCountry, MCC: in.MCC, EntryMode: in.EntryMode,
		OriginalID: in.OriginalID})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, core.CardTxnView(t))
	return nil
}

// cardTransactions: GET /admin/api/cards/{card_id}/transactions?before=&limit= — newest
// first; next_before is present when the page is full.
func (h *Handler) cardTransactions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := core.Pages.Parse(q.Get("limit"))
	if err != nil {
		return err
	}
	list, err := h.core.CardTransactions(r.Context(), "", r.PathValue("card_id"), q.Get("before"), limit)
	if err != nil {
		return err
	}
	out := map[string]any{"transactions": list}
	if len(list) == limit {
		out["next_before"] = list[len(list)-1].ID
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
