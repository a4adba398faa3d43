package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/webhook"
)

// The receiver-side verification shown in docs/webhooks.md, standard library only. The
// text between the markers must appear in the docs verbatim (TestDocsSnippet).

// --- docs snippet begins ---

// verifyWebhook checks a request from baas and returns its body. secret and key are the
// endpoint's signing_secret and event_request_key, shown when it was created.
func verifyWebhook(r *http.Request, secret, key string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("event-request-key")), []byte(key)) != 1 {
		return nil, errors.New("wrong event-request-key")
	}
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return nil, errors.New("missing webhook-id or webhook-timestamp")
	}
	if age := time.Since(time.Unix(sent, 0)); age > 5*time.Minute || age < -5*time.Minute {
		return nil, errors.New("timestamp outside five minutes: a replay?")
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(r.Header.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return body, nil // now drop it if webhook-id was seen before
		}
	}
	return nil, errors.New("no valid signature")
}

// --- docs snippet ends ---

func TestDocsSnippet(t *testing.T) {
	src, err := os.ReadFile("receiver_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(src), "// --- docs snippet begins ---\n\n")
	snippet, _, _ := strings.Cut(rest, "\n// --- docs snippet ends ---")
	docs, err := os.ReadFile("../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(docs), snippet) {
		t.Errorf("docs/webhooks.md does not show verifyWebhook exactly as receiver_test.go has it:\n%s", snippet)
	}
}

// TestDocsSnippetVerifies runs the documented verification on a real delivery body and
// headers as the dispatcher builds them.
func TestDocsSnippetVerifies(t *testing.T) {
	secret := core.NewSigningSecret()
	ev := &baas.Event{ID: 7, TenantID: "t", Type: "account.created", ObjectID: "o", Payload: []byte(`{"a":1}`), CreatedAt: time.Now()}
	body, err := webhook.EventBody(ev, baas.WebhookEnvelope)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	var verr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, verr = verifyWebhook(r, secret, "erk_key")
	}))
	defer srv.Close()
	send := func(ts int64, b []byte, key string) {
		sig, _ := webhook.Sign(secret, webhook.EventID(ev.ID), ts, body)
		req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(b))
		req.Header.Set("webhook-id", webhook.EventID(ev.ID))
		req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("webhook-signature", sig)
		req.Header.Set("event-request-key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	send(time.Now().Unix(), body, "erk_key")
	if verr != nil || !bytes.Equal(got, body) {
		t.Fatalf("a genuine delivery: %v", verr)
	}
	send(time.Now().Unix(), append(body, ' '), "erk_key")
	if verr == nil {
		t.Error("an altered body verified")
	}
	send(time.Now().Add(-10*time.Minute).Unix(), body, "erk_key")
	if verr == nil {
		t.Error("a ten-minute-old timestamp verified")
	}
	send(time.Now().Unix(), body, "other")
	if verr == nil {
		t.Error("a wrong event-request-key verified")
	}
}
