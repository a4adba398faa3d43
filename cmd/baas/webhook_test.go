package main

// End-to-end tests of webhooks through the baas binary: `baas webhook add` beside a
// running server, `baas tenant update`, and no event lost when the server is killed
// (SIGKILL) between enqueueing and delivering.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/webhook"
)

const hookToken = "webhook-test-operator-token-0123"

// fastHooks makes the server's dispatcher poll and retry quickly.
var fastHooks = []string{"BAAS_ADMIN_TOKEN=" + hookToken, "BAAS_WEBHOOK_POLL_INTERVAL=20ms",
	"BAAS_WEBHOOK_RETRY_SCHEDULE=" + strings.TrimSuffix(strings.Repeat("100ms,", 200), ","),
	"BAAS_WEBHOOK_TIMEOUT=1s", "BAAS_WEBHOOK_LEASE=2s"}

// hookSink is a webhook receiver on a loopback port that verifies signatures and the
// event-request-key. hold, when set, keeps requests open until it is closed.
type hookSink struct {
	mu      sync.Mutex
	secret  string
	erk     string
	got     []sinkRequest
	bad     []string
	hold    chan struct{}
	arrived chan string
}

type sinkRequest struct {
	id, typ string
	data    json.RawMessage
}

func (s *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	if err := webhook.Verify(s.secret, r.Header, body, webhook.DefaultTolerance, time.Now()); err != nil {
		s.bad = append(s.bad, err.Error())
	} else if got := r.Header.Get("event-request-key"); got != s.erk {
		s.bad = append(s.bad, "event-request-key "+got)
	}
	var env struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(body, &env)
	s.got = append(s.got, sinkRequest{r.Header.Get("webhook-id"), env.Type, env.Data})
	hold, arrived := s.hold, s.arrived
	s.mu.Unlock()
	if arrived != nil {
		select {
		case arrived <- r.Header.Get("webhook-id"):
		default:
		}
	}
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *hookSink) requests(t *testing.T) []sinkRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bad) > 0 {
		t.Errorf("deliveries that did not verify: %v", s.bad)
	}
	return append([]sinkRequest(nil), s.got...)
}

// serveSink starts a sink on addr ("127.0.0.1:0" for any port).
func serveSink(t *testing.T, addr string, s *hookSink) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: s}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// addWebhook runs `baas webhook add --json` and checks its output is exactly the
// documented object.
func addWebhook(t *testing.T, st *testStore, tenant, url string, extra ...string) (id, erk, secret string) {
	t.Helper()
	res := mustRun(t, st, nil, append([]string{"webhook", "add", "--tenant", tenant, "--url", url, "--json"}, extra...)...)
	var m map[string]any
	decodeJSON(t, "webhook add --json", []byte(res.stdout), &m)
	var ks []string
	for k, v := range m {
		ks = append(ks, k)
		if s, ok := v.(string); !ok || s == "" {
			t.Errorf("webhook add --json: %s is %v, want a non-empty string", k, v)
		}
	}
	slices.Sort(ks)
	if !slices.Equal(ks, []string{"endpoint_id", "event_request_key", "signing_secret"}) {
		t.Fatalf("webhook add --json keys %v: %s", ks, res.stdout)
	}
	if !strings.HasSuffix(res.stdout, "}\n") || strings.Count(res.stdout, "\n") != 1 {
		t.Errorf("webhook add --json should print one JSON line: %q", res.stdout)
	}
	id, erk, secret = m["endpoint_id"].(string), m["event_request_key"].(string), m["signing_secret"].(string)
	if !uuidRe.MatchString(id) || !strings.HasPrefix(secret, "whsec_") {
		t.Errorf("endpoint_id %q, signing_secret %q", id, secret)
	}
	return id, erk, secret
}

