package girasol_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// specControl is the Controls collection's request body (the same for create and
// update), with one of the alternatives its text lists put in for each field that
// shows them ("Mcc|Amount|EntryMode").
func specControl(validationType, value, scope, rangeType string) map[string]any {
	return map[string]any{
		"validationType": validationType, "value": value, "amount": 0, "currencyCode": "USD",
		"businessScope": scope, "rangeType": rangeType,
		"timeFrame": map[string]any{"begin": "00:00:00", "end": "23:59:59"},
	}
}

// specControlVerbatim is the body exactly as the spec prints it.
const specControlVerbatim = `{
    "validationType": "Mcc|Amount|EntryMode",
    "value": "XXX",
    "amount": 0,
    "currencyCode": "USD",
    "businessScope": "International|Domestic|Both",
    "rangeType": "Daily|Weekly|Monthly|Always",
    "timeFrame": {
        "begin": "00:00:00",
        "end": "23:59:59"
    }
}`

func bearer(token string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return h
}

// controlToken gets a bearer token for the tenant's keys.
func controlToken(t *testing.T, e *servertest.Env) string {
	t.Helper()
	r := e.Girasol(t, "POST", "/v1/auth/token", nil)
	if r.Status != 201 || r.JSON["error"] != false {
		t.Fatalf("token: %d %s", r.Status, r.Raw)
	}
	d := data(t, r)
	tok, _ := d["accessToken"].(string)
	if tok == "" || d["tokenType"] != "Bearer" || d["expiresIn"] != float64(1800) || !timestampRe.MatchString(d["expiresAt"].(string)) {
		t.Fatalf("token answer %s", r.Raw)
	}
	return tok
}

func createVirtual(t *testing.T, e *servertest.Env, header http.Header, account int64) string {
	t.Helper()
	r := e.Do(t, "POST", "/v1/cards/create-virtual-card", specCreateVirtualCard(account), header)
	if r.Status != 201 {
		t.Fatalf("create-virtual-card: %d %s", r.Status, r.Raw)
	}
	return data(t, r)["cardId"].(string)
}

// wantRuleID checks create's bare answer and returns the rule id.
func wantRuleID(t *testing.T, r *servertest.Response) string {
	t.Helper()
	if r.Status != 200 || len(r.JSON) != 1 {
		t.Fatalf("create: %d %s; want 200 and only ruleId", r.Status, r.Raw)
	}
	id, _ := r.JSON["ruleId"].(string)
	if !uuidRe.MatchString(id) {
		t.Fatalf("ruleId %q", id)
	}
	return id
}

