package conformance

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.CardTxnTx: card transactions read back as written, for their tenant and for the
// operator, never another tenant's; updates change state, totals, hold and time only; the
// list filters and pages newest first; the approved totals add up by scope and window.

func cardTxnOf(c *baas.Card, typ, status, country string, amount int64, at time.Time) *baas.CardTransaction {
	t := &baas.CardTransaction{ID: newCardID(), TenantID: c.TenantID, CardID: c.ID, CustomerID: c.CustomerID,
		AccountID: c.AccountID, Type: typ, Status: status, State: baas.CardTxnCaptured, Reason: "approved",
		Amount: amount, Currency: "USD", MerchantName: "CORNER GROCERY", MerchantCity: "AUSTIN",
		MerchantCountry: country, MCC: "5411", EntryMode: "chip", CreatedAt: at, UpdatedAt: at}
	if status == baas.CardTxnApproved {
		t.Authorized, t.Captured = amount, amount
	} else {
		t.State, t.Reason = baas.CardTxnDeclinedState, "insufficient_funds"
	}
	return t
}

func testCardTransactions(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s).ID, newTenant(t, s).ID
	acct := newAccount(t, s, ten, accountOpts{})
	c := cardOf(ten, acct, baas.CardActive)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCard(ctx, c) })
	r := s.Read()

	// On an hour: windows from at read the per-hour sums, windows from a minute after it
	// the transactions themselves; both must agree with what was written.
	at := now().Truncate(time.Hour).Add(-2 * time.Hour)
	auth := cardTxnOf(c, baas.CardTxnAuthorization, baas.CardTxnApproved, "US", 1_000, at)
	auth.Captured, auth.State, auth.HoldID, auth.ExpiresAt = 0, baas.CardTxnPending, 42, at.Add(7*24*time.Hour)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertCardTransaction(ctx, auth) })
	for _, tenant := range []string{ten, ""} {
		got, err := r.GetCardTransaction(ctx, tenant, auth.ID)
		if err != nil || !reflect.DeepEqual(got, auth) {
			t.Fatalf("GetCardTransaction(%q) = %+v, %v; want %+v", tenant, got, err, auth)
		}
	}
	if _, err := r.GetCardTransaction(ctx, other, auth.ID); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's transaction: %v", err)
	}
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.InsertCardTransaction(ctx, auth) }); !baas.IsCode(err, baas.EConflict) {
		t.Fatalf("duplicate id: %v", err)
	}

	// An update changes the state, totals, hold and time; a capture beyond the
	// authorization is refused by the database too.
	upd := *auth
	upd.State, upd.Captured, upd.HoldID, upd.UpdatedAt = baas.CardTxnCaptured, 600, 0, now()
	upd.Reversed = 400
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		got, err := tx.LockCardTransaction(ctx, ten, auth.ID)
		if err != nil || got.ID != auth.ID {
			return fmt.Errorf("LockCardTransaction: %v", err)
		}
		return tx.UpdateCardTransaction(ctx, &upd)
	})
	got, err := r.GetCardTransaction(ctx, "", auth.ID)
	if err != nil || !reflect.DeepEqual(got, &upd) {
		t.Fatalf("after update = %+v, %v; want %+v", got, err, &upd)
	}
	over := upd
	over.Captured = 700
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.UpdateCardTransaction(ctx, &over) }); err == nil {
		t.Fatal("captured + reversed above authorized was stored")
	}
	foreign := upd
	foreign.TenantID = other
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.UpdateCardTransaction(ctx, &foreign) }); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("update of another tenant's transaction: %v", err)
	}

	// Approved totals: by scope, since a time, in a currency, net of reversals and refunds;
	// declined attempts and captures do not count.
	p1 := cardTxnOf(c, baas.CardTxnPurchase, baas.CardTxnApproved, "US", 2_000, at.Add(time.Minute))
	p2 := cardTxnOf(c, baas.CardTxnPurchase, baas.CardTxnApproved, "FR", 3_000, at.Add(2*time.Minute))
	p2.Refunded = 500
	p3 := cardTxnOf(c, baas.CardTxnPurchase, baas.CardTxnApproved, "", 4_000, at.Add(3*time.Minute))
	dec := cardTxnOf(c, baas.CardTxnPurchase, baas.CardTxnDeclined, "US", 9_000, at.Add(4*time.Minute))
	capt := cardTxnOf(c, baas.CardTxnCapture, baas.CardTxnApproved, "US", 600, at.Add(5*time.Minute))
	capt.State, capt.OriginalID, capt.Authorized, capt.Captured = baas.CardTxnCompleted, auth.ID, 0, 0
	eur := cardTxnOf(c, baas.CardTxnPurchase, baas.CardTxnApproved, "US", 7_000, at.Add(6*time.Minute))
	eur.Currency = "EUR"
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		for _, x := range []*baas.CardTransaction{p1, p2, p3, dec, capt, eur} {
			if err := tx.InsertCardTransaction(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		home      string
		since     time.Time
		dom, intl int64
	}{
		{"US", at, 600 + 2_000 + 4_000, 2_500},
		{"us", at, 600 + 2_000 + 4_000, 2_500},
		{"FR", at, 2_500 + 4_000, 600 + 2_000},
		{"", at, 600 + 2_000 + 2_500 + 4_000, 0},
		{"US", at.Add(2 * time.Minute), 4_000, 2_500},
		{"US", at.Add(time.Hour), 0, 0},
	} {
		got, err := r.ApprovedCardTotals(ctx, []baas.CardTotalsQuery{{CardID: c.ID, Currency: "USD", HomeCountry: tc.home, Since: []time.Time{tc.since}}})
		if err != nil || len(got) != 1 || len(got[0]) != 1 || got[0][0] != (baas.CardTotals{Domestic: tc.dom, International: tc.intl}) {
			t.Errorf("ApprovedCardTotals(%q, %v) = %v, %v; want %d, %d", tc.home, tc.since, got, err, tc.dom, tc.intl)
		}
	}
	// Several windows in one query, in the order asked, the earliest not first.
	windows := []time.Time{at.Add(2 * time.Minute), at, at.Add(time.Hour)}
	totals, err := r.ApprovedCardTotals(ctx, []baas.CardTotalsQuery{{CardID: c.ID, Currency: "USD", HomeCountry: "US", Since: windows}})
	want := []baas.CardTotals{{Domestic: 4_000, International: 2_500}, {Domestic: 600 + 2_000 + 4_000, International: 2_500}, {}}
	if err != nil || len(totals) != 1 || !slices.Equal(totals[0], want) {
		t.Errorf("ApprovedCardTotals(US, three windows) = %v, %v; want %v", totals, err, want)
	}
	if got, err := r.ApprovedCardTotals(ctx, []baas.CardTotalsQuery{{CardID: c.ID, Currency: "USD", HomeCountry: "US"}}); err != nil || len(got) != 1 || len(got[0]) != 0 {
		t.Errorf("ApprovedCardTotals(no window) = %v, %v; want none", got, err)
	}
	// Several cards at once (a batch of payments): each summed apart, whether its query
	// goes with others (same currency, country and windows) or alone; a card asked
	// twice, a card with nothing approved and a currency with nothing get their own.
	c2 := cardOf(ten, newAccount(t, s, ten, accountOpts{}), baas.CardActive)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.CreateCard(ctx, c2); err != nil {
			return err
		}
		return tx.InsertCardTransaction(ctx, cardTxnOf(c2, baas.CardTxnPurchase, baas.CardTxnApproved, "FR", 800, at.Add(time.Minute)))
	})
	c3 := cardOf(ten, acct, baas.CardActive)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCard(ctx, c3) })
	us := func(card, currency string, since ...time.Time) baas.CardTotalsQuery {
		return baas.CardTotalsQuery{CardID: card, Currency: currency, HomeCountry: "US", Since: since}
	}
	many, err := r.ApprovedCardTotals(ctx, []baas.CardTotalsQuery{
		us(c.ID, "USD", at), us(c2.ID, "usd", at), us(c3.ID, "USD", at), us(c.ID, "USD", at),
		us(c.ID, "USD", at.Add(2*time.Minute), at), us(c2.ID, "USD", at.Add(2*time.Minute), at), us(c.ID, "EUR", at),
		{CardID: c2.ID, Currency: "USD", HomeCountry: "FR", Since: []time.Time{at}}, us(c3.ID, "GBP"),
		us(c.ID, "USD", at.Add(time.Hour), at),
	})
	sum := baas.CardTotals{Domestic: 600 + 2_000 + 4_000, International: 2_500}
	wantMany := [][]baas.CardTotals{{sum}, {{International: 800}}, {{}}, {sum},
		{{Domestic: 4_000, International: 2_500}, sum}, {{}, {International: 800}}, {{Domestic: 7_000}},
		{{Domestic: 800}}, {}, {{}, sum}}
	if err != nil || !reflect.DeepEqual(many, wantMany) {
		t.Errorf("ApprovedCardTotals(several cards) = %v, %v; want %v", many, err, wantMany)
	}

	// Lists: newest first, filtered, paged.
	ids := func(l []*baas.CardTransaction) []string {
		out := make([]string, len(l))
		for i, x := range l {
			out[i] = x.ID
		}
		return out
	}
	list := func(f baas.CardTxnFilter) []string {
		t.Helper()
		l, err := r.ListCardTransactions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return ids(l)
	}
	all := []string{eur.ID, capt.ID, dec.ID, p3.ID, p2.ID, p1.ID, auth.ID}
	for name, tc := range map[string]struct {
		f    baas.CardTxnFilter
		want []string
	}{
		"card":      {baas.CardTxnFilter{CardID: c.ID}, all},
		"tenant":    {baas.CardTxnFilter{TenantID: ten, CardID: c.ID}, all},
		"other":     {baas.CardTxnFilter{TenantID: other, CardID: c.ID}, []string{}},
		"page":      {baas.CardTxnFilter{CardID: c.ID, BeforeID: dec.ID, Limit: 2}, []string{p3.ID, p2.ID}},
		"types":     {baas.CardTxnFilter{CardID: c.ID, Types: []string{baas.CardTxnCapture, baas.CardTxnAuthorization}}, []string{capt.ID, auth.ID}},
		"declined":  {baas.CardTxnFilter{CardID: c.ID, Status: baas.CardTxnDeclined}, []string{dec.ID}},
		"states":    {baas.CardTxnFilter{CardID: c.ID, States: []string{baas.CardTxnCompleted}}, []string{capt.ID}},
		"expiring":  {baas.CardTxnFilter{ExpiresBefore: at.Add(8 * 24 * time.Hour), CardID: c.ID}, []string{}},
		"first one": {baas.CardTxnFilter{CardID: c.ID, Limit: 1}, []string{eur.ID}},
		"cards":     {baas.CardTxnFilter{CardIDs: []string{c.ID, newCardID()}, Limit: 2}, []string{eur.ID, capt.ID}},
		"no card":   {baas.CardTxnFilter{CardIDs: []string{newCardID()}}, []string{}},
		"offset":    {baas.CardTxnFilter{CardID: c.ID, Offset: 2, Limit: 2}, []string{dec.ID, p3.ID}},
		"past end":  {baas.CardTxnFilter{CardID: c.ID, Offset: 7, Limit: 2}, []string{}},
		"period": {baas.CardTxnFilter{CardID: c.ID, CreatedFrom: at.Add(time.Minute), CreatedBefore: at.Add(3 * time.Minute)},
			[]string{p2.ID, p1.ID}},
	} {
		if got := list(tc.f); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v; want %v", name, got, tc.want)
		}
		if tc.f.Limit == 0 {
			if n, err := r.CountCardTransactions(ctx, tc.f); err != nil || n != len(tc.want) {
				t.Errorf("%s: CountCardTransactions = %d, %v; want %d", name, n, err, len(tc.want))
			}
		}
	}
	if n, err := r.CountCardTransactions(ctx, baas.CardTxnFilter{CardID: c.ID, Offset: 2, Limit: 2}); err != nil || n != len(all) {
		t.Errorf("CountCardTransactions ignores paging: %d, %v", n, err)
	}

	// The expiry sweep finds open authorizations whose time has come.
	open := cardTxnOf(c, baas.CardTxnAuthorization, baas.CardTxnApproved, "US", 500, now())
	open.Captured, open.State, open.HoldID, open.ExpiresAt = 0, baas.CardTxnPending, 7, now().Add(time.Hour)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertCardTransaction(ctx, open) })
	if got := list(baas.CardTxnFilter{CardID: c.ID, ExpiresBefore: now()}); len(got) != 0 {
		t.Errorf("not yet due: %v", got)
	}
	if got := list(baas.CardTxnFilter{ExpiresBefore: now().Add(2 * time.Hour), CardID: c.ID}); !reflect.DeepEqual(got, []string{open.ID}) {
		t.Errorf("due: %v", got)
	}
}
