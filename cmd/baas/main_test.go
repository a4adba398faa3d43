package main

// End-to-end tests of the baas binary: it is built once in TestMain and run as a real
// process (serve, tenant create, ledger verify, migrate, version) against a SQLite file in
// a fresh working directory and, when BAAS_TEST_POSTGRES_URL is set, a fresh PostgreSQL
// schema.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/baas-oss/baas/store/storetest"
	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx", to break the ledger on purpose
	_ "modernc.org/sqlite"             // driver "sqlite", likewise
)

// baasBin is the binary built by TestMain.
var baasBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "baas-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	baasBin = filepath.Join(dir, "baas")
	build := exec.Command("go", "build", "-o", baasBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "go build baas:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testStore is where the processes of one test keep their data: a working directory (with
// the default SQLite file baas.db) or a PostgreSQL schema.
type testStore struct {
	engine string
	dir    string // working directory of every process
	url    string // BAAS_DATABASE_URL; empty for SQLite, which uses the default baas.db
}

func newStore(t *testing.T, engine string) *testStore {
	t.Helper()
	s := &testStore{engine: engine, dir: t.TempDir()}
	if engine == "postgres" {
		s.url = storetest.PostgresURL(t) // skips without BAAS_TEST_POSTGRES_URL
	}
	return s
}

// env is the environment of a child process: ours without any BAAS_* variable, then the
// store's URL, then extra.
func (s *testStore) env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BAAS_") {
			env = append(env, kv)
		}
	}
	if s.url != "" {
		env = append(env, "BAAS_DATABASE_URL="+s.url)
		// PostgreSQL needs a master key outside the database; SQLite's default key file
		// sits beside baas.db.
		if !slices.ContainsFunc(extra, func(kv string) bool { return strings.HasPrefix(kv, "BAAS_MASTER_KEY") }) {
			env = append(env, "BAAS_MASTER_KEY_FILE="+filepath.Join(s.dir, "master.key"))
		}
	}
	return append(env, extra...)
}

