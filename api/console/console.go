// Package console serves the operator console at /console: a server-rendered web
// application for the compliance team and the sandbox, on the same core calls as the
// operator API (api/admin). Sign-in exchanges the operator token for a session cookie;
// every form carries the session's CSRF token; templates and assets are embedded.
package console

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names.
const (
	sessionCookie = "baas_console"
	signInCookie  = "baas_console_signin" // the sign-in form's CSRF token, before a session exists
)

// Options configure the console.
type Options struct {
	Core *core.Service
	Log  *slog.Logger
	// Auth checks the operator token, as the operator API does.
	Auth func(token string) bool
	// Secure marks the cookies Secure: set it exactly when the server is served over TLS.
	Secure bool
	// Idle is how long a session lives without a request; 0 is 30 minutes.
	Idle time.Duration
	// Now is the clock; nil is the wall clock.
	Now baas.Clock
}

// Handler serves the console.
type Handler struct {
	core     *core.Service
	log      *slog.Logger
	auth     func(string) bool
	secure   bool
	now      baas.Clock
	sessions *sessions
	pages    map[string]*template.Template
	static   http.Handler
}

// MaxSession is the absolute lifetime of a session, however busy.
const MaxSession = 12 * time.Hour

// New returns the console handler.
func New(o Options) *Handler {
	if o.Idle <= 0 {
		o.Idle = 30 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Auth == nil {
		o.Auth = func(string) bool { return false }
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	sub, _ := fs.Sub(staticFS, "static")
	h := &Handler{core: o.Core, log: o.Log, auth: o.Auth, secure: o.Secure, now: o.Now,
		sessions: newSessions(o.Idle, MaxSession), pages: parsePages(), static: http.FileServerFS(sub)}
	return h
}

// parsePages parses each page template with the layout and the shared partials.
func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/_*.html"))
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(e, "templates/"), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, e))
	}
	return out
}

// Register mounts the console on mux.
func (h *Handler) Register(mux httpx.Mux) {
	mux.Handle("GET /console/static/{file}", h.public(h.serveStatic))
	mux.Handle("GET /console/sign-in", h.public(h.signInPage))
	mux.Handle("POST /console/sign-in", h.public(h.signIn))
	mux.Handle("POST /console/sign-out", h.authed(h.signOut))
	mux.Handle("GET /console/{$}", h.authed(func(c *call) error {
		http.Redirect(c.w, c.r, "/console/kyc", http.StatusSeeOther)
		return nil
	}))
	mux.Handle("GET /console", h.authed(func(c *call) error {
		http.Redirect(c.w, c.r, "/console/kyc", http.StatusSeeOther)
		return nil
	}))
	h.registerTenants(mux)  // tenants.go
	h.registerKYC(mux)      // kyc.go
	h.registerAccounts(mux) // accounts.go
	h.registerCards(mux)    // cards.go
	h.registerWebhooks(mux) // webhooks.go
	mux.Handle("/console/", h.authed(func(c *call) error {
		return baas.Errorf(baas.ENotFound, "there is no page here")
	}))
}

// call is one request to a console page.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	sess *session
	h    *Handler
}

type pageFunc func(c *call) error

// securityHeaders go on every console response: no inline script or style, no framing,
// no sniffing, no caching of operator data, no referrer leaking ids.
func securityHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// public serves a page that needs no session (sign-in and the static assets).
func (h *Handler) public(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w)
		c := &call{w: w, r: r, h: h}
		if err := fn(c); err != nil {
			h.fail(c, err)
		}
	})
}

// authed serves a page only within a live session; a POST also needs the session's CSRF
// token and, when the browser names one, this origin.
func (h *Handler) authed(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w)
		var id string
		if ck, err := r.Cookie(sessionCookie); err == nil {
			id = ck.Value
		}
		sess, expired := h.sessions.touch(id, h.now())
		if sess == nil {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprintln(w, "Sign in to the console first.")
				return
			}
			to := "/console/sign-in?next=" + url.QueryEscape(r.URL.RequestURI())
			if expired {
				to += "&expired=1"
			}
			if r.Header.Get("X-Console-Fragment") != "" {
				// The queue's refresh: a redirect would load the sign-in page into the table.
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		c := &call{w: w, r: r, sess: sess, h: h}
		c.r = r.WithContext(baas.WithActor(r.Context(), consoleActor(r)))
		if r.Method == http.MethodPost {
			if err := h.checkForm(c.r, sess.csrf); err != nil {
				h.fail(c, err)
				return
			}
		}
		if err := storable(c.r); err != nil {
			h.fail(c, err)
			return
		}
		if err := fn(c); err != nil {
			h.fail(c, err)
		}
	})
}

