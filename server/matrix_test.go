package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// The matrix walks every route server.Routes lists (both dialects and the operator API),
// so an endpoint added later joins it without being named here. For each route, on every
// store:
//
//   - isolation: tenant B's credentials with tenant A's ids (in the path, and in the body
//     fields that carry ids) answer exactly what an id naming nothing answers, the
//     dialect's not found for a path id; never a 2xx, a 403 or a 5xx; and no answer to B
//     ever contains A's data. The operator sees every tenant, so on the operator API this
//     is checked where a path names a tenant and one of its objects.
//   - credentials: none, or wrong ones, answer the documented code (Girasol 401, Codego
//     203/204/205/201/202 by docs/codego.md, operator 401).
//   - malformed input: a corpus of bad paths, queries, bodies and content types never
//     answers a 5xx (Codego: never code 502 or 503), and nothing is logged as a panic or
//     an internal error.
//
// A path wildcard needs a fixture (the fixtures table below): a route with a wildcard the
// table does not know fails the test, so that no endpoint escapes the matrix.

// fixture says how the matrix fills one path wildcard.
type fixture struct {
	// a returns tenant A's object (or value) for the wildcard.
	a func(w *world) string
	// missing names no object at all; "" when the wildcard names no object (isolation
	// does not apply to it).
	missing string
	// tenant marks a wildcard that names the tenant itself (on the operator API, where
	// the isolation check puts tenant B there with A's objects in the other wildcards).
	tenant bool
}

// fixtures: wildcard name → how to get tenant A's value. A key "segment/{name}" takes
// precedence over "{name}" for the wildcard that follows that path segment.
var fixtures = map[string]fixture{
	"{accountNumber}": {a: func(w *world) string { return strconv.FormatInt(w.acctA, 10) }, missing: "10000001"},
	"{email}":         {a: func(w *world) string { return w.emailA }, missing: "nobody@example.com"},
	"{id}":            {a: func(w *world) string { return w.e.Tenant.TenantID }, missing: "00000000-0000-4000-8000-000000000000", tenant: true},
	"{tenant}":        {a: func(w *world) string { return w.e.Tenant.TenantID }, missing: "00000000-0000-4000-8000-000000000000", tenant: true},
	"documents/{id}":  {a: func(w *world) string { return w.docA }, missing: "999999999"},
	"{side}":          {a: func(w *world) string { return baas.SideFull }},
	"{endpoint}":      {a: func(w *world) string { return w.endpointA }, missing: "00000000-0000-4000-8000-000000000000"},
	"{event}":         {a: func(w *world) string { return w.eventA }, missing: "999999999"},
	"{cardId}":        {a: func(w *world) string { return w.cardA }, missing: "00000000-0000-4000-8000-000000000000"},
	"{card_id}":       {a: func(w *world) string { return w.cardA }, missing: "00000000-0000-4000-8000-000000000000"},
	"{product}":       {a: func(w *world) string { return core.ProductGirasolVirtual }},
	// GET /v1/cards/{first}/{second} serves several paths; the matrix walks the one that
	// names a card: /v1/cards/info-by-card-id/{cardId}.
	"cards/{first}": {a: func(w *world) string { return "info-by-card-id" }},
	"{second}":      {a: func(w *world) string { return w.cardA }, missing: "00000000-0000-4000-8000-000000000000"},
	"{delivery}":    {a: func(w *world) string { return w.deliveryA }, missing: "999999999"},
	// /v1/controls/{ownerType}/{ownerId}: the matrix walks the owner that is a card.
	"{ownerType}": {a: func(w *world) string { return "card" }},
	"{ownerId}":   {a: func(w *world) string { return w.cardA }, missing: "00000000-0000-4000-8000-000000000000"},
	"{ruleId}":    {a: func(w *world) string { return w.ruleA }, missing: "00000000-0000-4000-8000-000000000000"},
}

// dialect is the API a route belongs to.
type dialect string

const (
	girasolAPI dialect = "girasol"
	codegoAPI  dialect = "codego"
	adminAPI   dialect = "operator"
)

// route is one pattern of server.Routes.
type route struct {
	pattern, method, path string
	api                   dialect
	segments              []string
}

// wildcard is one {name} of a route's path and the fixture that fills it.
type wildcard struct {
	index int // in segments
	name  string
	fx    fixture
}