// openDB opens the store's database directly, bypassing baas.
func (s *testStore) openDB(t *testing.T) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if s.engine == "postgres" {
		db, err = sql.Open("pgx", s.url)
	} else {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(s.dir, "baas.db")+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatalf("open %s database: %v", s.engine, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type result struct {
	stdout, stderr string
	code           int
}

// runBaas runs a one-shot baas command to completion.
func runBaas(t *testing.T, s *testStore, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, baasBin, args...)
	cmd.Dir = s.dir
	cmd.Env = s.env(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	if ctx.Err() != nil {
		t.Fatalf("baas %s: timed out\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.stdout, res.stderr)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		t.Fatalf("baas %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// mustRun runs a baas command that must exit 0.
func mustRun(t *testing.T, s *testStore, env []string, args ...string) result {
	t.Helper()
	res := runBaas(t, s, env, args...)
	if res.code != 0 {
		t.Fatalf("baas %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// serveProc is a running `baas serve`.
type serveProc struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{} // closed when the process has exited
	client *http.Client  // when set, used instead of httpClient (a server with its own certificate)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// startServer runs `baas serve` on a free port and returns once it says it listens. It
// retries on another port when the chosen one was taken in the meantime.
func startServer(t *testing.T, s *testStore, env ...string) *serveProc {
	t.Helper()
	for attempt := 1; ; attempt++ {
		srv, portTaken := tryStartServer(t, s, freePort(t), env)
		if srv != nil {
			return srv
		}
		if !portTaken || attempt == 3 {
			t.Fatalf("baas serve could not start")
		}
		t.Logf("port taken, retrying (attempt %d)", attempt)
	}
}

func tryStartServer(t *testing.T, s *testStore, port int, env []string) (srv *serveProc, portTaken bool) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(baasBin, "serve")
	cmd.Dir = s.dir
	cmd.Env = s.env(append([]string{"BAAS_ADDR=" + addr}, env...)...)
	scheme := "http://"
	if slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "BAAS_TLS_CERT=") }) {
		scheme = "https://"
	}
	srv = &serveProc{cmd: cmd, base: scheme + addr, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = srv.stdout, srv.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start baas serve: %v", err)
	}
	go func() {
		_ = cmd.Wait()
		close(srv.done)
	}()
	t.Cleanup(func() {
		select {
		case <-srv.done:
		default:
			_ = cmd.Process.Kill()
			<-srv.done
		}
		if t.Failed() {
			t.Logf("baas serve on %s\nstdout:\n%s\nstderr:\n%s", addr, srv.stdout, srv.stderr)
		}
	})
	listening := "listening on " + srv.base + " (store: " + s.engine + ")"
	deadline := time.After(30 * time.Second)
	for !strings.Contains(srv.stdout.String(), listening) {
		select {
		case <-srv.done:
			if strings.Contains(srv.stderr.String(), "address already in use") {
				return nil, true
			}
			t.Errorf("baas serve exited (%v) before listening\nstdout:\n%s\nstderr:\n%s",
				cmd.ProcessState, srv.stdout, srv.stderr)
			return nil, false
		case <-deadline:
			t.Fatalf("baas serve did not say %q within 30s", listening)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return srv, false
}

// terminate sends sig and waits for the process to exit; it returns the exit code. The
// 20 s bound only guards against a hang.
func (s *serveProc) terminate(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("baas serve did not exit within 20s of %v", sig)
	}
	return s.cmd.ProcessState.ExitCode()
}

var httpClient = &http.Client{Timeout: 15 * time.Second}

// request sends one request and returns the response with its body read. Every response
// must carry an X-Request-Id.
func (s *serveProc) request(t *testing.T, method, path string, body []byte, header http.Header) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := httpClient
	if s.client != nil {
		client = s.client
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("%s %s (%d): response has no X-Request-Id header", method, path, resp.StatusCode)
	}
	return resp, b
}

// admin calls the admin API with a bearer token ("" sends no Authorization header).
func (s *serveProc) admin(t *testing.T, token, method, path string, body any) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	return s.request(t, method, path, raw, h)
}

func wantStatus(t *testing.T, what string, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d, want %d; body: %s", what, resp.StatusCode, want, body)
	}
}

func decodeJSON(t *testing.T, what string, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %v; body: %s", what, err, body)
	}
}

type girasolCreds struct {
	APIKey    string `json:"api_key"`
	SecretKey string `json:"secret_key"`
	CompanyID string `json:"company_id"`
}

type codegoCreds struct {
	ClientKey    string `json:"client_key"`
	SecretKey    string `json:"secret_key"`
	APIKey       string `json:"api_key"`
	WhitelabelID string `json:"whitelabel_id"`
}

type tenantCreds struct {
	TenantID string       `json:"tenant_id"`
	Codego   codegoCreds  `json:"codego"`
	Girasol  girasolCreds `json:"girasol"`
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// checkCredentialsJSON checks that raw is exactly one JSON object of the shape
// {"tenant_id","codego":{client_key,secret_key,api_key,whitelabel_id},"girasol":{api_key,
// secret_key,company_id}} — no more, no fewer keys, every value a non-empty string — with
// base64 Girasol keys and a UUID company id, and returns it.
func checkCredentialsJSON(t *testing.T, what string, raw []byte) tenantCreds {
	t.Helper()
	var top map[string]json.RawMessage
	decodeJSON(t, what, raw, &top) // fails on trailing data too
	keysOf := func(m map[string]json.RawMessage) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	if got, want := keysOf(top), []string{"codego", "girasol", "tenant_id"}; !slices.Equal(got, want) {
		t.Fatalf("%s: top-level keys %v, want %v; body: %s", what, got, want, raw)
	}
	nested := func(name string, want []string) {
		t.Helper()
		var m map[string]json.RawMessage
		decodeJSON(t, what+"."+name, top[name], &m)
		if got := keysOf(m); !slices.Equal(got, want) {
			t.Fatalf("%s: %s keys %v, want %v; body: %s", what, name, got, want, raw)
		}
		for k, v := range m {
			var s string
			if err := json.Unmarshal(v, &s); err != nil || s == "" {
				t.Fatalf("%s: %s.%s = %s, want a non-empty string", what, name, k, v)
			}
		}
	}
	nested("codego", []string{"api_key", "client_key", "secret_key", "whitelabel_id"})
	nested("girasol", []string{"api_key", "company_id", "secret_key"})
	var c tenantCreds
	decodeJSON(t, what, raw, &c)
	if c.TenantID == "" {
		t.Fatalf("%s: empty tenant_id; body: %s", what, raw)
	}
	for name, v := range map[string]string{"girasol.api_key": c.Girasol.APIKey, "girasol.secret_key": c.Girasol.SecretKey} {
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			t.Errorf("%s: %s %q is not valid base64: %v", what, name, v, err)
		}
	}
	if !uuidRe.MatchString(c.Girasol.CompanyID) {
		t.Errorf("%s: girasol.company_id %q is not a UUID", what, c.Girasol.CompanyID)
	}
	return c
}

// printedToken returns the operator token that a first `baas serve` prints.
func printedToken(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Operator token[^\n]*:\n  (\S+)$`).FindAllStringSubmatch(out, -1)
	if len(m) != 1 {
		t.Fatalf("want the operator token printed once, found %d in:\n%s", len(m), out)
	}
	if len(m[0][1]) < 16 {
		t.Fatalf("operator token %q is too short", m[0][1])
	}
	return m[0][1]
}

// printedCredentials parses the sandbox tenant credentials that `baas serve` prints.
func printedCredentials(t *testing.T, out string) tenantCreds {
	t.Helper()
	if !strings.Contains(out, "Created the sandbox tenant") {
		t.Fatalf("no sandbox tenant announced in:\n%s", out)
	}
	field := func(label string) string {
		t.Helper()
		re := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(label) + `:[ \t]+(\S+)[ \t]*$`)
		m := re.FindAllStringSubmatch(out, -1)
		if len(m) != 1 {
			t.Fatalf("want one %q line, found %d in:\n%s", label, len(m), out)
		}
		return m[0][1]
	}
	c := tenantCreds{
		TenantID: field("tenant_id"),
		Girasol: girasolCreds{APIKey: field("girasol x-api-key"), SecretKey: field("girasol x-secret-key"),
			CompanyID: field("girasol x-company-id")},
		Codego: codegoCreds{ClientKey: field("codego clientkey"), SecretKey: field("codego secretkey"),
			APIKey: field("codego apikey"), WhitelabelID: field("codego whitelabel_id")},
	}
	if !uuidRe.MatchString(c.Girasol.CompanyID) {
		t.Errorf("printed girasol x-company-id %q is not a UUID", c.Girasol.CompanyID)
	}
	return c
}

func girasolHeader(g girasolCreds) http.Header {
	h := http.Header{}
	h.Set("x-api-key", g.APIKey)
	h.Set("x-secret-key", g.SecretKey)
	h.Set("x-company-id", g.CompanyID)
	return h
}

// createAccount makes a Girasol create-account request that must succeed with 201.
func createAccount(t *testing.T, s *serveProc, g girasolCreds, handle string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{
		"companyId": g.CompanyID, "firstName": "Ana", "lastName": "Tester", "addressLine1": "Calle 1",
		"addressLine2": "Apto 2", "city": "Montevideo", "zipCode": "11000", "phone": "+598 99 123 456",
		"email": handle + "@example.com", "handle": handle,
	})
	resp, b := s.request(t, "POST", "/v1/accounts/create-account", body, girasolHeader(g))
	wantStatus(t, "create-account "+handle, resp, b, http.StatusCreated)
	var env struct {
		StatusCode int  `json:"statusCode"`
		Error      bool `json:"error"`
		Data       struct {
			Email         string `json:"email"`
			AccountNumber any    `json:"accountNumber"`
		} `json:"data"`
	}
	decodeJSON(t, "create-account", b, &env)
	if env.StatusCode != 201 || env.Error || env.Data.Email != handle+"@example.com" || env.Data.AccountNumber == nil {
		t.Fatalf("create-account %s: unexpected envelope %s", handle, b)
	}
}

// checkFirstCurl checks the printed curl command targets this server with the printed
// credentials, and sends exactly the request it describes.
func checkFirstCurl(t *testing.T, s *serveProc, out string, c tenantCreds) {
	t.Helper()
	i := strings.Index(out, "curl -s -X POST "+s.base+"/v1/accounts/create-account")
	if i < 0 {
		t.Fatalf("no curl command for %s/v1/accounts/create-account in:\n%s", s.base, out)
	}
	curl := out[i:]
	if j := strings.Index(curl, "\n\n"); j >= 0 {
		curl = curl[:j]
	}
	h := http.Header{}
	for _, m := range regexp.MustCompile(`-H '([^:']+): ([^']*)'`).FindAllStringSubmatch(curl, -1) {
		h.Add(m[1], m[2])
	}
	if h.Get("x-api-key") != c.Girasol.APIKey || h.Get("x-secret-key") != c.Girasol.SecretKey ||
		h.Get("x-company-id") != c.Girasol.CompanyID {
		t.Fatalf("curl headers %v do not carry the printed credentials %+v", h, c.Girasol)
	}
	m := regexp.MustCompile(`-d '([^']*)'`).FindStringSubmatch(curl)
	if m == nil {
		t.Fatalf("no -d body in curl command:\n%s", curl)
	}
	var body map[string]any
	decodeJSON(t, "curl body", []byte(m[1]), &body)
	if body["companyId"] != c.Girasol.CompanyID {
		t.Errorf("curl body companyId %v, want %s", body["companyId"], c.Girasol.CompanyID)
	}
	resp, b := s.request(t, "POST", "/v1/accounts/create-account", []byte(m[1]), h)
	wantStatus(t, "the printed curl command", resp, b, http.StatusCreated)
}

