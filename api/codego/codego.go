// Package codego serves the Codego dialect of the baas API (spec: codego-api.txt):
// POST /api/<name>, credentials as the examples send them (clientkey/secretkey headers for
// an auth token, then the authtoken header; apikey and whitelabel_id in the JSON body, a
// form field, the query or HTTP Basic), and the {"status":1,...} /
// {"status":0,"code":N,"message":"..."} envelope, errors with HTTP 200 as the vendor does
// (except the rate limit: 429 with Retry-After). Handlers only translate between HTTP and
// the core; docs/codego.md lists every reading of the spec.
package codego

import (
	"context"
	"database/sql/driver"
	"errors"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// Handler serves the Codego routes.
type Handler struct {
	core  *core.Service
	log   *slog.Logger
	now   baas.Clock
	limit *limiter
}

// New returns a Codego handler over the core. rateLimit is the number of requests an API
// key may make per 10 seconds: 0 means the spec's 200, a negative number no limit.
func New(svc *core.Service, log *slog.Logger, now baas.Clock, rateLimit int) *Handler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if rateLimit == 0 {
		rateLimit = DefaultRateLimit
	}
	h := &Handler{core: svc, log: log, now: now}
	if rateLimit > 0 {
		h.limit = newLimiter(rateLimit)
	}
	return h
}

// Routes returns the patterns Register mounts: POST /api/<name> for every API of the
// dispatch table, in name order, then the catch-all.
func (h *Handler) Routes() []string {
	r := httpx.Record(nil)
	h.Register(r)
	return r.Patterns()
}

// Register mounts the Codego routes on mux: one pattern per API, so that logs and metrics
// name the API.
func (h *Handler) Register(mux httpx.Mux) {
	for _, name := range slices.Sorted(maps.Keys(endpoints)) {
		ep := endpoints[name]
		mux.HandleFunc("POST /api/"+name, func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, ep) })
	}
	mux.HandleFunc("/api/", h.NotFound)
}

// NotFound answers a request no Codego API takes, in the Codego error envelope: a POST
// names the API that does not exist; another method is told that every API is a POST.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	name, isAPI := strings.CutPrefix(r.URL.Path, "/api/")
	if r.Method == http.MethodPost && isAPI && name != "" && !strings.Contains(name, "/") {
		h.fail(w, r, baas.Reasonf(baas.ENotFound, "NO_ROUTE", "Could not found: there is no Codego API named %s",
			truncate(name, 100)))
		return
	}
	h.fail(w, r, baas.Reasonf(baas.ENotFound, "NO_ROUTE", "Could not found: %s %s (every Codego API is POST /api/<name>)",
		r.Method, truncate(r.URL.Path, 100)))
}

// auth is what an endpoint needs before it runs.
type auth int

const (
	authKeys  auth = iota // clientkey, secretkey, apikey, whitelabel_id: authentication itself
	authToken             // apikey, whitelabel_id and a live authtoken
)

// endpoint is one Codego API.
type endpoint struct {
	auth   auth
	upload bool // takes files: a larger body limit
	run    func(h *Handler, ctx context.Context, req *request, s *session) (any, error)
}

// session is the authenticated caller.
type session struct {
	tenantID string
	token    string
}

// endpoints maps every API name of the spec, its misspellings and their corrections.
var endpoints = map[string]endpoint{
	"authenticaion":        {authKeys, false, (*Handler).authenticate},
	"authentication":       {authKeys, false, (*Handler).authenticate},
	"refreshtoken":         {authToken, false, (*Handler).refreshToken},
	"refresh_token":        {authToken, false, (*Handler).refreshToken},
	"countries_list":       {authToken, false, (*Handler).countries},
	"nationality":          {authToken, false, (*Handler).nationality},
	"nationality_list":     {authToken, false, (*Handler).nationality},
	"income_source":        {authToken, false, (*Handler).incomeSources},
	"income_soruce":        {authToken, false, (*Handler).incomeSources},
	"documents_list":       {authToken, false, (*Handler).documents},
	"kyc_document_list":    {authToken, false, (*Handler).documents},
	"signup":               {authToken, false, (*Handler).signup},
	"upload_id_proof":      {authToken, true, (*Handler).uploadIDProof},
	"address_proof":        {authToken, true, (*Handler).addressProof},
	"check_remaining_card": {authToken, false, (*Handler).remainingCards},
	"get_shipping_cost":    {authToken, false, (*Handler).shippingCost},
	"check_kyc_status":     {authToken, false, (*Handler).kycStatus},
	"account_detail":       {authToken, false, (*Handler).accountDetail},
	// The card APIs (cards.go).
	"debitcard_card_order":      {authToken, false, (*Handler).debitCardOrder},
	"debitcard_activate":        {authToken, false, (*Handler).debitCardActivate},
	"debitcard_details":         {authToken, false, (*Handler).debitCardDetails},
	"debitcard_settings":        {authToken, false, (*Handler).debitCardSettings},
	"prepaid_card_order":        {authToken, false, (*Handler).prepaidCardOrder},
	"prepaid_card_activate":     {authToken, false, (*Handler).prepaidCardActivate},
	"prepaid_card_details":      {authToken, false, (*Handler).prepaidCardDetails},
	"prepaid_card_settings":     {authToken, false, (*Handler).prepaidCardSettings},
	"prepaid_load_balance_card": {authToken, false, (*Handler).prepaidLoad},
	"reset_card_pin":            {authToken, false, (*Handler).resetCardPIN},
	"replace_stolen_card":       {authToken, false, (*Handler).replaceStolenCard},
	// cardtxn.go
	"debitcard_trx":            {authToken, false, (*Handler).debitCardTrx},
	"prepaid_card_transaction": {authToken, false, (*Handler).prepaidCardTransaction},
	// crypto.go
	"crypto_getCoinList":           {authToken, false, (*Handler).coinList},
	"crypto_generateWaletAddress":  {authToken, false, (*Handler).generateWallet},
	"crypto_generateWalletAddress": {authToken, false, (*Handler).generateWallet},
	"crypto_getWalletAddress":      {authToken, false, (*Handler).wallets},
	"crypto_getWalletAddresss":     {authToken, false, (*Handler).wallets},
	// float.go
	"admin_float_balance": {authToken, false, (*Handler).floatBalance},
	"admin_float_trxs":    {authToken, false, (*Handler).floatTrxs},
	"admin_float_trx":     {authToken, false, (*Handler).floatTrx},
}

