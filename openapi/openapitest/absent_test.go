package openapitest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/admin"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/openapi/openapitest"
)

// TestSparseAnswersMatch: the answers the server gives in the states that leave a field
// out (an omitempty field empty, a map key not set) or make it null or fractional match
// the documents. The end-to-end traffic reaches these states only by chance of order and
// data, so each is built here from the views the handlers serialise.
func TestSparseAnswersMatch(t *testing.T) {
	now := time.Date(2026, 12, 6, 22, 27, 57, 336e6, time.UTC)
	marshal := func(v any) []byte {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// GET /admin/api/tenants/{id} adds master_account only when the tenant has one in the
	// master currency (admin.go getTenant).
	var tenants struct {
		Tenants []json.RawMessage `json:"tenants"`
	}
	if err := json.Unmarshal(marshal(admin.TenantsPage([]*baas.Tenant{{ID: "t1", Name: "n", CompanyID: "c", WhitelabelID: "w",
		CreatedAt: now}}, 0)), &tenants); err != nil {
		t.Fatal(err)
	}
	tenantOnly := marshal(map[string]any{"tenant": tenants.Tenants[0]})

	// An audit entry of the CLI on no tenant (no request_id, no tenant_id), and endpoint
	// creations with and without event types (event_types null or a list).
	audit := admin.AuditPage([]*baas.AuditEntry{
		{ID: 3, Actor: "cli", Source: "cli", Action: "webhook.endpoint_created", TargetType: "tenant", TargetID: "t1",
			Details: json.RawMessage(`{"url":"https://example.com/","event_types":["card.*"],"format":"envelope"}`), CreatedAt: now},
		{ID: 2, Actor: "cli", Source: "cli", Action: "webhook.endpoint_created", TargetType: "tenant", TargetID: "t1",
			Details: json.RawMessage(`{"url":"https://example.com/","event_types":null,"format":"envelope"}`), CreatedAt: now},
		{ID: 1, Actor: "cli", Source: "cli", Action: "keys.rotated", TargetType: "store", TargetID: "store",
			Details: json.RawMessage(`{}`), CreatedAt: now},
	}, 100)

	// A pending KYC document: no reviewed_at, no auto_verify_at, no reason.
	pending := admin.KYCDocument(&baas.KYCDocument{ID: 1, TenantID: "t1", CustomerID: "c1", Type: 1, Status: baas.KYCPending,
		CreatedAt: now})

	// A card without a variant.
	cards := admin.CardsPage([]*core.CardInfo{{ID: "card1", TenantID: "t1", CustomerID: "c1", AccountID: 1,
		Product: "p", FormFactor: "virtual", Status: "active", MaskedPAN: "411111******1111", Last4: "1111",
		ExpMonth: 1, ExpYear: 2030, CreatedAt: now, UpdatedAt: now}}, 100)

	// A declined authorization: no transfer, no original, no detail, no expiry.
	declined := core.CardTxnView(&baas.CardTransaction{ID: "x1", TenantID: "t1", CardID: "card1", Type: "authorization",
		Status: baas.CardTxnDeclined, Reason: "insufficient_funds", Amount: 100, Currency: "USD", CreatedAt: now,
		UpdatedAt: now})

	// Authorization settings read back (the signing secret is shown once, on first set).
	settings := core.AuthorizationSettingsView{TenantID: "t1", URL: "", TimeoutMS: 2000, StandIn: "decline"}

	// A recorded authorization call: its latency in milliseconds has a fraction.
	calls := map[string]any{"calls": []map[string]any{{"id": 1, "request_id": "", "reference": "r", "approved": true,
		"stand_in": false, "reason": "", "status_code": 200, "latency_ms": 12.345, "created_at": "2026-12-06T22:27:57.336Z"}}}

	// A ledger that breaks an invariant answers its report with 409.
	broken := core.LedgerReport{OK: false, Totals: []baas.CurrencyTotal{{Currency: "USD", Total: 5}},
		Violations: []ledger.Violation{{Kind: "currency_total", Message: "balances in USD sum to 5, not 0"}}}

	// A crypto deposit's event: its amount is the coins, a decimal string (core/crypto.go).
	events := map[string]any{"events": []map[string]any{{"event_id": 1, "webhook_id": "evt_1", "type": "crypto.deposit",
		"object_id": "w1", "created_at": "2026-12-06T22:27:57.336Z", "data": map[string]any{"wallet_id": "w1",
			"customer_id": "c1", "customer_ref": "u1", "coin": "BTC", "network": "BTC", "address": "bc1q",
			"amount": "0.015", "network_fee": "0.0001", "eur_price": "60000", "credited": 89400, "currency": "EUR",
			"transfer_id": 7, "account_number": 0, "balance": 89400}}}}

	cases := []struct {
		name   string
		path   string
		status int
		body   []byte
	}{
		{"tenant without master account", "/admin/api/tenants/t1", 200, tenantOnly},
		{"audit entries", "/admin/api/audit", 200, marshal(audit)},
		{"pending KYC document", "/admin/api/kyc/documents/1", 200, marshal(pending)},
		{"card without variant", "/admin/api/cards", 200, marshal(cards)},
		{"declined card transaction", "/admin/api/cards/card1/transactions", 200,
			marshal(map[string]any{"transactions": []*core.CardTxnInfo{declined}})},
		{"authorization settings", "/admin/api/tenants/t1/authorization", 200, marshal(settings)},
		{"authorization calls", "/admin/api/tenants/t1/authorization/calls", 200, marshal(calls)},
		{"crypto deposit event", "/admin/api/tenants/t1/events", 200, marshal(events)},
		{"broken ledger", "/admin/api/ledger/verify", 409, marshal(broken)},
	}
	c := &openapitest.Checker{}
	h := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range cases {
		req := httptest.NewRequest("GET", tc.path, nil)
		req.Header.Set("Authorization", "Bearer t")
		if err := c.Check(req, nil, tc.status, h, tc.body); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
