package codego_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/codego"
	"github.com/baas-oss/baas/chainaddr"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

var walletIDRe = regexp.MustCompile(`^[0-9a-z]{8}-[0-9a-z]{8}-[0-9a-z]{8}$`)

// specBody is a body of the spec's crypto and float examples, verbatim but for the keys.
func specBody(c *servertest.Codego, body string) []byte {
	body = strings.ReplaceAll(body, "hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw", c.Keys.APIKey)
	for _, wl := range []string{"3aa7f66c-85c79fbf-f1f0dfe1-d2c0acf1-106d750c-e3a1d711",
		"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425"} {
		body = strings.ReplaceAll(body, wl, c.Keys.WhitelabelID)
	}
	return []byte(body)
}

// The spec's crypto examples' bodies.
const (
	specCoinList = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"3aa7f66c-85c79fbf-f1f0dfe1-d2c0acf1-106d750c-e3a1d711","user_id":""}`
	specGenerate = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"3aa7f66c-85c79fbf-f1f0dfe1-d2c0acf1-106d750c-e3a1d711","coin":"usdt","network":"trc-20","user_id":""}`
	specWallets  = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"3aa7f66c-85c79fbf-f1f0dfe1-d2c0acf1-106d750c-e3a1d711","user_id":""}`
)

func generate(t *testing.T, c *servertest.Codego, name string, body map[string]any) map[string]any {
	t.Helper()
	r := c.Post(t, name, body)
	wantOK(t, r, float64(1))
	if !walletIDRe.MatchString(r.JSON["unique_id"].(string)) || r.JSON["message"] != "Wallet address generated." {
		t.Fatalf("%s: %s", name, r.Raw)
	}
	return r.JSON
}

func TestCrypto(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		e := servertest.StartClock(t, engine, servertest.NewClock(t0))
		c := e.CodegoLogin(t, e.Tenant)

		// The coin list: "status":1, the example's fields, as strings, the example's btc.
		r := c.Raw(t, "crypto_getCoinList", specBody(c, specCoinList), "application/json")
		wantOK(t, r, float64(1))
		coins := map[string]map[string]any{}
		for _, x := range r.JSON["coin"].([]any) {
			m := allStrings(t, "coin", x)
			if len(m) != 7 {
				t.Fatalf("coin has %d fields: %v", len(m), m)
			}
			coins[m["currency_name"].(string)+"/"+m["network"].(string)] = m
		}
		want := map[string]any{"currency_name": "btc", "name": "Bitcoin", "image": "", "eur_price": "23567.33000000",
			"network_type": "fixed", "network_fee": "0.00010000", "network": "bitcoin"}
		if b, w := jsonOf(coins["btc/bitcoin"]), jsonOf(want); b != w {
			t.Fatalf("btc: %s, want %s", b, w)
		}
		for _, k := range []string{"eth/erc-20", "usdt/erc-20", "usdt/trc-20"} {
			if coins[k] == nil {
				t.Fatalf("no %s in %s", k, r.Raw)
			}
		}

		// Generate, the spec's body (no user_id: the whitelabel's own wallet), under both
		// spellings: one TRON address, the same each time.
		r = c.Raw(t, "crypto_generateWaletAddress", specBody(c, specGenerate), "application/json")
		wantOK(t, r, float64(1))
		own := r.JSON
		if own["coin"] != "usdt" || own["network"] != "trc-20" || !chainaddr.Valid(chainaddr.Tron, own["wallet_address"].(string)) ||
			!strings.HasPrefix(own["wallet_address"].(string), "T") || !walletIDRe.MatchString(own["unique_id"].(string)) {
			t.Fatalf("generate: %s", r.Raw)
		}
		r = c.Raw(t, "crypto_generateWalletAddress", specBody(c, specGenerate), "application/json")
		if jsonOf(r.JSON) != jsonOf(own) {
			t.Fatalf("again: %s, first %v", r.Raw, own)
		}

		// A user's wallets: one per coin and network, each valid on its chain.
		uid := signup(t, c, "crypto@example.com")
		addrs := map[string]string{}
		for _, x := range []struct{ coin, network, chain string }{
			{"btc", "", chainaddr.Bitcoin}, {"eth", "", chainaddr.Ethereum},
			{"usdt", "erc-20", chainaddr.Ethereum}, {"USDT", "TRC-20", chainaddr.Tron},
		} {
			body := map[string]any{"user_id": uid, "coin": x.coin}
			if x.network != "" {
				body["network"] = x.network
			}
			w := generate(t, c, "crypto_generateWalletAddress", body)
			a := w["wallet_address"].(string)
			if !chainaddr.Valid(x.chain, a) {
				t.Fatalf("%s/%s: %s is not a %s address", x.coin, x.network, a, x.chain)
			}
			for k, other := range addrs {
				if other == a {
					t.Fatalf("%s and %s/%s share %s", k, x.coin, x.network, a)
				}
			}
			addrs[w["coin"].(string)+"/"+w["network"].(string)] = a
		}
		if !strings.HasPrefix(addrs["btc/bitcoin"], "bc1q") || addrs["usdt/trc-20"] == own["wallet_address"] {
			t.Fatalf("addresses: %v", addrs)
		}
		if w := generate(t, c, "crypto_generateWaletAddress", map[string]any{"user_id": escaped(uid), "coin": "btc",
			"network": "bitcoin"}); w["wallet_address"] != addrs["btc/bitcoin"] {
			t.Fatalf("btc again: %v", w)
		}

		// The wallet list: the user's four, newest first, with the token contracts; the
		// spec's body (no user_id) lists the whitelabel's five.
		r = c.Post(t, "crypto_getWalletAddresss", map[string]any{"user_id": uid})
		wantOK(t, r, float64(1))
		list := r.JSON["wallet"].([]any)
		if len(list) != 4 {
			t.Fatalf("wallets: %s", r.Raw)
		}
		for _, x := range list {
			m := allStrings(t, "wallet", x)
			if len(m) != 6 || addrs[m["coin"].(string)+"/"+m["network"].(string)] != m["address"] || m["datetime"] != "2025-03-14 09:30:00" {
				t.Fatalf("wallet: %v", m)
			}
			if m["coin"] == "usdt" && m["network"] == "trc-20" && m["contract"] != "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" {
				t.Fatalf("usdt contract: %v", m)
			}
		}
		r = c.Raw(t, "crypto_getWalletAddress", specBody(c, specWallets), "application/json")
		wantOK(t, r, float64(1))
		if n := len(r.JSON["wallet"].([]any)); n != 5 {
			t.Fatalf("the whitelabel's wallets: %d, %s", n, r.Raw)
		}

		// Bad input: the documented errors, nothing made.
		other := e.NewTenant(t)
		oc := e.CodegoLogin(t, other)
		stranger := signup(t, oc, "stranger@example.com")
		for _, x := range []struct {
			body map[string]any
			code int
			msg  string
		}{
			{map[string]any{"user_id": uid, "coin": "doge"}, 400, "Only listed coin we accepted."},
			{map[string]any{"user_id": uid, "coin": "usdt"}, 400, "You need to send network"},
			{map[string]any{"user_id": uid, "coin": "usdt", "network": "bep-20"}, 400, "You need to send network"},
			{map[string]any{"user_id": uid, "coin": "btc", "network": "trc-20"}, 400, "You need to send network"},
			{map[string]any{"user_id": uid}, 400, "coin cannot be blank"},
			{map[string]any{"user_id": "nobody", "coin": "btc"}, 404, "user not found"},
			{map[string]any{"user_id": stranger, "coin": "btc"}, 404, "user not found"},
		} {
			wantCode(t, c.Post(t, "crypto_generateWaletAddress", x.body), x.code, x.msg)
		}
		wantCode(t, c.Post(t, "crypto_getWalletAddress", map[string]any{"user_id": stranger}), 404, "user not found")
		wantCode(t, c.Post(t, "crypto_getCoinList", map[string]any{"user_id": stranger}), 404, "user not found")
		r = c.Post(t, "crypto_getWalletAddress", map[string]any{"user_id": uid})
		if n := len(r.JSON["wallet"].([]any)); n != 4 {
			t.Fatalf("bad input made wallets: %s", r.Raw)
		}

		// A sandbox deposit of 0.015 btc: (0.015 − 0.0001) × 23567.33 = 351.153217 EUR,
		// 351.15 credited (rounded down), one transfer from funding, one event.
		r = e.Admin(t, "POST", "/admin/api/sandbox/crypto-deposits", map[string]any{"address": addrs["btc/bitcoin"], "amount": "0.015"})
		if r.Status != 201 || r.JSON["credited"] != float64(35115) || r.JSON["currency"] != "EUR" || r.JSON["amount"] != "0.01500000" {
			t.Fatalf("deposit: %d %s", r.Status, r.Raw)
		}
		if d := accountDetail(t, c, uid); d["balance"] != "351.15" {
			t.Fatalf("balance after the deposit: %v", d)
		}
		evs, err := e.Core.ListEvents(context.Background(), baas.EventFilter{TenantID: e.Tenant.TenantID, Type: "crypto.deposit"})
		if err != nil || len(evs) != 1 {
			t.Fatalf("events: %v %v", evs, err)
		}
		body, err := codego.RenderEvent(evs[0])
		if err != nil {
			t.Fatal(err)
		}
		var hook map[string]any
		_ = json.Unmarshal(body, &hook)
		wantHook := map[string]any{"status": float64(1), "event": "crypto.deposit", "user_id": uid, "coin": "btc",
			"network": "bitcoin", "wallet_address": addrs["btc/bitcoin"], "amount": "0.01500000", "network_fee": "0.00010000",
			"eur_price": "23567.33000000", "credited_amount": "351.15", "currency": "EUR", "balance": "351.15",
			"datetime": "2025-03-14 09:30:00"}
		for k, v := range wantHook {
			if hook[k] != v {
				t.Fatalf("webhook %s = %v, want %v: %s", k, hook[k], v, body)
			}
		}
		if len(hook) != 15 || hook["trx_id"] == "" || !walletIDRe.MatchString(hook["unique_id"].(string)) {
			t.Fatalf("webhook: %s", body)
		}

		// To the whitelabel's own wallet: the float. 100 usdt − 1 fee, × 0.92.
		r = e.Admin(t, "POST", "/admin/api/sandbox/crypto-deposits", map[string]any{"address": own["wallet_address"], "amount": "100"})
		if r.Status != 201 || r.JSON["credited"] != float64(9108) || r.JSON["account_number"] != nil {
			t.Fatalf("deposit to the float: %d %s", r.Status, r.Raw)
		}

		// Bad deposits move nothing.
		live, err := e.Core.CreateTenant(context.Background(), core.CreateTenantParams{Name: "live", Sandbox: false})
		if err != nil {
			t.Fatal(err)
		}
		lw, err := e.Core.GenerateWallet(baas.WithTenant(context.Background(), live.TenantID), core.GenerateWalletParams{Coin: "btc"})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			body   any
			status int
		}{
			{map[string]any{"address": addrs["btc/bitcoin"], "amount": 0.015}, 400},
			{map[string]any{"address": addrs["btc/bitcoin"], "amount": "0.0001"}, 400},
			{map[string]any{"address": addrs["btc/bitcoin"], "amount": "0"}, 400},
			{map[string]any{"address": addrs["btc/bitcoin"], "amount": "-1"}, 400},
			{map[string]any{"address": addrs["btc/bitcoin"], "amount": "abc"}, 400},
			{map[string]any{"address": addrs["btc/bitcoin"], "amount": "0.000000001"}, 400},
			{map[string]any{"address": addrs["btc/bitcoin"]}, 400},
			{map[string]any{"address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "amount": "1"}, 404},
			{map[string]any{"address": "", "amount": "1"}, 400},
			{map[string]any{"address": lw.Address, "amount": "1"}, 403},
		} {
			if r := e.Admin(t, "POST", "/admin/api/sandbox/crypto-deposits", x.body); r.Status != x.status {
				t.Fatalf("%v: %d %s", x.body, r.Status, r.Raw)
			}
		}
		if d := accountDetail(t, c, uid); d["balance"] != "351.15" {
			t.Fatalf("balance after bad deposits: %v", d)
		}
		if r := e.Admin(t, "GET", "/admin/api/ledger/verify", nil); r.Status != 200 {
			t.Fatalf("ledger: %s", r.Raw)
		}
	})
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestRenderCryptoDeposit: the crypto-deposit webhook's body, byte for byte, from the
// core's neutral payload (the tenant's own wallet: no user, the float's balance).
func TestRenderCryptoDeposit(t *testing.T) {
	at := time.Date(2025, 3, 14, 9, 30, 5, 0, time.UTC)
	payload := `{"account_number":0,"address":"TXYZ","balance":9108,"coin":"usdt","credited":9108,"currency":"EUR",` +
		`"customer_id":"","customer_ref":"","eur_price":"0.92000000","amount":"100.00000000","network":"trc-20",` +
		`"network_fee":"1.00000000","transfer_id":42,"wallet_id":"aaaaaaaa-bbbbbbbb-cccccccc"}`
	got, err := codego.RenderEvent(&baas.Event{Type: "crypto.deposit", Payload: []byte(payload), CreatedAt: at})
	want := `{"amount":"100.00000000","balance":"91.08","coin":"usdt","credited_amount":"91.08","currency":"EUR",` +
		`"datetime":"2025-03-14 09:30:05","eur_price":"0.92000000","event":"crypto.deposit","network":"trc-20",` +
		`"network_fee":"1.00000000","status":1,"trx_id":"42","unique_id":"aaaaaaaa-bbbbbbbb-cccccccc","user_id":"",` +
		`"wallet_address":"TXYZ"}`
	if err != nil || string(got) != want {
		t.Fatalf("RenderEvent = %s, %v\nwant %s", got, err, want)
	}
}