// errForbidden is the answer to a form without the right CSRF token or from elsewhere.
var errForbidden = baas.Errorf(baas.EForbidden, "this form has expired or did not come from the console; reload the page and try again")

// maxForm bounds a form body: the console's forms are small.
const maxForm = 64 << 10

func (h *Handler) checkForm(r *http.Request, token string) error {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return errForbidden
		}
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return baas.Invalid("the form could not be read")
	}
	if !sameToken(r.PostForm.Get("csrf"), token) {
		return errForbidden
	}
	return nil
}

// storable refuses what no store can hold (invalid UTF-8, NUL) in the path, the query or
// the form, as the operator API does: an id in the path names nothing, anything else is
// invalid.
func storable(r *http.Request) error {
	if name, inPath := field.UnstorableParam(r); inPath {
		return baas.Errorf(baas.ENotFound, "%s not found", name)
	} else if name != "" {
		return baas.Invalid(name + " must be valid UTF-8 without NUL characters")
	}
	for k, vs := range r.PostForm {
		for _, v := range append(vs, k) {
			if !field.Storable(v) {
				return baas.Invalid("the form's fields must be valid UTF-8 without NUL characters")
			}
		}
	}
	return nil
}

// consoleActor is the audit actor of a console request.
func consoleActor(r *http.Request) baas.Actor {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	return baas.Actor{ID: "operator", Source: baas.ActorSourceConsole, Address: addr}
}

func (h *Handler) serveStatic(c *call) error {
	c.w.Header().Set("Cache-Control", "public, max-age=3600")
	h.static.ServeHTTP(c.w, withPath(c.r, "/"+c.r.PathValue("file")))
	return nil
}

func withPath(r *http.Request, p string) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = p, ""
	r2.URL = &u
	return r2
}

func (h *Handler) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge, HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteStrictMode}
}

type signInData struct {
	Next    string
	Expired bool
	Token   string
}

func (h *Handler) signInPage(c *call) error {
	tok := randomToken()
	http.SetCookie(c.w, h.cookie(signInCookie, tok, 600))
	q := c.r.URL.Query()
	p := &page{Title: "Sign in", CSRF: tok, D: signInData{Next: safeNext(q.Get("next")), Expired: q.Get("expired") != ""}}
	return h.render(c, http.StatusOK, "signin", p)
}

// safeNext keeps a post-sign-in destination only when it is a console page.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/console/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") {
		return "/console/kyc"
	}
	return s
}

func (h *Handler) signIn(c *call) error {
	r := c.r
	r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return baas.Invalid("the form could not be read")
	}
	ck, err := r.Cookie(signInCookie)
	if err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		return errForbidden
	}
	next := safeNext(r.PostForm.Get("next"))
	if !h.auth(strings.TrimSpace(r.PostForm.Get("token"))) {
		tok := randomToken()
		http.SetCookie(c.w, h.cookie(signInCookie, tok, 600))
		p := &page{Title: "Sign in", CSRF: tok, D: signInData{Next: next},
			Fields: map[string]string{"token": "That is not the operator token."}}
		return h.render(c, http.StatusUnauthorized, "signin", p)
	}
	id, _ := h.sessions.open(h.now())
	http.SetCookie(c.w, h.cookie(signInCookie, "", -1))
	http.SetCookie(c.w, h.cookie(sessionCookie, id, 0))
	http.Redirect(c.w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) signOut(c *call) error {
	if ck, err := c.r.Cookie(sessionCookie); err == nil {
		h.sessions.close(ck.Value)
	}
	http.SetCookie(c.w, h.cookie(sessionCookie, "", -1))
	http.Redirect(c.w, c.r, "/console/sign-in?signed_out=1", http.StatusSeeOther)
	return nil
}

