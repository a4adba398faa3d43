package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
)

// Tenants: the list, creation (credentials shown once), one tenant's settings as the
// core keeps them, its float with funding behind a confirmation step, and the sandbox's
// incoming transfers and crypto deposits.

func (h *Handler) registerTenants(mux httpx.Mux) {
	mux.Handle("GET /console/tenants", h.authed(h.tenantList))
	mux.Handle("POST /console/tenants", h.authed(h.createTenant))
	mux.Handle("GET /console/tenants/{id}", h.authed(h.tenantPage))
	mux.Handle("POST /console/tenants/{id}/fund", h.authed(h.fund))
	mux.Handle("POST /console/tenants/{id}/sandbox/incoming-transfer", h.authed(h.incomingTransfer))
	mux.Handle("POST /console/tenants/{id}/sandbox/crypto-deposit", h.authed(h.cryptoDeposit))
}

type tenantListData struct {
	Tenants []*baas.Tenant
	Next    string
	Created *core.TenantCredentials
}

// tenantList pages the tenants in creation order, by keyset.
func (h *Handler) tenantList(c *call) error { return h.showTenants(c, http.StatusOK, nil, nil) }

func (h *Handler) showTenants(c *call, status int, fields map[string]string, created *core.TenantCredentials) error {
	d := &tenantListData{Created: created}
	var err error
	if d.Tenants, err = h.core.ListTenantPage(c.r.Context(), c.r.URL.Query().Get("after"), PageSize); err != nil {
		return err
	}
	if len(d.Tenants) == PageSize {
		d.Next = d.Tenants[PageSize-1].ID
	}
	p := c.page("Tenants", "tenants", d)
	p.Fields = fields
	if c.r.Method == http.MethodPost && created == nil {
		p.Form = c.r.PostForm
	}
	return h.render(c, status, "tenants", p)
}

func (h *Handler) createTenant(c *call) error {
	sandbox := c.r.PostForm.Get("mode") != "live"
	creds, err := h.core.CreateTenant(c.r.Context(), core.CreateTenantParams{Name: strings.TrimSpace(c.r.PostForm.Get("name")),
		Sandbox: core.TenantSandbox(&sandbox)})
	if fields, ok := fieldErrors(err, "name"); ok {
		return h.showTenants(c, http.StatusUnprocessableEntity, fields, nil)
	}
	if err != nil {
		return err
	}
	// The secrets are on this response only: the core keeps hashes.
	return h.showTenants(c, http.StatusCreated, nil, creds)
}

type tenantData struct {
	Tenant        *baas.Tenant
	Float         *baas.Account
	Movements     []core.FloatMovement
	Cards         *baas.CardSettings
	DataKey       *core.CardDataKey
	Products      []*core.CardProductConfig
	Authorization *core.AuthorizationSettingsView
	KYC           *baas.KYCSettings
	Loads         *core.CardLoadLimits
	Region        *baas.TenantRegion
	Confirm       *fundConfirm
}

type fundConfirm struct {
	Amount, Currency, Description, Key string
	Minor                              int64
}

// maxMovements is how many float movements the tenant page shows (newest first).
const maxMovements = PageSize

func (h *Handler) tenantPage(c *call) error { return h.showTenant(c, http.StatusOK, nil, nil) }

