// Package openapitest checks HTTP traffic against the API reference (package openapi)
// with github.com/getkin/kin-openapi: the servertest client sends every request of the
// end-to-end tests through Check, so a document cannot drift from the code. It is a test
// helper: the binary never imports it (nor kin-openapi).
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/baas-oss/baas/openapi"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// prefixes map a path to the document of its API.
var prefixes = []struct{ prefix, doc string }{
	{"/v1/", "girasol"},
	{"/api/", "codego"},
	{"/admin/api/", "admin"},
}

// DocumentFor returns the name of the document that describes path ("" for none: the
// health, metrics and reference routes).
func DocumentFor(path string) string {
	for _, p := range prefixes {
		if strings.HasPrefix(path, p.prefix) {
			return p.doc
		}
	}
	return ""
}

var (
	loadMu sync.Mutex
	loaded = map[string]*loadedDoc{}
)

type loadedDoc struct {
	doc *openapi3.T
	err error
}

// Load parses and validates the named document with kin-openapi's own validation
// (OpenAPI 3.1: JSON Schema 2020-12; the examples are checked against their schemas).
// Documents are parsed once per test binary.
func Load(name string) (*openapi3.T, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	if l, ok := loaded[name]; ok {
		return l.doc, l.err
	}
	l := &loadedDoc{}
	loaded[name] = l
	raw, ok := openapi.Document(name)
	if !ok {
		l.err = fmt.Errorf("openapi: no document %q", name)
		return nil, l.err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		l.err = fmt.Errorf("openapi: %s.json does not load: %w", name, err)
		return nil, l.err
	}
	if err := doc.Validate(loader.Context); err != nil {
		l.err = fmt.Errorf("openapi: %s.json is not valid: %w", name, err)
		return nil, l.err
	}
	l.doc = doc
	return doc, nil
}

// Match finds the operation of doc that serves method and path, with its path
// parameters. Among the templates that match, the one with the most literal segments
// wins, the leftmost literal breaking ties, as the server's mux prefers the more specific
// pattern ("/v1/cards/info-by-card-id/{cardId}" over "/v1/cards/{cardId}/card-info").
func Match(doc *openapi3.T, method, path string) (*routers.Route, map[string]string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var best *routers.Route
	var bestParams map[string]string
	bestScore := -1
	for tmpl, item := range doc.Paths.Map() {
		op := item.GetOperation(strings.ToUpper(method))
		if op == nil {
			continue
		}
		tsegs := strings.Split(strings.TrimPrefix(tmpl, "/"), "/")
		if len(tsegs) != len(segs) {
			continue
		}
		params := map[string]string{}
		score := 0
		ok := true
		for i, ts := range tsegs {
			if strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				params[ts[1:len(ts)-1]] = segs[i]
				continue
			}
			if ts != segs[i] {
				ok = false
				break
			}
			score += 1 << (len(tsegs) - i) // a literal further left weighs more
		}
		if ok && score > bestScore {
			best = &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: strings.ToUpper(method), Operation: op}
			bestParams, bestScore = params, score
		}
	}
	return best, bestParams
}

// Checker checks exchanges.
type Checker struct{}

// Check validates one exchange: the request (with its body) against the matching
// operation, and the response (status, headers, body) against the operation's
// responses. A request the document refuses must be refused by the server (a 4xx);
// every response must be documented, and match. It returns nil for traffic no document
// describes.
func (c *Checker) Check(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	name := DocumentFor(req.URL.Path)
	if name == "" {
		return nil
	}
	doc, err := Load(name)
	if err != nil {
		return err
	}
	route, params := Match(doc, req.Method, req.URL.EscapedPath())
	if route == nil {
		// No documented operation: the server must not serve it (the route-coverage test
		// holds the other direction).
		if !refused(name, status, respBody) {
			return fmt.Errorf("%s %s: answered %d, but %s.json documents no such operation", req.Method, req.URL.Path, status, name)
		}
		return nil
	}
	r2 := req.Clone(context.Background())
	r2.Body = io.NopCloser(bytes.NewReader(reqBody))
	r2.ContentLength = int64(len(reqBody))
	// The bodies are body.go's to check (the same validator, each schema compiled once).
	opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true, AuthenticationFunc: authenticate,
		ExcludeRequestBody: true, ExcludeResponseBody: true}
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route, Options: opts}
	reqErr := errors.Join(openapi3filter.ValidateRequest(context.Background(), in),
		checkRequestBody(name, route, reqBody))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(respBody)
	respErr := openapi3filter.ValidateResponse(context.Background(), out)
	if respErr == nil {
		respErr = checkResponseBody(name, route, status, header.Get("Content-Type"), respBody)
	}
	where := fmt.Sprintf("%s %s (%s.json %s %s)", req.Method, req.URL.RequestURI(), name, route.Method, route.Path)
	var errs []error
	if respErr != nil {
		errs = append(errs, fmt.Errorf("%s: the %d response does not match the document: %v\nresponse: %s", where, status, respErr, clip(respBody)))
	}
	if reqErr != nil && !refused(name, status, respBody) {
		errs = append(errs, fmt.Errorf("%s: the document refuses this request (%v) but the server answered %d\nrequest: %s", where, reqErr, status, clip(reqBody)))
	}
	return errors.Join(errs...)
}

// refused reports whether an answer refuses its request: a 4xx, or for Codego, whose
// errors may come with HTTP 200 as the vendor's do, an envelope whose status is 0 (or
// "0") — docs/codego.md, "Errors".
func refused(name string, status int, body []byte) bool {
	if status >= 400 && status < 500 {
		return true
	}
	if name != "codego" || status != http.StatusOK {
		return false
	}
	var env struct {
		Status json.RawMessage `json:"status"`
	}
	if json.Unmarshal(body, &env) != nil {
		return false
	}
	st := strings.TrimSpace(string(env.Status))
	return st == "0" || st == `"0"`
}

func clip(b []byte) string {
	if !utf8.Valid(b) {
		return fmt.Sprintf("(%d bytes of binary)", len(b))
	}
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// authenticate holds a request to a document's security schemes as far as a document
// can: the credential is present in the place the scheme names. Whether it is right is
// the server's to decide (a wrong one is a documented 401).
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, r := in.SecurityScheme, in.RequestValidationInput.Request
	switch {
	case s.Type == "apiKey" && s.In == "header":
		if r.Header.Get(s.Name) == "" {
			return in.NewError(fmt.Errorf("no %s header", s.Name))
		}
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return in.NewError(errors.New("no bearer token"))
		}
	default:
		return in.NewError(fmt.Errorf("scheme %s/%s is not checked", s.Type, s.Scheme))
	}
	return nil
}

// Transport is an http.RoundTripper that sends each exchange through Check and reports
// a mismatch with Fail (t.Errorf); Base does the sending (nil: http.DefaultTransport).
type Transport struct {
	Base    http.RoundTripper
	Checker *Checker
	Fail    func(format string, args ...any)
}

// RoundTrip sends req and checks the exchange.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, nil // the caller reads the same failure
	}
	if cerr := t.Checker.Check(req, reqBody, resp.StatusCode, resp.Header, body); cerr != nil {
		t.Fail("%v", cerr)
	}
	return resp, nil
}
