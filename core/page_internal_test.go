package core

import (
	"testing"

	"github.com/baas-oss/baas"
)

func TestPageRule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rule PageRule
		in   string
		want int
		ok   bool
	}{
		{Pages, "", 100, true},
		{Pages, "1", 1, true},
		{Pages, "500", 500, true},
		{Pages, "501", 0, false},
		{Pages, "0", 0, false},
		{Pages, "-1", 0, false},
		{Pages, "x", 0, false},
		{AccountPages, "", 1000, true},
		{AccountPages, "1000", 1000, true},
		{AccountPages, "1001", 0, false},
	} {
		got, err := c.rule.Parse(c.in)
		if c.ok && (err != nil || got != c.want) {
			t.Errorf("%+v.Parse(%q) = %d, %v; want %d", c.rule, c.in, got, err, c.want)
		}
		if !c.ok && baas.ErrorCode(err) != baas.EInvalid {
			t.Errorf("%+v.Parse(%q) = %d, %v; want invalid", c.rule, c.in, got, err)
		}
	}
	if _, err := Pages.Parse("501"); baas.AsError(err).Message != "limit must be an integer between 1 and 500" {
		t.Errorf("message %q", baas.AsError(err).Message)
	}
	// A use case clamps what it is given to the rule: the stores read every row for 0.
	for in, want := range map[int]int{0: 100, -3: 100, 7: 7, 500: 500, 501: 100} {
		if got := Pages.limit(in); got != want {
			t.Errorf("Pages.limit(%d) = %d, want %d", in, got, want)
		}
	}
}
