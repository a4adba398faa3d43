package loadtest

import (
	"testing"
	"time"
)

func TestParseCPU(t *testing.T) {
	got, ok := parseCPU("cpu  182915 7 42904 72970 4728 3 11495 5187 0 0\n")
	want := cpuTimes{busy: (182915 + 7 + 42904 + 3 + 11495) * 10 * time.Millisecond,
		idle: (72970 + 4728) * 10 * time.Millisecond, steal: 5187 * 10 * time.Millisecond}
	if !ok || got != want {
		t.Fatalf("parseCPU = %+v, %v; want %+v", got, ok, want)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4 5 6 7 8", "cpu 1 2 3", "cpu 1 2 3 4 5 6 7 x", "cpu 1 2 3 4 5 6 7 -8"} {
		if _, ok := parseCPU(bad); ok {
			t.Fatalf("parseCPU(%q) accepted", bad)
		}
	}
	if _, ok := readCPU(); !ok {
		t.Skip("no /proc/stat here")
	}
}
