package server_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestGoRefusalsInEnvelope: requests Go's HTTP server refuses before any handler runs
// are answered in the envelope of the API their path names, over a real connection.
func TestGoRefusalsInEnvelope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		addr := strings.TrimPrefix(e.URL, "http://")
		big := strings.Repeat("a", 1<<20+8192)
		for _, c := range []struct {
			name, raw, dialect string
			status             int
			msg                string
		}{
			{"control character in a header", "GET /admin/api/tenants HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", "admin", 400, "malformed HTTP request"},
			{"negative Content-Length", "POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "girasol", 400, "malformed HTTP request"},
			{"negative Content-Length, Codego", "POST /api/signup HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "codego", 400, "malformed HTTP request"},
			{"headers too large", "POST /api/signup HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", "codego", 431, "request headers too large"},
			{"headers too large, operator API", "GET /admin/api/tenants HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", "admin", 431, "request headers too large"},
			{"no Host", "GET /v1/accounts HTTP/1.1\r\n\r\n", "girasol", 400, "malformed HTTP request: missing required Host header"},
			{"unknown transfer coding", "POST /admin/api/tenants HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "admin", 501, "unsupported Transfer-Encoding"},
			{"malformed request line", "GET /v1/accounts\r\nHost: x\r\n\r\n", "girasol", 400, "malformed HTTP request"},
			{"absolute form", "GET http://x/v1/accounts HTTP/1.1\r\nHost: x\r\nX-A: \x7f\r\n\r\n", "girasol", 400, "malformed HTTP request"},
			{"not HTTP at all", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", "admin", 400, "malformed HTTP request"},
		} {
			t.Run(c.name, func(t *testing.T) {
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				go func() { _, _ = io.WriteString(conn, c.raw) }() // the server may answer before reading it all
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				var body map[string]any
				if err := json.Unmarshal(raw, &body); err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
					t.Fatalf("not JSON: %d %s", resp.StatusCode, raw)
				}
				if resp.Header.Get("X-Request-Id") == "" || !resp.Close {
					t.Errorf("want a request id and Connection: close: %v", resp.Header)
				}
				var msg any
				switch c.dialect {
				case "admin":
					e, _ := body["error"].(map[string]any)
					if resp.StatusCode != c.status || e["code"] != "invalid" || e["request_id"] == "" {
						t.Fatalf("operator envelope: %d %s", resp.StatusCode, raw)
					}
					msg = e["message"]
				case "codego":
					if resp.StatusCode != 200 || body["status"] != float64(0) || body["code"] != float64(400) {
						t.Fatalf("Codego envelope: %d %s", resp.StatusCode, raw)
					}
					msg = body["message"]
				case "girasol":
					if resp.StatusCode != c.status || body["statusCode"] != float64(c.status) || body["error"] != true ||
						body["path"] != "/v1/accounts" || body["timestamp"] == "" {
						t.Fatalf("Girasol envelope: %d %s", resp.StatusCode, raw)
					}
					msg = body["data"]
					if l, ok := msg.([]any); ok && len(l) == 1 {
						msg = l[0]
					}
				}
				if s, _ := msg.(string); !strings.HasPrefix(s, c.msg) {
					t.Errorf("message %q, want %q…", msg, c.msg)
				}
			})
		}
	})
}
