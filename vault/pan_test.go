package vault

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestLuhn(t *testing.T) {
	for pan, want := range map[string]bool{
		"4111111111111111":    true,
		"5555555555554444":    true,
		"378282246310005":     true, // 15 digits
		"6011111111111117":    true,
		"79927398713":         true, // the textbook example
		"4111111111111112":    false,
		"79927398710":         false,
		"00":                  true,
		"0":                   false, // too short
		"":                    false,
		"4111 1111 1111 1111": false, // spaces are not digits
		"411111111111111a":    false,
		"４111111111111111":    false, // a non-ASCII digit
	} {
		if got := Luhn(pan); got != want {
			t.Errorf("Luhn(%q) = %v, want %v", pan, got, want)
		}
	}
	if d, err := LuhnDigit("7992739871"); err != nil || d != '3' {
		t.Errorf("LuhnDigit = %c, %v; want 3", d, err)
	}
	if d, err := LuhnDigit("411111111111111"); err != nil || d != '1' {
		t.Errorf("LuhnDigit = %c, %v; want 1", d, err)
	}
	for _, bad := range []string{"", "12a", "-1"} {
		if _, err := LuhnDigit(bad); err == nil {
			t.Errorf("LuhnDigit(%q) accepted", bad)
		}
	}
}

// Every single-digit change of a valid number is caught: the property the check digit is for.
func TestLuhnCatchesEverySingleDigitError(t *testing.T) {
	pan := []byte("4111111111111111")
	for i := range pan {
		orig := pan[i]
		for d := byte('0'); d <= '9'; d++ {
			if d == orig {
				continue
			}
			pan[i] = d
			if Luhn(string(pan)) {
				t.Errorf("%s passes", pan)
			}
		}
		pan[i] = orig
	}
}

func TestParseBINRange(t *testing.T) {
	for in, want := range map[string]BINRange{
		"411111":            {"411111", "411111", 16},
		" 411111:19 ":       {"411111", "411111", 19},
		"41111100-41111199": {"41111100", "41111199", 16},
		"222100-272099:16":  {"222100", "272099", 16},
	} {
		got, err := ParseBINRange(in)
		if err != nil || got != want {
			t.Errorf("ParseBINRange(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParseBINRange(got.String()); err != nil || back != got {
			t.Errorf("String round trip of %+v: %q -> %+v, %v", got, got.String(), back, err)
		}
	}
	for in, msg := range map[string]string{
		"":                   "must be digits",
		"41111x":             "must be digits",
		"411111-":            "must be digits",
		"411111-4111119":     "same number of digits",
		"41111":              "6 to 11 digits",
		"411111111111":       "6 to 11 digits",
		"411199-411100":      "above high",
		"011111":             "starts with 0",
		"411111:11":          "12 to 19",
		"411111:20":          "12 to 19",
		"411111:x":           "not a number",
		"41111111111:14":     "fewer than 3 account digits",
		"41111111111:15-bad": "not a number",
	} {
		_, err := ParseBINRange(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseBINRange(%q) = %v; want an error saying %q", in, err, msg)
		}
	}
	for _, r := range []BINRange{SandboxVisaRange, SandboxMastercardRange} {
		if err := r.Validate(); err != nil {
			t.Errorf("default range %v: %v", r, err)
		}
	}
}

func TestGeneratePANIsInRangeAndValid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		plen := rapid.IntRange(6, 11).Draw(t, "prefix length")
		lowN := rapid.Uint64Range(pow10(plen-1), pow10(plen)-1).Draw(t, "low")
		highN := rapid.Uint64Range(lowN, min(lowN+rapid.Uint64Range(0, 1000).Draw(t, "width"), pow10(plen)-1)).Draw(t, "high")
		r := BINRange{Low: itoa(lowN), High: itoa(highN), Length: rapid.IntRange(max(12, plen+4), 19).Draw(t, "length")}
		if err := r.Validate(); err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		seed := rapid.Uint64().Draw(t, "seed")
		pan, err := GeneratePAN(r, rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)}))
		if err != nil {
			t.Fatal(err)
		}
		if len(pan) != r.Length || !Luhn(pan) || !r.Contains(pan) {
			t.Fatalf("%s not a valid number of %+v", pan, r)
		}
		if p := pan[:plen]; p < r.Low || p > r.High {
			t.Fatalf("%s: prefix %s outside %s-%s", pan, p, r.Low, r.High)
		}
	})
}

