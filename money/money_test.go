package money_test

import (
	"math"
	"testing"

	"github.com/baas-oss/baas/money"
)

func TestFormat(t *testing.T) {
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
