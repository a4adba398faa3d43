package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// startOperator runs `baas serve` on a new store of the engine and returns the store, the
// server, the sandbox tenant's credentials it printed, and api, which sends an operator
// API request with the token it printed and returns the body of its 200 answer.
func startOperator(t *testing.T, engine string) (*testStore, *serveProc, tenantCreds, func(method, path string) []byte) {
	t.Helper()
	st := newStore(t, engine)
	srv := startServer(t, st)
	out := srv.stdout.String()
	token, creds := printedToken(t, out), printedCredentials(t, out)
	api := func(method, path string) []byte {
		t.Helper()
		resp, b := srv.admin(t, token, method, path, nil)
		wantStatus(t, method+" "+path, resp, b, http.StatusOK)
		return b
	}
	return st, srv, creds, api
}

// sameJSON fails unless the CLI printed what the operator API answered, value for value.
func sameJSON(t *testing.T, what string, cli string, api []byte) {
	t.Helper()
	var a, b any
	decodeJSON(t, what+" (cli)", []byte(cli), &a)
	decodeJSON(t, what+" (api)", api, &b)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatalf("%s: the CLI printed\n%s\nthe operator API answered\n%s", what, ja, jb)
	}
}

// TestTenantListWalksPages: `baas tenant list` reads the tenants a page at a time and
// prints every one, in creation order, with more tenants than a page holds.
func TestTenantListWalksPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		if out := mustRun(t, st, nil, "tenant", "list").stdout; strings.Count(out, "\n") != 1 {
			t.Fatalf("tenant list of a new database:\n%s", out) // the header alone
		}
		where := st.url
		if engine == "sqlite" {
			where = filepath.Join(st.dir, "baas.db")
		}
		n := core.TenantPages.Max + 5
		added := storetest.AddTenants(t, storetest.OpenAt(t, engine, where), n)

		var listed struct {
			Tenants []struct {
				ID string `json:"tenant_id"`
			}
			NextAfter *string `json:"next_after"`
		}
		decodeJSON(t, "tenant list --json", []byte(mustRun(t, st, nil, "tenant", "list", "--json").stdout), &listed)
		if len(listed.Tenants) != n || listed.NextAfter != nil {
			t.Fatalf("tenant list --json: %d tenants (next_after %v), want %d", len(listed.Tenants), listed.NextAfter, n)
		}
		for i, tn := range listed.Tenants {
			if tn.ID != added[i].ID {
				t.Fatalf("tenant list --json: tenant %d is %s, want %s", i, tn.ID, added[i].ID)
			}
		}
		table := mustRun(t, st, nil, "tenant", "list").stdout
		if rows := strings.Count(table, "\n") - 1; rows != n || !strings.Contains(table, added[n-1].ID) {
			t.Fatalf("tenant list: %d rows, want %d", rows, n)
		}
	})
}

