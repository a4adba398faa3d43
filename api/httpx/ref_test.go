package httpx_test

import (
	"testing"

	"github.com/baas-oss/baas/api/httpx"
)

func TestNormalizeRef(t *testing.T) {
	for in, want := range map[string]string{
		`O39I2XXEsBtAgb0Cwd0CHUZiI290wmoqkXTcKETz\/V7uLds3J3OFKgtDzSg=`: "O39I2XXEsBtAgb0Cwd0CHUZiI290wmoqkXTcKETz/V7uLds3J3OFKgtDzSg=",
		" ab cd= ": "ab+cd=",
	} {
		if got := httpx.NormalizeRef(in); got != want {
			t.Fatalf("NormalizeRef(%q) = %q, want %q", in, got, want)
		}
	}
}