func parseRoute(pattern string) (route, bool) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || strings.HasSuffix(path, "/") { // a catch-all
		return route{}, false
	}
	r := route{pattern: pattern, method: method, path: path, segments: strings.Split(path, "/")}
	switch {
	case strings.HasPrefix(path, "/v1/"):
		r.api = girasolAPI
	case strings.HasPrefix(path, "/api/"):
		r.api = codegoAPI
	case strings.HasPrefix(path, "/admin/api/"):
		r.api = adminAPI
	default:
		return route{}, false
	}
	return r, true
}

// wildcards returns the route's wildcards with their fixtures, or an error naming the
// first wildcard the fixtures table does not know.
func (r route) wildcards() ([]wildcard, error) {
	var out []wildcard
	for i, s := range r.segments {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		name := strings.TrimSuffix(strings.TrimSuffix(strings.Trim(s, "{}"), "..."), "$")
		key := "{" + name + "}"
		fx, ok := fixtures[r.segments[i-1]+"/"+key]
		if !ok {
			fx, ok = fixtures[key]
		}
		if !ok {
			return nil, fmt.Errorf("route %q: the test matrix has no fixture for the path wildcard %s: add one to "+
				"the fixtures table in server/matrix_test.go (how to create tenant A's object and get its id, and an "+
				"id that names nothing)", r.pattern, key)
		}
		out = append(out, wildcard{i, name, fx})
	}
	return out, nil
}

// fill returns the route's path with each wildcard replaced by value(wildcard).
func (r route) fill(ws []wildcard, value func(wildcard) string) string {
	seg := append([]string(nil), r.segments...)
	for _, w := range ws {
		seg[w.index] = value(w)
	}
	return strings.Join(seg, "/")
}

func TestMatrixFailsOnUnknownWildcard(t *testing.T) {
	r, ok := parseRoute("PATCH /v1/things/{thingId}/freeze")
	if !ok {
		t.Fatal("not parsed")
	}
	_, err := r.wildcards()
	if err == nil || !strings.Contains(err.Error(), "{thingId}") || !strings.Contains(err.Error(), "add one to the fixtures table") {
		t.Fatalf("an unknown wildcard gives %v, want an error telling the author to add a fixture", err)
	}
	for _, p := range server.Routes() {
		if r, ok := parseRoute(p); ok {
			if _, err := r.wildcards(); err != nil {
				t.Error(err)
			}
		}
	}
}

// world is the two tenants and tenant A's objects.
type world struct {
	e                 *servertest.Env
	b                 *core.TenantCredentials
	codegoA, codegoB  *servertest.Codego
	acctA, acctB      int64
	emailA, userA     string
	docA, endpointA   string
	eventA, deliveryA string
	cardA, ruleA      string
	markers           []string                // strings of A's data no answer to B may contain
	png               []byte                  // a valid KYC image
	probe             *core.TenantCredentials // a third tenant, whose sessions the test may open at will
}

