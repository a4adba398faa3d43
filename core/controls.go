package core

import (
	"context"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/rules"
)

// This file is the spending-control step of the one authorization path: checkControls
// is what the path calls between the card's state and the available balance.

// checkControls evaluates a card transaction against every rule that applies to the card
// — its company's, its product's and its own, read in one query — in the tenant's region
// (zone and country; UTC and none when unset). It reads the card's approved totals only
// when an Amount rule in the transaction's currency has a Daily, Weekly or Monthly range,
// one sum per window needed. t.Time is the transaction's time (now when zero); t.Location
// and t.HomeCountry, when set, win over the tenant's region. A decline is a Decision, not
// an error: errors are the store's.
func (s *Service) checkControls(ctx context.Context, tx baas.Tx, card *baas.Card, t rules.Txn, now time.Time) (rules.Decision, error) {
	stored, err := tx.CardSpendingControls(ctx, baas.SpendingControlOwners{TenantID: card.TenantID,
		CompanyID: card.TenantID, Product: card.Product, CardID: card.ID})
	if err != nil || len(stored) == 0 {
		return rules.Decision{Approved: err == nil}, err
	}
	region, err := tx.GetTenantRegion(ctx, card.TenantID)
	if err != nil {
		return rules.Decision{}, err
	}
	if t.Location == nil {
		if t.Location, err = s.zone(region.TimeZone); err != nil {
			t.Location = time.UTC // a zone the database no longer knows: UTC rather than no decision
		}
	}
	if t.HomeCountry == "" {
		t.HomeCountry = region.Country
	}
	if t.Time.IsZero() {
		t.Time = now
	}
	rs := make([]rules.Rule, len(stored))
	for i, c := range stored {
		rs[i] = toRule(c)
	}
	var h rules.History
	if rules.NeedsHistory(rs) {
		if h, err = cardHistory(ctx, tx, card.ID, rs, t); err != nil {
			return rules.Decision{}, err
		}
	}
	return rules.Evaluate(rs, t, h), nil
}

// cardHistory sums the card's approved amounts in each window that an Amount rule in the
// transaction's currency reads.
func cardHistory(ctx context.Context, tx baas.Tx, cardID string, rs []rules.Rule, t rules.Txn) (rules.History, error) {
	var h rules.History
	need := map[rules.RangeType]bool{}
	for _, r := range rs {
		if r.ValidationType == rules.Amount && strings.EqualFold(r.CurrencyCode, t.Currency) {
			need[r.RangeType] = true
		}
	}
	for _, rt := range []rules.RangeType{rules.Daily, rules.Weekly, rules.Monthly} {
		if !need[rt] {
			continue
		}
		start, _, _ := rules.Window(rt, t.Time, t.Location)
		dom, intl, err := tx.ApprovedCardTotals(ctx, cardID, strings.ToUpper(t.Currency), t.HomeCountry, start)
		if err != nil {
			return h, err
		}
		switch rt {
		case rules.Daily:
			h.Domestic.Day, h.International.Day = dom, intl
		case rules.Weekly:
			h.Domestic.Week, h.International.Week = dom, intl
		case rules.Monthly:
			h.Domestic.Month, h.International.Month = dom, intl
		}
	}
	return h, nil
}