func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebhookAddWhileServing: `baas webhook add` against the store of a running server
// prints the documented JSON, and the server delivers the next event to the new endpoint
// without a restart; invalid URLs are refused.
func TestWebhookAddWhileServing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		srv := startServer(t, st, fastHooks...)
		creds := printedCredentials(t, srv.stdout.String())
		sink := &hookSink{}
		hs := serveSink(t, "127.0.0.1:0", sink)

		for _, bad := range []string{"ftp://example.com/x", "not a url", "http://", "https://example.com/" + strings.Repeat("a", 2050)} {
			res := runBaas(t, st, nil, "webhook", "add", "--tenant", creds.TenantID, "--url", bad, "--json")
			if res.code == 0 || res.stdout != "" || !strings.Contains(res.stderr, "url") {
				t.Errorf("webhook add --url %.40q: exit %d, stdout %q, stderr %q", bad, res.code, res.stdout, res.stderr)
			}
		}
		res := runBaas(t, st, nil, "webhook", "add", "--tenant", "00000000-0000-4000-8000-000000000000", "--url", hs.URL, "--json")
		if res.code == 0 || !strings.Contains(res.stderr, "tenant not found") {
			t.Errorf("webhook add for an unknown tenant: exit %d, stderr %q", res.code, res.stderr)
		}

		id, erk, secret := addWebhook(t, st, creds.TenantID, hs.URL+"/hooks", "--events", "account.created")
		sink.mu.Lock()
		sink.secret, sink.erk = secret, erk
		sink.mu.Unlock()
		createAccount(t, srv, creds.Girasol, "ana")
		waitUntil(t, 15*time.Second, "account.created delivered", func() bool { return len(sink.requests(t)) == 1 })
		if got := sink.requests(t)[0]; got.typ != "account.created" || !strings.Contains(string(got.data), "ana@example.com") {
			t.Errorf("delivered %+v", got)
		}

		res = mustRun(t, st, nil, "webhook", "list", "--tenant", creds.TenantID, "--json")
		if !strings.Contains(res.stdout, id) || !strings.Contains(res.stdout, `"events":["account.created"]`) || strings.Contains(res.stdout, secret) {
			t.Errorf("webhook list: %s", res.stdout)
		}
		waitUntil(t, 15*time.Second, "the delivery recorded as succeeded", func() bool {
			resp, b := srv.admin(t, hookToken, "GET", "/admin/api/tenants/"+creds.TenantID+"/webhooks/endpoints/"+id+"/deliveries", nil)
			wantStatus(t, "deliveries", resp, b, 200)
			return strings.Contains(string(b), `"status":"succeeded"`)
		})
		mustRun(t, st, nil, "webhook", "delete", "--tenant", creds.TenantID, id)
		createAccount(t, srv, creds.Girasol, "bob")
		time.Sleep(200 * time.Millisecond)
		if n := len(sink.requests(t)); n != 1 {
			t.Errorf("%d deliveries after the endpoint was deleted, want 1", n)
		}
	})
}

// TestTenantUpdate: `baas tenant update` sets the authorization URL, timeout and stand-in
// decision, and prints the signing secret once.
func TestTenantUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		var c tenantCreds
		decodeJSON(t, "tenant create", []byte(mustRun(t, st, nil, "tenant", "create", "--name", "acme", "--json").stdout), &c)
		res := mustRun(t, st, nil, "tenant", "update", c.TenantID, "--authorization-url", "https://acme.example/authorize",
			"--authorization-timeout", "1500ms", "--stand-in", "approve", "--json")
		var v map[string]any
		decodeJSON(t, "tenant update", []byte(res.stdout), &v)
		if v["authorization_url"] != "https://acme.example/authorize" || v["authorization_timeout_ms"] != float64(1500) ||
			v["stand_in"] != "approve" || !strings.HasPrefix(fmt.Sprint(v["authorization_signing_secret"]), "whsec_") {
			t.Errorf("tenant update: %s", res.stdout)
		}
		res = mustRun(t, st, nil, "tenant", "update", c.TenantID, "--stand-in", "decline")
		if !strings.Contains(res.stdout, "stand_in:               decline") || !strings.Contains(res.stdout, "1.5s") ||
			strings.Contains(res.stdout, "whsec_") {
			t.Errorf("second tenant update:\n%s", res.stdout)
		}
		for _, args := range [][]string{
			{"--stand-in", "maybe"}, {"--authorization-url", "ftp://x"}, {"--authorization-timeout", "1h"}, {},
		} {
			res := runBaas(t, st, nil, append([]string{"tenant", "update", c.TenantID}, args...)...)
			if res.code == 0 {
				t.Errorf("tenant update %v succeeded:\n%s", args, res.stdout)
			}
		}
		srv := startServer(t, st, "BAAS_ADMIN_TOKEN="+hookToken)
		resp, b := srv.admin(t, hookToken, "GET", "/admin/api/tenants/"+c.TenantID+"/authorization", nil)
		wantStatus(t, "get authorization", resp, b, 200)
		if !strings.Contains(string(b), `"stand_in":"decline"`) || !strings.Contains(string(b), `"authorization_timeout_ms":1500`) {
			t.Errorf("authorization settings: %s", b)
		}
	})
}