// TestOperatorCommands: what an operator does by hand through the operator API, the CLI
// does too — tenants listed and funded, KYC documents listed, rejected and verified, cards
// listed, accepted, shipped and blocked — printing the operator API's body with --json and
// a table otherwise, through the core (its rules and messages) and into the audit log as
// the CLI's actor. A group command without its subcommand fails.
func TestOperatorCommands(t *testing.T) {
	actor := cliActor(t)
	storetest.Each(t, func(t *testing.T, engine string) {
		st, srv, creds, api := startOperator(t, engine)

		for _, group := range [][]string{{"tenant"}, {"kyc"}, {"card"}, {"tenant", "lisst"}} {
			if res := runBaas(t, st, nil, group...); res.code == 0 || !strings.Contains(res.stderr, "list") {
				t.Errorf("baas %v: exit %d, stderr %q", group, res.code, res.stderr)
			}
		}

		// Tenants: the sandbox starts with a float in USD and in EUR.
		table := mustRun(t, st, nil, "tenant", "list").stdout
		if !strings.Contains(table, creds.TenantID) || !strings.Contains(table, "USD 50000000 EUR 50000000") {
			t.Fatalf("tenant list:\n%s", table)
		}
		sameJSON(t, "tenant list", mustRun(t, st, nil, "tenant", "list", "--json").stdout, api("GET", "/admin/api/tenants"))

		fund := mustRun(t, st, nil, "tenant", "fund", creds.TenantID, "--amount", "1000", "--currency", "eur", "--json").stdout
		var funded struct {
			Balance  int64
			Currency string
		}
		decodeJSON(t, "tenant fund", []byte(fund), &funded)
		if funded.Balance != 50_001_000 || funded.Currency != "EUR" {
			t.Fatalf("tenant fund: %s", fund)
		}
		if s := mustRun(t, st, nil, "tenant", "fund", creds.TenantID, "--amount", "5").stdout; !strings.Contains(s, "USD") ||
			!strings.Contains(s, "50000005") {
			t.Fatalf("tenant fund in the master currency:\n%s", s)
		}
		for _, bad := range []struct{ args, want string }{
			{"--amount 10 --currency XYZ", "ISO 4217"},
			{"--amount 10 --currency GBP", "not one of the tenant's currencies (USD, EUR)"},
			{"--amount 1000000000000001", "not greater than 1000000000000000"},
			{"--amount 1e300", "not greater than 1000000000000000"},
			{"--amount 0", "positive"},
		} {
			res := runBaas(t, st, nil, append([]string{"tenant", "fund", creds.TenantID}, strings.Fields(bad.args)...)...)
			if res.code == 0 || !strings.Contains(res.stderr, bad.want) {
				t.Errorf("tenant fund %s: exit %d, stderr %q, want %q", bad.args, res.code, res.stderr, bad.want)
			}
		}

		// KYC: a Codego customer uploads an id proof; the operator rejects it, the
		// customer uploads again, the operator verifies.
		cg := http.Header{}
		cg.Set("clientkey", creds.Codego.ClientKey)
		cg.Set("secretkey", creds.Codego.SecretKey)
		req, _ := http.NewRequest("POST", "/", nil)
		req.SetBasicAuth(creds.Codego.APIKey, creds.Codego.WhitelabelID)
		cg.Set("Authorization", req.Header.Get("Authorization"))
		codego := func(name string, body []byte, contentType string) map[string]any {
			t.Helper()
			h := cg.Clone()
			if contentType != "" {
				h.Set("Content-Type", contentType)
			}
			resp, b := srv.request(t, "POST", "/api/"+name, body, h)
			var m map[string]any
			decodeJSON(t, name, b, &m)
			if resp.StatusCode != 200 || fmt.Sprint(m["status"]) != "1" {
				t.Fatalf("%s: %d %s", name, resp.StatusCode, b)
			}
			return m
		}
		cg.Set("authtoken", codego("authenticaion", nil, "")["auth_token"].(string))
		cg.Del("clientkey")
		cg.Del("secretkey")
		keys := servertest.SpecSignupJSON(core.CodegoCredentials(creds.Codego), "ana@example.com")
		uid := codego("signup", keys, "application/json")["user_id"].(string)
		upload := func() {
			t.Helper()
			body, ct := servertest.MultipartBody(t, map[string]string{"user_id": uid, "document_number": "P123"},
				map[string][]byte{"front_proof": servertest.PNG(t)})
			codego("upload_id_proof", body, ct)
		}
		upload()
		list := mustRun(t, st, nil, "kyc", "list", "--json").stdout
		sameJSON(t, "kyc list", list, api("GET", "/admin/api/kyc/documents"))
		var docs struct {
			Documents []struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			} `json:"documents"`
		}
		decodeJSON(t, "kyc list", []byte(list), &docs)
		if len(docs.Documents) != 1 {
			t.Fatalf("kyc list: %s", list)
		}
		first := fmt.Sprint(docs.Documents[0].ID)
		if table := mustRun(t, st, nil, "kyc", "list", "--tenant", creds.TenantID).stdout; !strings.Contains(table, "Id Proof") ||
			!strings.Contains(table, "Pending") || !strings.Contains(table, "ana@example.com") {
			t.Fatalf("kyc list table:\n%s", table)
		}
		if res := runBaas(t, st, nil, "kyc", "reject", first); res.code == 0 || !strings.Contains(res.stderr, "reason") {
			t.Fatalf("kyc reject without a reason: exit %d %s", res.code, res.stderr)
		}
		rejected := mustRun(t, st, nil, "kyc", "reject", first, "--reason", "the photo is blurred", "--json").stdout
		// The decision as the API reads it back, but for reviewed_at: the answer carries the
		// clock's time, the store its own precision (PostgreSQL rounds to microseconds).
		var gotDoc, wantDoc struct {
			Document map[string]any `json:"document"`
		}
		decodeJSON(t, "kyc reject", []byte(rejected), &gotDoc)
		decodeJSON(t, "kyc document", api("GET", "/admin/api/kyc/documents/"+first), &wantDoc)
		if gotDoc.Document["reviewed_at"] == nil || gotDoc.Document["status"] != "Rejected" || gotDoc.Document["reason"] != "the photo is blurred" {
			t.Fatalf("kyc reject: %s", rejected)
		}
		delete(gotDoc.Document, "reviewed_at")
		delete(wantDoc.Document, "reviewed_at")
		gj, _ := json.Marshal(gotDoc)
		wj, _ := json.Marshal(wantDoc)
		sameJSON(t, "kyc reject", string(gj), wj)
		if res := runBaas(t, st, nil, "kyc", "verify", first); res.code == 0 || !strings.Contains(res.stderr, "already rejected") {
			t.Fatalf("kyc verify a rejected document: exit %d %s", res.code, res.stderr)
		}
		upload()
		decodeJSON(t, "kyc list", []byte(mustRun(t, st, nil, "kyc", "list", "--json").stdout), &docs)
		second := fmt.Sprint(docs.Documents[0].ID)
		if table := mustRun(t, st, nil, "kyc", "verify", second, "--reviewer", "alice").stdout; !strings.Contains(table, "Verified") ||
			!strings.Contains(table, "alice") {
			t.Fatalf("kyc verify:\n%s", table)
		}
		if all := mustRun(t, st, nil, "kyc", "list", "--status", "all").stdout; strings.Count(all, "\n") != 3 {
			t.Fatalf("kyc list --status all:\n%s", all)
		}

		// Cards: a Girasol card order through fulfilment.
		createAccount(t, srv, creds.Girasol, "bea")
		resp, b := srv.request(t, "GET", "/v1/accounts/customer-info-by-email/bea@example.com", nil, girasolHeader(creds.Girasol))
		wantStatus(t, "customer-info-by-email", resp, b, http.StatusOK)
		var acct struct {
			Data struct{ AccountNumber float64 } `json:"data"`
		}
		decodeJSON(t, "customer-info-by-email", b, &acct)
		order, _ := json.Marshal(map[string]any{"address1": "calle 1", "zipCode": "11000", "city": "montevideo",
			"firstName": "ana", "lastName": "tester", "accountNumber": acct.Data.AccountNumber})
		resp, b = srv.request(t, "POST", "/v1/cards/create-card", order, girasolHeader(creds.Girasol))
		wantStatus(t, "create-card", resp, b, http.StatusCreated)
		var card struct {
			Data struct{ CardID string } `json:"data"`
		}
		decodeJSON(t, "create-card", b, &card)
		id := card.Data.CardID
		sameJSON(t, "card list", mustRun(t, st, nil, "card", "list", "--json").stdout, api("GET", "/admin/api/cards"))
		if table := mustRun(t, st, nil, "card", "list", "--status", "ordered").stdout; !strings.Contains(table, id) {
			t.Fatalf("card list --status ordered:\n%s", table)
		}
		accepted := mustRun(t, st, nil, "card", "accept", id, "--json").stdout
		var acc struct {
			Card struct {
				CardID string `json:"card_id"`
				Status string `json:"status"`
			} `json:"card"`
		}
		decodeJSON(t, "card accept", []byte(accepted), &acc)
		if acc.Card.CardID != id || acc.Card.Status != "accepted" {
			t.Fatalf("card accept: %s", accepted)
		}
		if table := mustRun(t, st, nil, "card", "ship", id).stdout; !strings.Contains(table, "shipped") {
			t.Fatalf("card ship:\n%s", table)
		}
		if res := runBaas(t, st, nil, "card", "accept", id); res.code == 0 {
			t.Fatalf("accepting a shipped card succeeded:\n%s", res.stdout)
		}
		mustRun(t, st, nil, "card", "block", id)
		if table := mustRun(t, st, nil, "card", "list", "--tenant", creds.TenantID).stdout; !strings.Contains(table, "blocked") {
			t.Fatalf("card list after block:\n%s", table)
		}

		// The access log says what a Codego client saw (errors are HTTP 200 in that dialect)
		// and durations in milliseconds with their unit.
		resp, b = srv.request(t, "POST", "/api/account_detail", []byte(`{"user_id":"nobody"}`), cg)
		wantStatus(t, "account_detail of nobody", resp, b, http.StatusOK)
		// The server writes a request's log line once it has answered: wait for it.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) &&
			!strings.Contains(srv.stderr.String(), `"route":"POST /api/account_detail"`); {
			time.Sleep(20 * time.Millisecond)
		}
		seen := map[string]bool{}
		for _, line := range strings.Split(srv.stderr.String(), "\n") {
			var l struct {
				Msg, Route, Duration string
				Status               int
				CodegoStatus         *int `json:"codego_status"`
				CodegoCode           *int `json:"codego_code"`
			}
			if json.Unmarshal([]byte(line), &l) != nil || l.Msg != "request" {
				continue
			}
			if !regexp.MustCompile(`^[0-9]+\.[0-9]{3}ms$`).MatchString(l.Duration) {
				t.Errorf("duration %q is not in milliseconds with its unit: %s", l.Duration, line)
			}
			switch {
			case !strings.HasPrefix(l.Route, "POST /api/"):
				if l.CodegoStatus != nil {
					t.Errorf("a request outside Codego logs a Codego status: %s", line)
				}
			case l.CodegoStatus != nil && *l.CodegoStatus == 1 && l.CodegoCode == nil:
				seen["ok"] = true
			case l.CodegoStatus != nil && *l.CodegoStatus == 0 && l.CodegoCode != nil && *l.CodegoCode == 404 && l.Status == 200:
				seen["error"] = true
			default:
				t.Errorf("a Codego request without its outcome: %s", line)
			}
		}
		if !seen["ok"] || !seen["error"] {
			t.Errorf("the access log lacks a Codego success or error (%v):\n%s", seen, srv.stderr.String())
		}

		// Every decision is in the audit log as the CLI's (the sandbox tenant too: `baas serve` made it).
		got := cliAuditActions(t, st, actor)
		want := "card.blocked card.shipped card.accepted kyc.verified kyc.rejected tenant.funded tenant.funded tenant.created"
		if strings.Join(got, " ") != want {
			t.Fatalf("the CLI's audit entries: %q, want %q", strings.Join(got, " "), want)
		}
	})
}

