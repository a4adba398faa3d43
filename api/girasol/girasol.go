// Package girasol serves the Girasol dialect of the baas API (spec: girasol-api.txt): REST
// paths under /v1, credentials in the x-api-key / x-secret-key / x-company-id headers, and
// the {"statusCode","error","data"} envelope, with errors carrying "path" and "timestamp".
// Handlers only translate between HTTP and the core.
package girasol

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// Handler serves the Girasol routes.
type Handler struct {
	core *core.Service
	log  *slog.Logger
	now  baas.Clock
}

// New returns a Girasol handler over the core.
func New(svc *core.Service, log *slog.Logger, now baas.Clock) *Handler {
	if now == nil {
		now = time.Now
	}
	return &Handler{core: svc, log: log, now: now}
}

// Routes returns the patterns Register mounts, in registration order.
func (h *Handler) Routes() []string {
	r := httpx.Record(nil)
	h.Register(r)
	return r.Patterns()
}

// Register mounts the Girasol routes on mux.
func (h *Handler) Register(mux httpx.Mux) {
	mux.Handle("POST /v1/accounts/create-account", h.authed(h.createAccount))
	mux.Handle("PATCH /v1/accounts/change-account-status", h.authed(h.changeAccountStatus))
	mux.Handle("POST /v1/accounts/cash-in", h.authed(h.cashIn))
	mux.Handle("POST /v1/accounts/p2p-transaction", h.authed(h.p2p))
	mux.Handle("GET /v1/accounts/customer-info/{accountNumber}", h.authed(h.customerInfo))
	mux.Handle("GET /v1/accounts/customer-info-by-email/{email}", h.authed(h.customerInfoByEmail))
	mux.Handle("GET /v1/accounts/transactions/{accountNumber}", h.authed(h.transactions))
	h.registerCards(mux)                                                       // cards.go
	mux.Handle("POST /v1/cards/money-send", h.authed(h.moneySend))             // moneysend.go
	mux.Handle("POST /v1/top-up/new", h.authed(h.topUpNew))                    // topup.go
	mux.Handle("PATCH /v1/top-up/reverse", h.authed(h.topUpReverse))           // topup.go
	mux.Handle("PATCH /v1/top-up/validate", h.authed(h.topUpValidate))         // topup.go
	mux.Handle("GET /v1/accounts/qr-code/{accountNumber}", h.authed(h.qrCode)) // topup.go
	h.registerControls(mux)                                                    // controls.go
	h.registerSimulator(mux)                                                   // simulator.go
	mux.HandleFunc("/v1/", h.NotFound)
}

// NotFound answers a request no Girasol route takes, as NestJS does: 404 "Cannot GET /path".
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	h.writeError(w, r, http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path)
}

// response is what a Girasol handler returns on success.
type response struct {
	status   int
	data     any
	replayed bool
}

type handlerFunc func(ctx context.Context, r *http.Request, b *body) (*response, error)

// authed checks the credentials, reads and decodes the body, runs fn and writes the
// envelope.
func (h *Handler) authed(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiKey, secret := r.Header.Get("x-api-key"), r.Header.Get("x-secret-key")
		switch {
		case apiKey == "":
			h.writeError(w, r, http.StatusUnauthorized, "x-api-key header is required")
			return
		case secret == "":
			h.writeError(w, r, http.StatusUnauthorized, "x-secret-key header is required")
			return
		case r.Header.Get("x-company-id") == "":
			h.writeError(w, r, http.StatusUnauthorized, "x-company-id header is required")
			return
		}
		company := r.Header.Get("x-company-id")
		// A header may carry bytes no store holds: such a key is no key of ours.
		if !field.Storable(apiKey) || !field.Storable(secret) || !field.Storable(company) {
			h.fail(w, r, baas.Errorf(baas.EUnauthorized, "Unauthorized"))
			return
		}
		tenantID, err := h.core.AuthenticateGirasol(r.Context(), apiKey, secret, company)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if name, inPath := field.UnstorableParam(r); inPath {
			h.fail(w, r, accountNotFound)
			return
		} else if name != "" {
			h.fail(w, r, baas.Invalid(name+" must be valid UTF-8 without NUL characters"))
			return
		}
		httpx.SetTenant(r.Context(), tenantID)
		ctx := baas.WithTenant(r.Context(), tenantID)
		var b *body
		var raw []byte
		if r.Method != http.MethodGet {
			var ok bool
			if b, raw, ok = h.readBody(w, r); !ok {
				return
			}
			// companyId in the body, when sent, must be the authenticated company.
			if company := b.uuid("companyId"); company != "" && company != tenantID {
				h.writeError(w, r, http.StatusUnauthorized, "Unauthorized")
				return
			}
		}
		ctx = withRequest(ctx, r, raw)
		res, err := fn(ctx, r, b)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		httpx.MarkReplayed(w, res.replayed)
		httpx.WriteJSON(w, res.status, envelope{StatusCode: res.status, Data: res.data})
	})
}