func tenantNames(t *testing.T, s *serveProc, token string) []string {
	t.Helper()
	resp, b := s.admin(t, token, "GET", "/admin/api/tenants", nil)
	wantStatus(t, "list tenants", resp, b, http.StatusOK)
	var list struct {
		Tenants []struct {
			Name string `json:"name"`
		} `json:"tenants"`
	}
	decodeJSON(t, "list tenants", b, &list)
	var names []string
	for _, x := range list.Tenants {
		names = append(names, x.Name)
	}
	sort.Strings(names)
	return names
}

// TestServeFirstRun: a first `baas serve` on an empty store prints the operator token, the
// sandbox tenant and a working curl command; health, readiness, metrics and request ids
// work; the printed Girasol credentials create an account.
func TestServeFirstRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		srv := startServer(t, st)
		out := srv.stdout.String()
		token := printedToken(t, out)
		creds := printedCredentials(t, out)
		if engine == "sqlite" {
			if _, err := os.Stat(filepath.Join(st.dir, "baas.db")); err != nil {
				t.Errorf("default SQLite file not in the working directory: %v", err)
			}
		}

		resp, b := srv.request(t, "GET", "/healthz", nil, nil)
		wantStatus(t, "/healthz", resp, b, http.StatusOK)
		resp, b = srv.request(t, "GET", "/readyz", nil, nil)
		wantStatus(t, "/readyz", resp, b, http.StatusOK)
		var ready map[string]string
		decodeJSON(t, "/readyz", b, &ready)
		if ready["store"] != engine {
			t.Errorf("/readyz store = %q, want %q", ready["store"], engine)
		}

		// Request ids: a sane client id is echoed; otherwise each response gets its own.
		resp, _ = srv.request(t, "GET", "/healthz", nil, http.Header{"X-Request-Id": {"client-req-42"}})
		if got := resp.Header.Get("X-Request-Id"); got != "client-req-42" {
			t.Errorf("client X-Request-Id not echoed: got %q", got)
		}
		resp, _ = srv.request(t, "GET", "/healthz", nil, http.Header{"X-Request-Id": {"has a space"}})
		if got := resp.Header.Get("X-Request-Id"); got == "has a space" {
			t.Errorf("an invalid client X-Request-Id was echoed")
		}
		r1, _ := srv.request(t, "GET", "/healthz", nil, nil)
		r2, _ := srv.request(t, "GET", "/healthz", nil, nil)
		if r1.Header.Get("X-Request-Id") == r2.Header.Get("X-Request-Id") {
			t.Errorf("two requests got the same generated X-Request-Id %q", r1.Header.Get("X-Request-Id"))
		}
		resp, b = srv.request(t, "GET", "/no/such/route", nil, nil)
		wantStatus(t, "unknown route", resp, b, http.StatusNotFound)
		resp, b = srv.request(t, "POST", "/v1/accounts/create-account", []byte(`{}`), nil)
		wantStatus(t, "create-account without credentials", resp, b, http.StatusUnauthorized)

		checkFirstCurl(t, srv, out, creds)
		createAccount(t, srv, creds.Girasol, "ana")

		if got := tenantNames(t, srv, token); !slices.Equal(got, []string{"sandbox"}) {
			t.Errorf("tenants after first start: %v, want [sandbox]", got)
		}

		resp, b = srv.request(t, "GET", "/metrics", nil, nil)
		wantStatus(t, "/metrics", resp, b, http.StatusOK)
		metrics := string(b)
		if !strings.Contains(metrics, "baas_http_requests_total") {
			t.Fatalf("/metrics has no baas_http_requests_total:\n%s", metrics)
		}
		created := regexp.MustCompile(`(?m)^baas_http_requests_total\{[^}]*route="POST /v1/accounts/create-account"[^}]*status="201"[^}]*\} 2$`)
		if !created.MatchString(metrics) {
			t.Errorf("/metrics does not count the two 201 create-account requests:\n%s",
				grepLines(metrics, "baas_http_requests_total"))
		}
	})
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestTenantCreateWhileServing: `baas tenant create --json` against the store of a running
// server prints exactly the credentials shape, the server accepts them at once, and a
// second start neither creates another sandbox tenant nor prints a token.
func TestTenantCreateWhileServing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		srv := startServer(t, st)
		token := printedToken(t, srv.stdout.String())
		sandbox := printedCredentials(t, srv.stdout.String())

		res := mustRun(t, st, nil, "tenant", "create", "--name", "acme", "--json")
		acme := checkCredentialsJSON(t, "tenant create --json", []byte(res.stdout))
		if !strings.HasSuffix(res.stdout, "}\n") {
			t.Errorf("tenant create --json stdout should be one JSON line: %q", res.stdout)
		}
		if acme.TenantID == sandbox.TenantID || acme.Girasol.CompanyID == sandbox.Girasol.CompanyID {
			t.Errorf("acme reuses the sandbox tenant's ids: %+v", acme)
		}
		createAccount(t, srv, acme.Girasol, "bob")
		createAccount(t, srv, sandbox.Girasol, "ana")

		if code := srv.terminate(t, syscall.SIGTERM); code != 0 {
			t.Fatalf("baas serve exit code %d after SIGTERM, want 0", code)
		}

		again := startServer(t, st)
		out := again.stdout.String()
		for _, s := range []string{"Operator token", "sandbox tenant", "x-api-key", token} {
			if strings.Contains(out, s) {
				t.Errorf("second start printed %q:\n%s", s, out)
			}
		}
		// It says where the credentials went and how to make new ones, having said it was
		// starting before the store opened.
		for _, s := range []string{"The operator token was printed at the first start", "BAAS_ADMIN_TOKEN on every start",
			"Tenants: 2, their credentials printed when each was created", "`baas tenant create --name NAME`"} {
			if !strings.Contains(out, s) {
				t.Errorf("second start did not print %q:\n%s", s, out)
			}
		}
		if !strings.HasPrefix(out, "baas dev starting\n") || !strings.Contains(again.stderr.String(), "applying migrations…\n") {
			t.Errorf("second start did not say it was starting first:\n%s\n%s", out, again.stderr.String())
		}
		if got := tenantNames(t, again, token); !slices.Equal(got, []string{"acme", "sandbox"}) {
			t.Errorf("tenants after restart: %v, want [acme sandbox]", got)
		}
		createAccount(t, again, acme.Girasol, "carol")
	})
}

