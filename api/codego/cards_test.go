package codego_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/codego"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// specCardBodies are the card examples' --data-raw bodies, verbatim. Tests send them with
// the whitelabel's keys and their own user_id, card_id and card data in place of the
// example's.
var specCardBodies = map[string]string{
	"debitcard_card_order":      `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","type":"order","card_type":"plastic","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4="}`,
	"debitcard_activate":        `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","card_number":"4341333167816100","cvv":"152","mm":"05","yy":"2026"}`,
	"debitcard_details":         `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0="}`,
	"debitcard_settings":        `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","card_id":"oNzaKMw4oIiup0jjUYZZXtFr47Y=","setting_name":"card_lock","setting_value":"1"}`,
	"prepaid_card_order":        `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","type":"order","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4="}`,
	"prepaid_card_activate":     `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","card_number":"4341333167816100","cvv":"152","mm":"05","yy":"2026"}`,
	"prepaid_card_details":      `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0="}`,
	"prepaid_card_settings":     `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","card_id":"oNzaKMw4oIiup0jjUYZZXtFr47Y=","setting_name":"card_lock","setting_value":"1"}`,
	"prepaid_load_balance_card": `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","card_id":"p9zdJtwo49\/4rxuxFMVDAc9\/rrA=","amount":10}`,
	"reset_card_pin":            `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","card_id":"oNzaKMw4oIiup0jjUYZZXtFr47Y="}`,
	"replace_stolen_card":       `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","card_id":"oNzaKMw4oIiup0jjUYZZXtFr47Y="}`,
}

// spec sends the example body of an API with the client's keys, and the given fields in
// place of the example's (the body's other fields and their JSON types are kept).
func spec(t *testing.T, c *servertest.Codego, name string, fields map[string]any) *servertest.Response {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal([]byte(specCardBodies[name]), &body); err != nil {
		t.Fatal(err)
	}
	body["apikey"], body["whitelabel_id"] = c.Keys.APIKey, c.Keys.WhitelabelID
	for k, v := range fields {
		if _, ok := body[k]; !ok {
			t.Fatalf("%s: the example has no %s", name, k)
		}
		body[k] = v
	}
	return c.Raw(t, name, body, "application/json")
}

// verifiedCustomer signs a customer up and has both KYC documents verified by the
// operator.
func verifiedCustomer(t *testing.T, e *servertest.Env, c *servertest.Codego, email string) string {
	t.Helper()
	uid := signup(t, c, email)
	wantOK(t, c.Form(t, "upload_id_proof", map[string]string{"user_id": uid, "document_number": "P1"},
		map[string][]byte{"front_proof": testImage(t, "png")}), "1")
	wantOK(t, c.Form(t, "address_proof", map[string]string{"user_id": uid},
		map[string][]byte{"address_proof": testImage(t, "png")}), float64(1))
	r := adminOK(t, e, "GET", "/admin/api/kyc/documents?limit=500&tenant_id="+e.Tenant.TenantID+"&user_id="+url.QueryEscape(uid), nil)
	for _, d := range r.JSON["documents"].([]any) {
		doc := d.(map[string]any)
		if doc["user_id"] != uid {
			continue
		}
		if r := e.Admin(t, "POST", fmt.Sprintf("/admin/api/kyc/documents/%v/verify", doc["id"]), nil); r.Status != 200 {
			t.Fatalf("verify: %d %s", r.Status, r.Raw)
		}
	}
	return uid
}

// cardDetails returns the card_details of a type, newest first, checking the documented
// fields are strings.
func cardDetails(t *testing.T, c *servertest.Codego, typ, uid string) []map[string]any {
	t.Helper()
	name := "debitcard_details"
	if typ == "prepaid" {
		name = "prepaid_card_details"
	}
	r := spec(t, c, name, map[string]any{"user_id": uid})
	wantOK(t, r, float64(1))
	var out []map[string]any
	for _, x := range r.JSON["card_details"].([]any) {
		m := allStrings(t, name, x)
		for _, k := range []string{"card_id", "card_number", "expiry_date", "card_status", "DailyLoadLimit",
			"DailyLoadFrequencyLimit", "card_lock", "balance", "card_image"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("%s lacks %s: %s", name, k, r.Raw)
			}
		}
		if !maskedRe.MatchString(m["card_number"].(string)) {
			t.Fatalf("card_number %q is not masked", m["card_number"])
		}
		out = append(out, m)
	}
	return out
}

