package admin_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/baas-oss/baas/server/servertest"
)

// fuzzRoutes are the operator API's request decoders; "{t}" is replaced by the tenant's
// id and "{x}" by the fuzzed path tail.
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/admin/api/tenants"},
	{"GET", "/admin/api/tenants{x}"},
	{"GET", "/admin/api/tenants/{x}"},
	{"POST", "/admin/api/tenants/{t}/fund"},
	{"GET", "/admin/api/tenants/{t}/accounts{x}"},
	{"PATCH", "/admin/api/tenants/{t}"},
	{"POST", "/admin/api/tenants/{t}/webhooks/endpoints"},
	{"GET", "/admin/api/tenants/{t}/webhooks/deliveries{x}"},
	{"GET", "/admin/api/tenants/{t}/events{x}"},
	{"POST", "/admin/api/tenants/{t}/webhooks/deliveries/resend-failed"},
	{"GET", "/admin/api/tenants/{t}/authorization/calls{x}"},
	{"GET", "/admin/api/kyc/documents{x}"},
	{"GET", "/admin/api/kyc/documents/{x}"},
	{"PUT", "/admin/api/kyc/settings/{t}"},
	{"POST", "/admin/api/kyc/documents/{x}/reject"},
	{"POST", "/admin/api/sandbox/cards/{x}"}, // + "{card_id}/transactions"
	{"PUT", "/admin/api/tenants/{t}/card-allowance"},
	{"PUT", "/admin/api/tenants/{t}/fees"},
	{"POST", "/admin/api/sandbox/crypto-deposits"},
}

// FuzzAdminRequest sends arbitrary bodies and path tails to the operator API over a real
// SQLite store, and PostgreSQL when its URL is set: no input may panic or produce a
// 5xx, and every refusal is the operator API's error envelope.
func FuzzAdminRequest(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `{"name":"acme"}`, `{"name":"a\u0000b"}`, `{"amount":1000}`, `{"amount":0}`, `{"amount":1e30}`,
		`{"amount":1000000000000001,"currency":"usd"}`, `{"authorization_timeout_ms":49}`,
		`{"authorization_url":"http://127.0.0.1:1/a","authorization_timeout_ms":30000,"stand_in":"approve"}`,
		`{"url":"http://\u0000"}`, `{"since":"\u0000"}`, `{"auto_verify_after_seconds":-1}`, `{"reason":"\u0000"}`,
		`[]`, `null`, "\xff\xfe", `{"name":"x"} trailing`, `{"AMOUNT":1}`, `{"amount":1} xyz`, `{"amount":1,"amount":2}`,
		`{"amount":"1"}`, `{"events":[1]}`, `{"name":` + "\xff" + `}`, `{"sandbox":null}`,
		`{"type":"purchase","amount":1234,"currency":"USD","merchant_name":"CORNER GROCERY","merchant_country":"US","mcc":"5411","entry_mode":"chip"}`,
		`{"type":"capture","amount":-1,"original_transaction_id":"\u0000"}`,
		`{"cards_per_type":2}`, `{"cards_per_type":0}`, `{"cards_per_type":1.5}`, `{"cards_per_type":1e9}`,
		`{"product":"codego-giftcard","issue_fee":1000,"load_fee_fixed":100,"load_fee_percent_bp":65}`,
		`{"product":"hs","issue_fee":-1,"load_fee_fixed":1e20,"load_fee_percent_bp":10001}`,
		`{"product":"\u0000","issue_fee":"1","load_fee_fixed":null}`,
		`{"address":"bc1q\u0000","amount":"0.015"}`, `{"address":"x","amount":0.015}`,
	} {
		for i := range fuzzRoutes {
			f.Add(uint8(i), []byte(seed), "")
		}
	}
	for _, tail := range []string{"%00", "%ff%fe", "?limit=0", "?limit=501&before=-1", "?tenant_id=%00", "?status=%ff",
		"1", "+1", "?kind=%00&after=x", "01", "%201", "?limit=+5", "?after=01"} {
		f.Add(uint8(2), []byte(nil), tail)
		f.Add(uint8(11), []byte(nil), tail)
		f.Add(uint8(4), []byte(nil), tail)
	}
	targets := servertest.FuzzTargets(f, true)
	f.Fuzz(func(t *testing.T, route uint8, body []byte, tail string) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		for _, tg := range targets {
			path := strings.NewReplacer("{t}", tg.Tenant.TenantID, "{x}", tail).Replace(rt.path)
			req, err := http.NewRequest(rt.method, "http://baas.test"+path, bytes.NewReader(body))
			if err != nil {
				return // not a request a client could send
			}
			req.Header.Set("Authorization", "Bearer operator")
			rec := httptest.NewRecorder()
			tg.Handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q -> %d %s", rt.method, path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 && !bytes.HasPrefix(rec.Body.Bytes(), []byte(`{"error":{`)) {
				t.Fatalf("not the operator API's envelope: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