func newWorld(t *testing.T, e *servertest.Env) *world {
	t.Helper()
	w := &world{e: e, b: e.NewTenant(t), probe: e.NewTenant(t)}
	a := e.Tenant
	ctxA := baas.WithTenant(context.Background(), a.TenantID)
	ctxB := baas.WithTenant(context.Background(), w.b.TenantID)
	ep, err := e.Core.CreateWebhookEndpoint(ctxA, core.CreateWebhookEndpointParams{TenantID: a.TenantID, URL: "https://hooks.example.com/matrix"})
	if err != nil {
		t.Fatal(err)
	}
	w.endpointA = ep.EndpointID
	w.emailA = "alice.matrix@example.com"
	acct, _, err := e.Core.CreateAccount(ctxA, core.CreateAccountParams{Email: w.emailA, Handle: "alicematrix",
		FirstName: "Alicematrix", LastName: "Atenant"})
	if err != nil {
		t.Fatal(err)
	}
	w.acctA = acct.Account.Number
	card, _, err := e.Core.CreateCard(ctxA, core.CreateCardParams{AccountNumber: w.acctA, Product: core.ProductGirasolVirtual,
		NameForPrint: "ALICE MATRIX"})
	if err != nil {
		t.Fatal(err)
	}
	w.cardA = card.ID
	mcc, list := "Mcc", "7995"
	rule, err := e.Core.CreateControl(ctxA, "card", w.cardA, core.ControlFields{ValidationType: &mcc, Value: &list})
	if err != nil {
		t.Fatal(err)
	}
	w.ruleA = rule.ID
	if _, _, err := e.Core.CashIn(ctxA, core.CashInParams{AccountNumber: w.acctA, Amount: 500}); err != nil {
		t.Fatal(err)
	}
	acctB, _, err := e.Core.CreateAccount(ctxB, core.CreateAccountParams{Email: "bob.matrix@example.com", Handle: "bobmatrix"})
	if err != nil {
		t.Fatal(err)
	}
	w.acctB = acctB.Account.Number
	if _, _, err := e.Core.CashIn(ctxB, core.CashInParams{AccountNumber: w.acctB, Amount: 500}); err != nil {
		t.Fatal(err)
	}

	w.codegoA, w.codegoB = e.CodegoLogin(t, a), e.CodegoLogin(t, w.b)
	body := servertest.CodegoSignupBody("carol.matrix@example.com")
	body["name"], body["surname"] = "Carolmatrix", "Atenant"
	r := w.codegoA.Post(t, "signup", body)
	w.userA, _ = r.JSON["user_id"].(string)
	if w.userA == "" {
		t.Fatalf("signup: %d %s", r.Status, r.Raw)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	doc, err := e.Core.UploadKYC(ctxA, core.UploadKYCParams{Customer: baas.CustomerKey{Ref: w.userA}, Type: baas.DocAddressProof,
		Images: []core.KYCImageUpload{{Field: "address_proof", Side: baas.SideFull, Data: img.Bytes()}}})
	if err != nil {
		t.Fatal(err)
	}
	w.docA = strconv.FormatInt(doc.ID, 10)
	w.png = img.Bytes()

	tenant := "/admin/api/tenants/" + a.TenantID
	w.eventA = firstID(t, e.Admin(t, "GET", tenant+"/events", nil), "events", "event_id")
	w.deliveryA = firstID(t, e.Admin(t, "GET", tenant+"/webhooks/deliveries", nil), "deliveries", "delivery_id")
	w.markers = []string{w.emailA, strconv.FormatInt(w.acctA, 10), w.userA, "Alicematrix", "Carolmatrix",
		"carol.matrix@example.com", a.TenantID, w.endpointA, w.cardA, w.ruleA}
	return w
}

// firstID returns the id of the first item of the list answer r holds in field.
func firstID(t *testing.T, r *servertest.Response, field, key string) string {
	t.Helper()
	items, _ := r.JSON[field].([]any)
	if r.Status != 200 || len(items) == 0 {
		t.Fatalf("list %s: %d %s", field, r.Status, r.Raw)
	}
	item, _ := items[0].(map[string]any)
	switch id := item[key].(type) {
	case float64:
		return strconv.FormatInt(int64(id), 10)
	case string:
		return id
	}
	t.Fatalf("list %s: no id in %s", field, r.Raw)
	return ""
}

// caller is who sends a request.
type caller int

const (
	tenantA caller = iota
	tenantB
	nobody     // no credentials at all
	stranger   // credentials that are well formed and wrong
	keysOnly   // Codego: the right apikey and whitelabel_id, and nothing else
	badToken   // Codego: the right apikey and whitelabel_id, a wrong authtoken
	crossToken // Codego: tenant A's apikey and whitelabel_id, tenant B's authtoken
)

// send sends a request as c. The Codego credentials go through headers and HTTP Basic
// so that the body is free for the test.
func (w *world) send(t *testing.T, api dialect, c caller, method, path string, body []byte, contentType string) *servertest.Response {
	t.Helper()
	h := http.Header{}
	switch api {
	case girasolAPI:
		switch c {
		case tenantA:
			h = servertest.GirasolHeaders(w.e.Tenant)
		case tenantB:
			h = servertest.GirasolHeaders(w.b)
		case stranger:
			h.Set("x-api-key", "wrong-api-key")
			h.Set("x-secret-key", "wrong-secret-key")
			h.Set("x-company-id", w.e.Tenant.TenantID)
		}
	case codegoAPI:
		var cg *servertest.Codego
		switch c {
		case tenantA, keysOnly, badToken:
			cg = w.codegoA
		case tenantB:
			cg = w.codegoB
		}
		req, _ := http.NewRequest("POST", "/", nil)
		switch c {
		case tenantA, tenantB:
			h.Set("clientkey", cg.Keys.ClientKey)
			h.Set("secretkey", cg.Keys.SecretKey)
			h.Set("authtoken", cg.Token)
			req.SetBasicAuth(cg.Keys.APIKey, cg.Keys.WhitelabelID)
		case keysOnly:
			req.SetBasicAuth(cg.Keys.APIKey, cg.Keys.WhitelabelID)
		case badToken:
			h.Set("authtoken", "wrong-token")
			req.SetBasicAuth(cg.Keys.APIKey, cg.Keys.WhitelabelID)
		case crossToken:
			h.Set("authtoken", w.codegoB.Token)
			req.SetBasicAuth(w.codegoA.Keys.APIKey, w.codegoA.Keys.WhitelabelID)
		case stranger:
			h.Set("clientkey", "wrong-client-key")
			h.Set("secretkey", "wrong-secret-key")
			h.Set("authtoken", "wrong-token")
			req.SetBasicAuth("wrong-api-key", "wrong-whitelabel")
		}
		if a := req.Header.Get("Authorization"); a != "" {
			h.Set("Authorization", a)
		}
	case adminAPI:
		switch c {
		case tenantA, tenantB:
			h.Set("Authorization", "Bearer "+servertest.AdminToken)
		case stranger:
			h.Set("Authorization", "Bearer wrong-operator-token")
		}
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	var b any
	if body != nil {
		b = body
	}
	return w.e.Do(t, method, path, b, h)
}

// outcome is what an answer means, alike for every dialect: the HTTP status, or the
// Codego code.
func outcome(api dialect, r *servertest.Response) int {
	if api == codegoAPI && r.Status == http.StatusOK {
		if st, _ := r.JSON["status"].(float64); st == 0 {
			code, _ := r.JSON["code"].(float64)
			return int(code)
		}
	}
	return r.Status
}

func success(api dialect, r *servertest.Response) bool {
	if api == codegoAPI {
		return r.Status == http.StatusOK && outcome(api, r) == http.StatusOK
	}
	return r.Status < 300
}

// notFound reports whether r is the dialect's not found.
func notFound(api dialect, r *servertest.Response) bool {
	switch api {
	case girasolAPI:
		return r.Status == 404 && r.JSON["statusCode"] == float64(404) && r.JSON["error"] == true
	case codegoAPI:
		return r.Status == 200 && r.JSON["status"] == float64(0) && r.JSON["code"] == float64(404)
	default:
		e, _ := r.JSON["error"].(map[string]any)
		return r.Status == 404 && e["code"] == "not_found"
	}
}

func TestMatrix(t *testing.T) {
	var routes []route
	for _, p := range server.Routes() {
		if r, ok := parseRoute(p); ok {
			routes = append(routes, r)
		}
	}
	storetest.Each(t, func(t *testing.T, engine string) {
		var logs lockedBuffer
		e := servertest.StartWith(t, engine, servertest.Options{Log: slog.New(slog.NewJSONHandler(&logs, nil)),
			CodegoRateLimit: -1})
		w := newWorld(t, e)
		t.Run("routes", func(t *testing.T) {
			for _, r := range routes {
				t.Run(r.pattern, func(t *testing.T) {
					ws, err := r.wildcards()
					if err != nil {
						t.Fatal(err)
					}
					t.Parallel()
					w.credentials(t, r, ws)
					w.isolation(t, r, ws)
					w.malformed(t, r, ws)
				})
			}
		})
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, `"msg":"panic"`) || strings.Contains(line, `"msg":"internal error"`) {
				t.Errorf("the server logged: %s", line)
			}
		}
	})
}