func listRules(t *testing.T, e *servertest.Env, h http.Header, ownerType, ownerID string) []map[string]any {
	t.Helper()
	r := e.Do(t, "GET", "/v1/controls/"+ownerType+"/"+ownerID, nil, h)
	if r.Status != 200 || r.JSON["error"] != false || r.JSON["statusCode"] != float64(200) {
		t.Fatalf("list %s/%s: %d %s", ownerType, ownerID, r.Status, r.Raw)
	}
	var out []map[string]any
	raw, _ := json.Marshal(r.JSON["data"])
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestControlsSpecReplay replays the Controls collection's requests — create on each
// owner with the bearer token and with the key headers, update, list, delete — with the
// spec's bodies and answers.
func TestControlsSpecReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		keys := servertest.GirasolHeaders(e.Tenant)
		tok := bearer(controlToken(t, e))
		card := createVirtual(t, e, keys, createAccount(t, e, "holder"))
		company := e.Tenant.Girasol.CompanyID
		owners := []struct{ typ, id string }{{"company", company}, {"product", "girasol-virtual"}, {"card", card}}

		// The body as printed is refused field by field, as class-validator would.
		r := e.Do(t, "POST", "/v1/controls/card/"+card, specControlVerbatim, tok)
		wantError(t, r, 400, "/v1/controls/card/"+card,
			[]string{"validationType must be one of the following values: Mcc, Amount, EntryMode"})

		// Create: each validation type, scope and range, on each owner, both ways of
		// authenticating.
		made := map[string][]string{}
		for i, body := range []map[string]any{
			specControl("Amount", "XXX", "Both", "Always"),
			specControl("Mcc", "5411", "International", "Daily"),
			specControl("EntryMode", "ecommerce", "Domestic", "Weekly"),
			specControl("Amount", "XXX", "Both", "Monthly"),
		} {
			for j, o := range owners {
				h := tok
				if (i+j)%2 == 1 {
					h = keys
				}
				id := wantRuleID(t, e.Do(t, "POST", "/v1/controls/"+o.typ+"/"+o.id, body, h))
				made[o.typ] = append(made[o.typ], id)
			}
		}

		// List per owner, oldest first, with the fields as sent.
		for _, o := range owners {
			got := listRules(t, e, tok, o.typ, o.id)
			if len(got) != 4 {
				t.Fatalf("%s rules: %v", o.typ, got)
			}
			for k, rule := range got {
				if rule["ruleId"] != made[o.typ][k] || rule["ownerType"] != o.typ || rule["ownerId"] != o.id {
					t.Fatalf("%s rule %d: %v", o.typ, k, rule)
				}
			}
			want := map[string]any{"validationType": "Mcc", "value": "5411", "amount": float64(0), "currencyCode": "USD",
				"businessScope": "International", "rangeType": "Daily",
				"timeFrame": map[string]any{"begin": "00:00:00", "end": "23:59:59"}}
			for k, v := range want {
				if b1, _ := json.Marshal(got[1][k]); string(b1) != mustJSON(v) {
					t.Fatalf("%s rule field %s = %v, want %v", o.typ, k, got[1][k], v)
				}
			}
		}

		// Update with the spec's body: the rule changes, its owner stays.
		id := made["card"][0]
		body := specControl("Mcc", "5812,7995", "Both", "Always")
		body["timeFrame"] = map[string]any{"begin": "09:00:00", "end": "17:00:00"}
		r = e.Do(t, "PATCH", "/v1/controls/"+id, body, tok)
		if r.Status != 200 || r.JSON["error"] != false {
			t.Fatalf("update: %d %s", r.Status, r.Raw)
		}
		if d := data(t, r); d["ruleId"] != id || d["validationType"] != "Mcc" || d["value"] != "5812,7995" ||
			d["ownerType"] != "card" || d["ownerId"] != card || d["timeFrame"].(map[string]any)["begin"] != "09:00:00" {
			t.Fatalf("update answer %s", r.Raw)
		}
		// A partial update keeps the other fields.
		r = e.Do(t, "PATCH", "/v1/controls/"+id, map[string]any{"value": "5411"}, keys)
		if d := data(t, r); r.Status != 200 || d["value"] != "5411" || d["validationType"] != "Mcc" || d["businessScope"] != "Both" {
			t.Fatalf("partial update: %d %s", r.Status, r.Raw)
		}

		// Delete: the envelope with deleted true; the rule is gone from its list.
		r = e.Do(t, "DELETE", "/v1/controls/"+id, nil, tok)
		if r.Status != 200 || r.JSON["error"] != false || r.JSON["statusCode"] != float64(200) {
			t.Fatalf("delete: %d %s", r.Status, r.Raw)
		}
		if d := data(t, r); len(d) != 2 || d["ruleId"] != id || d["deleted"] != true {
			t.Fatalf("delete answer %s", r.Raw)
		}
		if got := listRules(t, e, keys, "card", card); len(got) != 3 || got[0]["ruleId"] == id {
			t.Fatalf("after delete: %v", got)
		}
		r = e.Do(t, "DELETE", "/v1/controls/"+id, nil, tok)
		wantError(t, r, 404, "/v1/controls/"+id, "rule not found")

		// Authentication: no credentials, a wrong token, and keys of a tenant that the
		// company id does not match are 401.
		for _, h := range []http.Header{{}, bearer("not-a-token"), bearer(""), bearer(strings.Repeat("a", 600))} {
			r := e.Do(t, "GET", "/v1/controls/company/"+company, nil, h)
			wantError(t, r, 401, "/v1/controls/company/"+company, "Unauthorized")
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestControlsBadInput: every refusal is a clear error in the envelope and changes
// nothing.
func TestControlsBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		keys := servertest.GirasolHeaders(e.Tenant)
		card := createVirtual(t, e, keys, createAccount(t, e, "holder"))
		cardPath := "/v1/controls/card/" + card
		rule := wantRuleID(t, e.Do(t, "POST", cardPath, specControl("Mcc", "5411", "Both", "Always"), keys))

		other := e.NewTenant(t)
		otherKeys := servertest.GirasolHeaders(other)
		r := e.Do(t, "POST", "/v1/accounts/create-account", accountBody(other.Girasol.CompanyID, "stranger"), otherKeys)
		if r.Status != 201 {
			t.Fatalf("other account: %d %s", r.Status, r.Raw)
		}
		otherCard := createVirtual(t, e, otherKeys, int64(data(t, r)["accountNumber"].(float64)))
		otherRule := wantRuleID(t, e.Do(t, "POST", "/v1/controls/card/"+otherCard, specControl("Mcc", "5411", "Both", "Always"), otherKeys))

		with := func(edit func(map[string]any)) map[string]any {
			b := specControl("Amount", "XXX", "Both", "Daily")
			edit(b)
			return b
		}
		frame := func(begin, end any) func(map[string]any) {
			return func(b map[string]any) { b["timeFrame"] = map[string]any{"begin": begin, "end": end} }
		}
		for _, c := range []struct {
			name, method, path string
			body               any
			status             int
			data               any
		}{
			{"unknown validationType", "POST", cardPath, with(func(b map[string]any) { b["validationType"] = "Merchant" }), 400,
				[]string{"validationType must be one of the following values: Mcc, Amount, EntryMode"}},
			{"unknown rangeType", "POST", cardPath, with(func(b map[string]any) { b["rangeType"] = "Yearly" }), 400,
				[]string{"rangeType must be one of the following values: Daily, Weekly, Monthly, Always"}},
			{"unknown businessScope", "POST", cardPath, with(func(b map[string]any) { b["businessScope"] = "Global" }), 400,
				[]string{"businessScope must be one of the following values: International, Domestic, Both"}},
			{"begin after end", "POST", cardPath, with(frame("18:00:00", "09:00:00")), 400,
				[]string{"timeFrame.begin 18:00:00 is after timeFrame.end 09:00:00"}},
			{"begin not HH:MM:SS", "POST", cardPath, with(frame("9:00", "17:00:00")), 400,
				[]string{`timeFrame.begin must match /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/ regular expression`}},
			{"end past the day", "POST", cardPath, with(frame("09:00:00", "24:00:00")), 400,
				[]string{"timeFrame.end must match"}},
			{"begin not a string", "POST", cardPath, with(frame(9, "17:00:00")), 400, []string{"timeFrame.begin must be a string"}},
			{"timeFrame not an object", "POST", cardPath, with(func(b map[string]any) { b["timeFrame"] = "all day" }), 400,
				[]string{"nested property timeFrame must be either object or array"}},
			{"timeFrame unknown key", "POST", cardPath, with(func(b map[string]any) {
				b["timeFrame"] = map[string]any{"begin": "00:00:00", "end": "01:00:00", "zone": "UTC"}
			}), 400,
				[]string{"property timeFrame.zone should not exist"}},
			{"negative amount", "POST", cardPath, with(func(b map[string]any) { b["amount"] = -1 }), 400,
				[]string{"amount must not be less than 0"}},
			{"amount not an integer", "POST", cardPath, with(func(b map[string]any) { b["amount"] = 1.5 }), 400,
				[]string{"amount must be an integer number"}},
			{"amount too large", "POST", cardPath, with(func(b map[string]any) { b["amount"] = int64(1e16) }), 400,
				[]string{"amount must not be greater than 1000000000000000"}},
			{"amount rule without amount", "POST", cardPath, with(func(b map[string]any) { delete(b, "amount") }), 400,
				[]string{"amount should not be empty"}},
			{"no validationType", "POST", cardPath, with(func(b map[string]any) { delete(b, "validationType") }), 400,
				[]string{"validationType should not be empty"}},
			{"bad currency", "POST", cardPath, with(func(b map[string]any) { b["currencyCode"] = "US1" }), 400,
				[]string{"currencyCode must be a valid ISO4217 currency code"}},
			{"mcc not 4 digits", "POST", cardPath, specControl("Mcc", "XXX", "Both", "Always"), 400,
				[]string{`value must list 4-digit merchant category codes separated by commas (got "XXX")`}},
			{"unknown entry mode", "POST", cardPath, specControl("EntryMode", "swipe", "Both", "Always"), 400,
				[]string{"value must list entry modes"}},
			{"unknown property", "POST", cardPath, with(func(b map[string]any) { b["merchant"] = "x" }), 400,
				[]string{"property merchant should not exist"}},
			{"not JSON", "POST", cardPath, "{", 400, nil},
			{"unknown owner type", "POST", "/v1/controls/account/" + card, specControl("Mcc", "5411", "Both", "Always"), 400,
				[]string{"ownerType must be one of the following values: company, product, card"}},
			{"unknown owner type, list", "GET", "/v1/controls/account/" + card, nil, 400,
				[]string{"ownerType must be one of the following values: company, product, card"}},
			{"another tenant's card", "POST", "/v1/controls/card/" + otherCard, specControl("Mcc", "5411", "Both", "Always"), 404, "card not found"},
			{"another tenant's card, a body that is wrong too", "POST", "/v1/controls/card/" + otherCard, map[string]any{"validationType": 5}, 404, "card not found"},
			{"another company's rule, a body that is wrong too", "PATCH", "/v1/controls/" + otherRule, map[string]any{"amount": "x"}, 404, "rule not found"},
			{"another tenant's card, list", "GET", "/v1/controls/card/" + otherCard, nil, 404, "card not found"},
			{"a card id that is no UUID", "POST", "/v1/controls/card/1234", specControl("Mcc", "5411", "Both", "Always"), 404, "card not found"},
			{"another company", "POST", "/v1/controls/company/" + other.Girasol.CompanyID, specControl("Mcc", "5411", "Both", "Always"), 404, "company not found"},
			{"another company, list", "GET", "/v1/controls/company/" + other.Girasol.CompanyID, nil, 404, "company not found"},
			{"unknown product", "POST", "/v1/controls/product/platinum", specControl("Mcc", "5411", "Both", "Always"), 404, "product not found"},
			{"another company's rule, update", "PATCH", "/v1/controls/" + otherRule, specControl("Mcc", "5812", "Both", "Always"), 404, "rule not found"},
			{"another company's rule, delete", "DELETE", "/v1/controls/" + otherRule, nil, 404, "rule not found"},
			{"a rule id that is no UUID", "DELETE", "/v1/controls/rule-1", nil, 400, []string{"ruleId must be a UUID"}},
			{"update to an unknown type", "PATCH", "/v1/controls/" + rule, map[string]any{"validationType": "Merchant"}, 400,
				[]string{"validationType must be one of the following values: Mcc, Amount, EntryMode"}},
			{"update to a negative amount", "PATCH", "/v1/controls/" + rule, map[string]any{"validationType": "Amount", "amount": -5}, 400,
				[]string{"amount must not be less than 0"}},
			{"update to begin after end", "PATCH", "/v1/controls/" + rule, map[string]any{"timeFrame": map[string]any{"begin": "10:00:00", "end": "09:59:59"}}, 400,
				[]string{"is after timeFrame.end"}},
		} {
			before := listRules(t, e, keys, "card", card)
			r := e.Do(t, c.method, c.path, c.body, keys)
			if c.data == nil {
				if r.Status != c.status || r.JSON["error"] != true {
					t.Fatalf("%s: %d %s", c.name, r.Status, r.Raw)
				}
			} else {
				t.Run(c.name, func(t *testing.T) { wantError(t, r, c.status, c.path, c.data) })
			}
			if after := listRules(t, e, keys, "card", card); mustJSON(after) != mustJSON(before) {
				t.Fatalf("%s changed the rules: %v -> %v", c.name, before, after)
			}
		}
		// The other tenant's rule is untouched.
		if got := listRules(t, e, otherKeys, "card", otherCard); len(got) != 1 || got[0]["ruleId"] != otherRule {
			t.Fatalf("other tenant's rules: %v", got)
		}
	})
}

