package admin_test

import (
	"context"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestSandboxCardNetwork drives the sandbox card network over HTTP: purchases and
// authorizations with defaults, captures, reversals and refunds by original id or by
// default, declines with their reason, the card's list with its states; bad input,
// unknown cards and live tenants are refused and move nothing.
func TestSandboxCardNetwork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		ten := e.Tenant.TenantID
		ctx := baas.WithTenant(context.Background(), ten)
		c := newCard(t, e, ten, "net", core.ProductGirasolVirtual)
		if _, _, err := e.Core.CashIn(ctx, core.CashInParams{AccountNumber: accountNumber(t, e, c), Amount: 50_000}); err != nil {
			t.Fatal(err)
		}
		path := "/admin/api/sandbox/cards/" + c.ID + "/transactions"
		send := func(body map[string]any) map[string]any {
			t.Helper()
			r := e.Admin(t, "POST", path, body)
			if r.Status != 201 {
				t.Fatalf("%v: %d %s", body, r.Status, r.Raw)
			}
			return r.JSON
		}

		// The body in full.
		p := send(map[string]any{"type": "purchase", "amount": 1234, "currency": "USD", "merchant_name": "CORNER GROCERY",
			"merchant_city": "AUSTIN", "merchant_country": "US", "mcc": "5411", "entry_mode": "chip"})
		if p["status"] != "approved" || p["decline_reason"] != "" || p["amount"] != float64(1234) || p["currency"] != "USD" ||
			p["state"] != "captured" || p["transaction_id"] == "" {
			t.Fatalf("purchase: %v", p)
		}
		// Only the type: realistic defaults.
		a := send(map[string]any{"type": "authorization"})
		if a["status"] != "approved" || a["amount"].(float64) < 100 || a["merchant_name"] == "" || len(a["mcc"].(string)) != 4 ||
			a["entry_mode"] == "" || a["merchant_country"] == "" || a["state"] != "pending" {
			t.Fatalf("authorization with defaults: %v", a)
		}
		authorized := int64(a["amount"].(float64))
		cp := send(map[string]any{"type": "capture", "amount": 50, "original_transaction_id": a["transaction_id"]})
		if cp["status"] != "approved" || cp["original_transaction_id"] != a["transaction_id"] || cp["amount"] != float64(50) {
			t.Fatalf("capture: %v", cp)
		}
		wantAdminError(t, e.Admin(t, "POST", path, map[string]any{"type": "capture", "amount": authorized,
			"original_transaction_id": a["transaction_id"]}), 409, "conflict")
		rv := send(map[string]any{"type": "reversal"}) // the latest open authorization
		if rv["amount"] != float64(authorized-50) {
			t.Fatalf("reversal: %v", rv)
		}
		rf := send(map[string]any{"type": "refund", "amount": 34, "original_transaction_id": p["transaction_id"]})
		if rf["amount"] != float64(34) {
			t.Fatalf("refund: %v", rf)
		}
		wantAdminError(t, e.Admin(t, "POST", path, map[string]any{"type": "refund", "amount": 1201,
			"original_transaction_id": p["transaction_id"]}), 409, "conflict")
		d := send(map[string]any{"type": "purchase", "amount": 10_000_000})
		if d["status"] != "declined" || d["decline_reason"] != "insufficient_funds" || d["state"] != "declined" {
			t.Fatalf("declined: %v", d)
		}

		// The card's transactions, newest first, with their states.
		r := e.Admin(t, "GET", "/admin/api/cards/"+c.ID+"/transactions", nil)
		list, _ := r.JSON["transactions"].([]any)
		if r.Status != 200 || len(list) != 6 || list[0].(map[string]any)["transaction_id"] != d["transaction_id"] {
			t.Fatalf("list: %s", r.Raw)
		}
		states := map[string]string{}
		for _, x := range list {
			m := x.(map[string]any)
			states[m["transaction_id"].(string)] = m["state"].(string)
		}
		if states[p["transaction_id"].(string)] != "partially_refunded" || states[a["transaction_id"].(string)] != "captured" {
			t.Fatalf("states: %v", states)
		}
		r = e.Admin(t, "GET", "/admin/api/cards/"+c.ID+"/transactions?limit=2", nil)
		if list, _ = r.JSON["transactions"].([]any); len(list) != 2 || r.JSON["next_before"] == nil {
			t.Fatalf("page: %s", r.Raw)
		}
		r = e.Admin(t, "GET", "/admin/api/cards/"+c.ID+"/transactions?limit=2&before="+r.JSON["next_before"].(string), nil)
		if list, _ = r.JSON["transactions"].([]any); len(list) != 2 {
			t.Fatalf("second page: %s", r.Raw)
		}

		// Bad input changes nothing.
		before := balanceOf(t, e, c)
		for _, body := range []any{
			map[string]any{},
			map[string]any{"type": "teleport"},
			map[string]any{"type": "purchase", "amount": -5},
			map[string]any{"type": "purchase", "amount": "12.34"},
			map[string]any{"type": "purchase", "amount": 12.5},
			map[string]any{"type": "purchase", "mcc": "54111"},
			map[string]any{"type": "purchase", "entry_mode": "telepathy"},
			map[string]any{"type": "purchase", "merchant_country": "USA"},
			map[string]any{"type": "purchase", "currency": "DOLLARS"},
			map[string]any{"type": "purchase", "surprise": true},
			map[string]any{"type": "capture", "amount": -1},
			`{"type":`,
		} {
			wantAdminError(t, e.Admin(t, "POST", path, body), 400, "invalid")
		}
		wantAdminError(t, e.Admin(t, "POST", path, map[string]any{"type": "capture",
			"original_transaction_id": "0b7e6ad2-8d0e-4c4f-9d7e-3f1d2a9c0b11"}), 404, "not_found")
		wantAdminError(t, e.Admin(t, "POST", path, map[string]any{"type": "reversal", "original_transaction_id": "nope"}), 404, "not_found")
		wantAdminError(t, e.Admin(t, "POST", path, map[string]any{"type": "capture"}), 409, "conflict") // nothing open
		wantAdminError(t, e.Admin(t, "POST", "/admin/api/sandbox/cards/0b7e6ad2-8d0e-4c4f-9d7e-3f1d2a9c0b11/transactions",
			map[string]any{"type": "purchase"}), 404, "not_found")
		wantAdminError(t, e.Admin(t, "GET", "/admin/api/cards/0b7e6ad2-8d0e-4c4f-9d7e-3f1d2a9c0b11/transactions", nil), 404, "not_found")
		// Another card's original is no original of this card.
		c2 := newCard(t, e, ten, "net2", core.ProductGirasolVirtual)
		wantAdminError(t, e.Admin(t, "POST", "/admin/api/sandbox/cards/"+c2.ID+"/transactions", map[string]any{"type": "refund",
			"original_transaction_id": p["transaction_id"]}), 404, "not_found")
		if got := balanceOf(t, e, c); got != before {
			t.Fatalf("balance %d after refusals, want %d", got, before)
		}

		// Live tenants: 403.
		live, err := e.Core.CreateTenant(context.Background(), core.CreateTenantParams{Name: "live", Sandbox: false})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Core.PutCardProduct(context.Background(), live.TenantID, core.ProductGirasolVirtual, "424242-424243:16", 3); err != nil {
			t.Fatal(err)
		}
		lc := newCard(t, e, live.TenantID, "live", core.ProductGirasolVirtual)
		wantAdminError(t, e.Admin(t, "POST", "/admin/api/sandbox/cards/"+lc.ID+"/transactions",
			map[string]any{"type": "purchase"}), 403, "forbidden")

		rep, err := e.Core.VerifyLedger(context.Background())
		if err != nil || !rep.OK {
			t.Fatalf("ledger: %+v, %v", rep, err)
		}
	})
}

func accountNumber(t *testing.T, e *servertest.Env, c *core.CardInfo) int64 {
	t.Helper()
	accts, err := e.Core.ListAccounts(context.Background(), baas.AccountListFilter{TenantID: c.TenantID, Kind: baas.AccountCustomer})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if a.ID == c.AccountID {
			return a.Number
		}
	}
	t.Fatalf("no account %d", c.AccountID)
	return 0
}

func balanceOf(t *testing.T, e *servertest.Env, c *core.CardInfo) int64 {
	t.Helper()
	ctx := baas.WithTenant(context.Background(), c.TenantID)
	info, err := e.Core.GetAccountInfo(ctx, accountNumber(t, e, c))
	if err != nil {
		t.Fatal(err)
	}
	return info.Account.Balance
}
