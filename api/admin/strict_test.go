package admin_test

import (
	"net/http"
	"testing"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

func errorMessage(r *servertest.Response) string {
	e, _ := r.JSON["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// TestStrictBodies: a body is one JSON object, its keys written exactly as documented,
// each once; a refused body funds nothing and says what to change.
func TestStrictBodies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		fund := "/admin/api/tenants/" + e.Tenant.TenantID + "/fund"
		balance := func() any {
			r := e.Admin(t, "GET", "/admin/api/tenants/"+e.Tenant.TenantID, nil)
			return r.JSON["master_account"].(map[string]any)["balance"]
		}
		before := balance()
		for _, c := range []struct{ body, msg string }{
			{`{"amount":1} xyz`, "invalid JSON body: nothing may follow the JSON object"},
			{`{"amount":1}{"amount":1}`, "invalid JSON body: nothing may follow the JSON object"},
			{`{"AMOUNT":1}`, `unknown field "AMOUNT" (field names are case-sensitive)`},
			{`{"Amount":1}`, `unknown field "Amount" (field names are case-sensitive)`},
			{`{"amount":1,"memo":"x"}`, `unknown field "memo" (field names are case-sensitive)`},
			{`{"amount":1,"amount":2}`, `field "amount" appears more than once`},
			{`{"amount":"1"}`, "amount must be an integer number of minor units"},
			{`{"amount":1.5}`, "amount must be an integer number of minor units"},
			{`{"amount":1e30}`, "amount must be an integer number of minor units"},
			{`{"amount":1,"currency":5}`, "currency must be a string"},
			{`[]`, "invalid JSON body: the body must be a JSON object"},
			{`null`, "invalid JSON body: the body must be a JSON object"},
			{`{"amount":1`, "invalid JSON body: the JSON object is missing or incomplete"},
			{`{"amount":}`, "invalid JSON body: not valid JSON at byte 11"},
			{``, "invalid JSON body: the JSON object is missing or incomplete"},
		} {
			r := e.Admin(t, "POST", fund, c.body)
			if r.Status != 400 || errorMessage(r) != c.msg {
				t.Errorf("%s: %d %s, want 400 %q", c.body, r.Status, r.Raw, c.msg)
			}
		}
		if after := balance(); after != before {
			t.Fatalf("refused bodies funded the tenant: %v, then %v", before, after)
		}
		if r := e.Admin(t, "POST", fund, "\n {\"amount\":1}\r\n "); r.Status != 201 {
			t.Errorf("spaces around the object: %d %s", r.Status, r.Raw)
		}
		r := e.Admin(t, "POST", "/admin/api/tenants/"+e.Tenant.TenantID+"/webhooks/endpoints", `{"url":"https://example.com/h","events":[1]}`)
		if r.Status != 400 || errorMessage(r) != "events must be a list of strings" {
			t.Errorf("events of numbers: %d %s", r.Status, r.Raw)
		}
		r = e.Admin(t, "POST", "/admin/api/tenants", `{"name":"x","sandbox":"yes"}`)
		if r.Status != 400 || errorMessage(r) != "sandbox must be true or false" {
			t.Errorf("sandbox as text: %d %s", r.Status, r.Raw)
		}
	})
}

// TestStrictQueryAndIDs: limit outside its range is a 400 naming the range on every
// list; cursors and ids are canonical decimal, anything else is refused (a cursor) or
// names nothing (an id).
func TestStrictQueryAndIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		ten := "/admin/api/tenants/" + e.Tenant.TenantID
		lists := map[string]int{
			"/admin/api/kyc/documents":   500,
			"/admin/api/audit":           500,
			ten + "/events":              500,
			ten + "/webhooks/deliveries": 500,
			ten + "/authorization/calls": 500,
			ten + "/accounts":            1000,
		}
		for list, max := range lists {
			want := map[int]string{500: "limit must be an integer between 1 and 500", 1000: "limit must be an integer between 1 and 1000"}[max]
			for _, q := range []string{"0", "-1", "+1", "01", "1e2", "%201", "x", "1001", "99999999999999999999"} {
				if q == "1001" && max == 500 {
					q = "501"
				}
				r := e.Admin(t, "GET", list+"?limit="+q, nil)
				if r.Status != 400 || errorMessage(r) != want {
					t.Errorf("%s?limit=%s: %d %s", list, q, r.Status, r.Raw)
				}
			}
			for _, q := range []string{"", "?limit=1", "?limit=" + map[int]string{500: "500", 1000: "1000"}[max]} {
				if r := e.Admin(t, "GET", list+q, nil); r.Status != 200 {
					t.Errorf("%s%s: %d %s", list, q, r.Status, r.Raw)
				}
			}
		}
		for _, q := range []string{"after=-1", "after=+1", "after=01", "after=1e0", "after=%201"} {
			if r := e.Admin(t, "GET", "/admin/api/kyc/documents?"+q, nil); r.Status != 400 {
				t.Errorf("kyc ?%s: %d %s", q, r.Status, r.Raw)
			}
		}
		for _, q := range []string{"before=0", "before=+1", "before=01", "before=1e0"} {
			if r := e.Admin(t, "GET", ten+"/events?"+q, nil); r.Status != 400 {
				t.Errorf("events ?%s: %d %s", q, r.Status, r.Raw)
			}
		}
		if r := e.Admin(t, "GET", "/admin/api/kyc/documents?after=0", nil); r.Status != 200 {
			t.Errorf("after=0: %d %s", r.Status, r.Raw)
		}
		for _, id := range []string{"+1", "01", "%201", "1e0", "1.0", "0x1", "-1", "0"} {
			for _, path := range []string{"/admin/api/kyc/documents/" + id, ten + "/webhooks/deliveries/" + id,
				ten + "/events/" + id + "/deliveries"} {
				r := e.Admin(t, "GET", path, nil)
				if r.Status != 404 || r.JSON["error"].(map[string]any)["code"] != "not_found" {
					t.Errorf("%s: %d %s", path, r.Status, r.Raw)
				}
			}
		}
	})
}

// TestBearerScheme: the scheme name is matched without regard to case (RFC 7235); the
// token itself is exact.
func TestBearerScheme(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		for _, c := range []struct {
			header string
			status int
		}{
			{"Bearer " + servertest.AdminToken, 200},
			{"bearer " + servertest.AdminToken, 200},
			{"BEARER " + servertest.AdminToken, 200},
			{"bEaReR  " + servertest.AdminToken, 200},
			{"Bearer " + servertest.AdminToken + "x", 401},
			{"Basic " + servertest.AdminToken, 401},
			{"Bearer", 401},
			{"Bearer" + servertest.AdminToken, 401},
			{servertest.AdminToken, 401},
		} {
			h := http.Header{"Authorization": {c.header}}
			if r := e.Do(t, "GET", "/admin/api/tenants", nil, h); r.Status != c.status {
				t.Errorf("%q: %d %s", c.header, r.Status, r.Raw)
			}
		}
	})
}
