package core

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/rules"
	"github.com/baas-oss/baas/store/storetest"
)

// approved is one approved card transaction the totals double reports.
type approved struct {
	card     string
	at       time.Time
	amount   int64
	currency string
	foreign  bool
}

// totalsTx gives a real store's Tx the card-transaction totals (ApprovedCardTotals),
// which this branch's store does not have yet, over a fixed list, and counts the calls.
type totalsTx struct {
	baas.Tx
	log   []approved
	calls *[]time.Time
}

func (x totalsTx) ApprovedCardTotals(_ context.Context, qs []baas.CardTotalsQuery) ([][]baas.CardTotals, error) {
	all := make([][]baas.CardTotals, len(qs))
	for k, q := range qs {
		out := make([]baas.CardTotals, len(q.Since))
		for i, from := range q.Since {
			*x.calls = append(*x.calls, from)
			for _, a := range x.log {
				if a.card != q.CardID || a.currency != q.Currency || a.at.Before(from) {
					continue
				}
				if a.foreign {
					out[i].International += a.amount
				} else {
					out[i].Domestic += a.amount
				}
			}
		}
		all[k] = out
	}
	return all, nil
}

// TestCheckControls runs checkControls on real stores, at fixed times, for every type,
// range, scope and owner, and the edges of time frames and windows.
func TestCheckControls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := storetest.Open(t, engine)
		s, tenantID, ctx := newTenantService(t, st)
		newCard := func(handle, product string) *baas.Card {
			info, _, err := s.CreateAccount(ctx, CreateAccountParams{Email: handle + "@example.com", Handle: handle,
				FirstName: "Ada", LastName: "Lovelace"})
			if err != nil {
				t.Fatal(err)
			}
			c, _, err := s.CreateCard(ctx, CreateCardParams{AccountNumber: info.Account.Number, Product: product,
				Holder: baas.CardHolder{FirstName: "Ada", LastName: "Lovelace", Phone: "+15550100", Address1: "1 Main St",
					City: "London", ZipCode: "N1"}})
			if err != nil {
				t.Fatal(err)
			}
			card, err := st.Read().GetCard(context.Background(), tenantID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return card
		}
		card := newCard("holder", ProductGirasolVirtual)
		other := newCard("other", ProductGirasolPhysical)

		utc := func(day, h, m, sec int) time.Time { return time.Date(2026, time.December, day, h, m, sec, 0, time.UTC) }
		wednesday := utc(9, 12, 0, 0)
		str := func(s string) *string { return &s }
		amt := func(n int64) *int64 { return &n }
		type rule struct {
			owner, ownerID string // ownerID "" is the natural one: the tenant, the card's product, the card
			f              ControlFields
		}
		mcc := func(list string) ControlFields {
			return ControlFields{ValidationType: str("Mcc"), Value: str(list)}
		}
		limit := func(n int64, rng string) ControlFields {
			return ControlFields{ValidationType: str("Amount"), Value: str("XXX"), Amount: amt(n), CurrencyCode: str("USD"),
				RangeType: str(rng)}
		}
		scoped := func(f ControlFields, scope string) ControlFields { f.BusinessScope = str(scope); return f }
		framed := func(f ControlFields, begin, end string) ControlFields {
			f.TimeFrame = &rules.TimeFrame{Begin: begin, End: end}
			return f
		}
		on := func(f ControlFields) []rule { return []rule{{owner: "card", f: f}} }
		spent := func(at time.Time, n int64) approved {
			return approved{card: card.ID, at: at, amount: n, currency: "USD"}
		}
		abroad := func(a approved) approved { a.foreign = true; return a }

		for _, c := range []struct {
			name          string
			zone, country string
			rules         []rule
			txn           func(*rules.Txn)
			log           []approved
			decline       int // 1-based index of the declining rule in rules; 0 approves
			sums          int // windows summed (ApprovedCardTotals) expected
		}{
			{name: "no rules"},
			{name: "mcc listed", rules: on(mcc("5411,7995")), txn: func(x *rules.Txn) { x.MCC = "7995" }, decline: 1},
			{name: "mcc not listed", rules: on(mcc("5411,7995")), txn: func(x *rules.Txn) { x.MCC = "5812" }},
			{name: "entry mode listed", rules: on(ControlFields{ValidationType: str("EntryMode"), Value: str("ecommerce,manual")}),
				txn: func(x *rules.Txn) { x.EntryMode = rules.ModeEcommerce }, decline: 1},
			{name: "entry mode not listed", rules: on(ControlFields{ValidationType: str("EntryMode"), Value: str("ecommerce")}),
				txn: func(x *rules.Txn) { x.EntryMode = rules.ModeChip }},

			// Amount: Always is per transaction and reads no history.
			{name: "always: the limit", rules: on(limit(5000, "Always")), txn: func(x *rules.Txn) { x.Amount = 5000 },
				log: []approved{spent(wednesday, 99999)}},
			{name: "always: one over", rules: on(limit(5000, "Always")), txn: func(x *rules.Txn) { x.Amount = 5001 }, decline: 1},
			{name: "amount in another currency", rules: on(limit(5000, "Daily")), txn: func(x *rules.Txn) { x.Amount, x.Currency = 9000, "EUR" }},

			// Daily, weekly, monthly: what was approved in the window counts; reaching the
			// limit is allowed; the window starts at local midnight, Monday, the 1st.
			{name: "daily: reaches the limit", rules: on(limit(5000, "Daily")), log: []approved{spent(utc(9, 8, 0, 0), 4000)}, sums: 1},
			{name: "daily: passes it", rules: on(limit(5000, "Daily")), txn: func(x *rules.Txn) { x.Amount = 1001 },
				log: []approved{spent(utc(9, 8, 0, 0), 4000)}, decline: 1, sums: 1},
			{name: "daily: yesterday's last second does not count", rules: on(limit(5000, "Daily")),
				txn: func(x *rules.Txn) { x.Amount = 5000 }, log: []approved{spent(utc(8, 23, 59, 59), 4000)}, sums: 1},
			{name: "daily: today's first second counts", rules: on(limit(5000, "Daily")),
				txn: func(x *rules.Txn) { x.Amount = 5000 }, log: []approved{spent(utc(9, 0, 0, 0), 1)}, decline: 1, sums: 1},
			{name: "daily: another card's spending does not count", rules: on(limit(5000, "Daily")),
				txn: func(x *rules.Txn) { x.Amount = 5000 }, log: []approved{{card: other.ID, at: wednesday, amount: 4000, currency: "USD"}}, sums: 1},
			{name: "daily in the tenant's zone", zone: "America/New_York", rules: on(limit(5000, "Daily")),
				// 03:00 UTC on the 9th is 22:00 on the 8th in New York, whose day began at 05:00 UTC on the 8th.
				txn: func(x *rules.Txn) { x.Time, x.Amount = utc(9, 3, 0, 0), 1001 }, log: []approved{spent(utc(8, 5, 0, 0), 4000)}, decline: 1, sums: 1},
			{name: "daily in the tenant's zone, before its midnight", zone: "America/New_York", rules: on(limit(5000, "Daily")),
				txn: func(x *rules.Txn) { x.Time, x.Amount = utc(9, 3, 0, 0), 1001 }, log: []approved{spent(utc(8, 4, 59, 59), 4000)}, sums: 1},
			{name: "weekly: Sunday's last second does not count", rules: on(limit(5000, "Weekly")),
				txn: func(x *rules.Txn) { x.Amount = 5000 }, log: []approved{spent(utc(6, 23, 59, 59), 4000)}, sums: 1},
			{name: "weekly: Monday 00:00 counts", rules: on(limit(5000, "Weekly")),
				txn: func(x *rules.Txn) { x.Amount = 5000 }, log: []approved{spent(utc(7, 0, 0, 0), 1)}, decline: 1, sums: 1},
			{name: "monthly: the last month does not count", rules: on(limit(5000, "Monthly")),
				txn: func(x *rules.Txn) { x.Amount = 5000 }, log: []approved{spent(time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC), 4000)}, sums: 1},
			{name: "monthly: the 1st counts", rules: on(limit(5000, "Monthly")),
				txn: func(x *rules.Txn) { x.Amount = 5000 }, log: []approved{spent(utc(1, 0, 0, 0), 1)}, decline: 1, sums: 1},
			{name: "one sum per window needed", rules: []rule{{owner: "card", f: limit(1e6, "Daily")}, {owner: "product", f: limit(1e6, "Monthly")},
				{owner: "company", f: limit(1e6, "Daily")}, {owner: "card", f: mcc("5411")}}, sums: 2},

			// Scope against the tenant's country.
			{name: "international rule, foreign merchant", country: "US", rules: on(scoped(mcc("5812"), "International")),
				txn: func(x *rules.Txn) { x.MerchantCountry = "FR" }, decline: 1},
			{name: "international rule, domestic merchant", country: "US", rules: on(scoped(mcc("5812"), "International"))},
			{name: "international rule, tenant without a country", rules: on(scoped(mcc("5812"), "International")),
				txn: func(x *rules.Txn) { x.MerchantCountry = "FR" }},
			{name: "domestic rule, domestic merchant", country: "US", rules: on(scoped(mcc("5812"), "Domestic")), decline: 1},
			{name: "domestic rule, foreign merchant", country: "US", rules: on(scoped(mcc("5812"), "Domestic")),
				txn: func(x *rules.Txn) { x.MerchantCountry = "FR" }},
			{name: "domestic daily counts domestic spending only", country: "US", rules: on(scoped(limit(5000, "Daily"), "Domestic")),
				log: []approved{abroad(spent(wednesday, 1e6)), spent(utc(9, 1, 0, 0), 4000)}, sums: 1},
			{name: "both counts both", country: "US", rules: on(limit(5000, "Daily")),
				log: []approved{abroad(spent(wednesday, 2000)), spent(utc(9, 1, 0, 0), 2001)}, decline: 1, sums: 1},

			// Time frames, both ends included, in the tenant's zone.
			{name: "frame: at begin", zone: "America/New_York", rules: on(framed(mcc("5812"), "09:00:00", "17:00:00")),
				txn: func(x *rules.Txn) { x.Time = utc(9, 14, 0, 0) }, decline: 1},
			{name: "frame: a second before", zone: "America/New_York", rules: on(framed(mcc("5812"), "09:00:00", "17:00:00")),
				txn: func(x *rules.Txn) { x.Time = utc(9, 13, 59, 59) }},
			{name: "frame: at end", zone: "America/New_York", rules: on(framed(mcc("5812"), "09:00:00", "17:00:00")),
				txn: func(x *rules.Txn) { x.Time = utc(9, 22, 0, 0).Add(999 * time.Millisecond) }, decline: 1},
			{name: "frame: a second after", zone: "America/New_York", rules: on(framed(mcc("5812"), "09:00:00", "17:00:00")),
				txn: func(x *rules.Txn) { x.Time = utc(9, 22, 0, 1) }},
			{name: "frame in UTC by default", rules: on(framed(mcc("5812"), "09:00:00", "17:00:00")),
				txn: func(x *rules.Txn) { x.Time = utc(9, 9, 0, 0) }, decline: 1},

			// Owners: company, product and card rules all apply, company first; another
			// card's or product's rules do not.
			{name: "company rule", rules: []rule{{owner: "company", f: mcc("5812")}}, decline: 1},
			{name: "product rule", rules: []rule{{owner: "product", f: mcc("5812")}}, decline: 1},
			{name: "another product's rule", rules: []rule{{owner: "product", ownerID: ProductGirasolPhysical, f: mcc("5812")}}},
			{name: "another card's rule", rules: []rule{{owner: "card", ownerID: other.ID, f: mcc("5812")}}},
			{name: "company before product before card", rules: []rule{{owner: "card", f: mcc("5812")},
				{owner: "product", f: mcc("5812")}, {owner: "company", f: mcc("5812")}}, decline: 3},
			{name: "product before card", rules: []rule{{owner: "card", f: mcc("5812")}, {owner: "product", f: mcc("5812")}}, decline: 2},
			{name: "a card rule after approving company rules", rules: []rule{{owner: "company", f: mcc("7995")},
				{owner: "product", f: limit(1e6, "Always")}, {owner: "card", f: mcc("5812")}}, decline: 3},
		} {
			if _, err := s.SetTenantRegion(ctx, tenantID, c.zone, c.country); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range c.rules {
				owner := r.ownerID
				if owner == "" {
					owner = map[string]string{"company": tenantID, "product": card.Product, "card": card.ID}[r.owner]
				}
				created, err := s.CreateControl(ctx, r.owner, owner, r.f)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				ids = append(ids, created.ID)
			}
			txn := rules.Txn{Amount: 1000, Currency: "USD", MCC: "5812", EntryMode: rules.ModeChip, MerchantCountry: "US",
				Time: wednesday}
			if c.txn != nil {
				c.txn(&txn)
			}
			var calls []time.Time
			var d rules.Decision
			err := st.View(context.Background(), func(tx baas.Tx) error {
				var err error
				d, err = s.checkControls(context.Background(), totalsTx{Tx: tx, log: c.log, calls: &calls}, card, txn, wednesday)
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			switch {
			case c.decline == 0 && !d.Approved:
				t.Errorf("%s: %+v; want approval", c.name, d)
			case c.decline > 0 && (d.Approved || d.RuleID != ids[c.decline-1] || d.Reason != rules.ReasonPrefix+ids[c.decline-1]):
				t.Errorf("%s: %+v; want a decline by rule %d (%s)", c.name, d, c.decline, ids[c.decline-1])
			}
			if len(calls) != c.sums {
				t.Errorf("%s: %d sums of approved amounts (since %v), want %d", c.name, len(calls), calls, c.sums)
			}
			for _, id := range ids {
				if _, err := s.DeleteControl(ctx, id); err != nil {
					t.Fatal(err)
				}
			}
		}

		// A store without card-transaction totals: windows count the transaction alone.
		r, err := s.CreateControl(ctx, "card", strings.ToUpper(card.ID), limit(5000, "Daily"))
		if err != nil {
			t.Fatal(err)
		}
		for amount, approve := range map[int64]bool{5000: true, 5001: false} {
			err := st.View(context.Background(), func(tx baas.Tx) error {
				d, err := s.checkControls(context.Background(), tx, card, rules.Txn{Amount: amount, Currency: "usd"}, wednesday)
				if err == nil && d.Approved != approve {
					t.Errorf("without totals, %d: %+v", amount, d)
				}
				if err == nil && !approve && d.RuleID != r.ID {
					t.Errorf("declined by %s, want %s", d.RuleID, r.ID)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
