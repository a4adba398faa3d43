package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
)

// Cards: every card with its state and masked number (the core never hands the console
// anything else), orders to accept and ship through core.OperatorCardAction, a card's
// transactions with their decisions and reasons, and the sandbox card network
// (core.SandboxCardTransaction) for a sandbox tenant's card.

func (h *Handler) registerCards(mux httpx.Mux) {
	mux.Handle("GET /console/cards", h.authed(h.cardList))
	mux.Handle("GET /console/cards/{card_id}", h.authed(h.cardPage))
	mux.Handle("POST /console/cards/{card_id}/actions/{action}", h.authed(h.cardAction))
	mux.Handle("POST /console/cards/{card_id}/sandbox", h.authed(h.cardSandbox))
}

type cardListData struct {
	Status, Tenant, Last4, Sort string
	Cards                       []*core.CardInfo
	Next                        string
	Statuses                    []baas.CardStatus
	Sorts                       []sortChoice
}

// sortChoice is one order a list offers: the value of its sort parameter ("" for the
// default) and its label.
type sortChoice struct{ Key, Label string }

// cardSorts are the card list's orders, each a keyset order of the store's.
var cardSorts = []sortChoice{{"", "Oldest first"}, {baas.CardSortNewest, "Newest first"}, {baas.CardSortStatus, "By status"}}

// pickSort checks a sort parameter against a list's orders.
func pickSort(v string, sorts []sortChoice) (string, error) {
	for _, s := range sorts {
		if s.Key == v {
			return v, nil
		}
	}
	keys := make([]string, 0, len(sorts))
	for _, s := range sorts[1:] {
		keys = append(keys, s.Key)
	}
	return "", baas.Invalid("sort must be empty or one of " + strings.Join(keys, ", "))
}

func (h *Handler) cardList(c *call) error {
	q := c.r.URL.Query()
	d := &cardListData{Status: q.Get("status"), Tenant: q.Get("tenant"), Last4: q.Get("last4"), Statuses: baas.CardStatuses,
		Sorts: cardSorts}
	if d.Last4 != "" && !last4(d.Last4) {
		return baas.Invalid("last4 must be four digits")
	}
	var err error
	if d.Sort, err = pickSort(q.Get("sort"), cardSorts); err != nil {
		return err
	}
	f := baas.CardFilter{TenantID: d.Tenant, Status: baas.CardStatus(d.Status), Last4: d.Last4, Sort: d.Sort,
		AfterID: q.Get("after"), Limit: PageSize}
	if d.Cards, err = h.core.ListCards(c.r.Context(), f); err != nil {
		return err
	}
	if len(d.Cards) == f.Limit {
		d.Next = d.Cards[len(d.Cards)-1].ID
	}
	return h.render(c, http.StatusOK, "cards", c.page("Cards", "cards", d))
}

type cardData struct {
	Card    *core.CardInfo
	Tenant  *baas.Tenant
	Txns    []*core.CardTxnInfo
	Next    string
	Actions []string // the operator's moves the card's state allows
	Types   []string
}

// operatorMoves are the operator's card actions, in the order a card goes through them.
var operatorMoves = []baas.CardAction{baas.CardAccept, baas.CardShip, baas.CardBlock}

func (h *Handler) cardPage(c *call) error { return h.showCard(c, http.StatusOK, nil) }

func (h *Handler) showCard(c *call, status int, fields map[string]string) error {
	card, err := h.core.OperatorGetCard(c.r.Context(), c.r.PathValue("card_id"))
	if err != nil {
		return err
	}
	d := &cardData{Card: card, Types: []string{baas.CardTxnPurchase, baas.CardTxnAuthorization, baas.CardTxnCapture,
		baas.CardTxnReversal, baas.CardTxnRefund}}
	if d.Tenant, err = h.core.GetTenant(c.r.Context(), card.TenantID); err != nil {
		return err
	}
	if d.Txns, err = h.core.CardTransactions(c.r.Context(), "", card.ID, c.r.URL.Query().Get("before"), PageSize); err != nil {
		return err
	}
	if len(d.Txns) == PageSize {
		d.Next = d.Txns[len(d.Txns)-1].ID
	}
	switch card.Status {
	case baas.CardOrdered:
		d.Actions = []string{string(baas.CardAccept), string(baas.CardBlock)}
	case baas.CardAccepted:
		d.Actions = []string{string(baas.CardShip), string(baas.CardBlock)}
	case baas.CardBlocked, baas.CardReplaced:
	default:
		d.Actions = []string{string(baas.CardBlock)}
	}
	p := c.page("Card ····"+card.Last4, "cards", d)
	p.Fields = fields
	if c.r.Method == http.MethodPost {
		p.Form = c.r.PostForm
	} else {
		p.Form = url.Values{"type": {baas.CardTxnPurchase}}
	}
	return h.render(c, status, "card", p)
}

func (h *Handler) cardAction(c *call) error {
	a := baas.CardAction(c.r.PathValue("action"))
	known := false
	for _, m := range operatorMoves {
		known = known || m == a
	}
	if !known {
		return baas.Errorf(baas.ENotFound, "there is no card action %q", string(a))
	}
	card, err := h.core.OperatorCardAction(c.r.Context(), c.r.PathValue("card_id"), a)
	if fields, ok := fieldErrors(err, "action"); ok {
		return h.showCard(c, statusOf[baas.AsError(err).Code], fields)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/console/cards/"+url.PathEscape(card.ID)+"?done="+string(a), http.StatusSeeOther)
	return nil
}

// cardSandbox plays a card network message on a sandbox card. The amount is a decimal in
// the currency's units ("12.50"); blank lets the sandbox pick one (purchases) or take
// what is left (captures, reversals, refunds).
func (h *Handler) cardSandbox(c *call) error {
	f := c.r.PostForm
	cur := strings.ToUpper(strings.TrimSpace(f.Get("currency")))
	var amount int64
	if s := strings.TrimSpace(f.Get("amount")); s != "" {
		var err error
		if amount, err = money.Parse(s, cur); err != nil {
			return h.showCard(c, http.StatusUnprocessableEntity, map[string]string{"amount": "Write the amount as a decimal such as 12.50."})
		}
	}
	t, err := h.core.SandboxCardTransaction(c.r.Context(), core.SandboxTxnParams{CardID: c.r.PathValue("card_id"),
		Type: f.Get("type"), Amount: amount, Currency: cur, MerchantName: strings.TrimSpace(f.Get("merchant_name")),
		OriginalID: strings.TrimSpace(f.Get("original_transaction_id"))})
	if fields, ok := fieldErrors(err, "type"); ok {
		return h.showCard(c, statusOf[baas.AsError(err).Code], fields)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/console/cards/"+url.PathEscape(t.CardID)+"?done=txn", http.StatusSeeOther)
	return nil
}
