package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/webhook"
)

// env is a core over a fresh store with one tenant.
type env struct {
	svc    *core.Service
	store  baas.Store
	tenant string
	ctx    context.Context // acts for the tenant
}

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	store := storetest.Open(t, engine)
	svc, err := core.New(store, core.DefaultConfig(), core.NewMasterKey(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "hooks", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, store: store, tenant: creds.TenantID, ctx: baas.WithTenant(context.Background(), creds.TenantID)}
}

var handleSeq atomic.Int64

// account opens a customer account and returns its number and customer id (the object id
// of its events).
func (e *env) account(t *testing.T) (int64, string) {
	t.Helper()
	h := fmt.Sprintf("u%d", handleSeq.Add(1))
	info, _, err := e.svc.CreateAccount(e.ctx, core.CreateAccountParams{Email: h + "@example.com", Handle: h,
		FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return info.Account.Number, info.Customer.ID
}

func (e *env) cashIn(t *testing.T, number, amount int64) {
	t.Helper()
	if _, _, err := e.svc.CashIn(e.ctx, core.CashInParams{AccountNumber: number, Amount: amount, Message: "in"}); err != nil {
		t.Fatalf("CashIn: %v", err)
	}
}

// endpoint registers rc's URL for the tenant and tells rc the secrets.
func (e *env) endpoint(t *testing.T, rc *receiver, types ...string) *core.WebhookEndpointSecrets {
	t.Helper()
	return e.endpointURL(t, rc, rc.URL(), types...)
}

func (e *env) endpointURL(t *testing.T, rc *receiver, url string, types ...string) *core.WebhookEndpointSecrets {
	t.Helper()
	s, err := e.svc.CreateWebhookEndpoint(context.Background(), core.CreateWebhookEndpointParams{TenantID: e.tenant,
		URL: url, EventTypes: types})
	if err != nil {
		t.Fatalf("CreateWebhookEndpoint: %v", err)
	}
	if rc != nil {
		rc.setSecrets(s.SigningSecret, s.EventRequestKey)
	}
	return s
}

func (e *env) deliveries(t *testing.T, f baas.DeliveryFilter) []*baas.WebhookDelivery {
	t.Helper()
	f.TenantID = e.tenant
	ds, err := e.svc.ListDeliveries(context.Background(), f)
	if err != nil {
		t.Fatalf("ListDeliveries: %v", err)
	}
	return ds
}

// fastConfig retries quickly so that tests never wait for real minutes.
func fastConfig() webhook.Config {
	return webhook.Config{Workers: 4, PollInterval: 10 * time.Millisecond, Timeout: 2 * time.Second,
		Lease: 5 * time.Second, Schedule: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond,
			20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond}, Jitter: -1}
}

// dispatch runs a dispatcher until the test ends.
func dispatch(t *testing.T, svc *core.Service, cfg webhook.Config) *webhook.Dispatcher {
	t.Helper()
	d, err := webhook.NewDispatcher(svc, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := d.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
	})
	return d
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// received is one request that reached a receiver.
type received struct {
	ID        string // webhook-id
	Type      string
	ObjectID  string
	Data      json.RawMessage
	Body      []byte
	Header    http.Header
	VerifyErr error
	Status    int // what the receiver answered
}

// receiver is a real HTTP server on a free loopback port that verifies every request's
// signature and event-request-key, records it, and answers what respond says (200 when
// respond is nil or returns 0; a negative -status when respond wrote the answer itself).
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	secret  string
	erk     string
	got     []received
	respond func(n int, r *received, w http.ResponseWriter, req *http.Request) int // n counts requests from 1
}

func newReceiver(t *testing.T, respond func(n int, r *received, w http.ResponseWriter, req *http.Request) int) *receiver {
	t.Helper()
	rc := &receiver{t: t, respond: respond}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

// newReceiverAt starts a receiver on a given address (to bring a "down" receiver up).
func newReceiverAt(t *testing.T, addr string, respond func(n int, r *received, w http.ResponseWriter, req *http.Request) int) *receiver {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s again: %v", addr, err)
	}
	rc := &receiver{t: t, respond: respond}
	rc.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(rc.serve)}}
	rc.srv.Start()
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) URL() string { return rc.srv.URL + "/hooks/baas?x=1" }

func (rc *receiver) setSecrets(secret, erk string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret, rc.erk = secret, erk
}

func (rc *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	rc.mu.Lock()
	secret, erk := rc.secret, rc.erk
	rc.mu.Unlock()
	r := received{ID: req.Header.Get("webhook-id"), Body: body, Header: req.Header.Clone()}
	r.VerifyErr = webhook.Verify(secret, req.Header, body, webhook.DefaultTolerance, time.Now())
	if r.VerifyErr == nil && req.Header.Get("event-request-key") != erk {
		r.VerifyErr = fmt.Errorf("event-request-key %q, want %q", req.Header.Get("event-request-key"), erk)
	}
	var env struct {
		ID       string          `json:"id"`
		Type     string          `json:"type"`
		ObjectID string          `json:"object_id"`
		Data     json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err == nil {
		r.Type, r.ObjectID, r.Data = env.Type, env.ObjectID, env.Data
		if env.ID != "" && env.ID != r.ID {
			r.VerifyErr = fmt.Errorf("body id %q differs from webhook-id %q", env.ID, r.ID)
		}
	}
	rc.mu.Lock()
	n := len(rc.got) + 1
	rc.got = append(rc.got, r)
	idx := len(rc.got) - 1
	rc.mu.Unlock()
	status := 0
	if rc.respond != nil {
		status = rc.respond(n, &r, w, req)
	}
	if status == 0 {
		status = http.StatusOK
	}
	if status > 0 {
		w.WriteHeader(status)
	} else {
		status = -status // the responder wrote the answer itself
	}
	rc.mu.Lock()
	rc.got[idx].Status = status
	rc.mu.Unlock()
}

// requests returns a copy of what arrived so far. Every request must have verified.
func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, r := range rc.got {
		if r.VerifyErr != nil {
			rc.t.Errorf("request %s did not verify: %v", r.ID, r.VerifyErr)
		}
	}
	return append([]received(nil), rc.got...)
}

// succeeded returns the webhook-ids answered 2xx, in arrival order.
func (rc *receiver) succeeded() []string {
	var ids []string
	for _, r := range rc.requests() {
		if r.Status >= 200 && r.Status < 300 {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}