// credentials: none or wrong ones answer the documented code.
func (w *world) credentials(t *testing.T, r route, ws []wildcard) {
	path := r.fill(ws, func(x wildcard) string { return x.fx.a(w) })
	check := func(c caller, name string, want ...int) {
		t.Helper()
		res := w.send(t, r.api, c, r.method, path, []byte(`{}`), "application/json")
		got := outcome(r.api, res)
		var envelope bool // the dialect's error envelope, with the code where it belongs
		switch r.api {
		case girasolAPI:
			envelope = res.JSON["statusCode"] == float64(got) && res.JSON["error"] == true
		case codegoAPI:
			envelope = res.Status == http.StatusOK && res.JSON["status"] == float64(0)
		case adminAPI:
			e, _ := res.JSON["error"].(map[string]any)
			envelope = e["code"] == "unauthorized" && res.Header.Get("WWW-Authenticate") != ""
		}
		for _, code := range want {
			if got == code && envelope {
				return
			}
		}
		t.Errorf("%s credentials: %d %s, want %v in the dialect's envelope", name, res.Status, res.Raw, want)
	}
	switch r.api {
	case girasolAPI:
		check(nobody, "no", 401)
		check(stranger, "wrong", 401)
	case adminAPI:
		check(nobody, "no", 401)
		check(stranger, "wrong", 401)
	case codegoAPI:
		if w.isAuthentication(t, r) {
			check(nobody, "no", 203) // clientkey or secretkey missing
			check(keysOnly, "no client", 203)
			check(stranger, "wrong", 202, 204)
		} else {
			check(nobody, "no", 204) // apikey or whitelabel_id missing
			check(keysOnly, "no token", 205)
			check(badToken, "wrong token", 201)
			check(crossToken, "another whitelabel's token", 201)
			check(stranger, "wrong", 202)
		}
	}
}

