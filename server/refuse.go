package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
)

// Go's HTTP server answers a request it cannot read (a malformed request line, a control
// character in a header, a bad Content-Length, headers over MaxHeaderBytes, an unknown
// transfer coding) itself, in plain text, before any handler runs. Listener rewrites
// those answers into the envelope of the API the request line names.

// Listener returns ln with its connections wrapped so that the answers Go's HTTP server
// writes itself to requests it cannot read are written in the envelope of the API the
// request's path names (/v1: Girasol's, /api: Codego's, anything else the operator API's)
// with the status Go chose, a request id, and "Connection: close". now stamps Girasol's
// envelope (nil: the wall clock). It is for plain HTTP: under TLS the server sees the
// connections only after the handshake, and its own answers stay as Go writes them.
func Listener(ln net.Listener, now baas.Clock) net.Listener {
	if now == nil {
		now = time.Now
	}
	return &refusingListener{Listener: ln, now: now}
}

type refusingListener struct {
	net.Listener
	now baas.Clock
}

func (l *refusingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &refusingConn{Conn: c, now: l.now}, nil
}

// headMax is how much of a request's first bytes a connection keeps: enough for the
// method and the start of the path.
const headMax = 1024

// refusingConn keeps the first bytes of the request being read (the request line) and
// rewrites Go's own refusal of it.
type refusingConn struct {
	net.Conn
	now      baas.Clock
	mu       sync.Mutex
	head     []byte
	answered bool // an answer was written since head was started: the next read starts anew
}

func (c *refusingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if c.answered {
		c.head, c.answered = c.head[:0], false
	}
	if room := headMax - len(c.head); room > 0 && n > 0 {
		c.head = append(c.head, p[:min(n, room)]...)
	}
	c.mu.Unlock()
	return n, err
}

// goRefusal is an answer Go's server writes itself, in one Write: a status line, exactly
// these two headers (no Date, which every handler's answer has), and a short text.
var goRefusal = regexp.MustCompile(`\AHTTP/1\.1 ([45]\d\d) [^\r\n]*\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n([^\r\n]{0,200})\z`)

func (c *refusingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	head := string(c.head)
	c.answered = true
	c.mu.Unlock()
	m := goRefusal.FindSubmatch(p)
	if m == nil {
		return c.Conn.Write(p)
	}
	status, _ := strconv.Atoi(string(m[1]))
	if _, err := c.Conn.Write(refusal(head, status, string(m[2]), c.now())); err != nil {
		return 0, err
	}
	return len(p), nil
}

// refusal is the whole HTTP answer to a request that Go's server refused with status and
// text; head is the start of the request as read.
func refusal(head string, status int, text string, now time.Time) []byte {
	path := requestPath(head)
	msg := refusalMessage(status, text)
	id := httpx.NewRequestID()
	var body any
	httpStatus := status
	switch {
	case path == "/v1" || strings.HasPrefix(path, "/v1/"):
		var data any = msg
		if status == http.StatusBadRequest {
			data = []string{msg}
		}
		body = map[string]any{"statusCode": status, "error": true, "path": path, "timestamp": httpx.Time(now), "data": data}
	case path == "/api" || strings.HasPrefix(path, "/api/"):
		// Codego answers everything with HTTP 200 (docs/codego.md); a malformed request is
		// its 400 ("Bad Request").
		httpStatus = http.StatusOK
		body = map[string]any{"status": 0, "code": 400, "message": msg}
	default:
		body = map[string]any{"error": map[string]string{"code": string(baas.EInvalid), "message": msg, "request_id": id}}
	}
	b, _ := json.Marshal(body)
	var out bytes.Buffer
	fmt.Fprintf(&out, "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n%s: %s\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n", httpStatus, http.StatusText(httpStatus), httpx.RequestIDHeader, id, len(b))
	out.Write(b)
	return out.Bytes()
}

// refusalMessage words Go's refusal for the client.
func refusalMessage(status int, text string) string {
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		return "request headers too large"
	case http.StatusNotImplemented:
		return "unsupported Transfer-Encoding: only chunked is accepted"
	}
	if _, detail, ok := strings.Cut(text, ": "); ok {
		return "malformed HTTP request: " + detail
	}
	return "malformed HTTP request"
}

// requestPath reads the path of the request line at the start of head, as far as it can
// be read ("" when it cannot); a path in absolute form loses its scheme and host.
func requestPath(head string) string {
	head = strings.TrimLeft(head, "\r\n")
	line, _, _ := strings.Cut(head, "\n")
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return ""
	}
	path := fields[1]
	if i := strings.Index(path, "://"); i >= 0 {
		rest := path[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			path = rest[j:]
		} else {
			path = "/"
		}
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	return path
}
