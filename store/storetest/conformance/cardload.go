package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.CardLoadTx and the Codego additions to baas.CardTx: a card's variant reads back
// and cards list by customer; a tenant's load limits are absent until set and then
// replaced; loads read back as written, for their tenant and the operator only, update
// their status, sum per card and day without the failed ones, and list when due.

// testCodegoCards: a card keeps its variant; CustomerID filters the list.
func testCodegoCards(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten := newTenant(t, s).ID
	a, b := newAccount(t, s, ten, accountOpts{}), newAccount(t, s, ten, accountOpts{})
	c := cardOf(ten, a, baas.CardOrdered)
	c.Product, c.Variant = "codego-debit", "metal"
	d := cardOf(ten, b, baas.CardOrdered)
	for _, x := range []*baas.Card{c, d} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCard(ctx, x) })
	}
	got, err := s.Read().GetCard(ctx, ten, c.ID)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("GetCard = %+v, %v; want %+v", got, err, c)
	}
	list, err := s.Read().ListCards(ctx, baas.CardFilter{TenantID: ten, CustomerID: a.CustomerID})
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("ListCards by customer = %v, %v", list, err)
	}
}

// testCardLoads: limits and loads.
func testCardLoads(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s).ID, newTenant(t, s).ID
	r := s.Read()

	if _, err := r.GetCardLoadLimits(ctx, ten); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("limits before any: %v", err)
	}
	at := now()
	for _, l := range []*baas.CardLoadLimits{{TenantID: ten, DailyAmount: 1000, DailyCount: 2, UpdatedAt: at},
		{TenantID: ten, DailyAmount: 5000, DailyCount: 7, UpdatedAt: at.Add(time.Second)}} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutCardLoadLimits(ctx, l) })
		got, err := r.GetCardLoadLimits(ctx, ten)
		if err != nil || !reflect.DeepEqual(got, l) {
			t.Fatalf("GetCardLoadLimits = %+v, %v; want %+v", got, err, l)
		}
	}

	float := newAccount(t, s, ten, accountOpts{Kind: baas.AccountMaster, Currency: "EUR", AllowNegative: true})
	acct := newAccount(t, s, ten, accountOpts{Currency: "EUR"})
	card := cardOf(ten, acct, baas.CardActive)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCard(ctx, card) })
	load := func(amount int64, created time.Time, status string) *baas.CardLoad {
		t.Helper()
		h := &baas.Hold{TenantID: ten, AccountID: float.ID, Currency: "EUR", Amount: amount, Status: baas.HoldActive,
			Reference: "load", CreatedAt: created, UpdatedAt: created}
		l := &baas.CardLoad{TenantID: ten, CardID: card.ID, AccountID: acct.ID, Amount: amount, Currency: "EUR",
			Status: status, SettleAt: created.Add(time.Minute), CreatedAt: created, UpdatedAt: created}
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			if err := tx.InsertHold(ctx, h); err != nil {
				return err
			}
			l.HoldID = h.ID
			return tx.InsertCardLoad(ctx, l)
		})
		if l.ID <= 0 {
			t.Fatalf("InsertCardLoad set id %d", l.ID)
		}
		return l
	}
	day := at.Add(-time.Hour)
	load(100, day.Add(-24*time.Hour), baas.CardLoadCompleted)
	first := load(200, day, baas.CardLoadPending)
	second := load(300, day.Add(time.Minute), baas.CardLoadPending)
	load(400, day.Add(2*time.Minute), baas.CardLoadFailed)

	// A load reads back as written, locked, for its tenant and the operator.
	for _, tenant := range []string{ten, ""} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			got, err := tx.LockCardLoad(ctx, tenant, first.ID)
			if err != nil || !reflect.DeepEqual(got, first) {
				t.Fatalf("LockCardLoad(%q) = %+v, %v; want %+v", tenant, got, err, first)
			}
			return nil
		})
	}
	if err := s.InTx(ctx, func(tx baas.Tx) error {
		_, err := tx.LockCardLoad(ctx, other, first.ID)
		return err
	}); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's load: %v", err)
	}

	// Sums since a time leave out older and failed loads.
	if n, sum, err := r.CardLoadsSince(ctx, card.ID, day); err != nil || n != 2 || sum != 500 {
		t.Fatalf("CardLoadsSince = %d, %d, %v", n, sum, err)
	}

	// Due loads: pending, settle time passed, oldest first, per tenant or all.
	due, err := r.DueCardLoads(ctx, ten, day.Add(2*time.Minute), 10)
	if err != nil || !reflect.DeepEqual(due, []int64{first.ID, second.ID}) {
		t.Fatalf("DueCardLoads = %v, %v", due, err)
	}
	if due, err := r.DueCardLoads(ctx, ten, day.Add(90*time.Second), 10); err != nil || !reflect.DeepEqual(due, []int64{first.ID}) {
		t.Fatalf("DueCardLoads before the second = %v, %v", due, err)
	}
	if due, err := r.DueCardLoads(ctx, other, day.Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Fatalf("another tenant's due loads = %v, %v", due, err)
	}

	// An update changes status, reason, transfer and time; a completed load is not due.
	tr := transfer(t, s, ten, float.ID, acct.ID, 1, "load")
	first.Status, first.TransferID, first.UpdatedAt = baas.CardLoadCompleted, tr.ID, at.Add(time.Hour)
	second.Status, second.Reason, second.UpdatedAt = baas.CardLoadFailed, "the card is locked", at.Add(time.Hour)
	for _, l := range []*baas.CardLoad{first, second} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.UpdateCardLoad(ctx, l) })
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			got, err := tx.LockCardLoad(ctx, ten, l.ID)
			if err != nil || !reflect.DeepEqual(got, l) {
				t.Fatalf("after update = %+v, %v; want %+v", got, err, l)
			}
			return nil
		})
	}
	if due, err := r.DueCardLoads(ctx, "", day.Add(time.Hour), 0); err != nil || len(due) != 0 {
		t.Fatalf("due after settling = %v, %v", due, err)
	}
	if n, sum, err := r.CardLoadsSince(ctx, card.ID, day); err != nil || n != 1 || sum != 200 {
		t.Fatalf("CardLoadsSince after settling = %d, %d, %v", n, sum, err)
	}
	ghost := *first
	ghost.TenantID = other
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.UpdateCardLoad(ctx, &ghost) }); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("updating another tenant's load: %v", err)
	}
}
