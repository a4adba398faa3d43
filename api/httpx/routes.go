package httpx

import "net/http"

// Mux is what a dialect registers its routes on: an *http.ServeMux, or a Routes that
// records them.
type Mux interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Routes is a Mux that records every pattern registered through it and passes the
// registration on to the Mux it wraps, if any. It is how the server and its tests learn
// which routes exist, without a list kept beside the registrations.
type Routes struct {
	next     Mux
	patterns []string
}

// Record returns a Routes passing registrations on to next (nil: recording only).
func Record(next Mux) *Routes { return &Routes{next: next} }

// Handle records pattern and registers handler on the wrapped Mux.
func (r *Routes) Handle(pattern string, handler http.Handler) {
	r.patterns = append(r.patterns, pattern)
	if r.next != nil {
		r.next.Handle(pattern, handler)
	}
}

// HandleFunc records pattern and registers handler on the wrapped Mux.
func (r *Routes) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	r.Handle(pattern, http.HandlerFunc(handler))
}

// Patterns returns the patterns registered so far, in registration order.
func (r *Routes) Patterns() []string { return append([]string(nil), r.patterns...) }