// TestControlsBearer: a bearer token stands for its company's keys until it expires; it
// reaches only its own company's rules; wrong keys get no token.
func TestControlsBearer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		clock := servertest.NewClock(time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC))
		e := servertest.StartClock(t, engine, clock)
		keys := servertest.GirasolHeaders(e.Tenant)
		card := createVirtual(t, e, keys, createAccount(t, e, "holder"))
		tok := controlToken(t, e)

		other := e.NewTenant(t)
		r := e.Do(t, "POST", "/v1/auth/token", nil, servertest.GirasolHeaders(other))
		if r.Status != 201 {
			t.Fatalf("other token: %d %s", r.Status, r.Raw)
		}
		otherTok := data(t, r)["accessToken"].(string)
		wantError(t, e.Do(t, "GET", "/v1/controls/card/"+card, nil, bearer(otherTok)), 404, "/v1/controls/card/"+card, "card not found")
		wantError(t, e.Do(t, "POST", "/v1/controls/company/"+e.Tenant.Girasol.CompanyID, specControl("Mcc", "5411", "Both", "Always"),
			bearer(otherTok)), 404, "/v1/controls/company/"+e.Tenant.Girasol.CompanyID, "company not found")

		// Wrong keys, or keys for another company id, get no token.
		bad := servertest.GirasolHeaders(e.Tenant)
		bad.Set("x-secret-key", "d3Jvbmc=")
		wantError(t, e.Do(t, "POST", "/v1/auth/token", nil, bad), 401, "/v1/auth/token", "Unauthorized")
		bad = servertest.GirasolHeaders(e.Tenant)
		bad.Set("x-company-id", other.Girasol.CompanyID)
		wantError(t, e.Do(t, "POST", "/v1/auth/token", nil, bad), 401, "/v1/auth/token", "Unauthorized")
		wantError(t, e.Do(t, "POST", "/v1/auth/token", nil, bearer(tok)), 401, "/v1/auth/token", "x-api-key header is required")

		// "bearer" in any case; live until SessionTTL, refused from then on.
		h := http.Header{}
		h.Set("Authorization", "bearer "+tok)
		wantRuleID(t, e.Do(t, "POST", "/v1/controls/card/"+card, specControl("Mcc", "5411", "Both", "Always"), h))
		clock.Add(30*time.Minute - time.Second)
		if got := listRules(t, e, bearer(tok), "card", card); len(got) != 1 {
			t.Fatalf("rules: %v", got)
		}
		clock.Add(time.Second)
		wantError(t, e.Do(t, "GET", "/v1/controls/card/"+card, nil, bearer(tok)), 401, "/v1/controls/card/"+card, "Unauthorized")
		// The key headers still work.
		if got := listRules(t, e, keys, "card", card); len(got) != 1 {
			t.Fatalf("rules: %v", got)
		}
	})
}

