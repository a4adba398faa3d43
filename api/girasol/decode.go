package girasol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"unicode/utf8"

	"github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/ledger"
)

// body decodes a JSON object request body field by field, collecting one message per
// offending field in the style of NestJS class-validator, which the Girasol API uses
// ("firstName should not be empty", "amount must be a positive number").
type body struct {
	fields map[string]json.RawMessage
	used   map[string]bool
	errs   []string
}

// decodeBody parses raw as a JSON object. Duplicate keys keep the last value, as
// JSON.parse does.
func decodeBody(raw []byte) (*body, []string) {
	b := &body{used: map[string]bool{}}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		b.fields = map[string]json.RawMessage{}
		return b, nil
	}
	if !utf8.Valid(trimmed) {
		return nil, []string{"body must be valid UTF-8 JSON"}
	}
	if trimmed[0] != '{' {
		return nil, []string{"body must be a JSON object"}
	}
	if err := json.Unmarshal(trimmed, &b.fields); err != nil {
		return nil, []string{"body is not valid JSON: " + jsonErr(err)}
	}
	if b.fields == nil {
		b.fields = map[string]json.RawMessage{}
	}
	return b, nil
}

func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s at position %d", se.Error(), se.Offset)
	case errors.As(err, &te):
		return "expected an object"
	}
	return "malformed"
}

func (b *body) fail(format string, args ...any) {
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
}

// lookup returns the raw value of the one of names present (a documented name and its
// accepted spellings) and the name used in messages; two of them present is a problem.
func (b *body) lookup(names ...string) (json.RawMessage, string, bool) {
	for _, n := range names {
		b.used[n] = true
	}
	found, conflict := field.Spelling(func(n string) bool {
		v, ok := b.fields[n]
		return ok && string(v) != "null"
	}, names...)
	if conflict != "" {
		b.fail("%s", conflict)
	}
	if found == "" {
		return nil, names[0], false
	}
	return b.fields[found], names[0], true
}

type strOpt struct {
	optional bool // may be absent
	empty    bool // may be ""
	max      int  // max characters, 0 = 255
}

// str reads a string field.
func (b *body) str(o strOpt, names ...string) string {
	raw, name, ok := b.lookup(names...)
	if !ok {
		if !o.optional {
			b.fail("%s should not be empty", name)
			b.fail("%s must be a string", name)
		}
		return ""
	}
	s, ok := field.JSONString(raw)
	if !ok {
		b.fail("%s must be a string", name)
		return ""
	}
	s, problem := field.Text(s, o.max)
	if problem != field.None && (problem != field.Blank || !o.empty && !o.optional) {
		b.fail("%s", wording.Message(problem, name, o.max))
	}
	return s
}

// wording is class-validator's for the problems of a text field.
var wording = field.Wording{
	field.Blank:      "%[1]s should not be empty",
	field.Unstorable: "%[1]s must be valid UTF-8",
	field.TooLong:    "%[1]s must be shorter than or equal to %[2]d characters",
	field.Control:    "%[1]s must not contain control characters",
}

type intOpt struct {
	optional bool
	positive bool
	min, max int64 // bounds when max > 0
}

// int reads an integer number field.
func (b *body) int(o intOpt, names ...string) int64 {
	raw, name, ok := b.lookup(names...)
	if !ok {
		if !o.optional {
			b.fail("%s should not be empty", name)
		}
		return 0
	}
	v, msg := jsonInt(raw)
	if msg != "" {
		b.fail("%s %s", name, msg)
		return 0
	}
	if o.positive && v <= 0 {
		b.fail("%s must be a positive number", name)
		return 0
	}
	if o.max > 0 && (v < o.min || v > o.max) {
		if v < o.min {
			b.fail("%s must not be less than %d", name, o.min)
		} else {
			b.fail("%s must not be greater than %d", name, o.max)
		}
		return 0
	}
	return v
}

// amount reads an amount field: an integer the one amount rule (ledger.CheckAmount)
// accepts.
func (b *body) amount(name string) int64 {
	if raw, _, ok := b.lookup(name); ok && field.IsJSONNumber(raw) {
		if _, problem := field.Integer(string(raw), 1<<63); problem == field.TooLarge {
			b.fail("%s", ledger.AmountMessage) // beyond int64: the documented limit, not int64's
			return 0
		}
	}
	n := len(b.errs)
	v := b.int(intOpt{}, name)
	if len(b.errs) > n {
		return 0
	}
	if err := ledger.CheckAmount(v); err != nil {
		b.fail("%s", ledger.AmountMessage)
		return 0
	}
	return v
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// uuid reads an optional UUID string field.
func (b *body) uuid(names ...string) string {
	s := b.str(strOpt{optional: true, max: 36}, names...)
	if s != "" && !uuidRe.MatchString(s) {
		b.fail("%s must be a UUID", names[0])
		return ""
	}
	return s
}

// email checks that s (already read) is an email address, by the core's rule.
func (b *body) email(name, s string) {
	if s != "" && !core.ValidEmail(s) {
		b.fail("%s must be an email", name)
	}
}

// finish reports unknown properties and returns every message collected.
func (b *body) finish() []string {
	var unknown []string
	for k := range b.fields {
		if !b.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		if len(k) > 64 {
			k = k[:64] + "…"
		}
		b.fail("property %s should not exist", k)
	}
	return b.errs
}

// jsonInt reads a JSON number that must be an integer; it returns the class-validator
// message for anything else. 500.0 and 5e2 count as 500.
func jsonInt(raw json.RawMessage) (int64, string) {
	if !field.IsJSONNumber(raw) {
		return 0, "must be a number conforming to the specified constraints"
	}
	v, problem := field.Integer(string(raw), 1<<63)
	switch problem {
	case field.TooLarge:
		return 0, fmt.Sprintf("must not be greater than %d", int64(math.MaxInt64))
	case field.Fraction:
		return 0, "must be an integer number"
	}
	return v, ""
}
