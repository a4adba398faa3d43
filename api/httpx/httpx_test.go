package httpx_test

import (
	"testing"
	"time"

	"github.com/baas-oss/baas/api/httpx"
)

// TestTime: times are written in UTC with exactly three fraction digits, whatever their
// zone and precision.
func TestTime(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 9, 19, 10, 13, 25, 567_891_000, time.UTC), "2024-09-19T10:13:25.567Z"},
		{time.Date(2024, 9, 19, 11, 13, 25, 0, paris), "2024-09-19T10:13:25.000Z"},
		{time.Date(2024, 1, 1, 0, 30, 0, 5_000_000, paris), "2023-12-31T23:30:00.005Z"},
	} {
		if got := httpx.Time(tc.in); got != tc.want {
			t.Errorf("Time(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