// TestAdminAPI exercises the operator API with a configured and with a generated token.
func TestAdminAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Run("configured token", func(t *testing.T) {
			const token = "configured-operator-token-0123456789"
			srv := startServer(t, newStore(t, engine), "BAAS_ADMIN_TOKEN="+token)
			out := srv.stdout.String()
			if strings.Contains(out, "Operator token") {
				t.Errorf("an operator token was printed although BAAS_ADMIN_TOKEN is set:\n%s", out)
			}
			printedCredentials(t, out) // the sandbox tenant is still created
			exerciseAdmin(t, srv, token)
		})
		t.Run("generated token", func(t *testing.T) {
			srv := startServer(t, newStore(t, engine))
			exerciseAdmin(t, srv, printedToken(t, srv.stdout.String()))
		})
	})
}

func exerciseAdmin(t *testing.T, srv *serveProc, token string) {
	t.Helper()
	newTenant := map[string]any{"name": "acme"}
	unauthorized := func(what string, h http.Header, method, path string) {
		t.Helper()
		var body []byte
		if method == "POST" {
			body, _ = json.Marshal(newTenant)
		}
		resp, b := srv.request(t, method, path, body, h)
		wantStatus(t, what, resp, b, http.StatusUnauthorized)
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", what)
		}
	}
	unauthorized("create tenant without token", nil, "POST", "/admin/api/tenants")
	unauthorized("create tenant with a wrong token", http.Header{"Authorization": {"Bearer wrong-operator-token-000000000"}}, "POST", "/admin/api/tenants")
	unauthorized("create tenant with the token plus a character", http.Header{"Authorization": {"Bearer " + token + "x"}}, "POST", "/admin/api/tenants")
	unauthorized("create tenant with the token under another scheme", http.Header{"Authorization": {"Basic " + token}}, "POST", "/admin/api/tenants")
	unauthorized("ledger verify without token", nil, "GET", "/admin/api/ledger/verify")

	resp, b := srv.admin(t, token, "POST", "/admin/api/tenants", newTenant)
	wantStatus(t, "create tenant", resp, b, http.StatusCreated)
	acme := checkCredentialsJSON(t, "POST /admin/api/tenants", b)
	createAccount(t, srv, acme.Girasol, "dave")

	masterBalance := func() int64 {
		t.Helper()
		resp, b := srv.admin(t, token, "GET", "/admin/api/tenants/"+acme.TenantID, nil)
		wantStatus(t, "get tenant", resp, b, http.StatusOK)
		var v struct {
			Tenant struct {
				ID   string `json:"tenant_id"`
				Name string `json:"name"`
			} `json:"tenant"`
			Master *struct {
				Balance int64 `json:"balance"`
			} `json:"master_account"`
		}
		decodeJSON(t, "get tenant", b, &v)
		if v.Tenant.ID != acme.TenantID || v.Tenant.Name != "acme" || v.Master == nil {
			t.Fatalf("get tenant: unexpected body %s", b)
		}
		return v.Master.Balance
	}
	before := masterBalance()
	resp, b = srv.admin(t, token, "POST", "/admin/api/tenants/"+acme.TenantID+"/fund", map[string]any{"amount": 1000})
	wantStatus(t, "fund", resp, b, http.StatusCreated)
	var funded struct {
		Balance int64 `json:"balance"`
	}
	decodeJSON(t, "fund", b, &funded)
	if funded.Balance != before+1000 {
		t.Errorf("fund response balance %d, want %d", funded.Balance, before+1000)
	}
	if after := masterBalance(); after != before+1000 {
		t.Errorf("master balance %d after funding 1000, want %d", after, before+1000)
	}
	resp, b = srv.admin(t, token, "POST", "/admin/api/tenants/00000000-0000-4000-8000-000000000000/fund", map[string]any{"amount": 1000})
	wantStatus(t, "fund an unknown tenant", resp, b, http.StatusNotFound)

	resp, b = srv.admin(t, token, "GET", "/admin/api/ledger/verify", nil)
	wantStatus(t, "ledger verify", resp, b, http.StatusOK)
	var rep struct {
		OK         bool              `json:"ok"`
		Violations []json.RawMessage `json:"violations"`
	}
	decodeJSON(t, "ledger verify", b, &rep)
	if !rep.OK || len(rep.Violations) != 0 {
		t.Errorf("ledger verify: %s, want ok true", b)
	}
}

