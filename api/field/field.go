// Package field holds the rules every request decoder applies to a field's value — text
// that is trimmed, bounded, free of control characters and storable by every store;
// integers written as JSON numbers or digits — so that the Girasol and Codego decoders
// and the operator API decide alike. Each dialect words the problems its own way.
package field

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultMax is the length of a text field, in characters, when the field names none.
const DefaultMax = 255

// Problem is what is wrong with a field's value; None when nothing is.
type Problem int

// The problems a value can have.
const (
	None       Problem = iota
	Blank              // empty once trimmed
	Unstorable         // text a store cannot hold: invalid UTF-8 or a NUL
	TooLong            // more characters than the field's maximum
	Control            // a control character (C0 or DEL)
	NotNumber          // not an integer in the notation accepted
	Fraction           // a number with a fractional part
	TooLarge           // a number beyond the bound accepted
)

// Storable reports whether every store can hold s as text: valid UTF-8 without NUL
// (PostgreSQL refuses both; SQLite would store them). Every decoded string a request
// carries — body fields, credentials, path and query parameters — must be.
func Storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// Text trims s and checks it, in this order: not blank, valid UTF-8 (Unstorable), at most
// max characters (DefaultMax when max is 0), no control character (NUL among them). Text
// it accepts is Storable. It returns the trimmed text, or "" with the first problem found
// (a blank value may be allowed: the caller decides).
func Text(s string, max int) (string, Problem) {
	s = strings.TrimSpace(s)
	if max == 0 {
		max = DefaultMax
	}
	switch {
	case s == "":
		return "", Blank
	case !utf8.ValidString(s):
		return "", Unstorable
	case utf8.RuneCountInString(s) > max:
		return "", TooLong
	case strings.ContainsFunc(s, isControl):
		return "", Control
	}
	return s, None
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// JSONString reads a JSON string value; false when raw is another JSON value. raw has
// been checked to be valid JSON.
func JSONString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true // no escapes: the common case
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// IsJSONNumber reports whether raw starts like a JSON number (raw is valid JSON).
func IsJSONNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

// IsIntegerLiteral reports whether raw is a JSON number written as an integer of at most
// 30 digits.
func IsIntegerLiteral(raw json.RawMessage) bool {
	s := strings.TrimPrefix(string(raw), "-")
	return s != "" && len(s) <= 30 && strings.Trim(s, "0123456789") == ""
}

// Integer reads s as an int64 written in decimal digits. When floatLimit is above 0, s
// is a JSON number and may also be written in any JSON notation (500.0, 5e2) whose value
// is whole and below floatLimit in magnitude: TooLarge beyond it, Fraction when not
// whole. Anything else is NotNumber.
func Integer(s string, floatLimit float64) (int64, Problem) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, None
	}
	if floatLimit <= 0 {
		return 0, NotNumber
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsInf(f, 0) || math.Abs(f) >= floatLimit:
		return 0, TooLarge
	case f != math.Trunc(f):
		return 0, Fraction
	}
	return int64(f), None
}

// UnstorableParam returns the name of the first path wildcard (as r.Pattern names them)
// or query parameter of r whose value (or name) is not Storable, and whether it is in the
// path; "" when every one is storable. A query parameter with an unstorable name is
// reported as "query". Each dialect answers with its own error: an id in the path that
// cannot be stored names nothing that exists (not found), a query parameter is invalid.
func UnstorableParam(r *http.Request) (name string, inPath bool) {
	for rest := r.Pattern; ; {
		_, after, ok := strings.Cut(rest, "{")
		if !ok {
			break
		}
		wildcard, tail, _ := strings.Cut(after, "}")
		wildcard = strings.TrimSuffix(wildcard, "...")
		if !Storable(r.PathValue(wildcard)) {
			return wildcard, true
		}
		rest = tail
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names) // the same answer for the same request
	for _, k := range names {
		if !Storable(k) {
			return "query", false
		}
		for _, v := range q[k] {
			if !Storable(v) {
				return k, false
			}
		}
	}
	return "", false
}

// JSONStorable reports whether every string and key of the JSON document raw is
// Storable (a decoded JSON string is valid UTF-8, but may hold a NUL written \u0000).
// raw must be valid JSON; trailing data is not its concern.
func JSONStorable(raw []byte) bool {
	d := json.NewDecoder(bytes.NewReader(raw))
	for depth := 0; ; {
		t, err := d.Token()
		if err != nil {
			return false
		}
		switch t := t.(type) {
		case string:
			if !Storable(t) {
				return false
			}
		case json.Delim:
			if t == '{' || t == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return true
		}
	}
}

// Wording is how a dialect words the problems of a field: format strings with the field's
// name as %[1]s and, for TooLong, the maximum as %[2]d.
type Wording map[Problem]string

// Message is the dialect's message for a problem of the named field whose maximum is max
// (DefaultMax when 0), or "" for None.
func (w Wording) Message(p Problem, name string, max int) string {
	if p == None {
		return ""
	}
	return fmt.Sprintf(w[p], name, cmp.Or(max, DefaultMax))
}

// Spelling returns which of names — a field's documented name first, then the other
// spellings a dialect accepts for it (the vendor's misspelling and its correction) —
// present reports, and a message when more than one is: two spellings of one field in one
// request are refused, never one silently preferred. found is "" when none is present.
func Spelling(present func(name string) bool, names ...string) (found, conflict string) {
	var sent []string
	for _, n := range names {
		if present(n) {
			sent = append(sent, n)
		}
	}
	switch len(sent) {
	case 0:
		return "", ""
	case 1:
		return sent[0], ""
	}
	return sent[0], fmt.Sprintf("%s and %s are spellings of one field: send only one", strings.Join(sent[:len(sent)-1], ", "),
		sent[len(sent)-1])
}
