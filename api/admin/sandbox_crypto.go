package admin

import (
	"net/http"

	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// The sandbox's crypto deposits: the operator plays a deposit to a wallet address of a
// sandbox tenant (403 for a live one), which credits the wallet's owner in EUR and fires
// the crypto.deposit event (docs/codego.md, "Crypto").

func (h *Handler) registerSandboxCrypto(mux httpx.Mux) {
	mux.Handle("POST /admin/api/sandbox/crypto-deposits", h.authed(h.sandboxCryptoDeposit))
}

// sandboxCryptoDeposit: POST /admin/api/sandbox/crypto-deposits {"address","amount"} —
// amount in the coin's units as a decimal string ("0.015"), never a JSON number. With an
// Idempotency-Key header, a repeated request answers the first result and credits once.
func (h *Handler) sandboxCryptoDeposit(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Address string `json:"address"`
		Amount  string `json:"amount" want:"a decimal string of coins such as \"0.015\""`
	}
	raw, err := decode(r, &in)
	if err != nil {
		return err
	}
	idem, err := httpx.Idempotency(r, raw)
	if err != nil {
		return err
	}
	res, replayed, err := h.core.SandboxCryptoDeposit(r.Context(), core.CryptoDepositParams{Address: in.Address,
		Amount: in.Amount, Idem: idem})
	if err != nil {
		return err
	}
	httpx.MarkReplayed(w, replayed)
	httpx.WriteJSON(w, http.StatusCreated, res)
	return nil
}
