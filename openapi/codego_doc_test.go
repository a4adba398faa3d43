// An external test package: server will import openapi to serve the documents, so a test
// in package openapi that imports server would be an import cycle.
package openapi_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/baas-oss/baas/server"
)

// loadCodego reads codego.json as the binary embeds it and loads it with kin-openapi.
func loadCodego(t *testing.T) *openapi3.T {
	t.Helper()
	raw, err := os.ReadFile("codego.json")
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("codego.json does not load: %v", err)
	}
	return doc
}

// TestCodegoDocumentValid: codego.json is a valid OpenAPI 3.1 document, its examples
// included (kin-openapi validates them against their schemas).
func TestCodegoDocumentValid(t *testing.T) {
	doc := loadCodego(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi is %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("codego.json is not valid: %v", err)
	}
}

// TestCodegoExamplesMatchSchemas checks every example of every operation and webhook
// against its schema with JSON Schema 2020-12 (the type arrays and const of OpenAPI 3.1):
// requests as requests, answers as answers.
func TestCodegoExamplesMatchSchemas(t *testing.T) {
	doc := loadCodego(t)
	n := 0
	items := doc.Paths.Map()
	for name, item := range doc.Webhooks {
		items["webhook "+name] = item
	}
	for path, item := range items {
		for method, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					for name, ex := range mt.Examples {
						n++
						if err := mt.Schema.Value.VisitJSON(ex.Value.Value, openapi3.EnableJSONSchema2020(),
							openapi3.VisitAsRequest()); err != nil {
							t.Errorf("%s %s request %s example %q: %v", method, path, ct, name, err)
						}
					}
				}
			}
			for status, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for ct, mt := range resp.Value.Content {
					for name, ex := range mt.Examples {
						n++
						if err := mt.Schema.Value.VisitJSON(ex.Value.Value, openapi3.EnableJSONSchema2020(),
							openapi3.VisitAsResponse()); err != nil {
							t.Errorf("%s %s %s %s example %q: %v", method, path, status, ct, name, err)
						}
					}
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d examples checked", n)
	}
}

// TestCodegoRoutesDocumented: every Codego route the server registers has an operation,
// and every operation is served (so the reference neither misses an API nor lists one
// that does not exist).
func TestCodegoRoutesDocumented(t *testing.T) {
	doc := loadCodego(t)
	served := map[string]bool{}
	for _, pattern := range server.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || !strings.HasPrefix(path, "/api/") {
			continue // the catch-all "/api/" and the other APIs
		}
		served[path] = true
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("%s is served but codego.json has no operation for it", pattern)
		}
	}
	if len(served) == 0 {
		t.Fatal("server.Routes() lists no Codego route")
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if method != "POST" {
				t.Errorf("%s %s: every Codego API is a POST", method, path)
			}
			if !served[path] {
				t.Errorf("codego.json documents %s %s, which the server does not serve", method, path)
			}
		}
	}
}
