package admin

import (
	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
)

// The bodies of the operator API's reads and decisions, for `baas tenant list`, `baas kyc`
// and `baas card` --json: the CLI prints what the operator API answers.

// TenantsPage is GET /admin/api/tenants: {"tenants":[…]}, with "next_after" (the ?after=
// of the next page) when the page holds limit tenants.
func TenantsPage(ts []*baas.Tenant, limit int) map[string]any {
	out := make([]tenantView, 0, len(ts))
	for _, t := range ts {
		out = append(out, viewTenant(t))
	}
	page := map[string]any{"tenants": out}
	if len(ts) > 0 && len(ts) == limit {
		page["next_after"] = ts[len(ts)-1].ID
	}
	return page
}

// KYCPage is GET /admin/api/kyc/documents: {"documents":[…]}, with "next_after" (the
// ?after= of the next page) when the page holds limit documents.
func KYCPage(docs []*baas.KYCDocument, limit int) map[string]any {
	out := make([]kycView, 0, len(docs))
	for _, d := range docs {
		out = append(out, viewKYC(d))
	}
	page := map[string]any{"documents": out}
	if len(docs) > 0 && len(docs) == limit {
		page["next_after"] = docs[len(docs)-1].ID
	}
	return page
}

// KYCDocument is GET /admin/api/kyc/documents/{id} and the answer to a decision:
// {"document":{…}}.
func KYCDocument(d *baas.KYCDocument) map[string]any {
	return map[string]any{"document": viewKYC(d)}
}

// CardsPage is GET /admin/api/cards: {"cards":[…]}, with "next_after" when the page holds
// limit cards.
func CardsPage(cards []*core.CardInfo, limit int) map[string]any {
	if cards == nil {
		cards = []*core.CardInfo{}
	}
	page := map[string]any{"cards": cards}
	if len(cards) > 0 && len(cards) == limit {
		page["next_after"] = cards[len(cards)-1].ID
	}
	return page
}