// page is what every template gets.
type page struct {
	Title  string
	Nav    string // the navigation entry to highlight
	CSRF   string
	Notice string
	Error  string            // an error about the whole form or page
	Fields map[string]string // errors beside their fields
	Form   url.Values        // what was sent, to fill a form again after an error
	D      any
}

func (c *call) page(title, nav string, d any) *page {
	p := &page{Title: title, Nav: nav, D: d, Notice: notices[c.r.URL.Query().Get("done")]}
	if c.sess != nil {
		p.CSRF = c.sess.csrf
	}
	return p
}

// notices are the messages a redirect after a form names by key (never text from the URL).
var notices = map[string]string{
	"verified": "The document is verified.", "rejected": "The document is rejected.",
	"accept": "The card order is accepted.", "ship": "The card is shipped.", "block": "The card is blocked.",
	"txn": "The sandbox transaction is recorded.", "resent": "The event is queued for delivery again.",
	"requeued": "The failed deliveries are queued for delivery again.",
	"funded":   "The float is funded.", "transfer": "The incoming transfer is booked.", "crypto": "The crypto deposit is booked.",
}

func (h *Handler) render(c *call, status int, name string, p *page) error {
	t, ok := h.pages[name]
	if !ok {
		return fmt.Errorf("console: no template %q", name)
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, name, p); err != nil {
		return fmt.Errorf("console: render %s: %w", name, err)
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write([]byte(buf.String()))
	return nil
}

var statusOf = map[baas.Code]int{
	baas.EInvalid:           http.StatusUnprocessableEntity,
	baas.ENotFound:          http.StatusNotFound,
	baas.EConflict:          http.StatusConflict,
	baas.EUnauthorized:      http.StatusUnauthorized,
	baas.EForbidden:         http.StatusForbidden,
	baas.EInsufficientFunds: http.StatusConflict,
	baas.EDeclined:          http.StatusConflict,
	baas.ERateLimited:       http.StatusTooManyRequests,
}

// fail shows an error page; an unknown error is logged and shown as an internal error.
func (h *Handler) fail(c *call, err error) {
	e := baas.AsError(err)
	status, ok := statusOf[e.Code]
	msg := e.Message
	if !ok {
		status, msg = http.StatusInternalServerError, "Something went wrong inside baas; the log has the details."
		h.log.ErrorContext(c.r.Context(), "console internal error", "err", err, "request_id", baas.RequestIDFrom(c.r.Context()))
	}
	p := c.page("Error", "", nil)
	p.Error = msg
	if rerr := h.render(c, status, "error", p); rerr != nil {
		h.log.ErrorContext(c.r.Context(), "console render", "err", rerr)
		http.Error(c.w, msg, status)
	}
}

// formError is what a form handler returns for a value it refused before calling the
// core: the page is shown again with the message beside the field.
type formError struct{ field, msg string }

func (e *formError) Error() string { return e.field + ": " + e.msg }

// fieldErrors turns a refusal into messages beside fields: a formError names its field, a
// core error names its fields (Fields) or is put beside fallback.
func fieldErrors(err error, fallback string) (map[string]string, bool) {
	var fe *formError
	if errors.As(err, &fe) {
		return map[string]string{fe.field: fe.msg}, true
	}
	e := baas.AsError(err)
	switch e.Code {
	case baas.EInvalid, baas.EConflict, baas.EInsufficientFunds, baas.EForbidden, baas.ENotFound, baas.EDeclined:
	default:
		return nil, false
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	if len(out) == 0 {
		out[fallback] = e.Message
	}
	return out, true
}

// queryInt reads an optional non-negative integer query parameter (a keyset cursor).
func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, baas.Invalid(name + " must be a whole number")
	}
	return n, nil
}

// pathInt reads an id from the path; one that cannot be an id names nothing.
func pathInt(r *http.Request, name, what string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, baas.Errorf(baas.ENotFound, "%s not found", what)
	}
	return n, nil
}

// PageSize is the rows of one page of every console list.
const PageSize = 50

// renderPart renders one template of a page alone (a fragment that console.js fetches).
func (h *Handler) renderPart(c *call, name, part string, p *page) error {
	t, ok := h.pages[name]
	if !ok {
		return fmt.Errorf("console: no template %q", name)
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, part, p); err != nil {
		return fmt.Errorf("console: render %s/%s: %w", name, part, err)
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = c.w.Write([]byte(buf.String()))
	return nil
}
