// Package servertest starts the real baas HTTP server on a free loopback port over a
// fresh store, for end-to-end tests of the dialects.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/openapi/openapitest"
	"github.com/baas-oss/baas/server"
	"github.com/baas-oss/baas/store/storetest"
)

// AdminToken is the operator token of every test server.
const AdminToken = "test-operator-token-0123456789"

// Env is a running server with one sandbox tenant.
type Env struct {
	URL   string
	Store baas.Store
	// StoreURL is where the store's database is (storetest.OpenURL), for a test that
	// opens it directly.
	StoreURL string
	Core     *core.Service
	Tenant   *core.TenantCredentials
	Client   *http.Client
}

// Start starts a server over a fresh store of the engine and creates a sandbox tenant.
func Start(t testing.TB, engine string) *Env {
	t.Helper()
	return StartWith(t, engine, Options{})
}

// Options change the server StartWith starts.
type Options struct {
	// Now is the core's and the server's clock; nil is the wall clock.
	Now baas.Clock
	// Log is the server's log (the core's too); nil discards it.
	Log *slog.Logger
	// CodegoRateLimit is server.Options.CodegoRateLimit: 0 the spec's limit, negative none.
	CodegoRateLimit int
	// Config, when set, changes the core's configuration (core.DefaultConfig) first.
	Config func(*core.Config)
}

// StartWith is Start with options.
func StartWith(t testing.TB, engine string, o Options) *Env {
	t.Helper()
	now := o.Now
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	store, storeURL := storetest.OpenURL(t, engine)
	cfg := core.DefaultConfig()
	if o.Config != nil {
		o.Config(&cfg)
	}
	svc, err := core.New(store, cfg, core.NewMasterKey(), now, log)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := svc.AdminAuthenticator(context.Background(), AdminToken)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: server.New(server.Options{Core: svc, Log: log, AdminAuth: auth, Now: now,
		CodegoRateLimit: o.CodegoRateLimit}),
		ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(server.Listener(ln, now))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "test", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{URL: "http://" + ln.Addr().String(), Store: store, StoreURL: storeURL, Core: svc, Tenant: creds,
		Client: &http.Client{Timeout: 30 * time.Second, Transport: CheckedTransport(t)}}
}

// CheckedTransport returns the transport of every Env's Client: each request and
// response is validated against the API's OpenAPI document (openapitest.Check), and a
// mismatch fails t. This is what keeps openapi/*.json honest; see docs/design.md.
func CheckedTransport(t testing.TB) http.RoundTripper {
	return &openapitest.Transport{Checker: &openapitest.Checker{}, Fail: t.Errorf}
}

// NewTenant creates another sandbox tenant.
func (e *Env) NewTenant(t testing.TB) *core.TenantCredentials {
	t.Helper()
	c, err := e.Core.CreateTenant(context.Background(), core.CreateTenantParams{Name: "other", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Response is a decoded HTTP response.
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// Do sends a request with a body (a string or []byte is sent as is, anything else as
// JSON) and returns the response, its body decoded when it is a JSON object.
func (e *Env) Do(t testing.TB, method, path string, body any, header http.Header) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if rd != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.JSON)
	return r
}

// GirasolHeaders returns the credential headers of a tenant.
func GirasolHeaders(c *core.TenantCredentials) http.Header {
	h := http.Header{}
	h.Set("x-api-key", c.Girasol.APIKey)
	h.Set("x-secret-key", c.Girasol.SecretKey)
	h.Set("x-company-id", c.Girasol.CompanyID)
	return h
}

// Girasol sends a request with the default tenant's Girasol credentials.
func (e *Env) Girasol(t testing.TB, method, path string, body any) *Response {
	t.Helper()
	return e.Do(t, method, path, body, GirasolHeaders(e.Tenant))
}

// Admin sends a request with the operator token.
func (e *Env) Admin(t testing.TB, method, path string, body any) *Response {
	t.Helper()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+AdminToken)
	return e.Do(t, method, path, body, h)
}

// FuzzEngines are the engines a fuzz target sends every input to: SQLite, and
// PostgreSQL when its URL is set (a fuzz target cannot skip one engine in a subtest).
func FuzzEngines() []string {
	if os.Getenv(storetest.PostgresURLEnv) == "" {
		return []string{"sqlite"}
	}
	return []string{"sqlite", "postgres"}
}

// Target is a handler over a fresh store with one sandbox tenant, which a fuzz target
// calls in-process.
type Target struct {
	Handler http.Handler
	Tenant  *core.TenantCredentials
}

// FuzzTargets returns a Target per engine of FuzzEngines. Any operator token is accepted
// when admin is set, none otherwise.
func FuzzTargets(f *testing.F, admin bool) []Target {
	f.Helper()
	var out []Target
	for _, engine := range FuzzEngines() {
		svc, err := core.New(storetest.Open(f, engine), core.DefaultConfig(), core.NewMasterKey(), nil, nil)
		if err != nil {
			f.Fatal(err)
		}
		creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "fuzz", Sandbox: true})
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, Target{server.New(server.Options{Core: svc, Log: slog.New(slog.DiscardHandler),
			AdminAuth: func(string) bool { return admin }}), creds})
	}
	return out
}
