package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/webhook"
)

// hookReceiver records the webhook-ids it is sent, verifying each signature; it answers
// 500 while failing is set.
type hookReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	secret  string
	ids     []string
	bad     []string
	failing atomic.Bool
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		if err := webhook.Verify(h.secret, r.Header, body, webhook.DefaultTolerance, time.Now()); err != nil {
			h.bad = append(h.bad, err.Error())
		}
		h.ids = append(h.ids, r.Header.Get("webhook-id"))
		h.mu.Unlock()
		if h.failing.Load() {
			w.WriteHeader(500)
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) received(t *testing.T) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bad) > 0 {
		t.Errorf("unverifiable deliveries: %v", h.bad)
	}
	return append([]string(nil), h.ids...)
}

func startDispatcher(t *testing.T, e *servertest.Env) {
	d, err := webhook.NewDispatcher(e.Core, webhook.Config{PollInterval: 10 * time.Millisecond, Timeout: 2 * time.Second,
		Schedule: []time.Duration{10 * time.Millisecond}, Jitter: -1}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func wantStatus(t *testing.T, what string, r *servertest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.Status, status, r.Raw)
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func createAccount(t *testing.T, e *servertest.Env, handle string) {
	t.Helper()
	r := e.Girasol(t, "POST", "/v1/accounts/create-account", map[string]any{"firstName": "A", "lastName": "B",
		"addressLine1": "x", "addressLine2": "", "city": "c", "zipCode": "1", "phone": "+59899123456", "email": handle + "@example.com",
		"handle": handle})
	wantStatus(t, "create-account", r, 201)
}

func TestAdminWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		tenant := "/admin/api/tenants/" + e.Tenant.TenantID
		rc := newHookReceiver(t)

		// Creating: the exact shape; bad input refused.
		r := e.Admin(t, "POST", tenant+"/webhooks/endpoints", map[string]any{"url": rc.srv.URL + "/hook", "events": []string{"account.*"}})
		wantStatus(t, "create endpoint", r, 201)
		if got := keys(r.JSON); !slices.Equal(got, []string{"endpoint_id", "event_request_key", "signing_secret"}) {
			t.Fatalf("create endpoint keys %v: %s", got, r.Raw)
		}
		endpointID := r.JSON["endpoint_id"].(string)
		rc.mu.Lock()
		rc.secret = r.JSON["signing_secret"].(string)
		rc.mu.Unlock()
		for _, body := range []map[string]any{
			{"url": "ftp://example.com"}, {"url": "http://"}, {"url": ""}, {"url": "https://example.com/" + strings.Repeat("x", 2100)},
			{"url": "https://example.com", "events": []string{"NOT VALID"}}, {"url": "https://example.com", "format": "xml"},
			{"url": "https://example.com", "unknown": 1},
		} {
			wantStatus(t, fmt.Sprintf("create endpoint %v", body), e.Admin(t, "POST", tenant+"/webhooks/endpoints", body), 400)
		}
		wantStatus(t, "create endpoint for an unknown tenant", e.Admin(t, "POST",
			"/admin/api/tenants/00000000-0000-4000-8000-000000000000/webhooks/endpoints", map[string]any{"url": "https://example.com"}), 404)
		wantStatus(t, "without a token", e.Do(t, "GET", tenant+"/webhooks/endpoints", nil, nil), 401)

		r = e.Admin(t, "GET", tenant+"/webhooks/endpoints", nil)
		wantStatus(t, "list endpoints", r, 200)
		if !strings.Contains(string(r.Raw), `"events":["account.*"]`) || strings.Contains(string(r.Raw), "whsec_") {
			t.Errorf("list endpoints: %s", r.Raw)
		}

		// A delivery, visible per endpoint, per event, and with its attempts.
		startDispatcher(t, e)
		createAccount(t, e, "ana")
		waitFor(t, "account.created delivered", func() bool { return len(rc.received(t)) == 1 })
		var events struct {
			Events []struct {
				ID        int64  `json:"event_id"`
				WebhookID string `json:"webhook_id"`
				Type      string `json:"type"`
			} `json:"events"`
		}
		r = e.Admin(t, "GET", tenant+"/events?type=account.created", nil)
		wantStatus(t, "list events", r, 200)
		json.Unmarshal(r.Raw, &events)
		if len(events.Events) != 1 || events.Events[0].WebhookID != rc.received(t)[0] {
			t.Fatalf("events %s, delivered %v", r.Raw, rc.received(t))
		}
		eventID := events.Events[0].ID
		type deliveries struct {
			Deliveries []struct {
				ID             int64   `json:"delivery_id"`
				Status         string  `json:"status"`
				Attempts       int     `json:"attempts"`
				LastStatusCode int     `json:"last_status_code"`
				LastError      string  `json:"last_error"`
				LatencyMS      float64 `json:"last_latency_ms"`
				EventType      string  `json:"event_type"`
			} `json:"deliveries"`
		}
		succeeded := func(path string) func() bool {
			return func() bool {
				var ds deliveries
				json.Unmarshal(e.Admin(t, "GET", path, nil).Raw, &ds)
				return len(ds.Deliveries) == 1 && ds.Deliveries[0].Status == "succeeded"
			}
		}
		waitFor(t, "delivery succeeded", succeeded(tenant+"/webhooks/endpoints/"+endpointID+"/deliveries"))
		var ds deliveries
		r = e.Admin(t, "GET", fmt.Sprintf("%s/events/%d/deliveries", tenant, eventID), nil)
		wantStatus(t, "deliveries of the event", r, 200)
		json.Unmarshal(r.Raw, &ds)
		if len(ds.Deliveries) != 1 || ds.Deliveries[0].Attempts != 1 || ds.Deliveries[0].LastStatusCode != 200 ||
			ds.Deliveries[0].EventType != "account.created" {
			t.Fatalf("deliveries of the event: %s", r.Raw)
		}
		deliveryID := ds.Deliveries[0].ID
		r = e.Admin(t, "GET", fmt.Sprintf("%s/webhooks/deliveries/%d", tenant, deliveryID), nil)
		wantStatus(t, "delivery log", r, 200)
		if attempts, _ := r.JSON["attempts"].([]any); len(attempts) != 1 {
			t.Fatalf("delivery log: %s", r.Raw)
		}
		other := e.NewTenant(t)
		wantStatus(t, "another tenant's delivery", e.Admin(t, "GET",
			fmt.Sprintf("/admin/api/tenants/%s/webhooks/deliveries/%d", other.TenantID, deliveryID), nil), 404)
		wantStatus(t, "another tenant's event", e.Admin(t, "POST",
			fmt.Sprintf("/admin/api/tenants/%s/events/%d/resend", other.TenantID, eventID), nil), 404)
		wantStatus(t, "another tenant's endpoint's deliveries", e.Admin(t, "GET",
			fmt.Sprintf("/admin/api/tenants/%s/webhooks/endpoints/%s/deliveries", other.TenantID, endpointID), nil), 404)
		wantStatus(t, "an unknown endpoint's deliveries", e.Admin(t, "GET",
			tenant+"/webhooks/endpoints/00000000-0000-4000-8000-000000000000/deliveries", nil), 404)
		wantStatus(t, "bad status filter", e.Admin(t, "GET", tenant+"/webhooks/deliveries?status=bogus", nil), 400)

		// Re-send one event.
		r = e.Admin(t, "POST", fmt.Sprintf("%s/events/%d/resend", tenant, eventID), nil)
		wantStatus(t, "resend event", r, 202)
		if r.JSON["requeued"] != float64(1) {
			t.Errorf("resend: %s", r.Raw)
		}
		waitFor(t, "re-sent", func() bool { return len(rc.received(t)) == 2 })

		// Failures, then re-send all failed since a time.
		rc.failing.Store(true)
		since := time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)
		createAccount(t, e, "bob")
		waitFor(t, "failed after the schedule", func() bool {
			var ds deliveries
			json.Unmarshal(e.Admin(t, "GET", tenant+"/webhooks/deliveries?status=failed", nil).Raw, &ds)
			return len(ds.Deliveries) == 1 && ds.Deliveries[0].Attempts == 2 && ds.Deliveries[0].LastError == "HTTP 500"
		})
		rc.failing.Store(false)
		wantStatus(t, "resend-failed without since", e.Admin(t, "POST", tenant+"/webhooks/deliveries/resend-failed", map[string]any{}), 400)
		r = e.Admin(t, "POST", tenant+"/webhooks/deliveries/resend-failed", map[string]any{"since": since})
		wantStatus(t, "resend-failed", r, 202)
		if r.JSON["requeued"] != float64(1) {
			t.Errorf("resend-failed: %s", r.Raw)
		}
		waitFor(t, "no failed deliveries left", func() bool {
			var ds deliveries
			json.Unmarshal(e.Admin(t, "GET", tenant+"/webhooks/deliveries?status=succeeded", nil).Raw, &ds)
			return len(ds.Deliveries) == 2
		})

		wantStatus(t, "delete endpoint", e.Admin(t, "DELETE", tenant+"/webhooks/endpoints/"+endpointID, nil), 204)
		wantStatus(t, "delete endpoint again", e.Admin(t, "DELETE", tenant+"/webhooks/endpoints/"+endpointID, nil), 404)
		r = e.Admin(t, "GET", tenant+"/webhooks/endpoints/"+endpointID+"/deliveries", nil)
		wantStatus(t, "a deleted endpoint's deliveries", r, 200)
		if ds, _ := r.JSON["deliveries"].([]any); len(ds) != 2 {
			t.Errorf("a deleted endpoint's deliveries: %s", r.Raw)
		}
	})
}

func TestAdminAuthorizationSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		tenant := "/admin/api/tenants/" + e.Tenant.TenantID
		r := e.Admin(t, "GET", tenant+"/authorization", nil)
		wantStatus(t, "get authorization", r, 200)
		if r.JSON["authorization_timeout_ms"] != float64(2000) || r.JSON["stand_in"] != "decline" || r.JSON["authorization_url"] != "" {
			t.Errorf("defaults: %s", r.Raw)
		}
		r = e.Admin(t, "PATCH", tenant, map[string]any{"authorization_url": "https://example.com/authorize",
			"authorization_timeout_ms": 1500, "stand_in": "approve"})
		wantStatus(t, "patch tenant", r, 200)
		if s, _ := r.JSON["authorization_signing_secret"].(string); !strings.HasPrefix(s, "whsec_") ||
			r.JSON["authorization_timeout_ms"] != float64(1500) || r.JSON["stand_in"] != "approve" {
			t.Errorf("patch: %s", r.Raw)
		}
		r = e.Admin(t, "PATCH", tenant, map[string]any{"stand_in": "decline"})
		wantStatus(t, "patch stand-in", r, 200)
		if _, ok := r.JSON["authorization_signing_secret"]; ok || r.JSON["authorization_url"] != "https://example.com/authorize" {
			t.Errorf("second patch: %s", r.Raw)
		}
		for _, body := range []map[string]any{
			{"stand_in": "maybe"}, {"authorization_url": "gopher://x"}, {"authorization_timeout_ms": 10},
			{"authorization_timeout_ms": 60_000}, {"name": "x"},
		} {
			wantStatus(t, fmt.Sprintf("patch %v", body), e.Admin(t, "PATCH", tenant, body), 400)
		}
		wantStatus(t, "patch an unknown tenant", e.Admin(t, "PATCH", "/admin/api/tenants/nope", map[string]any{"stand_in": "approve"}), 404)
		r = e.Admin(t, "GET", tenant+"/authorization/calls", nil)
		wantStatus(t, "calls", r, 200)
		if !strings.Contains(string(r.Raw), `"calls":[]`) {
			t.Errorf("calls: %s", r.Raw)
		}
	})
}
