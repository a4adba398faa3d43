package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/webhook"
)

// authServer is a tenant's authorization URL: it verifies the signature and answers
// what answer returns (status, body).
type authServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	reqs   []map[string]any
	errs   []error
}

func newAuthServer(t *testing.T, answer func(r *http.Request) (int, string)) *authServer {
	t.Helper()
	a := &authServer{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		if err := webhook.Verify(a.secret, r.Header, body, webhook.DefaultTolerance, time.Now()); err != nil {
			a.errs = append(a.errs, err)
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		a.reqs = append(a.reqs, m)
		a.mu.Unlock()
		status, out := answer(r)
		w.WriteHeader(status)
		io.WriteString(w, out)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *authServer) requests(t *testing.T) []map[string]any {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, err := range a.errs {
		t.Errorf("authorization request did not verify: %v", err)
	}
	return append([]map[string]any(nil), a.reqs...)
}

func TestRequestAuthorization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		ctx := context.Background()
		e.svc.SetAuthorizationCaller(webhook.NewAuthorizer(nil))
		ask := func(ref string) *baas.AuthorizationDecision {
			t.Helper()
			d, err := e.svc.RequestAuthorization(ctx, core.AuthorizationParams{TenantID: e.tenant, Reference: ref,
				Data: map[string]any{"amount": 1250, "currency": "USD", "merchant": "Coffee"}})
			if err != nil {
				t.Fatalf("RequestAuthorization: %v", err)
			}
			return d
		}
		set := func(p core.AuthorizationSettingsPatch) *core.AuthorizationSettingsView {
			t.Helper()
			p.TenantID = e.tenant
			v, err := e.svc.UpdateAuthorizationSettings(ctx, p)
			if err != nil {
				t.Fatalf("UpdateAuthorizationSettings: %v", err)
			}
			return v
		}

		// No URL: approved without asking anyone.
		if d := ask("no-url"); !d.Approved || d.StandIn {
			t.Errorf("without a URL: %+v, want approved", d)
		}
		v, err := e.svc.GetAuthorizationSettings(ctx, e.tenant)
		if err != nil || v.TimeoutMS != 2000 || v.StandIn != baas.StandInDecline || v.URL != "" {
			t.Fatalf("defaults: %+v, %v", v, err)
		}

		var mode string
		var modeMu sync.Mutex
		setMode := func(m string) { modeMu.Lock(); mode = m; modeMu.Unlock() }
		srv := newAuthServer(t, func(r *http.Request) (int, string) {
			modeMu.Lock()
			m := mode
			modeMu.Unlock()
			switch m {
			case "approve":
				return 200, `{"approved": true}`
			case "decline":
				return 200, `{"decision": "decline", "reason": "suspected fraud"}`
			case "hang":
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
				return 200, `{"approved": true}`
			case "500":
				return 500, `oops`
			default:
				return 200, `<html>garbage</html>`
			}
		})
		url := srv.srv.URL + "/authorize"
		v = set(core.AuthorizationSettingsPatch{URL: &url})
		if !strings.HasPrefix(v.SigningSecret, "whsec_") || v.URL != url {
			t.Fatalf("first URL: %+v, want a signing secret", v)
		}
		srv.mu.Lock()
		srv.secret = v.SigningSecret
		srv.mu.Unlock()
		timeout := 300 * time.Millisecond
		if v := set(core.AuthorizationSettingsPatch{Timeout: &timeout}); v.SigningSecret != "" || v.TimeoutMS != 300 {
			t.Fatalf("second update: %+v, want no new secret and 300ms", v)
		}

		setMode("approve")
		if d := ask("a1"); !d.Approved || d.StandIn || d.StatusCode != 200 || d.Reason != "approved by the tenant" {
			t.Errorf("approve: %+v", d)
		}
		setMode("decline")
		if d := ask("a2"); d.Approved || d.StandIn || d.Reason != "suspected fraud" {
			t.Errorf("decline: %+v", d)
		}
		setMode("hang")
		start := time.Now()
		d := ask("a3")
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("a hanging URL held the call for %s (timeout 300ms)", el)
		}
		if d.Approved || !d.StandIn || d.Reason != "timeout after 300ms" || d.Latency < timeout {
			t.Errorf("timeout with stand-in decline: %+v", d)
		}
		approve := baas.StandInApprove
		set(core.AuthorizationSettingsPatch{StandIn: &approve})
		if d := ask("a4"); !d.Approved || !d.StandIn || d.Reason != "timeout after 300ms" {
			t.Errorf("timeout with stand-in approve: %+v", d)
		}
		setMode("500")
		if d := ask("a5"); !d.Approved || !d.StandIn || d.StatusCode != 500 || d.Reason != "endpoint answered HTTP 500" {
			t.Errorf("500 with stand-in approve: %+v", d)
		}
		decline := baas.StandInDecline
		set(core.AuthorizationSettingsPatch{StandIn: &decline})
		setMode("garbage")
		if d := ask("a6"); d.Approved || !d.StandIn || !strings.HasPrefix(d.Reason, "invalid response") {
			t.Errorf("garbage with stand-in decline: %+v", d)
		}

		reqs := srv.requests(t)
		if len(reqs) != 6 {
			t.Fatalf("%d requests reached the URL, want 6", len(reqs))
		}
		r := reqs[0]
		if r["type"] != "authorization.request" || r["tenant_id"] != e.tenant || !strings.HasPrefix(r["id"].(string), "authz_") {
			t.Errorf("request body %v", r)
		}
		if data, _ := r["data"].(map[string]any); data["merchant"] != "Coffee" {
			t.Errorf("request data %v", r["data"])
		}

		calls, err := e.svc.ListAuthorizationCalls(ctx, e.tenant, 0, 0)
		if err != nil || len(calls) != 6 {
			t.Fatalf("recorded calls: %d, %v; want 6", len(calls), err)
		}
		last := calls[0] // newest first
		if last.Reference != "a6" || last.Approved || !last.StandIn || !strings.HasPrefix(last.Reason, "invalid response") {
			t.Errorf("last recorded call %+v", last)
		}
		if c := calls[3]; c.Reference != "a3" || c.Reason != "timeout after 300ms" || !c.StandIn || c.Latency < timeout {
			t.Errorf("recorded timeout %+v", c)
		}

		// Turning the URL off approves again without asking.
		empty := ""
		set(core.AuthorizationSettingsPatch{URL: &empty})
		if d := ask("off"); !d.Approved || d.StandIn {
			t.Errorf("after turning off: %+v", d)
		}
		// The secret stays: setting a URL again does not issue a new one.
		if v := set(core.AuthorizationSettingsPatch{URL: &url}); v.SigningSecret != "" {
			t.Errorf("a second URL issued a new secret")
		}
	})
}

func TestAuthorizationSettingsValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		ctx := context.Background()
		bad := "ftp://example.com"
		short, long := time.Millisecond, time.Minute
		maybe := "maybe"
		for _, p := range []core.AuthorizationSettingsPatch{
			{TenantID: e.tenant, URL: &bad},
			{TenantID: e.tenant, Timeout: &short},
			{TenantID: e.tenant, Timeout: &long},
			{TenantID: e.tenant, StandIn: &maybe},
		} {
			if _, err := e.svc.UpdateAuthorizationSettings(ctx, p); !baas.IsCode(err, baas.EInvalid) {
				t.Errorf("%+v: %v, want invalid", p, err)
			}
		}
		ok := "https://example.com/authorize"
		if _, err := e.svc.UpdateAuthorizationSettings(ctx, core.AuthorizationSettingsPatch{
			TenantID: "00000000-0000-4000-8000-000000000000", URL: &ok}); !baas.IsCode(err, baas.ENotFound) {
			t.Errorf("unknown tenant: %v", err)
		}
		// Without a caller the stand-in applies, with the reason.
		if _, err := e.svc.UpdateAuthorizationSettings(ctx, core.AuthorizationSettingsPatch{TenantID: e.tenant, URL: &ok}); err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.RequestAuthorization(ctx, core.AuthorizationParams{TenantID: e.tenant, Reference: "r"})
		if err != nil || d.Approved || !d.StandIn || d.Reason != "no authorization caller configured" {
			t.Errorf("without a caller: %+v, %v", d, err)
		}
	})
}

func TestSignAndVerify(t *testing.T) {
	secret := core.NewSigningSecret()
	body := []byte(`{"id":"evt_1"}`)
	now := time.Now()
	sig, err := webhook.Sign(secret, "evt_1", now.Unix(), body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "evt_1")
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", "v1,bm90IGl0 "+sig) // a rotated-out signature first
	if err := webhook.Verify(secret, h, body, webhook.DefaultTolerance, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := webhook.Verify(secret, h, []byte(`{"id":"evt_2"}`), webhook.DefaultTolerance, now); err != webhook.ErrNoValidSignature {
		t.Errorf("tampered body: %v", err)
	}
	if err := webhook.Verify(core.NewSigningSecret(), h, body, webhook.DefaultTolerance, now); err != webhook.ErrNoValidSignature {
		t.Errorf("other secret: %v", err)
	}
	if err := webhook.Verify(secret, h, body, webhook.DefaultTolerance, now.Add(6*time.Minute)); err != webhook.ErrTimestamp {
		t.Errorf("replayed 6 minutes later: %v", err)
	}
	h2 := h.Clone()
	h2.Set("webhook-id", "evt_9")
	if err := webhook.Verify(secret, h2, body, webhook.DefaultTolerance, now); err != webhook.ErrNoValidSignature {
		t.Errorf("other id: %v", err)
	}
	h2 = h.Clone()
	h2.Del("webhook-signature")
	if err := webhook.Verify(secret, h2, body, webhook.DefaultTolerance, now); err != webhook.ErrMissingHeaders {
		t.Errorf("no signature: %v", err)
	}
}
