package girasol_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/girasol"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

var timestampRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// accountBody is the spec's create-account example with the test's company and a fresh
// email and handle.
func accountBody(company, name string) map[string]any {
	return map[string]any{
		"companyId": company, "firstName": "alejo", "lastName": "villegas", "addressLine1": "cra123",
		"addressLine2": "asd", "city": "montevideo", "zipCode": "000", "phone": "3018775627",
		"email": name + "@example.com", "handle": name,
	}
}

func createAccount(t *testing.T, e *servertest.Env, name string) int64 {
	t.Helper()
	r := e.Girasol(t, "POST", "/v1/accounts/create-account", accountBody(e.Tenant.Girasol.CompanyID, name))
	if r.Status != 201 {
		t.Fatalf("create-account: %d %s", r.Status, r.Raw)
	}
	return int64(r.JSON["data"].(map[string]any)["accountNumber"].(float64))
}

func cashIn(t *testing.T, e *servertest.Env, number, amount int64) *servertest.Response {
	t.Helper()
	return e.Girasol(t, "POST", "/v1/accounts/cash-in", map[string]any{
		"companyId": e.Tenant.Girasol.CompanyID, "accountNumber": number, "amount": amount, "message": "message to user"})
}

func data(t *testing.T, r *servertest.Response) map[string]any {
	t.Helper()
	d, ok := r.JSON["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object in %s", r.Raw)
	}
	return d
}

// wantError checks the Girasol error envelope: statusCode, error true, the request's
// path, an ISO timestamp with milliseconds, and data.
func wantError(t *testing.T, r *servertest.Response, status int, path string, wantData any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	j := r.JSON
	if j["statusCode"] != float64(status) || j["error"] != true || j["path"] != path {
		t.Fatalf("bad error envelope: %s", r.Raw)
	}
	if ts, _ := j["timestamp"].(string); !timestampRe.MatchString(ts) {
		t.Fatalf("bad timestamp %q", ts)
	}
	switch w := wantData.(type) {
	case string:
		if j["data"] != w {
			t.Fatalf("data %q, want %q", j["data"], w)
		}
	case []string: // each message must be present
		list, _ := j["data"].([]any)
		got := fmt.Sprint(list)
		for _, m := range w {
			if !strings.Contains(got, m) {
				t.Fatalf("data %v lacks %q", list, m)
			}
		}
	}
}

func TestAccountsSpecFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		company := e.Tenant.Girasol.CompanyID

		// create-account: the spec's 201 and 409 examples.
		r := e.Girasol(t, "POST", "/v1/accounts/create-account", accountBody(company, "alejo"))
		if r.Status != 201 || r.JSON["statusCode"] != float64(201) || r.JSON["error"] != false {
			t.Fatalf("create: %d %s", r.Status, r.Raw)
		}
		d := data(t, r)
		origin := int64(d["accountNumber"].(float64))
		if d["email"] != "alejo@example.com" || origin < 10_000_000 || origin > 99_999_999 {
			t.Fatalf("create data: %s", r.Raw)
		}
		dup := accountBody(company, "alejo")
		dup["handle"] = "someone-else"
		wantError(t, e.Girasol(t, "POST", "/v1/accounts/create-account", dup), 409,
			"/v1/accounts/create-account", " errorDefinitions.EMAIL_ALREADY_EXIST ")
		dup = accountBody(company, "other")
		dup["handle"] = "alejo"
		wantError(t, e.Girasol(t, "POST", "/v1/accounts/create-account", dup), 409,
			"/v1/accounts/create-account", " errorDefinitions.HANDLE_ALREADY_EXIST ")
		dest := createAccount(t, e, "villegas")

		// cash-in: draws on the master account.
		r = cashIn(t, e, origin, 500)
		if r.Status != 201 {
			t.Fatalf("cash-in: %d %s", r.Status, r.Raw)
		}
		d = data(t, r)
		if d["userBalance"] != float64(500) || d["currency"] != "USD" || d["description"] != "message to user" ||
			d["MasterAccountBalance"] != float64(50_000_000-500) || !timestampRe.MatchString(d["createdAt"].(string)) {
			t.Fatalf("cash-in data: %s", r.Raw)
		}
		if _, ok := d["transactionId"].(float64); !ok {
			t.Fatalf("transactionId must be a number: %s", r.Raw)
		}

		// p2p with the spec's misspelled field, then the corrected spelling.
		r = e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{"companyId": company,
			"originAccountNumber": origin, "destinarionAccountNumber": dest, "amount": 200, "message": "peer to peer message"})
		if r.Status != 201 {
			t.Fatalf("p2p: %d %s", r.Status, r.Raw)
		}
		d = data(t, r)
		if d["message"] != "transaction successful" || d["originBalance"] != float64(300) || d["currency"] != "USD" ||
			d["description"] != "peer to peer message" || !timestampRe.MatchString(d["createdAt"].(string)) {
			t.Fatalf("p2p data: %s", r.Raw)
		}
		r = e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{
			"originAccountNumber": dest, "destinationAccountNumber": origin, "amount": 50})
		if r.Status != 201 || data(t, r)["originBalance"] != float64(150) {
			t.Fatalf("p2p corrected spelling: %d %s", r.Status, r.Raw)
		}
		wantError(t, e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{
			"originAccountNumber": origin, "destinarionAccountNumber": origin, "amount": 1}), 409,
			"/v1/accounts/p2p-transaction", " errorDefinitions.SAME_ACCOUNT ")
		wantError(t, e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{
			"originAccountNumber": origin, "destinarionAccountNumber": dest, "amount": 1_000_000}), 409,
			"/v1/accounts/p2p-transaction", " errorDefinitions.INSUFFICIENT_FUNDS ")
		wantError(t, e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{
			"originAccountNumber": origin, "destinarionAccountNumber": 12345678, "amount": 1}), 404,
			"/v1/accounts/p2p-transaction", "destination account not found")
		// Both spellings of the destination, even with one value, are refused: none is
		// silently preferred.
		for _, other := range []any{dest, origin} {
			wantError(t, e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{"originAccountNumber": origin,
				"destinarionAccountNumber": dest, "destinationAccountNumber": other, "amount": 1}), 400, "/v1/accounts/p2p-transaction",
				[]string{"destinarionAccountNumber and destinationAccountNumber are spellings of one field: send only one"})
		}
		// An amount beyond int64 gets the one amount message, naming the documented limit.
		for _, amount := range []any{1e300, -1e300, 1_000_000_000_000_001, 9223372036854775807} {
			r := e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{"originAccountNumber": origin,
				"destinarionAccountNumber": dest, "amount": amount})
			wantError(t, r, 400, "/v1/accounts/p2p-transaction", []string{"amount must be a positive number not greater than 1000000000000000"})
			if strings.Contains(string(r.Raw), "9223372036854775807") {
				t.Fatalf("amount %v: the message names int64's limit: %s", amount, r.Raw)
			}
		}

		// customer-info by number and by email.
		r = e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/customer-info/%d", origin), nil)
		if r.Status != 200 {
			t.Fatalf("customer-info: %d %s", r.Status, r.Raw)
		}
		d = data(t, r)
		for k, want := range map[string]any{"accountNumber": float64(origin), "balance": float64(350), "email": "alejo@example.com",
			"firstName": "alejo", "lastName": "villegas", "phone": "3018775627", "addressLine1": "cra123",
			"addressLine2": "asd", "city": "montevideo", "status": float64(1)} {
			if d[k] != want {
				t.Fatalf("customer-info %s = %v, want %v (%s)", k, d[k], want, r.Raw)
			}
		}
		if !timestampRe.MatchString(d["createdAt"].(string)) {
			t.Fatalf("createdAt: %s", r.Raw)
		}
		r = e.Girasol(t, "GET", "/v1/accounts/customer-info-by-email/villegas@example.com", nil)
		if r.Status != 200 || data(t, r)["accountNumber"] != float64(dest) || data(t, r)["balance"] != float64(150) {
			t.Fatalf("by email: %d %s", r.Status, r.Raw)
		}
		wantError(t, e.Girasol(t, "GET", "/v1/accounts/customer-info/1450721", nil), 404,
			"/v1/accounts/customer-info/1450721", "account not found")
		wantError(t, e.Girasol(t, "GET", "/v1/accounts/customer-info-by-email/nobody@example.com", nil), 404,
			"/v1/accounts/customer-info-by-email/nobody@example.com", "account not found")

		// transactions, newest first, with types and paging.
		r = e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/transactions/%d", origin), nil)
		if r.Status != 200 {
			t.Fatalf("transactions: %d %s", r.Status, r.Raw)
		}
		txs := data(t, r)["transactions"].([]any)
		if len(txs) != 3 {
			t.Fatalf("want 3 transactions: %s", r.Raw)
		}
		first := txs[0].(map[string]any)
		if first["amount"] != float64(50) || first["type"] != float64(4) || first["currency"] != "USD" ||
			first["transactionCurrency"] != "840" || !timestampRe.MatchString(first["createdAt"].(string)) {
			t.Fatalf("transaction shape: %v", first)
		}
		if _, ok := first["transactionId"].(string); !ok {
			t.Fatalf("transactionId must be a string: %v", first)
		}
		if _, ok := first["merchant"].(string); !ok {
			t.Fatalf("merchant must be a string: %v", first)
		}
		if txs[1].(map[string]any)["type"] != float64(3) || txs[2].(map[string]any)["type"] != float64(1) {
			t.Fatalf("types: %s", r.Raw)
		}
		r = e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/transactions/%d?limit=2", origin), nil)
		cursor, _ := data(t, r)["nextCursor"].(string)
		if len(data(t, r)["transactions"].([]any)) != 2 || cursor == "" {
			t.Fatalf("page 1: %s", r.Raw)
		}
		r = e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/transactions/%d?limit=2&cursor=%s", origin, cursor), nil)
		if txs := data(t, r)["transactions"].([]any); len(txs) != 1 || txs[0].(map[string]any)["type"] != float64(1) {
			t.Fatalf("page 2: %s", r.Raw)
		}
		wantError(t, e.Girasol(t, "GET", "/v1/accounts/transactions/14507214", nil), 404,
			"/v1/accounts/transactions/14507214", "account not found")

		// change-account-status: 2 deactivates, 1 activates; repeating is a 409.
		st := func(n int64, s int) *servertest.Response {
			return e.Girasol(t, "PATCH", "/v1/accounts/change-account-status", map[string]any{
				"companyId": company, "accountNumber": n, "status": s})
		}
		if r := st(dest, 2); r.Status != 200 || data(t, r)["status"] != float64(2) {
			t.Fatalf("deactivate: %d %s", r.Status, r.Raw)
		}
		wantError(t, st(dest, 2), 409, "/v1/accounts/change-account-status", " errorDefinitions.ACCOUNT_ALREADY_INACTIVE ")
		wantError(t, cashIn(t, e, dest, 100), 409, "/v1/accounts/cash-in", " errorDefinitions.ACCOUNT_INACTIVE ")
		wantError(t, e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{
			"originAccountNumber": origin, "destinarionAccountNumber": dest, "amount": 1}), 409,
			"/v1/accounts/p2p-transaction", " errorDefinitions.DESTINATION_ACCOUNT_INACTIVE ")
		wantError(t, e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{
			"originAccountNumber": dest, "destinarionAccountNumber": origin, "amount": 1}), 409,
			"/v1/accounts/p2p-transaction", " errorDefinitions.ORIGIN_ACCOUNT_INACTIVE ")
		if r := e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/customer-info/%d", dest), nil); data(t, r)["status"] != float64(2) {
			t.Fatalf("status after deactivation: %s", r.Raw)
		}
		if r := st(dest, 1); r.Status != 200 {
			t.Fatalf("activate: %d %s", r.Status, r.Raw)
		}
		wantError(t, st(dest, 1), 409, "/v1/accounts/change-account-status", " errorDefinitions.ACCOUNT_ALREADY_ACTIVE ")

		if rep, err := e.Core.VerifyLedger(t.Context()); err != nil || !rep.OK {
			t.Fatalf("ledger: %v %+v", err, rep)
		}
	})
}

func TestAuthAndTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		mine := createAccount(t, e, "mine")
		other := e.NewTenant(t)
		path := fmt.Sprintf("/v1/accounts/customer-info/%d", mine)

		h := servertest.GirasolHeaders(e.Tenant)
		h.Del("x-api-key")
		wantError(t, e.Do(t, "GET", path, nil, h), 401, path, "x-api-key header is required")
		h = servertest.GirasolHeaders(e.Tenant)
		h.Del("x-secret-key")
		wantError(t, e.Do(t, "GET", path, nil, h), 401, path, "x-secret-key header is required")
		// Every example sends x-company-id, and docs/girasol.md requires it.
		h = servertest.GirasolHeaders(e.Tenant)
		h.Del("x-company-id")
		wantError(t, e.Do(t, "GET", path, nil, h), 401, path, "x-company-id header is required")
		h = servertest.GirasolHeaders(e.Tenant)
		h.Set("x-secret-key", other.Girasol.SecretKey)
		wantError(t, e.Do(t, "GET", path, nil, h), 401, path, "Unauthorized")
		h = servertest.GirasolHeaders(e.Tenant)
		h.Set("x-company-id", other.Girasol.CompanyID)
		wantError(t, e.Do(t, "GET", path, nil, h), 401, path, "Unauthorized")
		// The company in the body must be the authenticated one.
		wantError(t, e.Girasol(t, "POST", "/v1/accounts/create-account", accountBody(other.Girasol.CompanyID, "x")), 401,
			"/v1/accounts/create-account", "Unauthorized")

		// Another company's account is simply not found, for reads and for writes.
		oh := servertest.GirasolHeaders(other)
		wantError(t, e.Do(t, "GET", path, nil, oh), 404, path, "account not found")
		wantError(t, e.Do(t, "GET", fmt.Sprintf("/v1/accounts/transactions/%d", mine), nil, oh), 404,
			fmt.Sprintf("/v1/accounts/transactions/%d", mine), "account not found")
		wantError(t, e.Do(t, "GET", "/v1/accounts/customer-info-by-email/mine@example.com", nil, oh), 404,
			"/v1/accounts/customer-info-by-email/mine@example.com", "account not found")
		wantError(t, e.Do(t, "POST", "/v1/accounts/cash-in", map[string]any{"accountNumber": mine, "amount": 5}, oh), 404,
			"/v1/accounts/cash-in", "account not found")
		// The same email may exist in both companies.
		r := e.Do(t, "POST", "/v1/accounts/create-account", accountBody(other.Girasol.CompanyID, "mine"), oh)
		if r.Status != 201 {
			t.Fatalf("same email in another company: %d %s", r.Status, r.Raw)
		}
		wantError(t, e.Girasol(t, "GET", "/v1/nothing-here", nil), 404, "/v1/nothing-here", "Cannot GET /v1/nothing-here")
	})
}