var (
	maskedRe = regexp.MustCompile(`^xxxx xxxx xxxx [0-9]{4}$`)
	pinRe    = regexp.MustCompile(`^[1-9][0-9]{3}$`)
)

// sandboxData reads what is printed on a card (the operator's sandbox view).
func sandboxData(t *testing.T, e *servertest.Env, cardID string) (pan, cvv string, month, year int) {
	t.Helper()
	r := e.Admin(t, "GET", "/admin/api/cards/"+cardID+"/sandbox-data", nil)
	if r.Status != 200 {
		t.Fatalf("sandbox-data: %d %s", r.Status, r.Raw)
	}
	d := r.JSON
	if inner, ok := d["card"].(map[string]any); ok {
		d = inner
	}
	return d["pan"].(string), d["cvv"].(string), int(d["exp_month"].(float64)), int(d["exp_year"].(float64))
}

// adminOK sends an operator request and wants a 2xx.
func adminOK(t *testing.T, e *servertest.Env, method, path string, body any) *servertest.Response {
	t.Helper()
	r := e.Admin(t, method, path, body)
	if r.Status/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Raw)
	}
	return r
}

// balances returns the tenant's account balances by kind and currency, and checks the
// ledger adds up: every currency's balances sum to zero (the funding account is the
// outside world) and the operator's verification passes.
func balances(t *testing.T, e *servertest.Env, tenantID string) map[string]int64 {
	t.Helper()
	r := adminOK(t, e, "GET", "/admin/api/tenants/"+tenantID+"/accounts?limit=1000", nil)
	out := map[string]int64{}
	sum := map[string]int64{}
	for _, x := range r.JSON["accounts"].([]any) {
		a := x.(map[string]any)
		cur, _ := a["currency"].(string)
		bal := int64(a["balance"].(float64))
		out[a["kind"].(string)+"/"+cur] += bal
		sum[cur] += bal
	}
	for cur, s := range sum {
		if s != 0 {
			t.Fatalf("the %s accounts sum to %d: %v", cur, s, out)
		}
	}
	if r := adminOK(t, e, "GET", "/admin/api/ledger/verify", nil); fmt.Sprint(r.JSON["ok"]) == "false" {
		t.Fatalf("ledger verify: %s", r.Raw)
	}
	return out
}

