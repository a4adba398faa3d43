package field_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/baas-oss/baas/api/field"
)

func TestText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in      string
		max     int
		want    string
		problem field.Problem
	}{
		{"  alejo ", 0, "alejo", field.None},
		{"   ", 0, "", field.Blank},
		{"", 5, "", field.Blank},
		{"a\xffb", 0, "", field.Unstorable},
		{"a\x00b", 0, "", field.Control},
		{"a\tb", 0, "", field.Control},
		{"a\x7fb", 0, "", field.Control},
		{strings.Repeat("é", 255), 0, strings.Repeat("é", 255), field.None},
		{strings.Repeat("é", 256), 0, "", field.TooLong},
		{"abcdef", 5, "", field.TooLong},
		{"ñandú", 5, "ñandú", field.None},
	} {
		got, p := field.Text(c.in, c.max)
		if got != c.want || p != c.problem {
			t.Errorf("Text(%q, %d) = %q, %v; want %q, %v", c.in, c.max, got, p, c.want, c.problem)
		}
	}
	for s, ok := range map[string]bool{"": true, "abc": true, "ñ": true, "a\x00": false, "\xff\xfe": false, "\xed\xa0\x80": false} {
		if field.Storable(s) != ok {
			t.Errorf("Storable(%q) = %v", s, !ok)
		}
	}
}

func TestInteger(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in      string
		limit   float64
		want    int64
		problem field.Problem
	}{
		{"500", 0, 500, field.None},
		{"-7", 0, -7, field.None},
		{"500.0", 0, 0, field.NotNumber},
		{"500.0", 1 << 53, 500, field.None},
		{"5e2", 1 << 63, 500, field.None},
		{"5.5", 1 << 63, 0, field.Fraction},
		{"1e30", 1 << 63, 0, field.TooLarge},
		{"1e400", 1 << 63, 0, field.TooLarge},
		{"9007199254740992.0", 1 << 53, 0, field.TooLarge},
		{"x", 0, 0, field.NotNumber},
		{"9223372036854775808", 0, 0, field.NotNumber},
	} {
		got, p := field.Integer(c.in, c.limit)
		if got != c.want || p != c.problem {
			t.Errorf("Integer(%q, %g) = %d, %v; want %d, %v", c.in, c.limit, got, p, c.want, c.problem)
		}
	}
}

func TestJSONString(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{`"abc"`: "abc", `"a\u0000b"`: "a\x00b", `"\u00e9"`: "é"} {
		if got, ok := field.JSONString(json.RawMessage(raw)); !ok || got != want {
			t.Errorf("JSONString(%s) = %q, %v", raw, got, ok)
		}
	}
	for _, raw := range []string{`5`, `null`, `{}`, `[]`, `true`} {
		if _, ok := field.JSONString(json.RawMessage(raw)); ok {
			t.Errorf("JSONString(%s) read a string", raw)
		}
	}
}

// FuzzText checks what the decoders rely on: accepted text is trimmed, within its length,
// free of control characters and storable by every store; Integer never panics and reads
// any int64 written in digits.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", " a ", "a\x00", "\xff\xfe", "é", "\u2028", "-12", "5e2", "1e400", "0x10"} {
		f.Add(s, uint8(5))
	}
	f.Fuzz(func(t *testing.T, s string, max uint8) {
		got, p := field.Text(s, int(max))
		limit := int(max)
		if limit == 0 {
			limit = field.DefaultMax
		}
		if p == field.None {
			if got != strings.TrimSpace(got) || got == "" || !field.Storable(got) || utf8.RuneCountInString(got) > limit ||
				strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("Text(%q, %d) accepted %q", s, max, got)
			}
		} else if got != "" {
			t.Fatalf("Text(%q, %d) = %q with problem %v", s, max, got, p)
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			if v, p := field.Integer(s, 0); v != n || p != field.None {
				t.Fatalf("Integer(%q) = %d, %v", s, v, p)
			}
		}
		_, _ = field.Integer(s, 1<<63)
	})
}

func TestWording(t *testing.T) {
	t.Parallel()
	w := field.Wording{field.Blank: "%[1]s cannot be blank", field.TooLong: "%[1]s must be at most %[2]d characters"}
	for _, c := range []struct {
		p    field.Problem
		max  int
		want string
	}{
		{field.None, 0, ""},
		{field.Blank, 0, "city cannot be blank"},
		{field.TooLong, 0, "city must be at most 255 characters"},
		{field.TooLong, 20, "city must be at most 20 characters"},
	} {
		if got := w.Message(c.p, "city", c.max); got != c.want {
			t.Errorf("Message(%v, %d) = %q, want %q", c.p, c.max, got, c.want)
		}
	}
}

func TestSpelling(t *testing.T) {
	sent := func(names ...string) func(string) bool {
		return func(n string) bool { return slices.Contains(names, n) }
	}
	for _, tc := range []struct {
		present         func(string) bool
		found, conflict string
	}{
		{sent(), "", ""},
		{sent("destinationAccountNumber"), "destinationAccountNumber", ""},
		{sent("destinarionAccountNumber", "other"), "destinarionAccountNumber", ""},
		{sent("destinarionAccountNumber", "destinationAccountNumber"), "destinarionAccountNumber",
			"destinarionAccountNumber and destinationAccountNumber are spellings of one field: send only one"},
	} {
		found, conflict := field.Spelling(tc.present, "destinarionAccountNumber", "destinationAccountNumber")
		if found != tc.found || conflict != tc.conflict {
			t.Errorf("Spelling = %q, %q; want %q, %q", found, conflict, tc.found, tc.conflict)
		}
	}
	if _, c := field.Spelling(sent("a", "b", "c"), "a", "b", "c"); c != "a, b and c are spellings of one field: send only one" {
		t.Errorf("three spellings: %q", c)
	}
}
