package console_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/baas-oss/baas/server/servertest"
)

// consoleFuzzRoutes are the console's form and query decoders; "{t}" is the tenant's id,
// "{x}" the fuzzed path tail.
var consoleFuzzRoutes = []struct{ method, path string }{
	{"POST", "/console/tenants"},
	{"POST", "/console/tenants/{t}/fund"},
	{"POST", "/console/tenants/{t}/sandbox/incoming-transfer"},
	{"POST", "/console/tenants/{t}/sandbox/crypto-deposit"},
	{"POST", "/console/kyc/{x}/reject"},
	{"POST", "/console/kyc/{x}/verify"},
	{"POST", "/console/cards/{x}/sandbox"},
	{"POST", "/console/cards/{x}/actions/accept"},
	{"POST", "/console/tenants/{t}/webhooks/deliveries/{x}/replay"},
	{"POST", "/console/tenants/{t}/webhooks/resend-failed"},
	{"GET", "/console/kyc{x}"},
	{"GET", "/console/kyc/queue{x}"},
	{"GET", "/console/cards{x}"},
	{"GET", "/console/tenants{x}"},
	{"GET", "/console/tenants/{t}/accounts{x}"},
	{"GET", "/console/tenants/{t}/webhooks{x}"},
	{"GET", "/console/tenants/{t}/accounts/{x}"},
}

var cookieCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// inProcessSession signs in to h and returns the session cookie and its CSRF token.
func inProcessSession(f *testing.F, h http.Handler) (*http.Cookie, string) {
	f.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://baas.test/console/sign-in", nil))
	pre := rec.Result().Cookies()[0]
	tok := cookieCSRF.FindStringSubmatch(rec.Body.String())[1]
	req := httptest.NewRequest("POST", "http://baas.test/console/sign-in",
		strings.NewReader(url.Values{"csrf": {tok}, "token": {"any"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(pre)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var sess *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "baas_console" {
			sess = c
		}
	}
	if sess == nil {
		f.Fatalf("sign-in: %d", rec.Code)
	}
	req = httptest.NewRequest("GET", "http://baas.test/console/tenants", nil)
	req.AddCookie(sess)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return sess, cookieCSRF.FindStringSubmatch(rec.Body.String())[1]
}

// FuzzConsoleForm sends arbitrary form bodies (with the session's CSRF token) and path
// tails to the console over a real SQLite store, and PostgreSQL when its URL is set: no
// input may panic or produce a 5xx.
func FuzzConsoleForm(f *testing.F) {
	for _, seed := range []string{
		``, `name=acme`, `name=%00`, `amount=1000.00&currency=EUR`, `amount=1e30&currency=EUR&confirm=yes&key=k`,
		`amount=-1&currency=eur`, `amount=1.001&currency=EUR`, `amount=99999999999999999999`, `currency=%ff%fe&amount=1`,
		`reason=%3Cscript%3E`, `reason=%00`, `type=purchase&amount=12.34&merchant_name=%3Cb%3E`, `type=nope`,
		`type=refund&original_transaction_id=%00`, `user_id=%ff&amount=1&currency=EUR`, `address=x&coins=0.015`,
		`mode=live&name=x`, `since=2026-01-02&endpoint_id=%00`, `since=9999-99-99`, `a=1&a=2&a=3`, "\xff\xfe", `%zz`, `amount=1&confirm=yes&key=` + strings.Repeat("k", 300),
	} {
		for i := range consoleFuzzRoutes {
			f.Add(uint8(i), []byte(seed), "")
		}
	}
	for _, tail := range []string{"1", "%00", "%ff", "?after=-1", "?after=x", "?status=%00", "?tenant=%00", "?q=%00",
		"?q=a%40b", "?before=99999999999999999999", "01", "+1", "?q=1234", "99999999999999999999", "?sort=name&after=1", "?sort=status&after=%ff", "?sort=%00", "?sort=oldest&after=-1"} {
		for i := range consoleFuzzRoutes {
			f.Add(uint8(i), []byte(nil), tail)
		}
	}
	type target struct {
		h      http.Handler
		tenant string
		sess   *http.Cookie
		csrf   string
	}
	var targets []target
	for _, tg := range servertest.FuzzTargets(f, true) {
		sess, csrf := inProcessSession(f, tg.Handler)
		targets = append(targets, target{tg.Handler, tg.Tenant.TenantID, sess, csrf})
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte, tail string) {
		rt := consoleFuzzRoutes[int(route)%len(consoleFuzzRoutes)]
		for _, tg := range targets {
			path := strings.NewReplacer("{t}", tg.tenant, "{x}", tail).Replace(rt.path)
			var rd *bytes.Reader
			if rt.method == "POST" {
				rd = bytes.NewReader(append(append([]byte(nil), body...), "&csrf="+tg.csrf...))
			} else {
				rd = bytes.NewReader(nil)
			}
			req, err := http.NewRequest(rt.method, "http://baas.test"+path, rd)
			if err != nil {
				return // not a request a client could send
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(tg.sess)
			rec := httptest.NewRecorder()
			tg.h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q -> %d %s", rt.method, path, body, rec.Code, rec.Body)
			}
		}
	})
}