// isAuthentication reports whether a Codego API hands out a token for the client keys.
func (w *world) isAuthentication(t *testing.T, r route) bool {
	c := &servertest.Codego{Env: w.e, Keys: w.probe.Codego}
	_, ok := c.Authenticate(t, strings.TrimPrefix(r.path, "/api/")).JSON["auth_token"]
	return ok
}

// idProbes are bodies that carry ids, for the routes that read them from the body; ID
// stands for the id tested, OWN for tenant B's own account.
var idProbes = map[dialect][]string{
	girasolAPI: {
		`{"accountNumber":ID,"status":2}`,
		`{"accountNumber":ID,"amount":1}`,
		`{"originAccountNumber":ID,"destinationAccountNumber":OWN,"amount":1}`,
		`{"originAccountNumber":OWN,"destinationAccountNumber":ID,"amount":1}`,
		`{"accountNumber":ID,"nameForPrint":"BOB MATRIX"}`,
		`{"cardId":"CARD","old_pin":"4826","new_pin":"9371"}`,
		`{"cardId":"CARD","pin":"4826","cvv":"123","lastFour":"1234"}`,
	},
	codegoAPI: {
		`{"user_id":"USER"}`,
		`{"user_id":"USER","type":"prepaid"}`,
		"multipart:front_proof,back_proof",
		"multipart:address_proof",
	},
}

