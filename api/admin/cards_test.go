package admin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// newCard opens an account in the tenant and gives it a card of product.
func newCard(t *testing.T, e *servertest.Env, tenantID, handle, product string) *core.CardInfo {
	t.Helper()
	ctx := baas.WithTenant(context.Background(), tenantID)
	info, _, err := e.Core.CreateAccount(ctx, core.CreateAccountParams{Email: handle + "@example.com", Handle: handle})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := e.Core.CreateCard(ctx, core.CreateCardParams{AccountNumber: info.Account.Number, Product: product,
		NameForPrint: "ADA LOVELACE"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantAdminError(t *testing.T, r *servertest.Response, status int, code string) {
	t.Helper()
	e, _ := r.JSON["error"].(map[string]any)
	if r.Status != status || e["code"] != code {
		t.Fatalf("status %d, want %d %s: %s", r.Status, status, code, r.Raw)
	}
}

// TestAdminCards: lists filter and page, reads show masked numbers only, actions follow
// the state table, sandbox data only for sandbox tenants.
func TestAdminCards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		ten := e.Tenant.TenantID
		var ids []string
		for i := range 3 {
			ids = append(ids, newCard(t, e, ten, fmt.Sprintf("c%d", i), core.ProductGirasolPhysical).ID)
		}
		v := newCard(t, e, ten, "virtual", core.ProductGirasolVirtual)

		r := e.Admin(t, "GET", "/admin/api/cards?tenant_id="+ten+"&status=ordered&limit=2", nil)
		cards, _ := r.JSON["cards"].([]any)
		if r.Status != 200 || len(cards) != 2 || cards[0].(map[string]any)["card_id"] != ids[0] || r.JSON["next_after"] != ids[1] {
			t.Fatalf("first page: %d %s", r.Status, r.Raw)
		}
		r = e.Admin(t, "GET", "/admin/api/cards?tenant_id="+ten+"&status=ordered&limit=2&after="+ids[1], nil)
		cards, _ = r.JSON["cards"].([]any)
		if len(cards) != 1 || cards[0].(map[string]any)["card_id"] != ids[2] || r.JSON["next_after"] != nil {
			t.Fatalf("second page: %s", r.Raw)
		}
		r = e.Admin(t, "GET", "/admin/api/cards?status=active", nil)
		if cards, _ = r.JSON["cards"].([]any); len(cards) != 1 || cards[0].(map[string]any)["card_id"] != v.ID {
			t.Fatalf("active cards: %s", r.Raw)
		}
		wantAdminError(t, e.Admin(t, "GET", "/admin/api/cards?status=nope", nil), 400, "invalid")
		wantAdminError(t, e.Admin(t, "GET", "/admin/api/cards?limit=0", nil), 400, "invalid")

		// One card: masked number only.
		data, err := e.Core.SandboxCardData(context.Background(), ids[0])
		if err != nil {
			t.Fatal(err)
		}
		r = e.Admin(t, "GET", "/admin/api/cards/"+ids[0], nil)
		card, _ := r.JSON["card"].(map[string]any)
		if r.Status != 200 || card["status"] != "ordered" || card["masked_pan"] != data.PAN[:6]+"******"+data.PAN[12:] ||
			strings.Contains(string(r.Raw), data.PAN) || strings.Contains(string(r.Raw), `"cvv"`) {
			t.Fatalf("card: %s", r.Raw)
		}
		wantAdminError(t, e.Admin(t, "GET", "/admin/api/cards/0b7e6ad2-8d0e-4c4f-9d7e-3f1d2a9c0b11", nil), 404, "not_found")
		wantAdminError(t, e.Admin(t, "GET", "/admin/api/cards/nope", nil), 404, "not_found")

		// Actions follow the table: ship before accept is a 409 and changes nothing.
		wantAdminError(t, e.Admin(t, "POST", "/admin/api/cards/"+ids[0]+"/ship", nil), 409, "conflict")
		for _, a := range []string{"accept", "ship", "block"} {
			r = e.Admin(t, "POST", "/admin/api/cards/"+ids[0]+"/"+a, nil)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", a, r.Status, r.Raw)
			}
		}
		if r.JSON["card"].(map[string]any)["status"] != "blocked" {
			t.Fatalf("after block: %s", r.Raw)
		}
		wantAdminError(t, e.Admin(t, "POST", "/admin/api/cards/"+ids[0]+"/block", nil), 409, "conflict")
		// Each move is in the audit log, as the operator's, with the card as target.
		for _, a := range []string{baas.AuditCardAccepted, baas.AuditCardShipped, baas.AuditCardBlocked} {
			r := e.Admin(t, "GET", "/admin/api/audit?tenant_id="+ten+"&action="+a, nil)
			entries, _ := r.JSON["entries"].([]any)
			if len(entries) != 1 || entries[0].(map[string]any)["target_id"] != ids[0] ||
				entries[0].(map[string]any)["target_type"] != "card" || entries[0].(map[string]any)["actor"] != "operator" {
				t.Fatalf("audit of %s: %s", a, r.Raw)
			}
		}

		// Sandbox data: the embossed data of a sandbox card; 403 for a live tenant's.
		r = e.Admin(t, "GET", "/admin/api/cards/"+ids[1]+"/sandbox-data", nil)
		for _, k := range []string{"pan", "cvv", "exp_month", "exp_year", "name"} {
			if _, ok := r.JSON[k]; !ok || len(r.JSON) != 5 {
				t.Fatalf("sandbox-data: %s", r.Raw)
			}
		}
		r = e.Admin(t, "GET", "/admin/api/audit?tenant_id="+ten+"&action="+baas.AuditCardDataShown, nil)
		// Two reads: the test's own through the core (as the system) and this one.
		if entries, _ := r.JSON["entries"].([]any); len(entries) != 2 || entries[0].(map[string]any)["actor"] != "operator" ||
			strings.Contains(string(r.Raw), data.PAN) {
			t.Fatalf("audit of sandbox-data: %s", r.Raw)
		}
		live, err := e.Core.CreateTenant(context.Background(), core.CreateTenantParams{Name: "live"})
		if err != nil {
			t.Fatal(err)
		}
		r = e.Admin(t, "PUT", "/admin/api/tenants/"+live.TenantID+"/card-products/girasol-virtual",
			map[string]any{"bin_range": "45000000-45000099", "expiry_years": 5})
		if r.Status != 200 || r.JSON["bin_range"] != "45000000-45000099:16" || r.JSON["expiry_years"] != float64(5) {
			t.Fatalf("card-products PUT: %d %s", r.Status, r.Raw)
		}
		lc := newCard(t, e, live.TenantID, "live", core.ProductGirasolVirtual)
		wantAdminError(t, e.Admin(t, "GET", "/admin/api/cards/"+lc.ID+"/sandbox-data", nil), 403, "forbidden")
		wantAdminError(t, e.Admin(t, "PUT", "/admin/api/tenants/"+live.TenantID+"/card-settings", map[string]any{"auto_ship": true}),
			403, "forbidden")
	})
}

