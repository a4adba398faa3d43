// Package money is the one place where amounts are parsed and formatted: int64 minor
// units with an ISO 4217 currency, shown as integer cents (Girasol) or decimal strings
// (Codego, the Girasol simulator's "68.84"), read from decimal strings (Girasol's money
// send, "1.00"), and the ISO 4217 table (exponents, numeric codes). No floats.
package money

import (
	"errors"
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

// LookupNumeric returns the currency with the given ISO 4217 numeric code (three digits,
// "840"; "36" is "036").
func LookupNumeric(numeric string) (Currency, bool) {
	if len(numeric) < 3 {
		numeric = strings.Repeat("0", 3-len(numeric)) + numeric
	}
	for _, c := range currencies {
		if c.Numeric == numeric {
			return c, true
		}
	}
	return Currency{}, false
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

// Errors of Parse.
var (
	ErrSyntax    = errors.New("not a decimal number")    // empty, signs, exponents, spaces, "1.", ".5"
	ErrPrecision = errors.New("too many decimal places") // more than the currency's exponent
	ErrRange     = errors.New("amount too large")        // does not fit in int64 minor units
)

// Decimal reports whether s has the shape of a decimal amount: digits, then optionally a
// point and at least one digit ("1", "1.5", "1.00"). No sign, exponent or space.
func Decimal(s string) bool {
	whole, frac, hasDot := strings.Cut(s, ".")
	return digits(whole) && (!hasDot || digits(frac))
}

// Parse reads a decimal string into minor units of currency, exactly: "1.00" USD is 100,
// "1.5" USD 150, "7" JPY 7, "0.001" KWD 1 (an unknown currency has two decimals, as in
// Format). It refuses what Decimal refuses (ErrSyntax), more decimals than the currency
// has (ErrPrecision, even "1.000" USD: a point at the wrong place must not be guessed
// at) and amounts beyond int64 (ErrRange). Zero parses; whether it may be moved is the
// ledger's rule (ledger.CheckAmount).
func Parse(s, currency string) (int64, error) {
	exp := 2
	if c, ok := Lookup(currency); ok {
		exp = c.Exponent
	}
	if !Decimal(s) {
		return 0, ErrSyntax
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > exp {
		return 0, ErrPrecision
	}
	whole = strings.TrimLeft(whole, "0")
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", exp-len(frac)), 10, 64)
	if err != nil {
		if whole+frac == "" || strings.Trim(whole+frac, "0") == "" {
			return 0, nil
		}
		return 0, ErrRange
	}
	return n, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
