package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.GiftcardTx: an issue record reads back as written, for its tenant only; one per
// card; listed per tenant, oldest first, all or one customer's; delivered once; fees per
// tenant and product, replaced by a second put.
func testGiftcards(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s).ID, newTenant(t, s).ID
	master := newAccount(t, s, ten, accountOpts{Kind: baas.AccountMaster, Currency: "EUR"})
	mk := func(age time.Duration) *baas.Giftcard {
		acct := newAccount(t, s, ten, accountOpts{Currency: "EUR"})
		c := cardOf(ten, acct, baas.CardActive)
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCard(ctx, c) })
		tr := transfer(t, s, ten, master.ID, acct.ID, 0, "gift")
		at := now().Add(-age)
		return &baas.Giftcard{CardID: c.ID, TenantID: ten, CustomerID: acct.CustomerID, AccessHash: []byte("hash-" + c.ID),
			Mobile: "39-1234567890", Amount: 10_000, Fee: 1165, Currency: "EUR", Description: "Generate …",
			TransferID: tr.ID, DetailsAt: at.Add(time.Minute), CreatedAt: at}
	}
	create := func(g *baas.Giftcard) error {
		return s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateGiftcard(ctx, g) })
	}
	older, newer := mk(time.Second), mk(0)
	for _, g := range []*baas.Giftcard{newer, older} {
		if err := create(g); err != nil {
			t.Fatal(err)
		}
	}
	r := s.Read()
	if got, err := r.GetGiftcard(ctx, ten, older.CardID); err != nil || !reflect.DeepEqual(got, older) {
		t.Fatalf("GetGiftcard = %+v, %v; want %+v", got, err, older)
	}
	if _, err := r.GetGiftcard(ctx, other, older.CardID); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's gift card: %v", err)
	}
	wantCode(t, create(older), baas.EConflict)

	all, err := r.ListGiftcards(ctx, ten, nil)
	if err != nil || len(all) != 2 || all[0].CardID != older.CardID || all[1].CardID != newer.CardID {
		t.Fatalf("ListGiftcards = %+v, %v", all, err)
	}
	mine, err := r.ListGiftcards(ctx, ten, &newer.CustomerID)
	if err != nil || len(mine) != 1 || mine[0].CardID != newer.CardID {
		t.Fatalf("one customer's gift cards = %+v, %v", mine, err)
	}
	if none, err := r.ListGiftcards(ctx, other, nil); err != nil || len(none) != 0 {
		t.Fatalf("another tenant's list = %+v, %v", none, err)
	}

	// Delivered once.
	at := now()
	deliver := func() error {
		return s.InTx(ctx, func(tx baas.Tx) error { return tx.MarkGiftcardDelivered(ctx, ten, older.CardID, at) })
	}
	if err := deliver(); err != nil {
		t.Fatal(err)
	}
	wantCode(t, deliver(), baas.ENotFound)
	if got, _ := r.GetGiftcard(ctx, ten, older.CardID); !got.DeliveredAt.Equal(at) {
		t.Fatalf("DeliveredAt = %v, want %v", got.DeliveredAt, at)
	}

	// Fees: none, then put, then replaced; per product and tenant.
	if _, err := r.GetGiftcardFees(ctx, ten, "codego-giftcard"); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("fees before any: %v", err)
	}
	f := &baas.GiftcardFees{TenantID: ten, Product: "codego-giftcard", IssueFee: 1000, LoadFixed: 100, LoadPercentBP: 65,
		UpdatedAt: now()}
	put := func(f *baas.GiftcardFees) {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutGiftcardFees(ctx, f) })
	}
	put(f)
	f2 := *f
	f2.IssueFee, f2.LoadPercentBP = 0, 35
	put(&f2)
	if got, err := r.GetGiftcardFees(ctx, ten, "codego-giftcard"); err != nil || !reflect.DeepEqual(got, &f2) {
		t.Fatalf("GetGiftcardFees = %+v, %v; want %+v", got, err, f2)
	}
	for _, x := range [][2]string{{ten, "codego-hs-giftcard"}, {other, "codego-giftcard"}} {
		if _, err := r.GetGiftcardFees(ctx, x[0], x[1]); !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("fees of %v: %v", x, err)
		}
	}
}
