package webhook_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/webhook"
)

// TestCardAuthorizationWebhook: every card purchase and authorization of a tenant with an
// authorization URL asks it, over real HTTP, with the masked card, the payment, the
// merchant and the controls' verdict; its answer decides, and its deadline and stand-in
// hold. A decline moves nothing.
func TestCardAuthorizationWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		ctx := context.Background()
		e.svc.SetAuthorizationCaller(webhook.NewAuthorizer(nil))
		number, _ := e.account(t)
		e.cashIn(t, number, 100_000)
		card, _, err := e.svc.CreateCard(e.ctx, core.CreateCardParams{AccountNumber: number, Product: core.ProductGirasolVirtual,
			NameForPrint: "ADA LOVELACE"})
		if err != nil {
			t.Fatal(err)
		}
		mode := make(chan string, 1)
		srv := newAuthServer(t, func(r *http.Request) (int, string) {
			switch m := <-mode; m {
			case "approve":
				return 200, `{"approved": true}`
			case "decline":
				return 200, `{"decision": "decline", "reason": "not today"}`
			default: // hang
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return 200, `{"approved": true}`
			}
		})
		url := srv.srv.URL + "/authorize"
		timeout := 200 * time.Millisecond
		v, err := e.svc.UpdateAuthorizationSettings(ctx, core.AuthorizationSettingsPatch{TenantID: e.tenant, URL: &url, Timeout: &timeout})
		if err != nil {
			t.Fatal(err)
		}
		srv.mu.Lock()
		srv.secret = v.SigningSecret
		srv.mu.Unlock()
		pay := func(m, typ string) *baas.CardTransaction {
			t.Helper()
			mode <- m
			x, err := e.svc.Authorize(ctx, core.AuthorizeParams{TenantID: e.tenant, CardID: card.ID, Type: typ, Amount: 1_250,
				MerchantName: "BLUE BOTTLE CAFE", MerchantCity: "SAN FRANCISCO", MerchantCountry: "us", MCC: "5814",
				EntryMode: "contactless"})
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		bal := func() int64 {
			t.Helper()
			info, err := e.svc.GetAccountInfo(e.ctx, number)
			if err != nil {
				t.Fatal(err)
			}
			return info.Account.Balance - info.Account.Held
		}

		if x := pay("approve", baas.CardTxnPurchase); x.Status != baas.CardTxnApproved || x.Reason != core.ReasonApproved {
			t.Fatalf("approved purchase: %+v", x)
		}
		if x := pay("approve", baas.CardTxnAuthorization); x.Status != baas.CardTxnApproved {
			t.Fatalf("approved authorization: %+v", x)
		}
		before := bal()
		if x := pay("decline", baas.CardTxnPurchase); x.Status != baas.CardTxnDeclined || x.Reason != core.ReasonWebhookDeclined ||
			x.Detail != "not today" {
			t.Fatalf("declined by the tenant: %+v", x)
		}
		start := time.Now()
		if x := pay("hang", baas.CardTxnPurchase); x.Status != baas.CardTxnDeclined || x.Reason != core.ReasonStandIn {
			t.Fatalf("timeout, stand-in decline: %+v", x)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("a hanging URL held the payment for %s (timeout 200ms)", el)
		}
		if got := bal(); got != before {
			t.Fatalf("declines moved money: %d, want %d", got, before)
		}
		approve := baas.StandInApprove
		if _, err := e.svc.UpdateAuthorizationSettings(ctx, core.AuthorizationSettingsPatch{TenantID: e.tenant, StandIn: &approve}); err != nil {
			t.Fatal(err)
		}
		if x := pay("hang", baas.CardTxnAuthorization); x.Status != baas.CardTxnApproved || x.Reason != core.ReasonApprovedStandIn {
			t.Fatalf("timeout, stand-in approve: %+v", x)
		}

		reqs := srv.requests(t)
		if len(reqs) != 5 {
			t.Fatalf("%d requests, want 5", len(reqs))
		}
		data, _ := reqs[0]["data"].(map[string]any)
		controls, _ := data["controls"].(map[string]any)
		if data["masked_pan"] != card.MaskedPAN || data["amount"] != float64(1_250) || data["currency"] != "USD" ||
			data["merchant_name"] != "BLUE BOTTLE CAFE" || data["merchant_country"] != "US" || data["mcc"] != "5814" ||
			data["entry_mode"] != "contactless" || data["type"] != "purchase" || controls["approved"] != true {
			t.Fatalf("request data: %v", data)
		}
		for _, r := range reqs {
			if d := r["data"].(map[string]any); strings.Contains(d["masked_pan"].(string), card.Last4) == false {
				t.Fatalf("masked number: %v", d)
			}
		}
		calls, err := e.svc.ListAuthorizationCalls(ctx, e.tenant, 0, 0)
		if err != nil || len(calls) != 5 {
			t.Fatalf("recorded calls: %d, %v", len(calls), err)
		}
		rep, err := e.svc.VerifyLedger(ctx)
		if err != nil || !rep.OK {
			t.Fatalf("ledger: %+v, %v", rep, err)
		}
	})
}