// isolation: B with A's ids answers what an id naming nothing answers.
func (w *world) isolation(t *testing.T, r route, ws []wildcard) {
	var objects, tenants int
	for _, x := range ws {
		if x.fx.tenant {
			tenants++
		} else if x.fx.missing != "" {
			objects++
		}
	}
	// leak fails when an answer to B holds A's data that B did not send itself.
	leak := func(res *servertest.Response, what string) {
		t.Helper()
		for _, m := range w.markers {
			if m != "" && bytes.Contains(res.Raw, []byte(m)) && !strings.Contains(what, m) {
				t.Errorf("%s: tenant B's answer holds tenant A's %q: %d %s", what, m, res.Status, res.Raw)
			}
		}
	}
	if r.api == adminAPI {
		if tenants == 0 || objects == 0 { // the operator sees every tenant's objects
			return
		}
	}
	if len(ws) > 0 && (r.api != adminAPI || objects > 0) {
		for _, other := range []bool{true, false} {
			path := r.fill(ws, func(x wildcard) string {
				switch {
				case x.fx.tenant && r.api == adminAPI:
					return w.b.TenantID
				case x.fx.missing == "":
					return x.fx.a(w)
				case other:
					return x.fx.a(w)
				}
				return x.fx.missing
			})
			res := w.send(t, r.api, tenantB, r.method, path, []byte(`{}`), "application/json")
			if !notFound(r.api, res) {
				t.Errorf("tenant B, %s %s (A's ids: %v): %d %s, want the dialect's not found", r.method, path, other, res.Status, res.Raw)
			}
			if r.api != adminAPI {
				leak(res, path)
			}
		}
		if r.method == http.MethodGet { // the fixtures name objects A sees
			path := r.fill(ws, func(x wildcard) string { return x.fx.a(w) })
			if res := w.send(t, r.api, tenantA, r.method, path, nil, ""); notFound(r.api, res) {
				t.Errorf("tenant A, %s %s: %d %s: the fixture names nothing A can see", r.method, path, res.Status, res.Raw)
			}
		}
	}
	if r.api == adminAPI {
		return
	}
	path := r.fill(ws, func(x wildcard) string { return x.fx.a(w) })
	if len(ws) > 0 { // B's own path: no A objects there; A's ids go in the body only
		return
	}
	for _, probe := range idProbes[r.api] {
		send := func(acct, user, card string) *servertest.Response {
			if files, ok := strings.CutPrefix(probe, "multipart:"); ok { // an upload of valid images
				fs := map[string][]byte{}
				for _, f := range strings.Split(files, ",") {
					fs[f] = w.png
				}
				form := map[string]string{"user_id": user}
				if fs["front_proof"] != nil {
					form["document_number"] = "X1234567"
				}
				b, ct := servertest.MultipartBody(t, form, fs)
				return w.send(t, r.api, tenantB, r.method, path, b, ct)
			}
			s := strings.NewReplacer("ID", acct, "OWN", strconv.FormatInt(w.acctB, 10), "USER", user, "CARD", card).Replace(probe)
			return w.send(t, r.api, tenantB, r.method, path, []byte(s), "application/json")
		}
		theirs := send(strconv.FormatInt(w.acctA, 10), w.userA, w.cardA)
		none := send(fixtures["{accountNumber}"].missing, "no-such-user", fixtures["{cardId}"].missing)
		leak(theirs, path+" "+probe)
		if got, want := outcome(r.api, theirs), outcome(r.api, none); got != want || success(r.api, theirs) && strings.Contains(probe, "ID") {
			t.Errorf("tenant B, %s with A's ids in %s: %d %s; with ids naming nothing: %d %s", path, probe,
				theirs.Status, theirs.Raw, none.Status, none.Raw)
		}
		if o := outcome(r.api, theirs); o == 403 || o >= 500 {
			t.Errorf("tenant B, %s with A's ids in %s: %d %s", path, probe, theirs.Status, theirs.Raw)
		}
	}
}

// malformed: no bad input answers a 5xx or is logged as a panic.
func (w *world) malformed(t *testing.T, r route, ws []wildcard) {
	// A DELETE would take A's object from the routes that run beside it: it gets ids
	// naming nothing.
	value := func(x wildcard) string {
		if r.method == http.MethodDelete && x.fx.missing != "" && !x.fx.tenant {
			return x.fx.missing
		}
		return x.fx.a(w)
	}
	path := r.fill(ws, value)
	check := func(what, method, p string, body []byte, contentType string) {
		t.Helper()
		res := w.send(t, r.api, tenantA, method, p, body, contentType)
		o := outcome(r.api, res)
		if res.Status >= 500 || o >= 500 {
			t.Errorf("%s: %s %.200s: %d %.300s", what, method, p, res.Status, res.Raw)
		}
		if res.Status >= 400 && !json.Valid(res.Raw) {
			t.Errorf("%s: %s %.200s: %d, not the dialect's JSON envelope: %.300s", what, method, p, res.Status, res.Raw)
		}
	}
	for _, x := range ws {
		for _, bad := range badSegments {
			p := r.fill(ws, func(y wildcard) string {
				if y.index == x.index {
					return bad
				}
				return value(y)
			})
			check("path {"+x.name+"}", r.method, p, nil, "")
		}
	}
	for _, q := range badQueries {
		check("query", r.method, path+"?"+q, nil, "")
	}
	if r.method == http.MethodGet {
		check("body on GET", r.method, path, []byte(`{"a":`), "application/json")
		return
	}
	for _, b := range badBodies() {
		check("body "+b.name, r.method, path, b.body, b.contentType)
	}
}

var badSegments = []string{"%00", "%ff%fe", "a%2500b", "0", "-1", "99999999999999999999999999", "1e400", "%20",
	"null", "%7B%7D", strings.Repeat("a", 4000), "a%0Ab", "%C0%AF"}