// TestLedgerVerify: `baas ledger verify` passes on a healthy store and exits 1 naming the
// violation once a balance is tampered with; the admin API reports the same.
func TestLedgerVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		res := mustRun(t, st, nil, "tenant", "create", "--name", "acme")
		if !strings.Contains(res.stdout, "tenant_id:") {
			t.Errorf("tenant create printed no credentials:\n%s", res.stdout)
		}

		res = mustRun(t, st, nil, "ledger", "verify")
		if !strings.Contains(res.stdout, "ledger OK") || !strings.Contains(res.stdout, "total USD: 0") {
			t.Errorf("ledger verify on a healthy store:\n%s", res.stdout)
		}

		db := st.openDB(t)
		var id int64
		if err := db.QueryRow(`SELECT MIN(id) FROM accounts`).Scan(&id); err != nil {
			t.Fatalf("min account id: %v", err)
		}
		r, err := db.Exec(`UPDATE accounts SET balance = balance + 1 WHERE id = (SELECT MIN(id) FROM accounts)`)
		if err != nil {
			t.Fatalf("break the ledger: %v", err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			t.Fatalf("break the ledger: %d rows updated, want 1", n)
		}
		db.Close()

		res = runBaas(t, st, nil, "ledger", "verify")
		if res.code != 1 {
			t.Fatalf("ledger verify on a broken ledger: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
		}
		for _, want := range []string{
			"ledger BROKEN",
			"total USD: 1",
			"currency_total: balances in USD sum to 1",
			fmt.Sprintf("posting_sum: account %d balance", id),
		} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("ledger verify report lacks %q:\n%s", want, res.stdout)
			}
		}

		const token = "configured-operator-token-0123456789"
		srv := startServer(t, st, "BAAS_ADMIN_TOKEN="+token)
		resp, b := srv.admin(t, token, "GET", "/admin/api/ledger/verify", nil)
		wantStatus(t, "admin ledger verify on a broken ledger", resp, b, http.StatusConflict)
		var rep struct {
			OK bool `json:"ok"`
		}
		decodeJSON(t, "admin ledger verify", b, &rep)
		if rep.OK || !strings.Contains(string(b), "posting_sum") {
			t.Errorf("admin ledger verify on a broken ledger: %s", b)
		}
	})
}