// TestGiftcardFeesCommands: `baas giftcard-fees get|set` show and set a tenant's gift-card
// fees through the core, as GET/PUT /admin/api/tenants/{id}/fees do: --json prints the
// operator API's body, a table otherwise; the core's rules and messages refuse bad fees;
// a change is in the audit log as the CLI's.
func TestGiftcardFeesCommands(t *testing.T) {
	actor := cliActor(t)
	storetest.Each(t, func(t *testing.T, engine string) {
		st, _, creds, api := startOperator(t, engine)
		fees := func() []byte { return api("GET", "/admin/api/tenants/"+creds.TenantID+"/fees") }
		get := []string{"giftcard-fees", "get", "--tenant", creds.TenantID}
		sameJSON(t, "giftcard-fees get", mustRun(t, st, nil, append(get, "--json")...).stdout, fees())
		if table := mustRun(t, st, nil, get...).stdout; !regexp.MustCompile(`codego-giftcard +standard +1000 +100 +65 +EUR +true`).MatchString(table) {
			t.Fatalf("giftcard-fees get (the defaults):\n%s", table)
		}

		set := []string{"giftcard-fees", "set", "--tenant", creds.TenantID, "--product", "standard",
			"--issue-fee", "800", "--load-fee-fixed", "0", "--load-fee-percent-bp", "150"}
		if s := mustRun(t, st, nil, set...).stdout; !regexp.MustCompile(`codego-giftcard +standard +800 +0 +150 +EUR +false`).MatchString(s) {
			t.Fatalf("giftcard-fees set:\n%s", s)
		}
		sameJSON(t, "giftcard-fees get after set", mustRun(t, st, nil, append(get, "--json")...).stdout, fees())
		if !bytes.Contains(fees(), []byte(`"product":"codego-giftcard","kind":"standard","issue_fee":800,"load_fee_fixed":0,"load_fee_percent_bp":150`)) {
			t.Fatalf("GET fees after the CLI set them: %s", fees())
		}

		for _, bad := range []struct {
			args []string
			want string
		}{
			{[]string{"--load-fee-percent-bp", "10001"}, "load_fee_percent_bp must be between 0 and 10000"},
			{[]string{"--issue-fee", "-1"}, "issue_fee must be between 0 and"},
			{[]string{"--product", "platinum"}, "unknown gift card product platinum"},
			{[]string{"--tenant", "no-such-tenant"}, "not found"},
			{[]string{"--issue-fee", "1.5"}, "invalid argument"},
		} {
			res := runBaas(t, st, nil, append(slices.Clone(set), bad.args...)...)
			if res.code == 0 || !strings.Contains(res.stderr, bad.want) {
				t.Errorf("giftcard-fees set %v: exit %d, stderr %q, want %q", bad.args, res.code, res.stderr, bad.want)
			}
		}
		if res := runBaas(t, st, nil, "giftcard-fees", "set", "--tenant", creds.TenantID, "--product", "hs"); res.code == 0 ||
			!strings.Contains(res.stderr, "required") {
			t.Errorf("giftcard-fees set without the fees: exit %d, stderr %q", res.code, res.stderr)
		}

		// Newest first; `baas serve` made the sandbox tenant.
		if got := cliAuditActions(t, st, actor); strings.Join(got, " ") != "giftcard_fees.set tenant.created" {
			t.Fatalf("the CLI's audit entries: %q, want one giftcard_fees.set after tenant.created", got)
		}
	})
}

// cliAuditActions is the actions of the audit log's entries made by actor from the CLI,
// newest first, as `baas audit --json` prints them.
func cliAuditActions(t *testing.T, st *testStore, actor string) []string {
	t.Helper()
	var page struct {
		Entries []struct{ Actor, Source, Action string }
	}
	decodeJSON(t, "audit", []byte(mustRun(t, st, nil, "audit", "--json").stdout), &page)
	var got []string
	for _, e := range page.Entries {
		if e.Actor == actor && e.Source == "cli" {
			got = append(got, e.Action)
		}
	}
	return got
}
