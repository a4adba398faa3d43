// Package money is the one place where amounts are formatted: int64 minor units with an
// ISO 4217 currency, shown as integer cents (Girasol) or decimal strings (Codego, the
// Girasol simulator's "68.84"), and the ISO 4217 table (exponents, numeric codes). No
// floats.
package money

import (
	"strconv"
	"strings"
)

// Currency describes an ISO 4217 currency.
type Currency struct {
	Code     string
	Numeric  string // ISO 4217 numeric code, three digits
	Exponent int    // digits after the decimal point
}

var currencies = map[string]Currency{}

func init() {
	for _, c := range []Currency{
		{"USD", "840", 2}, {"EUR", "978", 2}, {"GBP", "826", 2}, {"CHF", "756", 2}, {"CAD", "124", 2},
		{"AUD", "036", 2}, {"JPY", "392", 0}, {"CNY", "156", 2}, {"INR", "356", 2}, {"BRL", "986", 2},
		{"MXN", "484", 2}, {"CLP", "152", 0}, {"COP", "170", 2}, {"ARS", "032", 2}, {"PEN", "604", 2},
		{"UYU", "858", 2}, {"SEK", "752", 2}, {"NOK", "578", 2}, {"DKK", "208", 2}, {"PLN", "985", 2},
		{"CZK", "203", 2}, {"HUF", "348", 2}, {"RON", "946", 2}, {"TRY", "949", 2}, {"AED", "784", 2},
		{"SGD", "702", 2}, {"HKD", "344", 2}, {"NZD", "554", 2}, {"ZAR", "710", 2}, {"KRW", "410", 0},
		{"KWD", "414", 3}, {"BHD", "048", 3},
	} {
		currencies[c.Code] = c
	}
}

// Lookup returns the currency with the given alphabetic code.
func Lookup(code string) (Currency, bool) {
	c, ok := currencies[strings.ToUpper(code)]
	return c, ok
}

// Numeric returns the ISO 4217 numeric code of a currency, or "" when unknown.
func Numeric(code string) string { return currencies[strings.ToUpper(code)].Numeric }

// Format renders minor units as a decimal string with the currency's exponent: 1050 USD
// is "10.50", -5 USD is "-0.05", 7 JPY is "7".
func Format(minor int64, currency string) string {
	exp := 2
	if c, ok := Lookup(currency); ok {
		exp = c.Exponent
	}
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = uint64(-minor)
	}
	s := strconv.FormatUint(u, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Compact renders minor units as Format does, but a whole amount without its fraction
// (Codego shows costs so): 500 EUR is "5", 550 EUR is "5.50", -1000 USD is "-10".
func Compact(minor int64, currency string) string {
	s := Format(minor, currency)
	if whole, frac, ok := strings.Cut(s, "."); ok && strings.Trim(frac, "0") == "" {
		return whole
	}
	return s
}
