package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// The operator API reads its requests strictly (docs/security.md, "Operator API
// parsing"): a body is one JSON object and nothing after it; its keys are the fields'
// names exactly as written (case included), each once, and no other; a value of the
// wrong type is refused with what the field takes. Path ids and query integers are
// written in canonical decimal: no sign, no leading zero, no space, no exponent.

// decode reads the JSON object body of r into v (a pointer to a struct whose fields
// carry json tags) and returns the raw body. Every failure is an EInvalid error a
// person can act on.
func decode(r *http.Request, v any) ([]byte, error) {
	raw, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return raw, decodeJSON(raw, v)
}

// decodeOptional is decode for a body that may be left out: an empty body leaves v as
// it is.
func decodeOptional(r *http.Request, v any) error {
	raw, err := readBody(r)
	if err != nil || len(bytes.TrimSpace(raw)) == 0 {
		return err
	}
	return decodeJSON(raw, v)
}

func readBody(r *http.Request) ([]byte, error) {
	raw, err := httpx.ReadBody(r, httpx.MaxJSONBody)
	if errors.Is(err, httpx.ErrTooLarge) {
		return nil, baas.Invalid(fmt.Sprintf("request body too large (at most %d bytes)", httpx.MaxJSONBody))
	}
	if err != nil {
		return nil, baas.Invalid("could not read request body")
	}
	return raw, nil
}

// decodeJSON decodes the JSON object raw into v, by the rules above, and refuses text no
// store can hold.
func decodeJSON(raw []byte, v any) error {
	fields := bodyFields(reflect.TypeOf(v).Elem())
	target := reflect.ValueOf(v).Elem()
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return syntaxProblem(raw, err)
	}
	seen := map[string]bool{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return syntaxProblem(raw, err)
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if err := d.Decode(&value); err != nil {
			return syntaxProblem(raw, err)
		}
		f, ok := fields[name]
		switch {
		case !ok:
			return baas.Invalid(fmt.Sprintf("unknown field %q (field names are case-sensitive)", name))
		case seen[name]:
			return baas.Invalid(fmt.Sprintf("field %q appears more than once", name))
		}
		seen[name] = true
		if err := json.Unmarshal(value, target.Field(f.index).Addr().Interface()); err != nil {
			return baas.Invalid(name + " must be " + f.want)
		}
	}
	if _, err := d.Token(); err != nil { // the closing brace
		return syntaxProblem(raw, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return baas.Invalid("invalid JSON body: nothing may follow the JSON object")
	}
	if !field.JSONStorable(raw) {
		return baas.Invalid("invalid JSON body: strings must not contain NUL characters")
	}
	return nil
}

// syntaxProblem words what is wrong with raw, a body that is not one JSON object; err is
// what the token reader met.
func syntaxProblem(raw []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// The whole document's check places the error where it is: at the offending byte.
		if errors.As(json.Unmarshal(raw, new(any)), &se) && se.Offset > 0 {
			return baas.Invalid(fmt.Sprintf("invalid JSON body: not valid JSON at byte %d", se.Offset))
		}
		return baas.Invalid(fmt.Sprintf("invalid JSON body: not valid JSON at byte %d", se.Offset))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return baas.Invalid("invalid JSON body: the JSON object is missing or incomplete")
	}
	return baas.Invalid("invalid JSON body: the body must be a JSON object")
}

// bodyField is a field of a request body: where it is in its struct, and what it takes
// in words ("an integer", or the `want` tag).
type bodyField struct {
	index int
	want  string
}

// bodyFields maps the json names of t's fields to the fields.
func bodyFields(t reflect.Type) map[string]bodyField {
	out := make(map[string]bodyField, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" || !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		want := sf.Tag.Get("want")
		if want == "" {
			want = wantOf(sf.Type)
		}
		out[name] = bodyField{index: i, want: want}
	}
	return out
}

// wantOf words the JSON values a Go type takes.
func wantOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(wantOf(t.Elem()), "a "), "an ") + "s"
	}
	return "a JSON " + t.Kind().String()
}

// canonicalInt reads s as a non-negative integer written canonically: decimal digits
// only, no leading zero (but "0"), within int64.
func canonicalInt(s string) (int64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// pathID reads the path wildcard name as an id (a positive canonical integer); anything
// else names nothing: what is not found.
func pathID(r *http.Request, name, what string) (int64, error) {
	n, ok := canonicalInt(r.PathValue(name))
	if !ok || n < 1 {
		return 0, baas.Errorf(baas.ENotFound, "%s not found", what)
	}
	return n, nil
}

// queryCursor reads an optional cursor query parameter (after=, before=): canonical, at
// least min; 0 when absent.
func queryCursor(r *http.Request, name string, min int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, ok := canonicalInt(v)
	if !ok || n < min {
		if min > 0 {
			return 0, baas.Invalid(name + " must be a positive integer")
		}
		return 0, baas.Invalid(name + " must be a non-negative integer")
	}
	return n, nil
}

// queryLimit reads ?limit= by the list's page rule: absent is the rule's default, and a
// value out of its range, or not written canonically, is refused with the range.
func queryLimit(r *http.Request, rule core.PageRule) (int, error) {
	v := r.URL.Query().Get("limit")
	if _, ok := canonicalInt(v); v != "" && !ok {
		v = "0" // below every rule's range: the rule words the refusal
	}
	return rule.Parse(v)
}
