package core

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/rules"
)

// This file is the spending-control step of the one authorization path: checkControls
// is what the path calls between the card's state and the available balance.

// checkControls evaluates a card transaction against every rule that applies to the card
// — its company's, its product's and its own — in the tenant's region (zone and country;
// UTC and none when unset), both from the controls cache (controlsCache) or, when it has
// not got them, read through tx. It reads the card's approved totals only when an Amount
// rule in the transaction's currency has a Daily, Weekly or Monthly range, every window
// needed in one query. t.Time is the transaction's time (now when zero); t.Location and
// t.HomeCountry, when set, win over the tenant's region. A decline is a Decision, not an
// error: errors are the store's.
func (s *Service) checkControls(ctx context.Context, tx baas.Tx, card *baas.Card, t rules.Txn, now time.Time) (rules.Decision, error) {
	c, err := s.prepareControls(ctx, tx, card, t, now)
	if err != nil {
		return rules.Decision{}, err
	}
	var totals []baas.CardTotals
	if c.query != nil {
		out, err := tx.ApprovedCardTotals(ctx, []baas.CardTotalsQuery{*c.query})
		if err != nil {
			return rules.Decision{}, err
		}
		totals = out[0]
	}
	return c.decide(totals), nil
}

// controlCheck is checkControls in two steps, so that a batch of payments
// (cardbatch.go) reads the totals of all its cards with one query: prepareControls
// gathers the rules and says which totals they need (query), decide evaluates them
// with those totals.
type controlCheck struct {
	rules  []rules.Rule
	txn    rules.Txn
	ranges []rules.RangeType     // the ranges of query.Since, in order
	query  *baas.CardTotalsQuery // nil when the rules read no totals
}

// prepareControls is the first step of checkControls.
func (s *Service) prepareControls(ctx context.Context, tx baas.Tx, card *baas.Card, t rules.Txn, now time.Time) (controlCheck, error) {
	cc, err := s.controls.get(ctx, tx, s, card, now)
	if err != nil || len(cc.rules) == 0 {
		return controlCheck{}, err
	}
	if t.Location == nil {
		t.Location = cc.location
	}
	if t.HomeCountry == "" {
		t.HomeCountry = cc.country
	}
	if t.Time.IsZero() {
		t.Time = now
	}
	c := controlCheck{rules: cc.rules, txn: t}
	if !cc.history {
		return c, nil
	}
	// The windows that an Amount rule in the transaction's currency reads.
	need := map[rules.RangeType]bool{}
	for _, r := range cc.rules {
		if r.ValidationType == rules.Amount && strings.EqualFold(r.CurrencyCode, t.Currency) {
			need[r.RangeType] = true
		}
	}
	var since []time.Time
	for _, rt := range []rules.RangeType{rules.Daily, rules.Weekly, rules.Monthly} {
		if need[rt] {
			start, _, _ := rules.Window(rt, t.Time, t.Location)
			c.ranges, since = append(c.ranges, rt), append(since, start)
		}
	}
	if len(since) > 0 {
		c.query = &baas.CardTotalsQuery{CardID: card.ID, Currency: strings.ToUpper(t.Currency), HomeCountry: t.HomeCountry, Since: since}
	}
	return c, nil
}

// decide is the second step of checkControls: the rules evaluated with the card's
// totals in the windows of c.query (nil when it has none).
func (c controlCheck) decide(totals []baas.CardTotals) rules.Decision {
	if len(c.rules) == 0 {
		return rules.Decision{Approved: true}
	}
	var h rules.History
	for i, rt := range c.ranges {
		dom, intl := totals[i].Domestic, totals[i].International
		switch rt {
		case rules.Daily:
			h.Domestic.Day, h.International.Day = dom, intl
		case rules.Weekly:
			h.Domestic.Week, h.International.Week = dom, intl
		case rules.Monthly:
			h.Domestic.Month, h.International.Month = dom, intl
		}
	}
	return rules.Evaluate(c.rules, c.txn, h)
}