func TestGeneratePANCoversTheRange(t *testing.T) {
	r := BINRange{Low: "41111100", High: "41111103", Length: 16}
	seen := map[string]int{}
	digits := map[byte]int{}
	for range 4000 {
		pan, err := GeneratePAN(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		seen[pan[:8]]++
		digits[pan[10]]++
	}
	if len(seen) != 4 {
		t.Fatalf("prefixes drawn: %v", seen)
	}
	for p, n := range seen {
		if n < 800 || n > 1200 { // expect 1000 each; 6+ standard deviations
			t.Errorf("prefix %s drawn %d times of 4000", p, n)
		}
	}
	for d, n := range digits {
		if n < 250 || n > 550 { // expect 400 each
			t.Errorf("digit %c drawn %d times of 4000", d, n)
		}
	}
	outside, _ := GeneratePAN(BINRange{Low: "41111104", High: "41111104", Length: 16}, nil)
	if r.Contains(outside) || r.Contains("41111103") || (BINRange{Low: "41111100", High: "41111100", Length: 4}).Contains("4242") {
		t.Error("Contains accepted a number outside the range")
	}
	if _, err := GeneratePAN(BINRange{Low: "1", High: "2", Length: 16}, nil); err == nil {
		t.Error("generated from an invalid range")
	}
}

func TestRandomSourceFailure(t *testing.T) {
	short := bytes.NewReader([]byte{1, 2, 3})
	if _, err := GeneratePAN(SandboxVisaRange, short); err == nil {
		t.Error("GeneratePAN with an exhausted reader")
	}
	if _, err := GenerateCVV(bytes.NewReader(nil)); err == nil {
		t.Error("GenerateCVV with an exhausted reader")
	}
}

func TestGenerateCVV(t *testing.T) {
	counts := map[byte]int{}
	for range 5000 {
		cvv, err := GenerateCVV(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(cvv) != 3 || !isDigits(cvv) {
			t.Fatalf("CVV %q", cvv)
		}
		counts[cvv[0]]++
	}
	if len(counts) != 10 {
		t.Fatalf("first digits: %v", counts)
	}
	for d, n := range counts {
		if n < 330 || n > 670 { // expect 500 each
			t.Errorf("first digit %c drawn %d times of 5000", d, n)
		}
	}
}

func TestUniformHasNoModuloBias(t *testing.T) {
	// 2^64 mod 3 = 1: the value 2^64-1 is the one to reject.
	all := bytes.Repeat([]byte{0xff}, 8)
	next := []byte{5, 0, 0, 0, 0, 0, 0, 0}
	n, err := uniform(bytes.NewReader(append(all, next...)), 3)
	if err != nil || n != 5%3 {
		t.Fatalf("uniform = %d, %v; want the second draw, 2", n, err)
	}
	if n, err := uniform(bytes.NewReader(nil), 1); err != nil || n != 0 {
		t.Fatalf("uniform(1) = %d, %v", n, err)
	}
	if _, err := uniform(bytes.NewReader(all), 3); err == nil {
		t.Fatal("uniform did not fail on an exhausted reader")
	}
}

func TestExpiry(t *testing.T) {
	issued := time.Date(2026, time.December, 6, 19, 0, 0, 0, time.UTC)
	m, y := Expiry(issued, 3)
	if m != 12 || y != 2029 {
		t.Fatalf("Expiry = %d/%d", m, y)
	}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2029, time.December, 31, 23, 59, 59, 999, time.UTC), false},
		{time.Date(2030, time.January, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2028, time.June, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := Expired(12, 2029, c.at); got != c.want {
			t.Errorf("Expired(12/2029) at %v = %v", c.at, got)
		}
	}
}

func TestMask(t *testing.T) {
	for pan, want := range map[string][2]string{
		"4111111111111234":    {"xxxx xxxx xxxx 1234", "411111******1234"},
		"4111111111111111234": {"xxxx xxxx xxxx 1234", "411111*********1234"},
		"378282246310005":     {"xxxx xxxx xxxx 0005", "378282*****0005"},
		"411111111234":        {"xxxx xxxx xxxx 1234", "********1234"},
		"12":                  {"xxxx xxxx xxxx 12", "12"},
	} {
		if got := Mask(pan); got != want[0] {
			t.Errorf("Mask(%s) = %q, want %q", pan, got, want[0])
		}
		if got := MaskMiddle(pan); got != want[1] {
			t.Errorf("MaskMiddle(%s) = %q, want %q", pan, got, want[1])
		}
	}
	if First6("4111111111111234") != "411111" || Last4("4111111111111234") != "1234" || First6("123") != "123" {
		t.Error("First6/Last4")
	}
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			return string(b[i:])
		}
	}
}

func FuzzLuhnOfGeneratedPAN(f *testing.F) {
	f.Add(uint64(411111), uint64(0), 16, []byte("seed"))
	f.Add(uint64(22210000), uint64(500), 19, []byte{})
	f.Fuzz(func(t *testing.T, low, width uint64, length int, seed []byte) {
		r := BINRange{Low: itoa(low), High: itoa(low + width%1000), Length: length}
		if r.Validate() != nil {
			return
		}
		var s [32]byte
		copy(s[:], seed)
		pan, err := GeneratePAN(r, rand.NewChaCha8(s))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Contains(pan) {
			t.Fatalf("%s not in %+v", pan, r)
		}
		last := pan[len(pan)-1]
		if d, _ := LuhnDigit(pan[:len(pan)-1]); d != last {
			t.Fatalf("check digit of %s: %c", pan, d)
		}
	})
}
