package openapitest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/baas-oss/baas/openapi"
	"github.com/baas-oss/baas/openapi/openapitest"
	"github.com/baas-oss/baas/server"
)

// TestDocumentsValidate loads every document the binary holds with kin-openapi and runs
// its own validation (OpenAPI 3.1, the examples against their schemas).
func TestDocumentsValidate(t *testing.T) {
	names := openapi.Available()
	if len(names) == 0 {
		t.Fatal("no documents embedded")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			doc, err := openapitest.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(doc.OpenAPI, "3.1") {
				t.Errorf("%s.json is OpenAPI %s, want 3.1", name, doc.OpenAPI)
			}
		})
	}
}

// TestRouteCoverage: every route the server registers under an API's prefix has a
// documented operation in that API's document, and every documented operation reaches a
// route of its own (not an API's catch-all). A route joins this check by being
// registered; routes of a pending document are skipped with a log line.
func TestRouteCoverage(t *testing.T) {
	mux := http.NewServeMux()
	catchAll := map[string]bool{}
	covered := map[string]bool{}
	var routes []string
	for _, p := range server.Routes() {
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			catchAll[p] = true
			continue
		}
		if openapitest.DocumentFor(path) == "" {
			continue // the health, metrics and reference routes: no API document
		}
		_ = method
		routes = append(routes, p)
	}
	for _, name := range []string{"girasol", "codego", "admin"} {
		doc, err := openapitest.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		for tmpl, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				// A sample path: each template parameter becomes a plain segment.
				path := tmpl
				for strings.Contains(path, "{") {
					i := strings.IndexByte(path, '{')
					j := strings.IndexByte(path[i:], '}')
					path = path[:i] + "p" + path[i+j+1:]
				}
				req := httptest.NewRequest(method, path, nil)
				_, pattern := mux.Handler(req)
				switch {
				case pattern == "" || catchAll[pattern]:
					t.Errorf("%s.json documents %s %s, which no route serves (it reaches %q)", name, method, tmpl, pattern)
				case openapitest.DocumentFor(strings.SplitN(pattern, " ", 2)[1]) != name:
					t.Errorf("%s.json documents %s %s, which is another API's route %s", name, method, tmpl, pattern)
				default:
					covered[pattern] = true
				}
			}
		}
	}
	for _, p := range routes {
		name := openapitest.DocumentFor(strings.SplitN(p, " ", 2)[1])
		if !covered[p] {
			t.Errorf("route %s has no documented operation in openapi/%s.json", p, name)
		}
	}
}

// TestCheckRefusesDrift: the checker catches an undocumented field type, an undocumented
// status and a request the document refuses that the server accepted.
func TestCheckRefusesDrift(t *testing.T) {
	c := &openapitest.Checker{}
	h := http.Header{"Content-Type": {"application/json"}}
	req := httptest.NewRequest("GET", "/admin/api/tenants/x", nil)
	req.Header.Set("Authorization", "Bearer t")
	if err := c.Check(req, nil, 404, h, []byte(`{"error":{"code":"not_found","message":"tenant not found","request_id":"r"}}`)); err != nil {
		t.Errorf("a documented 404: %v", err)
	}
	if err := c.Check(req, nil, 404, h, []byte(`{"error":{"code":"not_found","message":5,"request_id":"r"}}`)); err == nil {
		t.Error("a number where the document says string passed")
	}
	if err := c.Check(req, nil, 418, h, []byte(`{}`)); err == nil {
		t.Error("an undocumented status passed")
	}
	noAuth := httptest.NewRequest("GET", "/admin/api/tenants/x", nil)
	if err := c.Check(noAuth, nil, 200, h, []byte(`{}`)); err == nil {
		t.Error("a request without the operator token answered 200 passed")
	}
	unknown := httptest.NewRequest("GET", "/admin/api/nothing-here", nil)
	if err := c.Check(unknown, nil, 200, h, []byte(`{}`)); err == nil {
		t.Error("a 200 for an undocumented operation passed")
	}
}