func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		n := createAccount(t, e, "bad")
		const cash = "/v1/accounts/cash-in"
		cases := []struct {
			name   string
			path   string
			body   any
			status int
			want   []string
		}{
			{"malformed JSON", cash, `{"accountNumber": `, 400, []string{"body is not valid JSON"}},
			{"array body", cash, `[1,2]`, 400, []string{"body must be a JSON object"}},
			{"string body", cash, `"x"`, 400, []string{"body must be a JSON object"}},
			{"empty body", cash, ``, 400, []string{"accountNumber should not be empty", "amount should not be empty"}},
			{"amount as string", cash, map[string]any{"accountNumber": n, "amount": "500"}, 400,
				[]string{"amount must be a number conforming to the specified constraints"}},
			{"zero amount", cash, map[string]any{"accountNumber": n, "amount": 0}, 400, []string{"amount must be a positive number"}},
			{"negative amount", cash, map[string]any{"accountNumber": n, "amount": -5}, 400, []string{"amount must be a positive number"}},
			{"fractional amount", cash, map[string]any{"accountNumber": n, "amount": 5.5}, 400, []string{"amount must be an integer number"}},
			{"huge amount", cash, `{"accountNumber": 12345678, "amount": 1e30}`, 400, []string{"amount must be a positive number not greater than 1000000000000000"}},
			{"over max amount", cash, map[string]any{"accountNumber": n, "amount": int64(1) << 62}, 400, []string{"amount must be a positive number"}},
			{"account as string", cash, map[string]any{"accountNumber": "x", "amount": 5}, 400,
				[]string{"accountNumber must be a number conforming to the specified constraints"}},
			{"unknown field", cash, map[string]any{"accountNumber": n, "amount": 5, "amout": 5}, 400, []string{"property amout should not exist"}},
			{"message not string", cash, map[string]any{"accountNumber": n, "amount": 5, "message": 7}, 400, []string{"message must be a string"}},
			{"bad companyId", cash, map[string]any{"companyId": "nope", "accountNumber": n, "amount": 5}, 400, []string{"companyId must be a UUID"}},
			{"unknown account", cash, map[string]any{"accountNumber": 12345678, "amount": 5}, 404, nil},
			{"bad email", "/v1/accounts/create-account", func() any {
				b := accountBody(e.Tenant.Girasol.CompanyID, "x")
				b["email"] = "not-an-email"
				return b
			}(), 400, []string{"email must be an email"}},
			{"bad phone", "/v1/accounts/create-account", func() any {
				b := accountBody(e.Tenant.Girasol.CompanyID, "p")
				b["phone"] = "+1 234-567-890-123-456" // 16 digits
				return b
			}(), 400, []string{"phone must be a valid phone number"}},
			{"long name", "/v1/accounts/create-account", func() any {
				b := accountBody(e.Tenant.Girasol.CompanyID, "y")
				b["firstName"] = strings.Repeat("a", 101)
				return b
			}(), 400, []string{"firstName must be shorter than or equal to 100 characters"}},
			{"bad status", "/v1/accounts/change-account-status", map[string]any{"accountNumber": n, "status": 7}, 400,
				[]string{"status must be one of the following values: 1, 2"}},
			{"oversize body", cash, `{"message":"` + strings.Repeat("a", 2<<20) + `"}`, 413, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				method := "POST"
				if strings.Contains(c.path, "status") {
					method = "PATCH"
				}
				r := e.Girasol(t, method, c.path, c.body)
				if r.Status != c.status {
					t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Raw)
				}
				wantError(t, r, c.status, c.path, c.want)
			})
		}
		for _, p := range []string{"/v1/accounts/customer-info/abc", "/v1/accounts/transactions/-1"} {
			if r := e.Girasol(t, "GET", p, nil); r.Status != 400 && r.Status != 404 {
				t.Fatalf("%s: %d %s", p, r.Status, r.Raw)
			}
		}
		if rep, err := e.Core.VerifyLedger(t.Context()); err != nil || !rep.OK {
			t.Fatalf("ledger after bad input: %v %+v", err, rep)
		}
	})
}

func TestIdempotencyOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		n := createAccount(t, e, "idem")
		h := servertest.GirasolHeaders(e.Tenant)
		h.Set("Idempotency-Key", "cash-1")
		body := map[string]any{"accountNumber": n, "amount": 700, "message": "once"}

		// Concurrent first attempts: money moves once, every answer is the same.
		var wg sync.WaitGroup
		results := make([]*servertest.Response, 6)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = e.Do(t, "POST", "/v1/accounts/cash-in", body, h)
			}()
		}
		wg.Wait()
		replays := 0
		for _, r := range results {
			if r.Status != 201 || string(r.Raw) != string(results[0].Raw) {
				t.Fatalf("idempotent answers differ: %d %s vs %s", r.Status, r.Raw, results[0].Raw)
			}
			if r.Header.Get("Idempotent-Replayed") == "true" {
				replays++
			}
		}
		if replays != len(results)-1 {
			t.Fatalf("%d replays, want %d", replays, len(results)-1)
		}
		// Key order and spacing do not make a different request.
		r := e.Do(t, "POST", "/v1/accounts/cash-in", fmt.Sprintf(`{ "message":"once", "amount":700, "accountNumber":%d }`, n), h)
		if r.Status != 201 || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("reordered body: %d %s", r.Status, r.Raw)
		}
		info := e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/customer-info/%d", n), nil)
		if data(t, info)["balance"] != float64(700) {
			t.Fatalf("money moved more than once: %s", info.Raw)
		}
		body["amount"] = 701
		wantError(t, e.Do(t, "POST", "/v1/accounts/cash-in", body, h), 409, "/v1/accounts/cash-in",
			" errorDefinitions.IDEMPOTENCY_KEY_REUSED ")
		h.Set("Idempotency-Key", strings.Repeat("k", 300))
		wantError(t, e.Do(t, "POST", "/v1/accounts/cash-in", body, h), 400, "/v1/accounts/cash-in",
			[]string{"Idempotency-Key must be at most 255 printable ASCII characters"})
	})
}

