package openapitest

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"sync"

	"github.com/baas-oss/baas/openapi"
	"github.com/getkin/kin-openapi/routers"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Bodies are validated with the JSON Schema 2020-12 validator kin-openapi itself uses for
// 3.1 documents (santhosh-tekuri/jsonschema), but each schema compiled once: openapi3filter
// compiles a body's schema on every call (7 ms an exchange), which the tenant-isolation
// matrix, thousands of exchanges on two stores, cannot afford. openapi3filter still
// checks everything else (path, query, headers, credentials, status).

var (
	bodyMu    sync.Mutex
	compilers = map[string]*jsonschema.Compiler{}
	compiled  = map[string]*jsonschema.Schema{}
)

// schemaAt compiles the schema at the JSON pointer ptr of the named document, once.
func schemaAt(name, ptr string) (*jsonschema.Schema, error) {
	bodyMu.Lock()
	defer bodyMu.Unlock()
	key := name + "#" + ptr
	if s, ok := compiled[key]; ok {
		return s, nil
	}
	c := compilers[name]
	url := "mem:///" + name + ".json"
	if c == nil {
		raw, _ := openapi.Document(name)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		c = jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		if err := c.AddResource(url, doc); err != nil {
			return nil, err
		}
		compilers[name] = c
	}
	s, err := c.Compile(url + "#" + ptr)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s.json%s does not compile: %w", name, ptr, err)
	}
	compiled[key] = s
	return s, nil
}

// escape writes a path template as a JSON pointer token inside a URL fragment.
var escape = strings.NewReplacer("~", "~0", "/", "~1", "%", "%25", "{", "%7B", "}", "%7D").Replace

// jsonMedia reports whether a Content-Type is JSON.
func jsonMedia(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// checkRequestBody validates the request body against the operation's JSON schema.
func checkRequestBody(name string, route *routers.Route, body []byte) error {
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if rb.Value.Required {
			return fmt.Errorf("request body is required")
		}
		return nil
	}
	if rb.Value.Content.Get("application/json") == nil {
		return nil
	}
	// A body that is not a JSON object of an operation that also takes forms (Codego's
	// form and multipart bodies, sent with any Content-Type or none, which the server
	// tells apart by their content) is a form: its fields are the server's to check.
	if t := bytes.TrimSpace(body); t[0] != '{' && len(rb.Value.Content) > 1 {
		return nil
	}
	// Both APIs read the body as JSON whatever its Content-Type says (the documents say
	// so), so the header is not held against the request.
	ptr := "/paths/" + escape(route.Path) + "/" + strings.ToLower(route.Method) + "/requestBody"
	if rb.Ref != "" {
		ptr = strings.TrimPrefix(rb.Ref, "#")
	}
	return validateJSON(name, ptr+"/content/application~1json/schema", body)
}

// checkResponseBody validates a JSON response body against the documented status's
// JSON schema (the status itself is openapi3filter's to check).
func checkResponseBody(name string, route *routers.Route, status int, contentType string, body []byte) error {
	code := fmt.Sprint(status)
	resp := route.Operation.Responses.Value(code)
	if resp == nil {
		code = "default"
		if resp = route.Operation.Responses.Value(code); resp == nil {
			return nil
		}
	}
	if resp.Value == nil || len(resp.Value.Content) == 0 {
		return nil
	}
	if resp.Value.Content.Get(contentType) == nil {
		return fmt.Errorf("response Content-Type %q is not one the document names for %s", contentType, code)
	}
	if !jsonMedia(contentType) {
		return nil // an image: its type is all a document says of it
	}
	ptr := "/paths/" + escape(route.Path) + "/" + strings.ToLower(route.Method) + "/responses/" + code
	if resp.Ref != "" {
		ptr = strings.TrimPrefix(resp.Ref, "#")
	}
	return validateJSON(name, ptr+"/content/application~1json/schema", body)
}

func validateJSON(name, ptr string, body []byte) error {
	s, err := schemaAt(name, ptr)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %v", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("%v", err)
	}
	return nil
}
