package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestConsoleRefuses: nothing of the console answers without a session, a form without
// the session's CSRF token changes nothing, sign-in needs the operator token, and
// sign-out ends the session.
func TestConsoleRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		anon := newOperator(t, e)
		tenants := func() int {
			n, err := e.Core.CountTenants(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := tenants()
		for _, path := range []string{"/console", "/console/", "/console/kyc", "/console/tenants", "/console/cards",
			"/console/kyc/1/images/front", "/console/tenants/" + e.Tenant.TenantID + "/webhooks", "/console/no-such-page"} {
			p := anon.get(t, path)
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/console/sign-in?next=") ||
				strings.Contains(p.body, "<table") {
				t.Errorf("GET %s without a session: %d %s", path, p.status, p.header.Get("Location"))
			}
		}
		if p := anon.do(t, "POST", "/console/tenants", url.Values{"name": {"x"}}); p.status != http.StatusUnauthorized {
			t.Errorf("POST without a session: %d", p.status)
		}
		// The sign-in form has its own CSRF token (login CSRF).
		if p := anon.do(t, "POST", "/console/sign-in", url.Values{"token": {servertest.AdminToken}}); p.status != http.StatusForbidden {
			t.Errorf("sign-in without its CSRF token: %d", p.status)
		}
		if p := anon.signIn(t, "wrong-token"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "not the operator token") {
			t.Errorf("sign-in with a wrong token: %d %s", p.status, p.body)
		}

		o := newOperator(t, e)
		p := o.signIn(t, servertest.AdminToken)
		var ck *http.Cookie
		for _, c := range (&http.Response{Header: p.header}).Cookies() {
			if c.Name == "baas_console" && c.Value != "" {
				ck = c
			}
		}
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || ck.Path != "/console" {
			t.Fatalf("session cookie: %+v", ck)
		}
		p = o.get(t, "/console/tenants")
		if p.status != 200 {
			t.Fatalf("tenants: %d", p.status)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
			if p.header.Get(k) != want {
				t.Errorf("%s: %q", k, p.header.Get(k))
			}
		}
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP: %q", csp)
		}
		if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") || strings.Contains(p.body, "onclick") {
			t.Errorf("inline script or style on the page")
		}

		// A form with a wrong, missing or other session's token is refused and changes nothing.
		other := signedIn(t, e)
		for name, tok := range map[string]string{"wrong": "nope", "missing": "", "another session's": csrfOf(t, other.get(t, "/console/tenants"))} {
			if p := o.do(t, "POST", "/console/tenants", url.Values{"name": {"x"}, "csrf": {tok}}); p.status != http.StatusForbidden {
				t.Errorf("%s CSRF token: %d", name, p.status)
			}
		}
		if n := tenants(); n != before {
			t.Fatalf("tenants %d, want %d", n, before)
		}
		// A form from another origin is refused even with the token.
		req, _ := http.NewRequest("POST", e.URL+"/console/tenants", strings.NewReader(url.Values{"name": {"x"},
			"csrf": {csrfOf(t, o.get(t, "/console/tenants"))}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if resp, err := o.c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin form: %v %v", resp, err)
		}

		// Missing name: the error beside the field, no tenant.
		p = o.post(t, "/console/tenants", "/console/tenants", url.Values{"name": {""}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `class="ferr"`) || tenants() != before {
			t.Fatalf("tenant without a name: %d", p.status)
		}
		// A good form: the credentials once.
		p = o.post(t, "/console/tenants", "/console/tenants", url.Values{"name": {"<i>Acme</i>"}, "mode": {"sandbox"}})
		if p.status != http.StatusCreated || !strings.Contains(p.body, "x-secret-key") || tenants() != before+1 ||
			!strings.Contains(p.body, "&lt;i&gt;Acme&lt;/i&gt;") || strings.Contains(p.body, "<i>Acme") {
			t.Fatalf("create tenant: %d %.2000s", p.status, p.body)
		}
		if p := o.get(t, "/console/tenants"); strings.Contains(p.body, "x-secret-key") {
			t.Fatal("the credentials are shown again")
		}

		// Sign-out ends the session: the same cookie no longer opens anything.
		if p := o.post(t, "/console/kyc", "/console/sign-out", nil); p.status != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", p.status)
		}
		req, _ = http.NewRequest("GET", e.URL+"/console/kyc", nil)
		req.AddCookie(ck)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after sign-out: %v %v", resp, err)
		}
	})
}

