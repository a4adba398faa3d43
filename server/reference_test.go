package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/baas-oss/baas/openapi"
	"github.com/baas-oss/baas/server/servertest"
)

// TestReferenceServed: the binary serves each document it holds at /openapi/{name}.json,
// a plain 404 for one it does not hold, and the rendered reference at /docs with its
// style sheet from the binary: no script, nothing from elsewhere.
func TestReferenceServed(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	for _, name := range openapi.Names {
		r := e.Do(t, "GET", "/openapi/"+name+".json", nil, nil)
		want, ok := openapi.Document(name)
		if !ok {
			if r.Status != 404 || r.JSON["error"] == nil {
				t.Errorf("absent %s.json: %d %s, want a JSON 404", name, r.Status, r.Raw)
			}
			continue
		}
		if r.Status != 200 || string(r.Raw) != string(want) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s.json: %d %q, want the embedded document", name, r.Status, r.Header.Get("Content-Type"))
		}
		var doc map[string]any
		if err := json.Unmarshal(r.Raw, &doc); err != nil || doc["openapi"] != "3.1.0" {
			t.Errorf("%s.json is not an OpenAPI 3.1.0 document: %v", name, err)
		}
	}
	for _, bad := range []string{"/openapi/nothing.json", "/openapi/girasol", "/openapi/..%2fgo.mod", "/docs/nothing"} {
		if r := e.Do(t, "GET", bad, nil, nil); r.Status != 404 {
			t.Errorf("GET %s: %d, want 404", bad, r.Status)
		}
	}
	pages := []string{"/docs"}
	for _, name := range openapi.Available() {
		pages = append(pages, "/docs/"+name)
	}
	for _, p := range pages {
		r := e.Do(t, "GET", p, nil, nil)
		html := string(r.Raw)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %q", p, r.Status, r.Header.Get("Content-Type"))
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", p, csp)
		}
		for _, banned := range []string{"<script", `src="http`, `href="http`, `href="//`, "style=", "onclick", "@import"} {
			if strings.Contains(strings.ToLower(html), banned) {
				t.Errorf("GET %s contains %q: the reference must work offline and without inline code", p, banned)
			}
		}
	}
	r := e.Do(t, "GET", "/docs/girasol", nil, nil)
	for _, want := range []string{"/v1/accounts/cash-in", "Cash in to an account", "x-company-id", "destinarionAccountNumber", "errorDefinitions"} {
		if !strings.Contains(string(r.Raw), want) {
			t.Errorf("/docs/girasol does not show %q", want)
		}
	}
	r = e.Do(t, "GET", "/docs/admin", nil, nil)
	if !strings.Contains(string(r.Raw), "/admin/api/tenants/{id}/fund") {
		t.Error("/docs/admin does not show the fund route")
	}
	if r := e.Do(t, "GET", "/docs/assets/reference.css", nil, nil); r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style sheet: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
}
