package codego

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
)

// The "Crypto - …" APIs: the coin list, a wallet address per user, coin and network, the
// wallet list; and the body of the crypto-deposit webhook. user_id is optional in all
// three: without it the wallet is the whitelabel's own (deposits to it credit the
// float) and the list is every wallet of the whitelabel. docs/codego.md, "Crypto".

func init() { maps.Copy(messages, cryptoMessages) }

// cryptoMessages words the core's crypto refusals as the spec's tables do.
var cryptoMessages = map[string]string{
	core.ReasonUnsupportedCoin:    "Only listed coin we accepted.",
	core.ReasonUnsupportedNetwork: "You need to send network in case of token (e.g usdt : erc-20 or trc-20)",
	core.ReasonNetworkRequired:    "You need to send network in case of token (e.g usdt : erc-20 or trc-20)",
}

// optionalUser reads the optional user_id: nil when it is absent or blank.
func optionalUser(req *request) *baas.CustomerKey {
	if id := req.str(strOpt{optional: true, max: 200}, "user_id"); id != "" {
		k := user(id)
		return &k
	}
	return nil
}

type coinEntry struct {
	CurrencyName string `json:"currency_name"`
	Name         string `json:"name"`
	Image        string `json:"image"`
	EURPrice     string `json:"eur_price"`
	NetworkType  string `json:"network_type"`
	NetworkFee   string `json:"network_fee"`
	Network      string `json:"network"`
}

// coinList: POST /api/crypto_getCoinList.
func (h *Handler) coinList(ctx context.Context, req *request, s *session) (any, error) {
	k := optionalUser(req)
	if err := req.finish(); err != nil {
		return nil, err
	}
	if k != nil { // the list is the same for everyone, but a user_id must name a user
		if _, err := h.core.Customer(ctx, *k); err != nil {
			return nil, err
		}
	}
	var out []coinEntry
	for _, c := range core.Coins() {
		out = append(out, coinEntry{CurrencyName: c.Code, Name: c.Name, Image: c.Image, EURPrice: core.FormatCoin(c.EURPrice),
			NetworkType: c.NetworkType, NetworkFee: core.FormatCoin(c.NetworkFee), Network: c.Network})
	}
	return struct {
		Status int         `json:"status"`
		Coin   []coinEntry `json:"coin"`
	}{1, out}, nil
}

// generateWallet: POST /api/crypto_generateWaletAddress (and crypto_generateWalletAddress).
func (h *Handler) generateWallet(ctx context.Context, req *request, s *session) (any, error) {
	k := optionalUser(req)
	coin := req.str(strOpt{max: 20}, "coin")
	network := req.str(strOpt{optional: true, max: 20}, "network")
	if err := req.finish(); err != nil {
		return nil, err
	}
	w, err := h.core.GenerateWallet(ctx, core.GenerateWalletParams{Customer: k, Coin: coin, Network: network})
	if err != nil {
		return nil, err
	}
	return struct {
		Status        int    `json:"status"`
		UniqueID      string `json:"unique_id"`
		WalletAddress string `json:"wallet_address"`
		Coin          string `json:"coin"`
		Network       string `json:"network"`
		Message       string `json:"message"`
	}{1, w.ID, w.Address, w.Coin, w.Network, "Wallet address generated."}, nil
}

type walletEntry struct {
	UniqueID string `json:"unique_id"`
	Coin     string `json:"coin"`
	Network  string `json:"network"`
	Address  string `json:"address"`
	Contract string `json:"contract"`
	Datetime string `json:"datetime"`
}

// wallets: POST /api/crypto_getWalletAddress (and crypto_getWalletAddresss).
func (h *Handler) wallets(ctx context.Context, req *request, s *session) (any, error) {
	k := optionalUser(req)
	if err := req.finish(); err != nil {
		return nil, err
	}
	ws, err := h.core.ListWallets(ctx, k)
	if err != nil {
		return nil, err
	}
	out := make([]walletEntry, 0, len(ws))
	for _, w := range ws {
		e := walletEntry{UniqueID: w.ID, Coin: w.Coin, Network: w.Network, Address: w.Address, Datetime: datetime(w.CreatedAt)}
		if c, err := core.FindCoin(w.Coin, w.Network); err == nil {
			e.Contract = c.Contract
		}
		out = append(out, e)
	}
	return struct {
		Status int           `json:"status"`
		Wallet []walletEntry `json:"wallet"`
	}{1, out}, nil
}

// renderCryptoDeposit is the crypto-deposit webhook's body (the spec gives none; the
// shape follows its other webhooks and lists: docs/codego.md).
func renderCryptoDeposit(e *baas.Event) ([]byte, error) {
	var p struct {
		WalletID    string `json:"wallet_id"`
		CustomerRef string `json:"customer_ref"`
		Coin        string `json:"coin"`
		Network     string `json:"network"`
		Address     string `json:"address"`
		Amount      string `json:"amount"`
		NetworkFee  string `json:"network_fee"`
		EURPrice    string `json:"eur_price"`
		Credited    int64  `json:"credited"`
		Currency    string `json:"currency"`
		TransferID  int64  `json:"transfer_id"`
		Balance     int64  `json:"balance"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"status":          1,
		"event":           e.Type,
		"user_id":         p.CustomerRef,
		"unique_id":       p.WalletID,
		"coin":            p.Coin,
		"network":         p.Network,
		"wallet_address":  p.Address,
		"amount":          p.Amount,
		"network_fee":     p.NetworkFee,
		"eur_price":       p.EURPrice,
		"credited_amount": money.Format(p.Credited, p.Currency),
		"currency":        p.Currency,
		"trx_id":          strconv.FormatInt(p.TransferID, 10),
		"balance":         money.Format(p.Balance, p.Currency),
		"datetime":        datetime(e.CreatedAt),
	})
}
