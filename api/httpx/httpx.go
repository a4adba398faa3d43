// Package httpx holds what both HTTP dialects and the admin API share: request ids, body
// limits, JSON writing, the time layout, idempotency keys and request fingerprints. No
// business rule lives here.
package httpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
)

// TimeLayout is how the Girasol dialect and the admin API write times: ISO 8601 in UTC
// with milliseconds, "2024-09-19T10:13:25.567Z". (Codego writes "2006-01-02 15:04:05";
// webhook bodies carry microseconds, see docs/webhooks.md.)
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time formats t in TimeLayout, in UTC.
func Time(t time.Time) string { return t.UTC().Format(TimeLayout) }

// MaxJSONBody caps JSON request bodies.
const MaxJSONBody = 1 << 20

// RequestIDHeader carries the request id, echoed on every response.
const RequestIDHeader = "X-Request-Id"

// IdempotencyHeader is the request header that makes a write idempotent.
const IdempotencyHeader = "Idempotency-Key"

// ReplayedHeader is set to "true" on a response replayed from an idempotency record.
const ReplayedHeader = "Idempotent-Replayed"

// NewRequestID returns a random request id.
func NewRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ValidRequestID reports whether a client-supplied request id may be echoed.
func ValidRequestID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

// ErrTooLarge is returned by ReadBody for a body over the limit.
var ErrTooLarge = errors.New("request body too large")

// ReadBody reads at most limit bytes of the request body.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrTooLarge
		}
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrTooLarge
	}
	return b, nil
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"Internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Idempotency reads the Idempotency-Key header and fingerprints the request. It returns
// an EInvalid error for a malformed key.
func Idempotency(r *http.Request, body []byte) (core.Idempotency, error) {
	key := r.Header.Get(IdempotencyHeader)
	if key == "" {
		return core.Idempotency{}, nil
	}
	if len(key) > 255 || strings.IndexFunc(key, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return core.Idempotency{}, baas.Invalid("Idempotency-Key must be at most 255 printable ASCII characters")
	}
	return core.Idempotency{Key: key, Fingerprint: Fingerprint(r.Method, r.URL.Path, body)}, nil
}

// Fingerprint hashes a request: method, path and body, the body in canonical JSON form
// when it is JSON (so key order and spacing do not matter).
func Fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\n"))
	var v any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&v); err == nil {
		if canon, err := json.Marshal(v); err == nil {
			body = canon
		}
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// MarkReplayed sets the replay header when replayed is true.
func MarkReplayed(w http.ResponseWriter, replayed bool) {
	if replayed {
		w.Header().Set(ReplayedHeader, "true")
	}
}

type noteKey struct{}

// Note is filled in by handlers with what the access log should say about a request: the
// tenant, and what a dialect adds (Codego's own status and code, which its HTTP 200 hides).
type Note struct {
	Tenant string
	Attrs  []slog.Attr
}

// Annotate adds attributes to the access log line of the request in ctx.
func Annotate(ctx context.Context, attrs ...slog.Attr) {
	if n, ok := ctx.Value(noteKey{}).(*Note); ok {
		n.Attrs = append(n.Attrs, attrs...)
	}
}

// WithNote returns a context carrying an empty Note for handlers to fill.
func WithNote(r *http.Request) (*http.Request, *Note) {
	n := &Note{}
	return r.WithContext(context.WithValue(r.Context(), noteKey{}, n)), n
}

// SetTenant records the authenticated tenant for the access log.
func SetTenant(ctx context.Context, tenantID string) {
	if n, ok := ctx.Value(noteKey{}).(*Note); ok {
		n.Tenant = tenantID
	}
}
