package openapi

import "testing"

func TestTextCodeSpans(t *testing.T) {
	for in, want := range map[string]string{
		"409 `SAME_ACCOUNT` <b>": "409 <code>SAME_ACCOUNT</code> &lt;b&gt;",
		"odd ` quote":            "odd ` quote",
		"`<x>`":                  "<code>&lt;x&gt;</code>",
	} {
		if got := string(text(in)); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
}
