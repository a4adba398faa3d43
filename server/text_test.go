package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestUnstorableText: text PostgreSQL cannot store (a NUL, invalid UTF-8) in a path, a
// query, a credential or a JSON string is refused at the edge with the dialect's 400 (or
// not found for an id, or 401 for a key), the same on every store, and never reaches a
// store as a 5xx.
func TestUnstorableText(t *testing.T) {
	type answer struct {
		Status int
		Body   map[string]any
	}
	cases := []struct {
		name   string
		status int
		send   func(t *testing.T, e *servertest.Env) *servertest.Response
	}{
		{"girasol email %00", 404, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Girasol(t, "GET", "/v1/accounts/customer-info-by-email/%00", nil)
		}},
		{"girasol email %ff%fe", 404, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Girasol(t, "GET", "/v1/accounts/customer-info-by-email/%ff%fe", nil)
		}},
		{"girasol email %2500", 404, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Girasol(t, "GET", "/v1/accounts/customer-info-by-email/a%2500b", nil)
		}},
		{"girasol query", 400, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Girasol(t, "GET", "/v1/accounts/transactions/12345678?x=%00", nil)
		}},
		{"girasol api key", 401, func(t *testing.T, e *servertest.Env) *servertest.Response {
			h := servertest.GirasolHeaders(e.Tenant)
			h.Set("x-api-key", "\xff\xfe")
			return e.Do(t, "GET", "/v1/accounts/customer-info/12345678", nil, h)
		}},
		{"girasol message", 400, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Girasol(t, "POST", "/v1/accounts/cash-in", `{"accountNumber":12345678,"amount":5,"message":"a\u0000"}`)
		}},
		{"codego whitelabel_id", 400, func(t *testing.T, e *servertest.Env) *servertest.Response {
			h := http.Header{}
			h.Set("clientkey", e.Tenant.Codego.ClientKey)
			h.Set("secretkey", e.Tenant.Codego.SecretKey)
			return e.Do(t, "POST", "/api/authenticaion", fmt.Sprintf(`{"apikey":%q,"whitelabel_id":"\u0000"}`,
				e.Tenant.Codego.APIKey), h)
		}},
		{"codego apikey", 400, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Do(t, "POST", "/api/authenticaion", `{"apikey":"\u0000","whitelabel_id":"x"}`, nil)
		}},
		{"codego token", 400, func(t *testing.T, e *servertest.Env) *servertest.Response {
			c := &servertest.Codego{Env: e, Keys: e.Tenant.Codego}
			return c.Post(t, "countries_list", map[string]any{"authtoken": "a\x00"})
		}},
		{"codego query", 400, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Do(t, "POST", "/api/countries_list?whitelabel_id=%ff", nil, nil)
		}},
		{"admin tenant name", 400, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Admin(t, "POST", "/admin/api/tenants", `{"name":"a\u0000b"}`)
		}},
		{"admin tenant id", 404, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Admin(t, "GET", "/admin/api/tenants/%ff%fe", nil)
		}},
		{"admin kyc tenant_id", 400, func(t *testing.T, e *servertest.Env) *servertest.Response {
			return e.Admin(t, "GET", "/admin/api/kyc/documents?tenant_id=%00", nil)
		}},
	}
	got := map[string][]answer{}
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		for _, c := range cases {
			r := c.send(t, e)
			var body map[string]any
			if err := json.Unmarshal(r.Raw, &body); err != nil {
				t.Errorf("%s: not a JSON envelope: %s", c.name, r.Raw)
			}
			status := r.Status
			if strings.HasPrefix(c.name, "codego") { // Codego answers HTTP 200 with its code
				code, _ := body["code"].(float64)
				status = int(code)
			}
			if status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Raw, c.status)
			}
			delete(body, "timestamp") // Girasol
			if e, ok := body["error"].(map[string]any); ok {
				delete(e, "request_id") // the operator API
			}
			got[engine] = append(got[engine], answer{r.Status, body})
		}
	})
	if s, p := got["sqlite"], got["postgres"]; s != nil && p != nil && !reflect.DeepEqual(s, p) {
		for i := range s {
			if !reflect.DeepEqual(s[i], p[i]) {
				t.Errorf("%s: SQLite answered %+v, PostgreSQL %+v", cases[i].name, s[i], p[i])
			}
		}
	}
}