var badQueries = []string{
	"limit=99999999999999999999&before=-1",
	"limit=-1&cursor=%00&tenant_id=%ff",
	"limit=abc&since=%ff%fe&status=" + strings.Repeat("x", 3000),
	"limit=0&limit=5&type=%00&kind=%00",
	"%zz=1&=&&a",
}

// fields are the names the dialects' bodies use, to fill with values of the wrong kind.
var fields = []string{"accountNumber", "originAccountNumber", "destinationAccountNumber", "destinarionAccountNumber",
	"amount", "status", "message", "email", "phone", "firstName", "lastName", "handle", "companyId", "name", "sandbox",
	"user_id", "type", "document_id", "document_number", "url", "stand_in", "endpoint_id", "since",
	"auto_verify_after", "reason", "country_id", "dob", "zipcode", "password", "mobile", "cardId", "pin", "oldPin", "newPin", "nameForPrint", "accountId", "auto_ship", "bin_range", "expiry_years", "key_id", "public_key"}

type badBody struct {
	name, contentType string
	body              []byte
}

func objectOf(v string) []byte {
	var b strings.Builder
	b.WriteString("{")
	for i, f := range fields {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:%s", f, v)
	}
	b.WriteString("}")
	return []byte(b.String())
}

func badBodies() []badBody {
	const js = "application/json"
	out := []badBody{
		{"empty", js, []byte{}},
		{"cut", js, []byte(`{"amount":`)},
		{"trailing data", js, []byte(`{"amount":1} xyz`)},
		{"null", js, []byte(`null`)},
		{"array", js, []byte(`[{"amount":1}]`)},
		{"string", js, []byte(`"x"`)},
		{"number", js, []byte(`1e999`)},
		{"duplicate keys", js, []byte(`{"amount":1,"amount":"x","user_id":"a","user_id":[1],"name":"a","name":null}`)},
		{"objects", js, objectOf(`{}`)},
		{"arrays", js, objectOf(`[1,"a"]`)},
		{"booleans", js, objectOf(`true`)},
		{"huge numbers", js, objectOf(`99999999999999999999999999999`)},
		{"huge exponents", js, objectOf(`1e400`)},
		{"below int64", js, objectOf(`-9223372036854775809`)},
		{"fractions", js, objectOf(`0.0000001`)},
		{"NUL", js, objectOf(`"a\u0000b"`)},
		{"invalid UTF-8", js, objectOf("\"a\xff\xfeb\"")},
		{"lone surrogate", js, objectOf(`"\ud800"`)},
		{"long strings", js, objectOf(`"` + strings.Repeat("a", 20000) + `"`)},
		{"too large", js, []byte(`{"name":"` + strings.Repeat("a", 3<<20) + `"}`)},
		{"deep", js, []byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000))},
		{"text", "text/plain", []byte("amount=1")},
		{"xml", "application/xml", []byte(`<a amount="1"/>`)},
		{"no content type", "", []byte(`{"amount":1}`)},
		{"bad content type", `application/json; charset="`, []byte(`{}`)},
		{"form", "application/x-www-form-urlencoded", []byte("user_id=%00&amount=%ff&document_id=1e400&x=" + strings.Repeat("y", 5000))},
		{"multipart garbage", "multipart/form-data; boundary=xyz", []byte("--xyz\r\ngarbage\r\n\r\n--xy")},
		{"multipart no boundary", "multipart/form-data", []byte("garbage")},
	}
	// A well-formed multipart form whose fields and files are wrong.
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "--b\r\nContent-Disposition: form-data; name=\"user_id\"\r\n\r\na\x00\xff\r\n")
	fmt.Fprintf(&buf, "--b\r\nContent-Disposition: form-data; name=\"document_id\"\r\n\r\n99999999999999999999\r\n")
	for _, f := range []string{"front_proof", "back_proof", "address_proof"} {
		fmt.Fprintf(&buf, "--b\r\nContent-Disposition: form-data; name=%q; filename=\"\x00.jpg\"\r\nContent-Type: image/png\r\n\r\nnot an image\r\n", f)
	}
	buf.WriteString("--b--\r\n")
	out = append(out, badBody{"multipart wrong fields", "multipart/form-data; boundary=b", buf.Bytes()})
	return out
}

// lockedBuffer is the server's log, written from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
