package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/baas-oss/baas"
)

// MaxResponseBody is how much of a response body is read; the rest is never read (the
// connection is closed instead), so a huge or endless answer costs no memory.
const MaxResponseBody = 64 << 10

// responseSnippet is how much of a response body the delivery log keeps.
const responseSnippet = 1 << 10

// NewClient returns the HTTP client of deliveries and authorization calls: no request
// takes longer than timeout (the caller's context may cut it shorter), redirects are not
// followed (a 3xx answer is a failed attempt), and response headers are capped at 64 KiB.
func NewClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 8
	t.ResponseHeaderTimeout = timeout
	t.MaxResponseHeaderBytes = 64 << 10
	return &http.Client{
		Transport:     t,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// envelope is the JSON body of a delivery (format "envelope") and of an authorization
// request.
type envelope struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt string          `json:"created_at"`
	TenantID  string          `json:"tenant_id"`
	ObjectID  string          `json:"object_id,omitempty"`
	Data      json.RawMessage `json:"data"`
}

// timeFormat is how times appear in bodies: RFC 3339, UTC, microseconds.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// EventID is the id of an event in bodies and in the webhook-id header.
func EventID(id int64) string { return "evt_" + strconv.FormatInt(id, 10) }

// EventBody returns the body that an endpoint of the given format receives for e.
func EventBody(e *baas.Event, format string) ([]byte, error) {
	data := e.Payload
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	if format == baas.WebhookPayload {
		return data, nil
	}
	return json.Marshal(envelope{ID: EventID(e.ID), Type: e.Type, CreatedAt: e.CreatedAt.UTC().Format(timeFormat),
		TenantID: e.TenantID, ObjectID: e.ObjectID, Data: data})
}

// exchange is the outcome of one POST.
type exchange struct {
	status  int
	body    []byte // at most MaxResponseBody bytes
	err     error
	latency time.Duration
}

// post sends one signed request and reads at most MaxResponseBody bytes of the answer.
// ctx bounds the whole exchange.
func post(ctx context.Context, client *http.Client, rawURL string, header http.Header, body []byte) exchange {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return exchange{err: err, latency: time.Since(start)}
	}
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		return exchange{err: err, latency: time.Since(start)}
	}
	defer resp.Body.Close() // unread bytes are not drained: the connection is dropped instead
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	return exchange{status: resp.StatusCode, body: b, latency: time.Since(start)}
}

// signedHeader returns the headers of a message: content type, user agent, the
// Standard Webhooks trio and, when set, Codego's event-request-key.
func signedHeader(secret, id string, ts time.Time, body []byte, eventRequestKey string) (http.Header, error) {
	sig, err := Sign(secret, id, ts.Unix(), body)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "baas-webhooks/1")
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, sig)
	if eventRequestKey != "" {
		h.Set(HeaderEventRequestKey, eventRequestKey)
	}
	return h, nil
}

// describe turns a transport error into a short message for the delivery log, without
// the URL (which may carry credentials in its query).
func describe(err error, timeout time.Duration) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Sprintf("timeout after %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
