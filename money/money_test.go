package money_test

import (
	"math"
	"testing"

	"github.com/baas-oss/baas/money"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{1050, "USD", "10.50"},
		{6884, "USD", "68.84"},
		{500, "USD", "5.00"},
		{0, "USD", "0.00"},
		{5, "USD", "0.05"},
		{50, "EUR", "0.50"},
		{-5, "USD", "-0.05"},
		{-1050, "usd", "-10.50"}, // the code in any case
		{7, "JPY", "7"},
		{-7, "CLP", "-7"},
		{1, "KWD", "0.001"},
		{12345, "BHD", "12.345"},
		{1050, "XXX", "10.50"}, // an unknown currency has two decimals
		{math.MaxInt64, "USD", "92233720368547758.07"},
		{math.MinInt64, "USD", "-92233720368547758.08"},
	} {
		if got := money.Format(tc.minor, tc.currency); got != tc.want {
			t.Errorf("Format(%d, %s) = %q, want %q", tc.minor, tc.currency, got, tc.want)
		}
	}
}

func TestLookupAndNumeric(t *testing.T) {
	for _, tc := range []struct {
		code     string
		ok       bool
		numeric  string
		exponent int
	}{
		{"USD", true, "840", 2},
		{"eur", true, "978", 2},
		{"JPY", true, "392", 0},
		{"KWD", true, "414", 3},
		{"AUD", true, "036", 2}, // leading zero kept
		{"XXX", false, "", 0},
		{"", false, "", 0},
	} {
		c, ok := money.Lookup(tc.code)
		if ok != tc.ok || c.Numeric != tc.numeric || c.Exponent != tc.exponent {
			t.Errorf("Lookup(%q) = %+v, %v; want numeric %q exponent %d, %v", tc.code, c, ok, tc.numeric, tc.exponent, tc.ok)
		}
		if got := money.Numeric(tc.code); got != tc.numeric {
			t.Errorf("Numeric(%q) = %q, want %q", tc.code, got, tc.numeric)
		}
	}
}
func TestCompact(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		minor           int64
		currency        string
		format, compact string
	}{
		{1050, "USD", "10.50", "10.50"},
		{500, "EUR", "5.00", "5"},
		{550, "EUR", "5.50", "5.50"},
		{1000, "EUR", "10.00", "10"},
		{0, "EUR", "0.00", "0"},
		{-5, "USD", "-0.05", "-0.05"},
		{-1000, "USD", "-10.00", "-10"},
		{7, "JPY", "7", "7"},
		{1000, "KWD", "1.000", "1"},
		{1010, "KWD", "1.010", "1.010"},
		{math.MinInt64, "USD", "-92233720368547758.08", "-92233720368547758.08"},
	} {
		if got := money.Format(c.minor, c.currency); got != c.format {
			t.Errorf("Format(%d, %s) = %q, want %q", c.minor, c.currency, got, c.format)
		}
		if got := money.Compact(c.minor, c.currency); got != c.compact {
			t.Errorf("Compact(%d, %s) = %q, want %q", c.minor, c.currency, got, c.compact)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		s, currency string
		want        int64
		err         error
	}{
		{"1.00", "USD", 100, nil},
		{"1", "USD", 100, nil},
		{"1.5", "USD", 150, nil},
		{"0.01", "USD", 1, nil},
		{"68.84", "usd", 6884, nil},
		{"0", "USD", 0, nil},
		{"0.00", "USD", 0, nil},
		{"000012.30", "EUR", 1230, nil},
		{"7", "JPY", 7, nil},
		{"0.001", "KWD", 1, nil},
		{"12.345", "BHD", 12345, nil},
		{"10.50", "XXX", 1050, nil}, // unknown: two decimals
		{"92233720368547758.07", "USD", math.MaxInt64, nil},
		{"92233720368547758.08", "USD", 0, money.ErrRange},
		{"99999999999999999999999", "USD", 0, money.ErrRange},
		{"1.000", "USD", 0, money.ErrPrecision},
		{"1.5", "JPY", 0, money.ErrPrecision},
		{"", "USD", 0, money.ErrSyntax},
		{"1.", "USD", 0, money.ErrSyntax},
		{".5", "USD", 0, money.ErrSyntax},
		{"-1.00", "USD", 0, money.ErrSyntax},
		{"+1", "USD", 0, money.ErrSyntax},
		{"1e2", "USD", 0, money.ErrSyntax},
		{" 1.00", "USD", 0, money.ErrSyntax},
		{"1,00", "USD", 0, money.ErrSyntax},
		{"1.0.0", "USD", 0, money.ErrSyntax},
		{"١", "USD", 0, money.ErrSyntax}, // a non-ASCII digit
	} {
		got, err := money.Parse(tc.s, tc.currency)
		if got != tc.want || err != tc.err {
			t.Errorf("Parse(%q, %s) = %d, %v; want %d, %v", tc.s, tc.currency, got, err, tc.want, tc.err)
		}
	}
}

// TestParseFormatRoundTrip: what Format writes, Parse reads back exactly.
func TestParseFormatRoundTrip(t *testing.T) {
	for _, cur := range []string{"USD", "JPY", "KWD"} {
		for _, v := range []int64{0, 1, 9, 10, 99, 100, 101, 123456789, math.MaxInt64} {
			got, err := money.Parse(money.Format(v, cur), cur)
			if err != nil || got != v {
				t.Errorf("Parse(Format(%d, %s)) = %d, %v", v, cur, got, err)
			}
		}
	}
}

func TestLookupNumeric(t *testing.T) {
	for num, want := range map[string]string{"840": "USD", "978": "EUR", "36": "AUD", "036": "AUD", "999": "", "": ""} {
		c, ok := money.LookupNumeric(num)
		if c.Code != want || ok != (want != "") {
			t.Errorf("LookupNumeric(%q) = %+v, %v; want %s", num, c, ok, want)
		}
	}
}