// FuzzControlsRequest sends arbitrary bodies and path tails to the Controls routes over
// real stores: no input may panic or produce a 5xx; every answer is the envelope, or
// create's bare {"ruleId"}.
func FuzzControlsRequest(f *testing.F) {
	routes := []struct{ method, prefix string }{
		{"POST", "/v1/controls/"}, {"GET", "/v1/controls/"}, {"PATCH", "/v1/controls/"}, {"DELETE", "/v1/controls/"},
	}
	for _, seed := range []string{specControlVerbatim, mustJSON(specControl("Amount", "XXX", "Both", "Daily")),
		`{"validationType":"Mcc","value":"5411","timeFrame":{"begin":"00:00:00","end":"23:59:59","x":1}}`,
		`{"validationType":"amount","amount":-1e20}`, `{"timeFrame":[]}`, `{"value":"\u0000"}`, `[]`, "\xff"} {
		for i := range routes {
			f.Add(uint8(i), []byte(seed), "company/COMPANY")
		}
	}
	f.Add(uint8(0), []byte(`{"validationType":"EntryMode","value":"chip"}`), "product/girasol-virtual")
	f.Add(uint8(2), []byte(`{}`), "0190b7e4-6a51-7c3a-9f00-000000000000")
	f.Add(uint8(1), []byte(nil), "card/%00")
	targets := servertest.FuzzTargets(f, false)
	f.Fuzz(func(t *testing.T, route uint8, body []byte, tail string) {
		rt := routes[int(route)%len(routes)]
		for _, tg := range targets {
			target := rt.prefix + strings.ReplaceAll(tail, "COMPANY", tg.Tenant.Girasol.CompanyID)
			req, err := http.NewRequest(rt.method, "http://baas.test"+target, bytes.NewReader(body))
			if err != nil {
				return
			}
			req.Header = servertest.GirasolHeaders(tg.Tenant)
			rec := httptest.NewRecorder()
			tg.Handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q -> %d %s", rt.method, target, body, rec.Code, rec.Body)
			}
			envelope := bytes.HasPrefix(rec.Body.Bytes(), []byte(fmt.Sprintf(`{"statusCode":%d,"error":`, rec.Code)))
			created := rt.method == "POST" && rec.Code == 200 && bytes.HasPrefix(rec.Body.Bytes(), []byte(`{"ruleId":"`))
			if !envelope && !created {
				t.Fatalf("not a Girasol answer: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