// TestCodegoCardLifecycle drives a debit and a prepaid card from order to replacement
// with the spec's bodies, the operator's accept and ship, incoming money, loads with the
// Load Card webhook, and a ledger that adds up at the end.
func TestCodegoCardLifecycle(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			clock := servertest.NewClock(t0)
			// The float starts empty: the test funds it.
			e := servertest.StartWith(t, engine, servertest.Options{Now: clock.Now,
				Config: func(c *core.Config) { c.SandboxMasterBalance = 0 }})
			c := e.CodegoLogin(t, e.Tenant)
			tenantID := e.Tenant.TenantID

			// Without verified KYC nothing is ordered.
			pending := signup(t, c, "pending@example.com")
			wantCode(t, spec(t, c, "debitcard_card_order", map[string]any{"user_id": pending}), 0, "KYC")
			wantCode(t, spec(t, c, "prepaid_card_order", map[string]any{"user_id": pending}), 0, "KYC")

			uid := verifiedCustomer(t, e, c, "holder@example.com")
			remaining := func(typ string) string {
				r := c.Post(t, "check_remaining_card", map[string]any{"user_id": uid, "type": typ})
				wantOK(t, r, float64(1))
				return r.JSON["remaining_card"].(string)
			}
			wantCode(t, spec(t, c, "debitcard_card_order", map[string]any{"user_id": uid, "card_type": "wood"}), 400,
				"card_type must be plastic or metal")
			r := spec(t, c, "debitcard_card_order", map[string]any{"user_id": escaped(uid), "card_type": "metal"})
			wantOK(t, r, float64(1))
			if r.JSON["message"] != "Your order request has submitted successfully." {
				t.Fatalf("debitcard_card_order: %s", r.Raw)
			}
			if remaining("debitcard") != "0" || remaining("prepaid") != "1" {
				t.Fatal("the allowance did not go down")
			}
			wantCode(t, spec(t, c, "debitcard_card_order", map[string]any{"user_id": uid}), 0, "No card remaining")

			debit := cardDetails(t, c, "debitcard", uid)
			if len(debit) != 1 || debit[0]["card_status"] != "Already Order" || debit[0]["card_lock"] != "Unlock" ||
				debit[0]["card_type"] != "metal" || debit[0]["balance"] != "0.00" {
				t.Fatalf("debit details: %v", debit)
			}
			debitID := debit[0]["card_id"].(string)

			// The operator accepts; shipping charges 10 EUR (India), which the holder
			// cannot pay until money comes in.
			adminOK(t, e, "POST", "/admin/api/cards/"+debitID+"/accept", nil)
			if d := cardDetails(t, c, "debitcard", uid); d[0]["card_status"] != "Order Accepted" {
				t.Fatalf("after accept: %v", d)
			}
			if r := e.Admin(t, "POST", "/admin/api/cards/"+debitID+"/ship", nil); r.Status/100 == 2 {
				t.Fatalf("shipped without the shipping cost: %s", r.Raw)
			}
			if r := e.Admin(t, "POST", "/admin/api/sandbox/incoming-transfers", map[string]any{"tenant_id": tenantID,
				"user_id": uid, "amount": 0, "currency": "EUR", "reference": "zero"}); r.Status != 400 {
				t.Fatalf("a zero incoming transfer: %d %s", r.Status, r.Raw)
			}
			r = adminOK(t, e, "POST", "/admin/api/sandbox/incoming-transfers", map[string]any{"tenant_id": tenantID,
				"user_id": uid, "amount": 5000, "currency": "EUR", "reference": "salary"})
			if r.JSON["balance"] != float64(5000) {
				t.Fatalf("incoming transfer: %s", r.Raw)
			}
			adminOK(t, e, "POST", "/admin/api/cards/"+debitID+"/ship", nil)
			if d := cardDetails(t, c, "debitcard", uid); d[0]["card_status"] != "Shipped" || d[0]["balance"] != "40.00" {
				t.Fatalf("after ship: %v", d)
			}

			// Activation: the example's card (someone else's number) and a wrong CVV are
			// refused and counted; the printed data with a four-digit year activate.
			pan, cvv, month, year := sandboxData(t, e, debitID)
			wantCode(t, spec(t, c, "debitcard_activate", map[string]any{"user_id": uid}), 0, "Invalid card details")
			for field, bad := range map[string]any{"mm": "13", "yy": "123", "card_number": "4341-3331", "cvv": "1a2"} {
				wantCode(t, spec(t, c, "debitcard_activate", map[string]any{"user_id": uid, field: bad}), 400, field)
			}
			wrongCVV := fmt.Sprintf("%03d", (atoi(t, cvv)+1)%1000)
			wantCode(t, spec(t, c, "debitcard_activate", map[string]any{"user_id": uid, "card_number": pan, "cvv": wrongCVV,
				"mm": fmt.Sprintf("%02d", month), "yy": strconv.Itoa(year)}), 0, "Invalid card details")
			r = adminOK(t, e, "GET", "/admin/api/cards/"+debitID, nil)
			if r.JSON["card"].(map[string]any)["activation_failures"] != float64(2) {
				t.Fatalf("failures not counted: %s", r.Raw)
			}
			r = spec(t, c, "debitcard_activate", map[string]any{"user_id": uid, "card_number": pan, "cvv": cvv,
				"mm": fmt.Sprintf("%02d", month), "yy": strconv.Itoa(year)})
			wantOK(t, r, float64(1))
			if pin, _ := r.JSON["card_pin"].(string); !pinRe.MatchString(pin) ||
				r.JSON["message"] != "Your debit card has been successfully activated. " {
				t.Fatalf("debitcard_activate: %s", r.Raw)
			}
			if d := cardDetails(t, c, "debitcard", uid); d[0]["card_status"] != "Active" {
				t.Fatalf("after activation: %v", d)
			}

			// Lock and unlock.
			wantCode(t, spec(t, c, "debitcard_settings", map[string]any{"user_id": uid, "card_id": debitID,
				"setting_value": "2"}), 400, "setting_value must be 0 or 1")
			r = spec(t, c, "debitcard_settings", map[string]any{"user_id": uid, "card_id": debitID, "setting_value": "0"})
			wantOK(t, r, float64(1))
			if r.JSON["message"] != "Successfully updated" {
				t.Fatalf("settings: %s", r.Raw)
			}
			if d := cardDetails(t, c, "debitcard", uid); d[0]["card_lock"] != "Lock" {
				t.Fatalf("after lock: %v", d)
			}
			wantOK(t, spec(t, c, "debitcard_settings", map[string]any{"user_id": uid, "card_id": debitID}), float64(1))
			if d := cardDetails(t, c, "debitcard", uid); d[0]["card_lock"] != "Unlock" || d[0]["card_status"] != "Active" {
				t.Fatalf("after unlock: %v", d)
			}

			// PIN reset: a number, as the example shows.
			r = spec(t, c, "reset_card_pin", map[string]any{"user_id": uid, "card_id": debitID})
			wantOK(t, r, float64(1))
			if n, ok := r.JSON["card_pin"].(float64); !ok || n < 1000 || n > 9999 || r.JSON["message"] != "Card pin reset successfully" {
				t.Fatalf("reset_card_pin: %s", r.Raw)
			}

			// Another customer's card, a card of another whitelabel, an unknown card: 404.
			other := verifiedCustomer(t, e, c, "other@example.com")
			wantCode(t, spec(t, c, "debitcard_settings", map[string]any{"user_id": other, "card_id": debitID,
				"setting_value": "0"}), 404, "card not found")
			wantCode(t, spec(t, c, "reset_card_pin", map[string]any{"user_id": other, "card_id": debitID}), 404, "card not found")
			wantCode(t, spec(t, c, "reset_card_pin", map[string]any{"user_id": uid}), 404, "card not found")

			// The prepaid card: its own account, loaded from the EUR float.
			wantOK(t, spec(t, c, "prepaid_card_order", map[string]any{"user_id": uid}), float64(1))
			prepaidID := cardDetails(t, c, "prepaid", uid)[0]["card_id"].(string)
			adminOK(t, e, "POST", "/admin/api/cards/"+prepaidID+"/accept", nil)
			adminOK(t, e, "POST", "/admin/api/cards/"+prepaidID+"/ship", nil)
			wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID}), 0,
				"cannot be loaded")
			pan, cvv, month, year = sandboxData(t, e, prepaidID)
			r = spec(t, c, "prepaid_card_activate", map[string]any{"user_id": uid, "card_number": pan, "cvv": cvv,
				"mm": strconv.Itoa(month), "yy": fmt.Sprintf("%02d", year%100)})
			wantOK(t, r, float64(1))
			if r.JSON["message"] != "Your prepaid card has been successfully activated." {
				t.Fatalf("prepaid_card_activate: %s", r.Raw)
			}
			before := balances(t, e, tenantID)
			wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID}), 0,
				"float")
			adminOK(t, e, "POST", "/admin/api/tenants/"+tenantID+"/fund", map[string]any{"amount": 100000, "currency": "EUR"})
			for _, bad := range []any{0, -5, "ten", 10.555, true} {
				wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID,
					"amount": bad}), 400, "amount")
			}
			r = spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID})
			wantOK(t, r, "1")
			loadID, _ := r.JSON["id"].(string)
			if _, err := strconv.Atoi(loadID); err != nil ||
				r.JSON["message"] != "Load card request accepted. Final status updates you via webhook." {
				t.Fatalf("prepaid_load_balance_card: %s", r.Raw)
			}
			if d := cardDetails(t, c, "prepaid", uid); d[0]["balance"] != "10.00" || d[0]["DailyLoadLimit"] != "5000.00" ||
				d[0]["DailyLoadFrequencyLimit"] != "10.00" {
				t.Fatalf("prepaid after load: %v", d)
			}

			// The tenant's limits: 20.00 and 2 loads a day.
			adminOK(t, e, "PUT", "/admin/api/tenants/"+tenantID+"/card-load-limits",
				map[string]any{"daily_load_limit": 2000, "daily_load_frequency_limit": 2})
			wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID,
				"amount": "10.01"}), 0, "DailyLoadLimit")
			wantOK(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID,
				"amount": "5.5"}), "1")
			wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID,
				"amount": 1}), 0, "DailyLoadFrequencyLimit")
			clock.Add(24 * time.Hour)
			c = e.CodegoLogin(t, e.Tenant) // the token expired
			// A locked card takes no load.
			wantOK(t, spec(t, c, "prepaid_card_settings", map[string]any{"user_id": uid, "card_id": prepaidID,
				"setting_value": "0"}), float64(1))
			wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID}), 0,
				"cannot be loaded")
			wantOK(t, spec(t, c, "prepaid_card_settings", map[string]any{"user_id": uid, "card_id": prepaidID,
				"setting_value": 1}), float64(1))
			// The debit card is not a prepaid card.
			wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": debitID}), 404,
				"card not found")
			wantCode(t, spec(t, c, "prepaid_card_settings", map[string]any{"user_id": uid, "card_id": debitID}), 404,
				"card not found")

			// The ledger: the float paid 15.50 into the card's account; the customer paid
			// two shipping costs.
			after := balances(t, e, tenantID)
			if got := after["prepaid/EUR"] - before["prepaid/EUR"]; got != 1550 {
				t.Fatalf("card account moved %d: %v", got, after)
			}
			if after["master/EUR"] != 100000-1550 || after["customer/EUR"] != 5000-2000 || after["fees/EUR"] != 2000 {
				t.Fatalf("balances: %v", after)
			}

			// The Load Card webhook: one per settled load, with its final status.
			evs, err := e.Store.Read().ListEvents(context.Background(), baas.EventFilter{TenantID: tenantID, Type: "card.load.completed"})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 2 {
				t.Fatalf("%d load events", len(evs))
			}
			var hook map[string]any
			var body []byte
			for _, ev := range evs {
				if body, err = codego.RenderEvent(ev); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(body, &hook); err != nil {
					t.Fatal(err)
				}
				if hook["id"] == loadID {
					break
				}
			}
			if hook["event"] != "load_card" || hook["id"] != loadID || hook["user_id"] != uid || hook["card_id"] != prepaidID ||
				hook["amount"] != "10.00" || hook["currency"] != "EUR" || hook["load_status"] != "Success" ||
				!maskedRe.MatchString(hook["card_number"].(string)) {
				t.Fatalf("load webhook: %s", body)
			}

			// Stolen: the card is marked stolen and a replacement ordered on the same
			// account, which goes through the lifecycle again.
			r = spec(t, c, "replace_stolen_card", map[string]any{"user_id": uid, "card_id": prepaidID})
			wantOK(t, r, float64(1))
			if r.JSON["message"] != "Your card pin will be sent to your registered email address" {
				t.Fatalf("replace_stolen_card: %s", r.Raw)
			}
			newID := r.JSON["card_id"].(string)
			wantCode(t, spec(t, c, "replace_stolen_card", map[string]any{"user_id": uid, "card_id": prepaidID}), 0, "replaced")
			d := cardDetails(t, c, "prepaid", uid)
			if len(d) != 2 || d[0]["card_id"] != newID || d[0]["card_status"] != "Already Order" || d[1]["card_status"] != "Stolen Card" ||
				d[0]["balance"] != "15.50" || remaining("prepaid") != "0" {
				t.Fatalf("after replacement: %v", d)
			}
			wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID}), 0,
				"cannot be loaded")
			wantCode(t, spec(t, c, "reset_card_pin", map[string]any{"user_id": uid, "card_id": prepaidID}), 0, "")
			adminOK(t, e, "POST", "/admin/api/cards/"+newID+"/accept", nil)
			adminOK(t, e, "POST", "/admin/api/cards/"+newID+"/ship", nil)
			pan, cvv, month, year = sandboxData(t, e, newID)
			wantOK(t, spec(t, c, "prepaid_card_activate", map[string]any{"user_id": uid, "card_number": pan, "cvv": cvv,
				"mm": strconv.Itoa(month), "yy": strconv.Itoa(year)}), float64(1))
			if d := cardDetails(t, c, "prepaid", uid); d[0]["card_status"] != "Active" {
				t.Fatalf("replacement: %v", d)
			}
			if b := balances(t, e, tenantID); b["customer/EUR"] != 5000-3000 || b["fees/EUR"] != 3000 {
				t.Fatalf("after the replacement shipped: %v", b)
			}

			// Past the expiry month, the cards show "Expired Card".
			clock.Add(6 * 365 * 24 * time.Hour)
			c = e.CodegoLogin(t, e.Tenant)
			if d := cardDetails(t, c, "debitcard", uid); d[0]["card_status"] != "Expired Card" {
				t.Fatalf("after expiry: %v", d)
			}
			wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": newID}), 0, "expired")
			// An expired card is replaced without being reported stolen.
			r = spec(t, c, "replace_stolen_card", map[string]any{"user_id": uid, "card_id": debitID})
			wantOK(t, r, float64(1))
			if d := cardDetails(t, c, "debitcard", uid); len(d) != 2 || d[0]["card_id"] != r.JSON["card_id"] ||
				d[0]["card_status"] != "Already Order" || d[0]["card_type"] != "metal" || d[1]["card_status"] != "Expired Card" {
				t.Fatalf("expired card replaced: %v", d)
			}

			// Another whitelabel sees none of these cards, even with the right user_id.
			o := e.CodegoLogin(t, e.NewTenant(t))
			wantCode(t, spec(t, o, "reset_card_pin", map[string]any{"user_id": uid, "card_id": newID}), 404, "")
			wantCode(t, spec(t, o, "prepaid_card_details", map[string]any{"user_id": uid}), 404, "user not found")
			balances(t, e, tenantID)
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRenderLoadCard renders a failed load as the Load Card webhook: the reason, and
// nothing of the card but its masked number.
func TestRenderLoadCard(t *testing.T) {
	at := time.Date(2026, 12, 6, 20, 40, 3, 0, time.UTC)
	got, err := codego.RenderEvent(&baas.Event{Type: "card.load.failed", CreatedAt: at, Payload: []byte(
		`{"load_id":17,"card_id":"c1","customer_id":"x","customer_ref":"u1","product":"codego-prepaid",` +
			`"masked_pan":"411111******1234","last4":"1234","amount":1050,"currency":"EUR","status":"failed",` +
			`"reason":"the card is locked","transfer_id":0,"created_at":"2026-12-06T20:40:00Z"}`)})
	want := `{"amount":"10.50","card_id":"c1","card_number":"xxxx xxxx xxxx 1234","currency":"EUR",` +
		`"datetime":"2026-12-06 20:40:03","event":"load_card","id":"17","load_status":"Failed",` +
		`"reason":"the card is locked","status":1,"user_id":"u1"}`
	if err != nil || string(got) != want {
		t.Fatalf("RenderEvent = %s, %v\nwant %s", got, err, want)
	}
}