// TestAdminCardSettings: product settings, auto-ship and the card data key, with their
// bad inputs refused and changing nothing.
func TestAdminCardSettings(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	base := "/admin/api/tenants/" + e.Tenant.TenantID
	r := e.Admin(t, "GET", base+"/card-products/girasol-physical", nil)
	if r.Status != 200 || r.JSON["default"] != true || r.JSON["bin_range"] != "411111:16" || r.JSON["expiry_years"] != float64(4) {
		t.Fatalf("defaults: %s", r.Raw)
	}
	for _, bad := range []map[string]any{
		{"bin_range": "0411111", "expiry_years": 3}, {"bin_range": "411111", "expiry_years": 0},
		{"bin_range": "411111:25", "expiry_years": 3}, {"bin_range": "411111", "expiry_years": 3, "extra": 1},
	} {
		wantAdminError(t, e.Admin(t, "PUT", base+"/card-products/girasol-physical", bad), 400, "invalid")
	}
	wantAdminError(t, e.Admin(t, "PUT", base+"/card-products/nope", map[string]any{"bin_range": "411111", "expiry_years": 3}),
		404, "not_found")
	if r := e.Admin(t, "GET", base+"/card-products/girasol-physical", nil); r.JSON["default"] != true {
		t.Fatalf("after bad input: %s", r.Raw)
	}

	r = e.Admin(t, "PUT", base+"/card-settings", map[string]any{"auto_ship": true})
	if r.Status != 200 || r.JSON["auto_ship"] != true {
		t.Fatalf("auto-ship: %s", r.Raw)
	}
	c := newCard(t, e, e.Tenant.TenantID, "shipped", core.ProductGirasolPhysical)
	if c.Status != baas.CardShipped {
		t.Fatalf("auto-shipped card %+v", c)
	}

	wantAdminError(t, e.Admin(t, "GET", base+"/card-data-key", nil), 404, "not_found")
	for _, bad := range []map[string]any{
		{"kid": "k", "public_key": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----"},
		{"kid": "k", "public_key": `{"kty":"oct","k":"AAAA"}`}, {"kid": "", "public_key": "x"}, {"kid": "k"},
	} {
		wantAdminError(t, e.Admin(t, "PUT", base+"/card-data-key", bad), 400, "invalid")
	}
	wantAdminError(t, e.Admin(t, "GET", base+"/card-data-key", nil), 404, "not_found")
	wantAdminError(t, e.Admin(t, "PUT", "/admin/api/tenants/nope/card-data-key", map[string]any{"kid": "k",
		"public_key": `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`}),
		404, "not_found")
	r = e.Admin(t, "PUT", base+"/card-data-key", map[string]any{"kid": "k1",
		"public_key": `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`})
	if r.Status != 200 || r.JSON["kid"] != "k1" {
		t.Fatalf("card-data-key: %d %s", r.Status, r.Raw)
	}
	if r := e.Admin(t, "GET", base+"/card-settings", nil); r.JSON["card_data_kid"] != "k1" || r.JSON["auto_ship"] != true {
		t.Fatalf("card-settings: %s", r.Raw)
	}
	for _, a := range []string{baas.AuditCardSettingsChanged, baas.AuditCardDataKeySet} {
		r := e.Admin(t, "GET", "/admin/api/audit?tenant_id="+e.Tenant.TenantID+"&action="+a, nil)
		if entries, _ := r.JSON["entries"].([]any); len(entries) != 1 {
			t.Fatalf("audit of %s: %s", a, r.Raw)
		}
	}
	// The bad product settings left no audit entry; none was set.
	r = e.Admin(t, "GET", "/admin/api/audit?tenant_id="+e.Tenant.TenantID+"&action="+baas.AuditCardProductChanged, nil)
	if entries, _ := r.JSON["entries"].([]any); len(entries) != 0 {
		t.Fatalf("audit of refused product settings: %s", r.Raw)
	}
}
