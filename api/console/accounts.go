package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// Customers and their accounts: a tenant's customer accounts with their customers and
// balances (keyset, oldest or newest first or by name), a search by email, account number, user id or a card's last four digits, and one account with its
// customer, cards and ledger entries with the balance after each.

func (h *Handler) registerAccounts(mux httpx.Mux) {
	mux.Handle("GET /console/tenants/{id}/accounts", h.authed(h.accountList))
	mux.Handle("GET /console/tenants/{id}/accounts/{number}", h.authed(h.accountPage))
}

type accountListData struct {
	Tenant   *baas.Tenant
	Accounts []*baas.AccountHolder
	Next     int64
	Query    string
	Sort     string
	Sorts    []sortChoice
}

// customerSorts are the customer list's orders, each a keyset order of the store's.
var customerSorts = []sortChoice{{"", "Oldest first"}, {baas.CustomerSortNewest, "Newest first"}, {baas.CustomerSortName, "By name"}}

func (h *Handler) accountList(c *call) error {
	ctx := c.r.Context()
	t, err := h.core.GetTenant(ctx, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := &accountListData{Tenant: t, Query: strings.TrimSpace(c.r.URL.Query().Get("q"))}
	if last4(d.Query) {
		// A card's last four digits: the tenant's cards that end so.
		http.Redirect(c.w, c.r, "/console/cards?tenant="+url.QueryEscape(t.ID)+"&last4="+d.Query, http.StatusSeeOther)
		return nil
	}
	if d.Query != "" {
		number, err := h.search(c, t.ID, d.Query)
		if err == nil {
			http.Redirect(c.w, c.r, "/console/tenants/"+url.PathEscape(t.ID)+"/accounts/"+strconv.FormatInt(number, 10), http.StatusSeeOther)
			return nil
		}
		if !baas.IsCode(err, baas.ENotFound) && !baas.IsCode(err, baas.EInvalid) {
			return err
		}
		p := c.page("Customers", "tenants", d)
		p.Fields = map[string]string{"q": "Nothing of this tenant matches " + strconv.Quote(d.Query) + "."}
		return h.render(c, http.StatusNotFound, "accounts", p)
	}
	d.Sorts = customerSorts
	if d.Sort, err = pickSort(c.r.URL.Query().Get("sort"), customerSorts); err != nil {
		return err
	}
	f := baas.CustomerAccountFilter{TenantID: t.ID, Sort: d.Sort, Limit: PageSize}
	if f.AfterID, err = queryInt(c.r, "after"); err != nil {
		return err
	}
	if d.Accounts, err = h.core.ListAccountHolders(ctx, f); err != nil {
		return err
	}
	if len(d.Accounts) == f.Limit {
		d.Next = d.Accounts[len(d.Accounts)-1].Account.ID
	}
	return h.render(c, http.StatusOK, "accounts", c.page("Customers", "tenants", d))
}

// last4 reports whether a query is a card's last four digits.
func last4(q string) bool {
	if len(q) != 4 {
		return false
	}
	for _, r := range q {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// search finds the account a query names: an email, an account number, or a customer's
// user id (Codego user_id).
func (h *Handler) search(c *call, tenantID, q string) (int64, error) {
	ctx := baas.WithTenant(c.r.Context(), tenantID)
	if strings.Contains(q, "@") {
		info, err := h.core.GetAccountInfoByEmail(ctx, q)
		if err != nil {
			return 0, err
		}
		return info.Account.Number, nil
	}
	if n, err := strconv.ParseInt(q, 10, 64); err == nil && n > 0 {
		if info, err := h.core.GetAccountInfo(ctx, n); err == nil {
			return info.Account.Number, nil
		}
	}
	a, err := h.core.AccountDetail(ctx, baas.CustomerKey{Ref: httpx.NormalizeRef(q)})
	if err != nil {
		return 0, err
	}
	return a.Account.Number, nil
}

type accountData struct {
	Tenant     *baas.Tenant
	Info       *core.AccountInfo
	Cards      []*core.CardInfo
	Statements []*baas.Statement
	Next       int64
}

func (h *Handler) accountPage(c *call) error {
	ctx := c.r.Context()
	t, err := h.core.GetTenant(ctx, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	number, err := pathInt(c.r, "number", "account")
	if err != nil {
		return err
	}
	tctx := baas.WithTenant(ctx, t.ID)
	d := &accountData{Tenant: t}
	// Another tenant's account number is not found here: the core reads within tctx's tenant.
	if d.Info, err = h.core.GetAccountInfo(tctx, number); err != nil {
		return err
	}
	if d.Cards, err = h.core.AccountCards(tctx, number); err != nil {
		return err
	}
	before, err := queryInt(c.r, "before")
	if err != nil {
		return err
	}
	if d.Statements, err = h.core.AccountStatements(tctx, number, baas.StatementFilter{BeforeID: before, Limit: PageSize}); err != nil {
		return err
	}
	if len(d.Statements) == PageSize {
		d.Next = d.Statements[PageSize-1].PostingID
	}
	return h.render(c, http.StatusOK, "account", c.page("Account "+strconv.FormatInt(number, 10), "tenants", d))
}
