// Package admin serves the operator API under /admin/api: tenants and their credentials,
// master-account funding, the ledger check, KYC review and settings, tenants' webhook
// endpoints, events and deliveries (with re-sending), and real-time authorization
// settings and calls. Every call needs the operator bearer token. Errors are
// {"error":{"code","message","details"}}.
package admin

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// Handler serves the admin API.
type Handler struct {
	core *core.Service
	log  *slog.Logger
	auth func(token string) bool
}

// New returns an admin handler; auth checks operator tokens.
func New(svc *core.Service, log *slog.Logger, auth func(token string) bool) *Handler {
	return &Handler{core: svc, log: log, auth: auth}
}

// Routes returns the patterns Register mounts, in registration order.
func (h *Handler) Routes() []string {
	r := httpx.Record(nil)
	h.Register(r)
	return r.Patterns()
}

// Register mounts the admin routes on mux.
func (h *Handler) Register(mux httpx.Mux) {
	mux.Handle("POST /admin/api/tenants", h.authed(h.createTenant))
	mux.Handle("GET /admin/api/tenants", h.authed(h.listTenants))
	mux.Handle("GET /admin/api/tenants/{id}", h.authed(h.getTenant))
	mux.Handle("POST /admin/api/tenants/{id}/fund", h.authed(h.fund))
	mux.Handle("GET /admin/api/tenants/{id}/accounts", h.authed(h.listAccounts))
	mux.Handle("GET /admin/api/ledger/verify", h.authed(h.verify))
	h.registerKYC(mux) // kyc.go
	h.registerWebhooks(mux)
	h.registerAudit(mux)         // audit.go
	h.registerCards(mux)         // cards.go
	h.registerRegion(mux)        // region.go
	h.registerSandbox(mux)       // sandbox.go
	h.registerCardLoads(mux)     // cardloads.go
	h.registerSandboxCrypto(mux) // crypto.go
	h.registerGiftcardFees(mux)  // giftcardfees.go
	mux.Handle("/admin/api/", h.authed(func(w http.ResponseWriter, r *http.Request) error {
		return baas.Errorf(baas.ENotFound, "no route %s %s", r.Method, r.URL.Path)
	}))
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *Handler) authed(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok || !h.auth(token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="baas-admin"`)
			h.fail(w, r, baas.Errorf(baas.EUnauthorized, "a valid operator bearer token is required"))
			return
		}
		r = r.WithContext(baas.WithActor(r.Context(), operatorActor(r))) // audit.go
		if name, inPath := field.UnstorableParam(r); inPath {
			// An id no store can hold names nothing that exists.
			h.fail(w, r, baas.Errorf(baas.ENotFound, "%s not found", name))
			return
		} else if name != "" {
			h.fail(w, r, baas.Invalid(name+" must be valid UTF-8 without NUL characters"))
			return
		}
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// bearerToken reads the credentials of the Bearer scheme, whose name is matched without
// regard to case (RFC 7235, RFC 6750).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return strings.TrimSpace(token), ok && strings.EqualFold(scheme, "Bearer")
}

var statusOf = map[baas.Code]int{
	baas.EInvalid:           http.StatusBadRequest,
	baas.ENotFound:          http.StatusNotFound,
	baas.EConflict:          http.StatusConflict,
	baas.EUnauthorized:      http.StatusUnauthorized,
	baas.EForbidden:         http.StatusForbidden,
	baas.EInsufficientFunds: http.StatusConflict,
	baas.EDeclined:          http.StatusPaymentRequired,
	baas.ERateLimited:       http.StatusTooManyRequests,
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := baas.AsError(err)
	status, ok := statusOf[e.Code]
	msg := e.Message
	if !ok {
		status, msg = http.StatusInternalServerError, "Internal error"
		h.log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", baas.RequestIDFrom(r.Context()))
	}
	body := map[string]any{"code": string(e.Code), "message": msg, "request_id": baas.RequestIDFrom(r.Context())}
	if e.Reason != "" && ok {
		body["reason"] = e.Reason
	}
	if len(e.Details) > 0 {
		body["details"] = e.Details
	}
	httpx.WriteJSON(w, status, map[string]any{"error": body})
}

func (h *Handler) createTenant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name    string `json:"name"`
		Sandbox *bool  `json:"sandbox"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	creds, err := h.core.CreateTenant(r.Context(), core.CreateTenantParams{Name: in.Name, Sandbox: core.TenantSandbox(in.Sandbox)})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, creds)
	return nil
}

