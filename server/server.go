// Package server assembles the HTTP surface of baas: both dialects, the admin API and the
// operator console on one mux, behind middleware for request ids, panic recovery, structured access logs and
// Prometheus metrics, plus /healthz, /readyz and /metrics.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/admin"
	"github.com/baas-oss/baas/api/codego"
	"github.com/baas-oss/baas/api/console"
	"github.com/baas-oss/baas/api/girasol"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/openapi"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configure the handler.
type Options struct {
	Core      *core.Service
	Log       *slog.Logger
	AdminAuth func(token string) bool
	Now       baas.Clock
	// Metrics is the registry /metrics serves; nil makes a new one.
	Metrics *prometheus.Registry
	// CodegoRateLimit is the requests per 10 s an API key may make on the Codego dialect:
	// 0 is the spec's 200, negative disables the limit (for load tests).
	CodegoRateLimit int
	// TLS says the server is served over TLS: the console's cookies are then Secure.
	TLS bool
}

// New returns the complete HTTP handler.
func New(o Options) http.Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	reg := o.Metrics
	if reg == nil {
		reg = NewRegistry()
	}
	m := newMetrics(reg)
	reg.MustRegister(newBatchCollector("p2p", "P2P transfers", core.P2PLeftOutReasons, o.Core.P2PBatchStats),
		newBatchCollector("card", "Card payments", core.CardLeftOutReasons, o.Core.CardBatchStats))

	mux := http.NewServeMux()
	gh, ch := registerAPIs(mux, o)
	console.New(console.Options{Core: o.Core, Log: o.Log, Auth: o.AdminAuth, Secure: o.TLS, Now: o.Now}).Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := o.Core.Ping(ctx); err != nil {
			o.Log.WarnContext(ctx, "readiness check failed", "err", err)
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "store": "unreachable"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "store": o.Core.Engine()})
	})
	// A collector that fails (the webhook backlog, read from the store at each scrape,
	// while the database is down) must not take the other metrics with it.
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg,
		ErrorHandling: promhttp.ContinueOnError}))
	notFound := func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusNotFound, map[string]any{"error": map[string]string{"code": "not_found", "message": "no route " + r.Method + " " + r.URL.Path}})
	}
	mux.HandleFunc("/", notFound)
	// ServeMux answers a path it would clean ("//", "/./", "/../") or complete with a slash
	// ("/v1") with a plain redirect. Clients of either API expect no redirects, only their
	// own envelope, so such paths get the dialect's 404 here, before the mux sees them.
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.EscapedPath(); r.Method == http.MethodConnect || !canonicalPath(p) {
			switch {
			case p == "/v1" || strings.HasPrefix(p, "/v1/"):
				gh.NotFound(w, r)
			case p == "/api" || strings.HasPrefix(p, "/api/"):
				ch.NotFound(w, r)
			default:
				notFound(w, r)
			}
			return
		}
		mux.ServeHTTP(w, r)
	})
	return middleware(root, o.Log, m)
}

// registerAPIs mounts both dialects and the operator API on mux.
func registerAPIs(mux httpx.Mux, o Options) (*girasol.Handler, *codego.Handler) {
	gh := girasol.New(o.Core, o.Log, o.Now)
	gh.Register(mux)
	ch := codego.New(o.Core, o.Log, o.Now, o.CodegoRateLimit)
	ch.Register(mux)
	admin.New(o.Core, o.Log, o.AdminAuth).Register(mux)
	registerReference(mux)
	return gh, ch
}

// registerReference mounts the API reference: the OpenAPI documents at /openapi/{name}.json
// and their rendered pages under /docs (openapi.Handler).
func registerReference(mux httpx.Mux) {
	h := openapi.Handler()
	for _, p := range openapi.Patterns {
		mux.Handle(p, h)
	}
}

// Routes returns every pattern of both dialects, the operator API and the API reference
// that New serves, as registered ("POST /v1/accounts/cash-in", "POST /api/signup", "GET
// /admin/api/tenants/{id}", "GET /docs", and each API's catch-all without a method): the
// list a test walks so that a new endpoint is covered without being named.
func Routes() []string {
	r := httpx.Record(nil)
	registerAPIs(r, Options{})
	return r.Patterns()
}

// canonicalPath reports whether the mux would route p as it is: p is clean (no empty, "."
// or ".." segments; a trailing slash is kept) and is not the bare name of a subtree.
func canonicalPath(p string) bool {
	if p == "" || p[0] != '/' || p == "/v1" || p == "/api" {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// recorder captures the status code written by a handler.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// middleware gives each request an id (the client's X-Request-Id when sane), recovers
// panics as a 500 without leaking them, logs one line per request (never bodies or
// secrets), and records metrics by route pattern.
func middleware(next http.Handler, log *slog.Logger, m *metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(httpx.RequestIDHeader)
		if !httpx.ValidRequestID(id) {
			id = httpx.NewRequestID()
		}
		w.Header().Set(httpx.RequestIDHeader, id)
		r = r.WithContext(baas.WithRequestID(r.Context(), id))
		r, note := httpx.WithNote(r)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic", "panic", p, "request_id", id, "method", r.Method, "route", r.Pattern)
				if rec.status == 0 {
					httpx.WriteJSON(rec, http.StatusInternalServerError, map[string]any{"error": map[string]string{
						"code": "internal", "message": "Internal error", "request_id": id}})
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			elapsed := time.Since(start)
			m.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
			m.duration.WithLabelValues(route, r.Method).Observe(elapsed.Seconds())
			// The duration in milliseconds with its unit, whatever the log format.
			attrs := append([]slog.Attr{
				slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", rec.status), slog.String("duration", fmt.Sprintf("%.3fms", float64(elapsed.Microseconds())/1000)),
				slog.String("tenant", note.Tenant)}, note.Attrs...)
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}
