package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressEvery is how often long work says it is still going.
const progressEvery = 5 * time.Second

// withProgress runs fn, saying on stderr what starts, a line every progressEvery while it
// lasts (migrating a large database, reaching a slow one) and how long it took: plain lines,
// so that they read the same on a terminal and in a service's log.
func (m *Main) withProgress(what string, fn func() error) error {
	began := time.Now()
	fmt.Fprintf(m.Stderr, "%s…\n", what)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				fmt.Fprintf(m.Stderr, "  still %s (%s)\n", what, now.Sub(began).Round(time.Second))
			}
		}
	}()
	err := fn()
	close(done)
	<-stopped
	if err == nil {
		fmt.Fprintf(m.Stderr, "  done in %d ms\n", time.Since(began).Milliseconds())
	}
	return err
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
