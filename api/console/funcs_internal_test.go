package console

import "testing"

func TestAmount(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{52_500_000, "EUR", "525,000.00 EUR"}, {-123_456, "USD", "-1,234.56 USD"}, {5, "EUR", "0.05 EUR"},
		{1_000_000, "JPY", "1,000,000 JPY"}, {100_000, "EUR", "1,000.00 EUR"},
	} {
		if got := amount(c.minor, c.cur); got != c.want {
			t.Errorf("amount(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
}