func TestRequestIDEcho(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	h := servertest.GirasolHeaders(e.Tenant)
	h.Set("X-Request-Id", "abc-123")
	r := e.Do(t, "GET", "/v1/accounts/customer-info/12345678", nil, h)
	if r.Header.Get("X-Request-Id") != "abc-123" {
		t.Fatalf("request id not echoed: %v", r.Header)
	}
	r = e.Do(t, "GET", "/healthz", nil, http.Header{})
	if len(r.Header.Get("X-Request-Id")) < 16 {
		t.Fatalf("no generated request id: %v", r.Header)
	}
}

// TestRenderEvent renders account.created as Girasol receivers got it before the core
// added the currency: the same bytes.
func TestRenderEvent(t *testing.T) {
	for _, c := range []struct{ payload, want string }{
		{`{"account_number":12345678,"currency":"USD","customer_id":"c1","email":"a@b.co"}`,
			`{"account_number":12345678,"customer_id":"c1","email":"a@b.co"}`},
		{`{"account_number":12345678,"currency":"EUR","customer_id":"c1","customer_ref":"r","email":"a@b.co"}`, ``},
	} {
		got, err := girasol.RenderEvent(&baas.Event{Type: "account.created", Payload: []byte(c.payload)})
		if err != nil || string(got) != c.want {
			t.Fatalf("RenderEvent(%s) = %s, %v\nwant %s", c.payload, got, err, c.want)
		}
	}
}

// TestPhoneRule: the phone is checked by the core's rule alone, 6 to 15 digits with an
// optional leading + and spaces or dashes, however long it is written.
func TestPhoneRule(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	b := accountBody(e.Tenant.Girasol.CompanyID, "longphone")
	b["phone"] = "+1 234-567-890-123-45" // 21 characters, 15 digits
	if r := e.Girasol(t, "POST", "/v1/accounts/create-account", b); r.Status != 201 {
		t.Fatalf("create-account: %d %s", r.Status, r.Raw)
	}
	b = accountBody(e.Tenant.Girasol.CompanyID, "shortphone")
	b["phone"] = "12345"
	if r := e.Girasol(t, "POST", "/v1/accounts/create-account", b); r.Status != 400 {
		t.Fatalf("5 digits: %d %s", r.Status, r.Raw)
	}
}
