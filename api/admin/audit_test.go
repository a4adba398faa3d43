package admin_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestAdminAudit: the operator's actions over the API are listed by GET /admin/api/audit
// with the operator as actor, the request's address and id; the list filters, pages
// newest first and refuses bad parameters; no entry shows a secret.
func TestAdminAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		secrets := []string{servertest.AdminToken}
		withID := func(method, path string, body any, id string) *servertest.Response {
			h := http.Header{}
			h.Set("Authorization", "Bearer "+servertest.AdminToken)
			h.Set("X-Request-Id", id)
			return e.Do(t, method, path, body, h)
		}

		r := withID("POST", "/admin/api/tenants", map[string]any{"name": "Audited"}, "req-create")
		wantStatus(t, "create tenant", r, 201)
		ten := r.JSON["tenant_id"].(string)
		for _, group := range []string{"codego", "girasol"} {
			for k, v := range r.JSON[group].(map[string]any) {
				if k != "company_id" {
					secrets = append(secrets, v.(string))
				}
			}
		}
		tenant := "/admin/api/tenants/" + ten
		wantStatus(t, "fund", e.Admin(t, "POST", tenant+"/fund", map[string]any{"amount": 500}), 201)
		r = e.Admin(t, "POST", tenant+"/webhooks/endpoints", map[string]any{"url": "https://u:p4ssw0rd@example.com/h?sig=qs3cret"})
		wantStatus(t, "create endpoint", r, 201)
		secrets = append(secrets, r.JSON["event_request_key"].(string), r.JSON["signing_secret"].(string), "p4ssw0rd", "qs3cret")
		endpoint := r.JSON["endpoint_id"].(string)
		wantStatus(t, "delete endpoint", e.Admin(t, "DELETE", tenant+"/webhooks/endpoints/"+endpoint, nil), 204)
		wantStatus(t, "delete it again", e.Admin(t, "DELETE", tenant+"/webhooks/endpoints/"+endpoint, nil), 404)
		r = e.Admin(t, "PATCH", tenant, map[string]any{"authorization_url": "https://example.com/authz"})
		wantStatus(t, "authorization settings", r, 200)
		secrets = append(secrets, r.JSON["authorization_signing_secret"].(string))
		wantStatus(t, "fund an unknown tenant", e.Admin(t, "POST", "/admin/api/tenants/nope/fund", map[string]any{"amount": 1}), 404)

		r = e.Admin(t, "GET", "/admin/api/audit?tenant_id="+ten, nil)
		wantStatus(t, "audit", r, 200)
		entries := r.JSON["entries"].([]any)
		var actions []string
		for _, x := range entries {
			en := x.(map[string]any)
			actions = append(actions, en["action"].(string))
			if en["actor"] != "operator" || en["source"] != "admin_api" || en["address"] != "127.0.0.1" || en["tenant_id"] != ten ||
				en["request_id"] == "" || en["created_at"] == "" {
				t.Errorf("entry %v", en)
			}
		}
		want := []string{"authorization.changed", "webhook_endpoint.deleted", "webhook_endpoint.created", "tenant.funded", "tenant.created"}
		if fmt.Sprint(actions) != fmt.Sprint(want) {
			t.Fatalf("actions %v, want %v: %s", actions, want, r.Raw)
		}
		if last := entries[len(entries)-1].(map[string]any); last["request_id"] != "req-create" || last["target_id"] != ten ||
			last["target_type"] != "tenant" || last["details"].(map[string]any)["name"] != "Audited" {
			t.Errorf("tenant.created entry %v", last)
		}
		if _, ok := r.JSON["next_before"]; ok {
			t.Errorf("next_before on a page that is not full: %s", r.Raw)
		}

		// The whole log (the test tenant's creation included, made without an actor).
		all := e.Admin(t, "GET", "/admin/api/audit", nil)
		wantStatus(t, "whole log", all, 200)
		if n := len(all.JSON["entries"].([]any)); n != 6 {
			t.Fatalf("whole log: %d entries: %s", n, all.Raw)
		}
		for _, s := range secrets {
			if strings.Contains(string(all.Raw), s) {
				t.Errorf("the audit log shows a secret %q: %s", s, all.Raw)
			}
		}
		r = e.Admin(t, "GET", "/admin/api/audit?action=tenant.created", nil)
		if wantStatus(t, "by action", r, 200); len(r.JSON["entries"].([]any)) != 2 {
			t.Errorf("by action: %s", r.Raw)
		}

		// Pages of two, newest first, following next_before.
		var paged []string
		path := "/admin/api/audit?limit=2"
		for i := 0; i < 10; i++ {
			r := e.Admin(t, "GET", path, nil)
			wantStatus(t, "page", r, 200)
			for _, x := range r.JSON["entries"].([]any) {
				paged = append(paged, x.(map[string]any)["action"].(string))
			}
			next, ok := r.JSON["next_before"]
			if !ok {
				break
			}
			path = fmt.Sprintf("/admin/api/audit?limit=2&before=%.0f", next.(float64))
		}
		if got := fmt.Sprint(paged); got != fmt.Sprint(append(want, "tenant.created")) {
			t.Fatalf("paged %v", got)
		}

		for _, q := range []string{"limit=0", "limit=501", "limit=x", "before=0", "before=-1", "before=1e3",
			"tenant_id=%00", "tenant_id=%ff%fe", "action=a%00"} {
			wantStatus(t, q, e.Admin(t, "GET", "/admin/api/audit?"+q, nil), 400)
		}
		wantStatus(t, "without a token", e.Do(t, "GET", "/admin/api/audit", nil, nil), 401)
	})
}
