package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// BINRange is the set of card numbers an issuer may hand out: every PAN of Length digits
// whose first len(Low) digits, read as a number, lie between Low and High inclusive.
// Low and High have the same number of digits (6 to 11: a 6- or 8-digit BIN, optionally
// narrowed to an account range); a single prefix is Low == High.
type BINRange struct {
	Low, High string
	Length    int // PAN length with the check digit, 12 to 19
}

// Default sandbox ranges: the prefixes of the card numbers that card networks and
// processors publish as test data (4111 1111 1111 1111, 5555 5555 5555 4444), so a
// sandbox card looks like a Visa or a Mastercard to brand detection while its number is
// recognisably a test number. They are for sandbox tenants only: a live tenant configures
// the range its network sponsor assigned. Each holds 10^9 numbers.
var (
	SandboxVisaRange       = BINRange{Low: "411111", High: "411111", Length: 16}
	SandboxMastercardRange = BINRange{Low: "555555", High: "555555", Length: 16}
)

// ParseBINRange reads a range written "411111", "41111100-41111199" or either with a
// length suffix ":19"; without one the length is 16.
func ParseBINRange(s string) (BINRange, error) {
	r := BINRange{Length: 16}
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		n, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return BINRange{}, fmt.Errorf("BIN range %q: length %q is not a number", s, s[i+1:])
		}
		r.Length, s = n, s[:i]
	}
	var dash bool
	if r.Low, r.High, dash = strings.Cut(s, "-"); !dash {
		r.High = r.Low
	}
	return r, r.Validate()
}

// String writes the range in the form ParseBINRange reads.
func (r BINRange) String() string {
	if r.Low == r.High {
		return fmt.Sprintf("%s:%d", r.Low, r.Length)
	}
	return fmt.Sprintf("%s-%s:%d", r.Low, r.High, r.Length)
}

// Validate reports what is wrong with the range, or nil.
func (r BINRange) Validate() error {
	switch {
	case !isDigits(r.Low) || !isDigits(r.High):
		return fmt.Errorf("BIN range: low %q and high %q must be digits", r.Low, r.High)
	case len(r.Low) != len(r.High):
		return fmt.Errorf("BIN range: low %q and high %q must have the same number of digits", r.Low, r.High)
	case len(r.Low) < 6 || len(r.Low) > 11:
		return fmt.Errorf("BIN range: prefix %q must have 6 to 11 digits", r.Low)
	case r.Low > r.High: // same length, so string order is numeric order
		return fmt.Errorf("BIN range: low %s is above high %s", r.Low, r.High)
	case r.Low[0] == '0':
		return fmt.Errorf("BIN range: prefix %q starts with 0, which no card network issues", r.Low)
	case r.Length < 12 || r.Length > 19:
		return fmt.Errorf("BIN range: PAN length %d must be 12 to 19", r.Length)
	case r.Length < len(r.Low)+4:
		return fmt.Errorf("BIN range: PAN length %d leaves fewer than 3 account digits after prefix %s", r.Length, r.Low)
	}
	return nil
}

// Contains reports whether pan is a number of this range: the right length, a prefix in
// the range and a valid check digit.
func (r BINRange) Contains(pan string) bool {
	if len(pan) != r.Length || len(pan) < len(r.Low) || !Luhn(pan) {
		return false
	}
	p := pan[:len(r.Low)]
	return r.Low <= p && p <= r.High
}

// GeneratePAN returns a number of the range with a valid Luhn check digit, its prefix and
// account digits drawn uniformly from rnd (crypto/rand when nil). Uniqueness is the
// caller's: look the number's hash up and draw again on a clash.
func GeneratePAN(r BINRange, rnd io.Reader) (string, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	low, _ := strconv.ParseUint(r.Low, 10, 64)
	high, _ := strconv.ParseUint(r.High, 10, 64)
	off, err := uniform(rnd, high-low+1)
	if err != nil {
		return "", err
	}
	b := make([]byte, r.Length)
	copy(b, strconv.FormatUint(low+off, 10))
	for i := len(r.Low); i < r.Length-1; i++ {
		d, err := uniform(rnd, 10)
		if err != nil {
			return "", err
		}
		b[i] = '0' + byte(d)
	}
	b[r.Length-1] = luhnDigit(b[:r.Length-1])
	return string(b), nil
}

// Luhn reports whether pan is all ASCII digits, at least 2 of them, with a valid Luhn
// (mod 10) check digit last.
func Luhn(pan string) bool {
	if len(pan) < 2 || !isDigits(pan) {
		return false
	}
	return luhnDigit([]byte(pan[:len(pan)-1])) == pan[len(pan)-1]
}

// LuhnDigit returns the check digit ('0' to '9') that completes payload, the number
// without its check digit; payload must be one or more ASCII digits.
func LuhnDigit(payload string) (byte, error) {
	if payload == "" || !isDigits(payload) {
		return 0, errors.New("vault: Luhn payload must be digits")
	}
	return luhnDigit([]byte(payload)), nil
}

// luhnDigit computes the check digit of digits (ASCII, already checked).
func luhnDigit(digits []byte) byte {
	sum := 0
	double := true // the digit left of the check digit is doubled
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// GenerateCVV returns 3 digits drawn uniformly from 000 to 999 with rnd (crypto/rand
// when nil).
func GenerateCVV(rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	n, err := uniform(rnd, 1000)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%03d", n), nil
}

// Expiry returns the expiry month (1-12) and four-digit year of a card issued at t and
// valid for years years: the same month, years later. The card is valid through the last
// day of that month (see Expired).
func Expiry(t time.Time, years int) (month, year int) {
	return int(t.Month()), t.Year() + years
}

// Expired reports whether a card that expires in month/year is expired at t: from the
// first instant of the following month in t's location.
func Expired(month, year int, t time.Time) bool {
	end := time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, t.Location())
	return !t.Before(end)
}

// uniform returns a number in [0, n) read from rnd without modulo bias (n > 0).
func uniform(rnd io.Reader, n uint64) (uint64, error) {
	if n == 1 {
		return 0, nil
	}
	limit := ^uint64(0) - (^uint64(0)%n+1)%n // the largest multiple of n, minus one
	var b [8]byte
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return 0, fmt.Errorf("vault: random source: %w", err)
		}
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if v <= limit {
			return v % n, nil
		}
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Mask returns the Codego form of a card number, "xxxx xxxx xxxx 1234": only the last
// four digits are shown, whatever the length.
func Mask(pan string) string {
	return "xxxx xxxx xxxx " + Last4(pan)
}

// MaskMiddle returns the first six and last four digits with the others as '*', as in
// "411111******1234" (PCI DSS's widest display). A number of fewer than 13 characters
// shows its last four only.
func MaskMiddle(pan string) string {
	if len(pan) < 13 {
		return strings.Repeat("*", max(len(pan)-4, 0)) + Last4(pan)
	}
	return First6(pan) + strings.Repeat("*", len(pan)-10) + Last4(pan)
}

// First6 returns the first six characters of pan (all of a shorter one).
func First6(pan string) string { return pan[:min(6, len(pan))] }

// Last4 returns the last four characters of pan (all of a shorter one).
func Last4(pan string) string { return pan[max(len(pan)-4, 0):] }