type tenantView struct {
	ID           string `json:"tenant_id"`
	Name         string `json:"name"`
	CompanyID    string `json:"company_id"`
	WhitelabelID string `json:"whitelabel_id"`
	Sandbox      bool   `json:"sandbox"`
	CreatedAt    string `json:"created_at"`
}

func viewTenant(t *baas.Tenant) tenantView {
	return tenantView{ID: t.ID, Name: t.Name, CompanyID: t.CompanyID, WhitelabelID: t.WhitelabelID, Sandbox: t.Sandbox,
		CreatedAt: httpx.Time(t.CreatedAt)}
}

// listTenants: GET /admin/api/tenants?after=&limit= — in creation order, a keyset page;
// next_after is present when the page is full.
func (h *Handler) listTenants(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r, core.TenantPages)
	if err != nil {
		return err
	}
	ts, err := h.core.ListTenantPage(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, TenantsPage(ts, limit))
	return nil
}

func (h *Handler) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := h.core.GetTenant(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := map[string]any{"tenant": viewTenant(t)}
	// A tenant without a master account in the master currency is answered without one;
	// any other error is the store's, and is answered as such.
	m, err := h.core.MasterBalance(r.Context(), t.ID, h.core.Config().MasterCurrency)
	switch {
	case err == nil:
		v["master_account"] = map[string]any{"currency": m.Currency, "balance": m.Balance}
	case !baas.IsCode(err, baas.ENotFound):
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) fund(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Amount      int64  `json:"amount" want:"an integer number of minor units"`
		Currency    string `json:"currency"`
		Description string `json:"description"`
	}
	raw, err := decode(r, &in)
	if err != nil {
		return err
	}
	idem, err := httpx.Idempotency(r, raw)
	if err != nil {
		return err
	}
	res, replayed, err := h.core.FundMaster(r.Context(), core.FundMasterParams{TenantID: r.PathValue("id"),
		Amount: in.Amount, Currency: in.Currency, Description: in.Description, Idem: idem})
	if err != nil {
		return err
	}
	httpx.MarkReplayed(w, replayed)
	httpx.WriteJSON(w, http.StatusCreated, res)
	return nil
}

// listAccounts: GET /admin/api/tenants/{id}/accounts?kind=&after=&limit= — one snapshot.
func (h *Handler) listAccounts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := baas.AccountListFilter{TenantID: r.PathValue("id"), Kind: q.Get("kind")}
	var err error
	if f.AfterID, err = queryCursor(r, "after", 0); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(r, core.AccountPages); err != nil {
		return err
	}
	accounts, err := h.core.ListAccounts(r.Context(), f)
	if err != nil {
		return err
	}
	type view struct {
		ID            int64  `json:"id"`
		Kind          string `json:"kind"`
		Number        int64  `json:"number,omitempty"`
		CustomerID    string `json:"customer_id,omitempty"`
		Currency      string `json:"currency"`
		Balance       int64  `json:"balance"`
		Held          int64  `json:"held"`
		Available     int64  `json:"available"`
		AllowNegative bool   `json:"allow_negative"`
		Status        string `json:"status"`
	}
	out := make([]view, 0, len(accounts))
	for _, a := range accounts {
		out = append(out, view{a.ID, a.Kind, a.Number, a.CustomerID, a.Currency, a.Balance, a.Held, a.Available(), a.AllowNegative, a.Status})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"accounts": out})
	return nil
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.core.VerifyLedger(r.Context())
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !rep.OK {
		status = http.StatusConflict
	}
	httpx.WriteJSON(w, status, rep)
	return nil
}