// serve runs one Codego API: decode, rate-limit, authenticate, run, answer.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, ep endpoint) {
	limit := int64(maxBody)
	if ep.upload {
		limit = maxUploadBody
	}
	req, err := parseRequest(w, r, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	apiKey, whitelabel := req.apiKeys()
	if err := req.textErr(); err != nil {
		h.fail(w, r, err)
		return
	}
	if h.limit != nil {
		if ok, wait := h.limit.take(r, apiKey, h.now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
			h.fail(w, r, baas.Errorf(baas.ERateLimited, "Too many requests: the limit is %d requests per 10 seconds", h.limit.perWindow))
			return
		}
	}
	ctx := r.Context()
	s := &session{}
	switch ep.auth {
	case authKeys:
		s.tenantID, err = h.login(ctx, req, apiKey, whitelabel, s)
	case authToken:
		s.tenantID, err = h.core.AuthenticateAPIKey(ctx, apiKey, whitelabel)
		if err == nil {
			s.token = req.credential("authtoken", "auth_token")
			if err = req.textErr(); err == nil {
				err = h.core.CheckSession(ctx, s.tenantID, s.token)
			}
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.limit != nil {
		h.limit.learn(apiKey, h.now())
	}
	httpx.SetTenant(ctx, s.tenantID)
	res, err := ep.run(h, baas.WithTenant(ctx, s.tenantID), req, s)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.Annotate(ctx, slog.Int("codego_status", 1))
	httpx.WriteJSON(w, http.StatusOK, res)
}

// errorBody is the Codego error envelope. errors lists every problem of a request that
// failed validation (message is the first).
type errorBody struct {
	Status  int      `json:"status"`
	Code    int      `json:"code"`
	Message string   `json:"message"`
	Errors  []string `json:"errors,omitempty"`
}

// Codego error codes (the table at the end of the spec).
const (
	codeError         = 0   // an error of the API's rules ("Return error in api")
	codeTokenNotFound = 201 // Auth token not existed
	codeLicense       = 202 // Wrong license key
	codeKeysEmpty     = 203 // clientkey or secretkey is empty
	codeKeysWrong     = 204 // Authentication key were missing or incorrect
	codeTokenRequired = 205 // Authentication key required
	codeInvalid       = 400 // Bad Request
	codeTokenInvalid  = 401 // Token is invalid
	codeNotFound      = 404 // Could Not found
	codeRateLimited   = 429 // not in the spec's table: the rate limit
	codeGeneric       = 502 // Bad Gateway (There was a generic error.)
	codeConnection    = 503 // Bad Gateway (There was a connection error.)
)

// authCodes gives each authentication failure its code.
var authCodes = map[string]int{
	core.ReasonClientKeysEmpty: codeKeysEmpty,
	core.ReasonAuthKeysWrong:   codeKeysWrong,
	core.ReasonAPIKeyMissing:   codeKeysWrong,
	core.ReasonLicenseWrong:    codeLicense,
	core.ReasonTokenRequired:   codeTokenRequired,
	core.ReasonTokenNotFound:   codeTokenNotFound,
	core.ReasonTokenInvalid:    codeTokenInvalid,
}

// fail writes err in the Codego error envelope: the one table from domain error to code.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := wordFields(baas.AsError(err))
	body := errorBody{Status: 0, Message: e.Message}
	if m, ok := messages[e.Reason]; ok {
		body.Message = m
	}
	status := http.StatusOK
	switch e.Code {
	case baas.EInvalid:
		body.Code = codeInvalid
		if len(e.Details) > 1 {
			body.Errors = e.Details
		}
	case baas.ENotFound:
		body.Code = codeNotFound
	case baas.EUnauthorized:
		body.Code = codeKeysWrong
		if c, ok := authCodes[e.Reason]; ok {
			body.Code = c
		}
	case baas.EConflict, baas.EForbidden, baas.EDeclined, baas.EInsufficientFunds:
		body.Code = codeError
	case baas.ERateLimited:
		body.Code, status = codeRateLimited, http.StatusTooManyRequests
	default:
		body.Code, body.Message = codeGeneric, "Bad Gateway (There was a generic error.)"
		if connectionError(err) {
			body.Code, body.Message = codeConnection, "Bad Gateway (There was a connection error.)"
		}
		h.log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", baas.RequestIDFrom(r.Context()),
			"method", r.Method, "route", r.Pattern)
	}
	// The access log says what the client saw: an error is HTTP 200 in this dialect.
	httpx.Annotate(r.Context(), slog.Int("codego_status", 0), slog.Int("codego_code", body.Code))
	httpx.WriteJSON(w, status, body)
}

// connectionError reports whether err comes from an unreachable database.
func connectionError(err error) bool {
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &ne)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