func (h *Handler) showTenant(c *call, status int, fields map[string]string, confirm *fundConfirm) error {
	ctx := c.r.Context()
	t, err := h.core.GetTenant(ctx, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := &tenantData{Tenant: t, Confirm: confirm}
	tctx := baas.WithTenant(ctx, t.ID)
	if d.Float, err = h.core.MasterBalance(ctx, t.ID, core.FloatCurrency); err != nil && !baas.IsCode(err, baas.ENotFound) {
		return err
	}
	ms, _, err := h.core.FloatMovements(tctx, core.FloatFilter{Limit: maxMovements})
	if err != nil {
		return err
	}
	d.Movements = ms
	if d.Cards, err = h.core.GetCardSettings(ctx, t.ID); err != nil {
		return err
	}
	if d.DataKey, err = h.core.GetCardDataKey(ctx, t.ID); err != nil && !baas.IsCode(err, baas.ENotFound) {
		return err
	}
	for _, p := range core.CardProducts() {
		cp, err := h.core.GetCardProduct(ctx, t.ID, p.Name)
		if err != nil {
			return err
		}
		d.Products = append(d.Products, cp)
	}
	if d.Authorization, err = h.core.GetAuthorizationSettings(ctx, t.ID); err != nil {
		return err
	}
	if d.KYC, err = h.core.KYCSettings(ctx, t.ID); err != nil {
		return err
	}
	if d.Loads, err = h.core.GetCardLoadLimits(ctx, t.ID); err != nil {
		return err
	}
	if d.Region, err = h.core.GetTenantRegion(ctx, t.ID); err != nil {
		return err
	}
	p := c.page(t.Name, "tenants", d)
	p.Fields = fields
	if c.r.Method == http.MethodPost {
		p.Form = c.r.PostForm
	}
	return h.render(c, status, "tenant", p)
}

// fund is the float's funding in two steps: the first shows what will happen and gives
// the form an idempotency key; the second (confirm=yes) books it through core.FundMaster
// with that key, so a form sent twice funds once.
func (h *Handler) fund(c *call) error {
	f := c.r.PostForm
	cur := strings.ToUpper(strings.TrimSpace(f.Get("currency")))
	if cur == "" {
		cur = core.FloatCurrency
	}
	if _, ok := money.Lookup(cur); !ok {
		return h.showTenant(c, http.StatusUnprocessableEntity, map[string]string{"currency": "That is not a currency code."}, nil)
	}
	amt := strings.TrimSpace(f.Get("amount"))
	minor, err := money.Parse(amt, cur)
	if err != nil || minor <= 0 {
		return h.showTenant(c, http.StatusUnprocessableEntity, map[string]string{"amount": "Write a positive amount such as 1000.00."}, nil)
	}
	fc := &fundConfirm{Amount: amt, Currency: cur, Description: strings.TrimSpace(f.Get("description")), Minor: minor}
	if f.Get("confirm") != "yes" {
		fc.Key = "console-" + randomToken()
		return h.showTenant(c, http.StatusOK, nil, fc)
	}
	key := f.Get("key")
	body, _ := json.Marshal(map[string]any{"amount": minor, "currency": cur, "description": fc.Description})
	_, _, err = h.core.FundMaster(c.r.Context(), core.FundMasterParams{TenantID: c.r.PathValue("id"), Amount: minor,
		Currency: cur, Description: fc.Description,
		Idem: core.Idempotency{Key: key, Fingerprint: httpx.Fingerprint("POST", c.r.URL.Path, body)}})
	if fields, ok := fieldErrors(err, "amount"); ok {
		return h.showTenant(c, statusOf[baas.AsError(err).Code], fields, nil)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/console/tenants/"+url.PathEscape(c.r.PathValue("id"))+"?done=funded", http.StatusSeeOther)
	return nil
}

func (h *Handler) incomingTransfer(c *call) error {
	f := c.r.PostForm
	cur := strings.ToUpper(strings.TrimSpace(f.Get("currency")))
	minor, err := money.Parse(strings.TrimSpace(f.Get("amount")), cur)
	if err != nil || minor <= 0 {
		return h.showTenant(c, http.StatusUnprocessableEntity, map[string]string{"transfer_amount": "Write a positive amount such as 25.00."}, nil)
	}
	_, err = h.core.IncomingTransfer(c.r.Context(), core.IncomingTransferParams{TenantID: c.r.PathValue("id"),
		Customer: baas.CustomerKey{Ref: httpx.NormalizeRef(f.Get("user_id"))}, Amount: minor, Currency: cur,
		Reference: strings.TrimSpace(f.Get("reference"))})
	if fields, ok := fieldErrors(err, "user_id"); ok {
		return h.showTenant(c, statusOf[baas.AsError(err).Code], fields, nil)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/console/tenants/"+url.PathEscape(c.r.PathValue("id"))+"?done=transfer", http.StatusSeeOther)
	return nil
}

func (h *Handler) cryptoDeposit(c *call) error {
	f := c.r.PostForm
	res, _, err := h.core.SandboxCryptoDeposit(c.r.Context(), core.CryptoDepositParams{Address: strings.TrimSpace(f.Get("address")),
		Amount: strings.TrimSpace(f.Get("coins")), TenantID: c.r.PathValue("id")})
	if fields, ok := fieldErrors(err, "address"); ok {
		return h.showTenant(c, statusOf[baas.AsError(err).Code], fields, nil)
	}
	if err != nil {
		return err
	}
	// The address must be a wallet of this page's tenant (another tenant's is not found).
	http.Redirect(c.w, c.r, "/console/tenants/"+url.PathEscape(res.TenantID)+"?done=crypto", http.StatusSeeOther)
	return nil
}