// TestConsoleIdleExpiry: a session unused for longer than the idle time is over.
func TestConsoleIdleExpiry(t *testing.T) {
	clock := servertest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	e := servertest.StartClock(t, "sqlite", clock)
	o := signedIn(t, e)
	clock.Add(29 * time.Minute)
	if p := o.get(t, "/console/kyc"); p.status != 200 {
		t.Fatalf("within the idle time: %d", p.status)
	}
	clock.Add(29 * time.Minute) // 58 minutes in, but used 29 minutes ago
	if p := o.get(t, "/console/kyc"); p.status != 200 {
		t.Fatalf("used within the idle time: %d", p.status)
	}
	clock.Add(31 * time.Minute)
	p := o.get(t, "/console/kyc")
	if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "expired=1") {
		t.Fatalf("after the idle time: %d %s", p.status, p.header.Get("Location"))
	}
	if p := o.get(t, p.header.Get("Location")); !strings.Contains(p.body, "session expired") {
		t.Fatalf("sign-in page after expiry: %.500s", p.body)
	}
}

// TestConsolePages: every page renders with data, shows masked card numbers only, and
// escapes what users typed; another tenant's objects are not found.
func TestConsolePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		w := seed(t, e)
		o := signedIn(t, e)
		ten := e.Tenant.TenantID

		docs, err := e.Core.ListKYCDocuments(context.Background(), baas.KYCFilter{TenantID: ten, Status: baas.KYCPending})
		if err != nil || len(docs) != 1 {
			t.Fatalf("documents: %v %v", docs, err)
		}
		doc := docs[0].ID
		pages := map[string]string{
			"/console/kyc":                          "john@example.com",
			"/console/kyc/queue":                    fmt.Sprintf("/console/kyc/%d", doc),
			fmt.Sprintf("/console/kyc/%d", doc):     "X1234567",
			"/console/tenants":                      "test",
			"/console/tenants/" + ten:               "Float",
			"/console/tenants/" + ten + "/accounts": fmt.Sprint(w.Account),
			"/console/cards":                        w.Card.MaskedPAN,
			"/console/cards/" + w.Card.ID:           "Accept order",
			"/console/tenants/" + ten + "/webhooks": "Deliveries",
			fmt.Sprintf("/console/tenants/%s/accounts/%d", ten, w.Account): "opening deposit",
		}
		for path, want := range pages {
			p := o.get(t, path)
			if p.status != 200 || !strings.Contains(p.body, want) {
				t.Errorf("%s: %d, want %q in %.3000s", path, p.status, want, p.body)
			}
			if strings.Contains(p.body, w.FullPAN) {
				t.Errorf("%s shows the full card number", path)
			}
		}
		if p := o.get(t, fmt.Sprintf("/console/kyc/%d/images/front", doc)); p.status != 200 || p.header.Get("Content-Type") != "image/png" {
			t.Errorf("image: %d %s", p.status, p.header.Get("Content-Type"))
		}
		// Search: by email, account number, user id; a miss says so beside the box.
		for _, q := range []string{"ada@example.com", fmt.Sprint(w.Account)} {
			p := o.get(t, "/console/tenants/"+ten+"/accounts?q="+url.QueryEscape(q))
			if p.status != http.StatusSeeOther || !strings.HasSuffix(p.header.Get("Location"), fmt.Sprint("/accounts/", w.Account)) {
				t.Errorf("search %q: %d %s", q, p.status, p.header.Get("Location"))
			}
		}
		if p := o.get(t, "/console/tenants/"+ten+"/accounts?q="+url.QueryEscape(w.UserID)); p.status != http.StatusSeeOther {
			t.Errorf("search by user id: %d", p.status)
		}
		p := o.get(t, "/console/tenants/"+ten+"/accounts?q="+w.Card.Last4)
		if p.status != http.StatusSeeOther {
			t.Fatalf("search by last four: %d", p.status)
		}
		if p = o.get(t, p.header.Get("Location")); p.status != 200 || !strings.Contains(p.body, w.Card.MaskedPAN) {
			t.Errorf("cards ending in %s: %d", w.Card.Last4, p.status)
		}
		if p := o.get(t, "/console/cards?tenant="+ten+"&last4="+w.Card.Last4[:3]+"x"); p.status != 422 {
			t.Errorf("cards ending in a non-digit: %d", p.status)
		}
		if p := o.get(t, "/console/tenants/"+ten+"/accounts?q=nobody%40example.com"); p.status != 404 || !strings.Contains(p.body, `class="ferr"`) {
			t.Errorf("search miss: %d", p.status)
		}
		// Another tenant's account number under this tenant is not found.
		other := e.NewTenant(t)
		if p := o.get(t, fmt.Sprintf("/console/tenants/%s/accounts/%d", other.TenantID, w.Account)); p.status != 404 {
			t.Errorf("another tenant's account: %d", p.status)
		}

		// A rejection's reason is shown escaped; a rejection without one changes nothing.
		kyc := fmt.Sprintf("/console/kyc/%d", doc)
		if p := o.post(t, kyc, kyc+"/reject", url.Values{"reason": {""}}); p.status != 422 || !strings.Contains(p.body, `class="ferr"`) {
			t.Fatalf("reject without a reason: %d", p.status)
		}
		if d, _ := e.Core.GetKYCDocument(context.Background(), doc); d.Status != baas.KYCPending {
			t.Fatalf("status after a refused rejection: %s", d.Status)
		}
		if p := o.post(t, kyc, kyc+"/reject", url.Values{"reason": {`<script>alert("x")</script>`}}); p.status != 303 {
			t.Fatalf("reject: %d %.1000s", p.status, p.body)
		}
		p = o.get(t, kyc)
		if strings.Contains(p.body, `<script>alert`) || !strings.Contains(p.body, "&lt;script&gt;alert") {
			t.Fatalf("reason not escaped: %.3000s", p.body)
		}

		// Funding: the first step changes nothing, the confirmation funds once, a replay of
		// the confirmed form is the same funding.
		float := func() int64 {
			a, err := e.Core.MasterBalance(context.Background(), ten, core.FloatCurrency)
			if err != nil {
				t.Fatal(err)
			}
			return a.Balance
		}
		start := float()
		tp := "/console/tenants/" + ten
		p = o.post(t, tp, tp+"/fund", url.Values{"amount": {"abc"}, "currency": {"EUR"}})
		if p.status != 422 || float() != start {
			t.Fatalf("fund abc: %d", p.status)
		}
		p = o.post(t, tp, tp+"/fund", url.Values{"amount": {"1000.00"}, "currency": {"EUR"}})
		if p.status != 200 || !strings.Contains(p.body, "Confirm funding") || float() != start {
			t.Fatalf("fund step one: %d", p.status)
		}
		key := regexpValue(t, p.body, "key")
		form := url.Values{"amount": {"1000.00"}, "currency": {"EUR"}, "confirm": {"yes"}, "key": {key}, "csrf": {csrfOf(t, p)}}
		for range 2 {
			if p := o.do(t, "POST", tp+"/fund", form); p.status != 303 {
				t.Fatalf("fund confirm: %d %.1000s", p.status, p.body)
			}
		}
		if got := float(); got != start+100_000 {
			t.Fatalf("float %d, want %d", got, start+100_000)
		}
	})
}

func regexpValue(t *testing.T, body, name string) string {
	t.Helper()
	i := strings.Index(body, `name="`+name+`" value="`)
	if i < 0 {
		t.Fatalf("no %s field", name)
	}
	rest := body[i+len(`name="`+name+`" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}