// The controls cache. An authorization evaluates the rules of the card's company,
// product and card in the tenant's region; reading them costs two queries per check,
// and the path checks twice (before the tenant's authorization URL and under the card's
// lock). So the core keeps what it read per card, and every write that changes a rule or
// a region — CreateControl, UpdateControl, DeleteControl, SetTenantRegion, all in this
// process; and UpdateAuthorizationSettings, for the cached authorization settings — moves the tenant's generation on once it has committed: an entry read under
// an older generation is never used again, so the next payment after such a write (its
// answer sent) evaluates what it wrote. An entry read while a write commits is stored
// under the generation taken before the read, which that write then makes stale.
//
// Another process writing rules or regions to the same database (no command of baas
// does: rules change through the dialect API, regions through the operator API, both
// served by `baas serve`) is not seen at once: entries live controlsTTL, which bounds
// how long a second server over one database could apply a rule the other changed.
const (
	controlsTTL     = 10 * time.Second
	controlsEntries = 100_000
)

// cardControls is what checkControls needs besides the card's totals.
type cardControls struct {
	gen      uint64
	rules    []rules.Rule // shared: never modified
	history  bool         // rules.NeedsHistory(rules)
	location *time.Location
	country  string
}

// controlsCache keeps cardControls by tenant, product and card, the tenants'
// authorization settings (the other thing every payment reads before its transaction;
// UpdateAuthorizationSettings moves the generation on too), and the tenants' generations.
type controlsCache struct {
	entries *cache[string, cardControls]
	auth    *cache[string, authEntry]
	mu      sync.Mutex
	gens    map[string]uint64 // tenant id → generation
}

// authEntry is a tenant's authorization settings as read under generation gen.
type authEntry struct {
	gen uint64
	a   baas.AuthorizationSettings // a copy: never modified
}

func newControlsCache() *controlsCache {
	return &controlsCache{entries: newCache[string, cardControls](controlsTTL, controlsEntries).spread(),
		auth: newCache[string, authEntry](controlsTTL, controlsEntries), gens: map[string]uint64{}}
}

// authorizationSettings returns the tenant's authorization settings (a copy), from the
// cache or read through r. Only a tenant without a URL is served from the cache: a
// payment's transaction checks that it still has none (cardPaymentsTx), and a tenant
// with one is asked over HTTP anyway, so one read more is nothing and no payment is
// refused, or its tenant asked, on settings that another process has since changed.
func (c *controlsCache) authorizationSettings(ctx context.Context, r baas.Tx, tenantID string, now time.Time) (*baas.AuthorizationSettings, error) {
	gen := c.gen(tenantID) // before the read, as get
	if e, ok := c.auth.lookup(tenantID, now); ok && e.gen == gen && e.a.URL == "" {
		a := e.a
		return &a, nil
	}
	a, err := r.GetAuthorizationSettings(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	c.auth.put(tenantID, authEntry{gen: gen, a: *a}, now)
	return a, nil
}

func (c *controlsCache) gen(tenantID string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gens[tenantID]
}

// invalidate makes every entry of the tenant stale: called after a write to its rules or
// region has committed (and after one that failed: harmless).
func (c *controlsCache) invalidate(tenantID string) {
	c.mu.Lock()
	c.gens[tenantID]++
	c.mu.Unlock()
}

// get returns the card's rules and its tenant's region, from the cache or read through tx.
func (c *controlsCache) get(ctx context.Context, tx baas.Tx, s *Service, card *baas.Card, now time.Time) (cardControls, error) {
	key := card.TenantID + "\x00" + card.Product + "\x00" + card.ID
	gen := c.gen(card.TenantID) // before the read: see above
	if e, ok := c.entries.lookup(key, now); ok && e.gen == gen {
		return e, nil
	}
	stored, err := tx.CardSpendingControls(ctx, baas.SpendingControlOwners{TenantID: card.TenantID,
		CompanyID: card.TenantID, Product: card.Product, CardID: card.ID})
	if err != nil {
		return cardControls{}, err
	}
	e := cardControls{gen: gen, location: time.UTC}
	if len(stored) > 0 { // the region matters only to rules
		region, err := tx.GetTenantRegion(ctx, card.TenantID)
		if err != nil {
			return cardControls{}, err
		}
		if e.location, err = s.zone(region.TimeZone); err != nil {
			e.location = time.UTC // a zone the database no longer knows: UTC rather than no decision
		}
		e.country = region.Country
		e.rules = make([]rules.Rule, len(stored))
		for i, sc := range stored {
			e.rules[i] = toRule(sc)
		}
		e.history = rules.NeedsHistory(e.rules)
	}
	c.entries.put(key, e, now)
	return e, nil
}
