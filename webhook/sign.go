// Package webhook delivers events to tenants' endpoints and makes real-time authorization
// calls. The Dispatcher drains the outbox that the core fills in the transaction of each
// event: it leases due deliveries, POSTs them signed (Standard Webhooks: webhook-id,
// webhook-timestamp, webhook-signature, plus Codego's event-request-key) outside any
// transaction, and records each attempt, retrying on a schedule of growing waits (about
// 72 hours in all) with jitter. It sees the core only through the small Outbox
// interface. The Authorizer
// asks a tenant's authorization URL to approve or decline, within a deadline, falling
// back to the tenant's stand-in decision. See docs/webhooks.md.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of a delivery.
const (
	HeaderID              = "webhook-id"
	HeaderTimestamp       = "webhook-timestamp"
	HeaderSignature       = "webhook-signature"
	HeaderEventRequestKey = "event-request-key"
)

// DefaultTolerance is how far a webhook-timestamp may be from the receiver's clock
// before Verify calls the message a replay.
const DefaultTolerance = 5 * time.Minute

// secretKey decodes a signing secret ("whsec_" + base64) into its HMAC key.
func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhook: signing secret must be whsec_ followed by base64")
	}
	return key, nil
}

// Sign returns the webhook-signature header value of a message: "v1," and the base64 of
// HMAC-SHA256, keyed by the decoded secret, over id + "." + timestamp + "." + body.
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, strconv.FormatInt(timestamp, 10), body)), nil
}

func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Errors of Verify.
var (
	ErrMissingHeaders   = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature")
	ErrTimestamp        = errors.New("webhook: timestamp outside the tolerance (a replay?)")
	ErrNoValidSignature = errors.New("webhook: no valid signature")
)

// Verify checks a received message the way a receiver should: the headers are present,
// the timestamp is within tolerance of now (rejecting replays of old messages), and one
// of the space-separated signatures is the HMAC of this id, timestamp and raw body.
// Receivers then use webhook-id to drop duplicates: delivery is at least once.
func Verify(secret string, h http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || ts == "" || sigs == "" {
		return ErrMissingHeaders
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	key, err := secretKey(secret)
	if err != nil {
		return err
	}
	want := mac(key, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		v, b64, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoValidSignature
}