// TestWebhooksSurviveSIGKILL: events enqueued while the receiver is down, or whose
// delivery is in flight, are delivered after the server is killed with SIGKILL and
// started again.
func TestWebhooksSurviveSIGKILL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		srv := startServer(t, st, fastHooks...)
		creds := printedCredentials(t, srv.stdout.String())

		// The receiver's address, with nothing listening yet.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, erk, secret := addWebhook(t, st, creds.TenantID, "http://"+addr+"/hooks")
		sink := &hookSink{secret: secret, erk: erk, arrived: make(chan string, 16)}

		// 1. Enqueued while the receiver is down; killed right after.
		for _, h := range []string{"a1", "a2", "a3"} {
			createAccount(t, srv, creds.Girasol, h)
		}
		// deliveries counts the deliveries with a status that have been tried at least once.
		deliveries := func(s *serveProc, status string) int {
			resp, b := s.admin(t, hookToken, "GET", "/admin/api/tenants/"+creds.TenantID+"/webhooks/deliveries?status="+status, nil)
			wantStatus(t, "deliveries", resp, b, 200)
			var v struct {
				Deliveries []struct {
					Attempts  int    `json:"attempts"`
					LastError string `json:"last_error"`
				} `json:"deliveries"`
			}
			decodeJSON(t, "deliveries", b, &v)
			n := 0
			for _, d := range v.Deliveries {
				if d.Attempts > 0 && (status != "pending" || strings.Contains(d.LastError, "refused")) {
					n++
				}
			}
			return n
		}
		waitUntil(t, 15*time.Second, "attempts refused while the receiver is down", func() bool { return deliveries(srv, "pending") == 3 })
		srv.terminate(t, syscall.SIGKILL)
		serveSink(t, addr, sink)
		srv = startServer(t, st, fastHooks...)
		waitUntil(t, 15*time.Second, "the three events delivered after the restart", func() bool { return len(sink.requests(t)) >= 3 })
		waitUntil(t, 15*time.Second, "recorded as succeeded", func() bool { return deliveries(srv, "succeeded") == 3 })

		// 2. Killed while a delivery is in flight: the receiver holds the request.
		for len(sink.arrived) > 0 {
			<-sink.arrived
		}
		sink.mu.Lock()
		sink.hold = make(chan struct{})
		sink.mu.Unlock()
		createAccount(t, srv, creds.Girasol, "b1")
		var inFlight string
		select {
		case inFlight = <-sink.arrived:
		case <-time.After(15 * time.Second):
			t.Fatal("the delivery never arrived")
		}
		srv.terminate(t, syscall.SIGKILL)
		sink.mu.Lock()
		close(sink.hold)
		sink.hold = nil
		sink.mu.Unlock()
		srv = startServer(t, st, fastHooks...)
		waitUntil(t, 15*time.Second, "the in-flight event delivered again after its lease", func() bool {
			n := 0
			for _, r := range sink.requests(t) {
				if r.id == inFlight {
					n++
				}
			}
			return n == 2
		})
		waitUntil(t, 15*time.Second, "recorded as succeeded", func() bool { return deliveries(srv, "succeeded") == 4 })

		// 3. Enqueued and killed at once, receiver up.
		before := len(sink.requests(t))
		createAccount(t, srv, creds.Girasol, "c1")
		srv.terminate(t, syscall.SIGKILL)
		srv = startServer(t, st, fastHooks...)
		waitUntil(t, 15*time.Second, "the last event delivered", func() bool { return len(sink.requests(t)) > before })
		seen := map[string]int{}
		for _, r := range sink.requests(t) {
			seen[r.id]++
		}
		if len(seen) != 5 {
			t.Errorf("%d distinct events delivered, want 5: %v", len(seen), seen)
		}
	})
}