// TestShutdownMigrateVersion: SIGTERM and SIGINT stop a server cleanly with status 0;
// migrate and version work.
func TestShutdownMigrateVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			srv := startServer(t, st)
			resp, b := srv.request(t, "GET", "/healthz", nil, nil)
			wantStatus(t, "/healthz", resp, b, http.StatusOK)
			if code := srv.terminate(t, sig); code != 0 {
				t.Fatalf("exit code %d after %v, want 0\nstderr:\n%s", code, sig, srv.stderr)
			}
			logs := srv.stderr.String()
			if !strings.Contains(logs, "shutting down") || !strings.Contains(logs, `"msg":"stopped"`) {
				t.Errorf("no graceful shutdown logged after %v:\n%s", sig, logs)
			}
			if _, err := httpClient.Get(srv.base + "/healthz"); err == nil {
				t.Errorf("server still answers after exiting on %v", sig)
			}
		}

		res := mustRun(t, st, nil, "migrate")
		if want := "migrations applied (" + engine + ")\n"; res.stdout != want {
			t.Errorf("migrate printed %q, want %q", res.stdout, want)
		}
		res = mustRun(t, newStore(t, engine), nil, "migrate") // a fresh, empty store
		if want := "migrations applied (" + engine + ")\n"; res.stdout != want {
			t.Errorf("migrate on an empty store printed %q, want %q", res.stdout, want)
		}
		// Its progress goes to stderr, as plain lines: what starts, and when it is done.
		if !strings.Contains(res.stderr, "applying migrations…\n") || !regexp.MustCompile(`(?m)^  done in \d+ ms$`).MatchString(res.stderr) {
			t.Errorf("migrate reported no progress on stderr:\n%s", res.stderr)
		}
		res = mustRun(t, st, nil, "version")
		if res.stdout != "baas dev\n" {
			t.Errorf("version printed %q, want %q", res.stdout, "baas dev\n")
		}
	})
}
