package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIsTerminal: bench's progress default looks at stderr: a buffer, a file or a pipe is
// no terminal.
func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, out := range []io.Writer{&bytes.Buffer{}, f, w} {
		if isTerminal(out) {
			t.Errorf("%T is taken for a terminal", out)
		}
	}
}

// TestWithProgress: the start, then the time taken, as plain lines; an error is returned
// without a "done" line.
func TestWithProgress(t *testing.T) {
	var out bytes.Buffer
	m := &Main{Stderr: &out}
	if err := m.withProgress("applying migrations", func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, "applying migrations…\n  done in ") || !strings.HasSuffix(s, " ms\n") {
		t.Fatalf("printed %q", s)
	}
	out.Reset()
	if err := m.withProgress("x", func() error { return os.ErrNotExist }); err != os.ErrNotExist || strings.Contains(out.String(), "done") {
		t.Fatalf("error: %v, printed %q", err, out.String())
	}
}