// readBody reads and decodes a request's JSON body; when it cannot, it writes the error
// answer and ok is false.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) (b *body, raw []byte, ok bool) {
	raw, err := httpx.ReadBody(r, httpx.MaxJSONBody)
	if errors.Is(err, httpx.ErrTooLarge) {
		h.writeError(w, r, http.StatusRequestEntityTooLarge, "request entity too large")
		return nil, nil, false
	}
	if err != nil {
		h.writeError(w, r, http.StatusBadRequest, "could not read request body")
		return nil, nil, false
	}
	b, msgs := decodeBody(raw)
	if msgs != nil {
		h.writeError(w, r, http.StatusBadRequest, msgs)
		return nil, nil, false
	}
	return b, raw, true
}

type rawKey struct{}

func withRequest(ctx context.Context, r *http.Request, raw []byte) context.Context {
	return context.WithValue(ctx, rawKey{}, raw)
}

// idem reads the request's Idempotency-Key.
func idem(ctx context.Context, r *http.Request) (core.Idempotency, error) {
	raw, _ := ctx.Value(rawKey{}).([]byte)
	return httpx.Idempotency(r, raw)
}

// invalid turns body messages into a validation error, or nil when there are none.
// done ends the decoding of a money-moving or creating request: the field problems
// collected so far as one validation error, else the request's Idempotency-Key.
func (b *body) done(ctx context.Context, r *http.Request) (core.Idempotency, error) {
	if err := invalid(b.finish()); err != nil {
		return core.Idempotency{}, err
	}
	return idem(ctx, r)
}

// phone checks an optional phone number by the core's rule.
func (b *body) phone(v string) {
	if v != "" && !core.ValidPhone(v) {
		b.fail("phone must be a valid phone number")
	}
}

func invalid(msgs []string) error {
	if len(msgs) == 0 {
		return nil
	}
	return baas.Invalid(msgs...)
}

// fail writes err in the Girasol error envelope: one table from domain code to status.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := baas.AsError(err)
	var status int
	var data any
	switch e.Code {
	case baas.EInvalid:
		status, data = http.StatusBadRequest, e.Details
		if len(e.Details) == 0 {
			data = []string{e.Message}
		}
	case baas.ENotFound:
		status, data = http.StatusNotFound, e.Message
	case baas.EConflict, baas.EInsufficientFunds, baas.EDeclined:
		status, data = http.StatusConflict, e.Message
		if e.Reason != "" {
			data = " errorDefinitions." + e.Reason + " "
		}
	case baas.EUnauthorized:
		status, data = http.StatusUnauthorized, "Unauthorized"
	case baas.EForbidden:
		status, data = http.StatusForbidden, "Forbidden resource"
	case baas.ERateLimited:
		status, data = http.StatusTooManyRequests, "ThrottlerException: Too Many Requests"
	default:
		status, data = http.StatusInternalServerError, "Internal server error"
		h.log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", baas.RequestIDFrom(r.Context()),
			"method", r.Method, "route", r.Pattern)
	}
	h.writeError(w, r, status, data)
}

// writeError writes the Girasol error envelope.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, status int, data any) {
	httpx.WriteJSON(w, status, envelope{StatusCode: status, Error: true, Path: r.URL.Path, Timestamp: timestamp(h.now()), Data: data})
}

// envelope is the Girasol response shape, keys in the spec's order.
type envelope struct {
	StatusCode int    `json:"statusCode"`
	Error      bool   `json:"error"`
	Path       string `json:"path,omitempty"`
	Timestamp  string `json:"timestamp,omitempty"`
	Data       any    `json:"data"`
}

// timestamp renders times as the spec does: ISO 8601 UTC with milliseconds.
func timestamp(t time.Time) string { return httpx.Time(t) }

// Account statuses as numbers: 1 active, 2 inactive (docs/girasol.md explains the choice).
const (
	statusActive   = 1
	statusInactive = 2
)

func statusNumber(s string) int {
	if s == baas.AccountInactive {
		return statusInactive
	}
	return statusActive
}

func pathAccountNumber(r *http.Request) (int64, error) {
	s := r.PathValue("accountNumber")
	var n int64
	if s == "" || len(s) > 12 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, baas.Invalid("accountNumber must be a number string")
	}
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	if !core.ValidAccountNumber(n) {
		return 0, baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
	}
	return n, nil
}
