package conformance

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.SpendingControlTx: rules per tenant and owner, read back as written, never for
// another tenant; updated and deleted only by their tenant; the rules of a card's three
// owners in one query; and the tenant's region.

// newControlID makes rule ids that sort in creation order, as the core's time-ordered
// UUIDs do.
func newControlID() string { return fmt.Sprintf("00000000-0000-7000-9000-%012d", nextNumber()) }

func controlOf(tenantID, ownerType, ownerID string) *baas.SpendingControl {
	at := now()
	return &baas.SpendingControl{ID: newControlID(), TenantID: tenantID, OwnerType: ownerType, OwnerID: ownerID,
		ValidationType: "Amount", Value: "XXX", Amount: 5000, CurrencyCode: "USD", BusinessScope: "Both",
		RangeType: "Daily", TimeBegin: "09:00:00", TimeEnd: "17:30:00", CreatedAt: at, UpdatedAt: at}
}

// testSpendingControls: a rule reads back as written, for its tenant only; an update
// changes its checked fields and time only, a delete removes it, and neither reaches
// another tenant's rule; lists are per owner in id order; CardSpendingControls returns
// exactly the company's, the product's and the card's rules.
func testSpendingControls(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s), newTenant(t, s)
	r := s.Read()

	c := controlOf(ten.ID, "card", "card-1")
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateSpendingControl(ctx, c) })
	got, err := r.GetSpendingControl(ctx, ten.ID, c.ID)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("GetSpendingControl = %+v, %v; want %+v", got, err, c)
	}
	_, err = r.GetSpendingControl(ctx, other.ID, c.ID)
	wantCode(t, err, baas.ENotFound)
	_, err = r.GetSpendingControl(ctx, ten.ID, newControlID())
	wantCode(t, err, baas.ENotFound)
	err = s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateSpendingControl(ctx, controlOf(ten.ID, "card", "x")) })
	if err != nil {
		t.Fatal(err)
	}
	dup := controlOf(ten.ID, "card", "card-1")
	dup.ID = c.ID
	wantCode(t, s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateSpendingControl(ctx, dup) }), baas.EConflict)

	// Update: every checked field and the time; owner, tenant and creation stay.
	up := *c
	up.OwnerType, up.OwnerID, up.CreatedAt = "company", "elsewhere", c.CreatedAt.Add(time.Hour)
	up.ValidationType, up.Value, up.Amount, up.CurrencyCode = "Mcc", "5411,5812", 0, "EUR"
	up.BusinessScope, up.RangeType, up.TimeBegin, up.TimeEnd = "International", "Always", "", ""
	up.UpdatedAt = c.UpdatedAt.Add(time.Minute)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.UpdateSpendingControl(ctx, &up) })
	want := up
	want.OwnerType, want.OwnerID, want.CreatedAt = c.OwnerType, c.OwnerID, c.CreatedAt
	if got, err := r.GetSpendingControl(ctx, ten.ID, c.ID); err != nil || !reflect.DeepEqual(got, &want) {
		t.Fatalf("after update = %+v, %v; want %+v", got, err, &want)
	}
	foreign := up
	foreign.TenantID = other.ID
	wantCode(t, s.InTx(ctx, func(tx baas.Tx) error { return tx.UpdateSpendingControl(ctx, &foreign) }), baas.ENotFound)
	wantCode(t, s.InTx(ctx, func(tx baas.Tx) error { return tx.DeleteSpendingControl(ctx, other.ID, c.ID) }), baas.ENotFound)

	// Lists per owner, in id order; the card's three owners in one query.
	card := controlOf(ten.ID, "card", "card-2")
	company := controlOf(ten.ID, "company", ten.CompanyID)
	product := controlOf(ten.ID, "product", "girasol-virtual")
	card2 := controlOf(ten.ID, "card", "card-2")
	noise := []*baas.SpendingControl{
		controlOf(ten.ID, "product", "girasol-physical"), controlOf(ten.ID, "company", "another-company"),
		controlOf(other.ID, "card", "card-2"), controlOf(other.ID, "product", "girasol-virtual"),
		controlOf(other.ID, "company", ten.CompanyID), controlOf(ten.ID, "card", "girasol-virtual"),
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		for _, x := range append([]*baas.SpendingControl{card, company, product, card2}, noise...) {
			if err := tx.CreateSpendingControl(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
	list, err := r.ListSpendingControls(ctx, ten.ID, "card", "card-2")
	if err != nil || len(list) != 2 || !reflect.DeepEqual(list[0], card) || !reflect.DeepEqual(list[1], card2) {
		t.Fatalf("ListSpendingControls = %+v, %v", list, err)
	}
	if list, err := r.ListSpendingControls(ctx, other.ID, "card", "card-1"); err != nil || len(list) != 0 {
		t.Fatalf("another tenant's list = %+v, %v", list, err)
	}
	all, err := r.CardSpendingControls(ctx, baas.SpendingControlOwners{TenantID: ten.ID, CompanyID: ten.CompanyID,
		Product: "girasol-virtual", CardID: "card-2"})
	if err != nil || len(all) != 4 || !reflect.DeepEqual(all, []*baas.SpendingControl{card, company, product, card2}) {
		t.Fatalf("CardSpendingControls = %+v, %v", all, err)
	}

	// Delete removes the rule once.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.DeleteSpendingControl(ctx, ten.ID, c.ID) })
	_, err = r.GetSpendingControl(ctx, ten.ID, c.ID)
	wantCode(t, err, baas.ENotFound)
	wantCode(t, s.InTx(ctx, func(tx baas.Tx) error { return tx.DeleteSpendingControl(ctx, ten.ID, c.ID) }), baas.ENotFound)

	// The database refuses what the core never writes.
	for _, edit := range []func(*baas.SpendingControl){
		func(x *baas.SpendingControl) { x.OwnerType = "account" },
		func(x *baas.SpendingControl) { x.ValidationType = "Merchant" },
		func(x *baas.SpendingControl) { x.BusinessScope = "Global" },
		func(x *baas.SpendingControl) { x.RangeType = "Yearly" },
		func(x *baas.SpendingControl) { x.Amount = -1 },
	} {
		bad := controlOf(ten.ID, "card", "card-3")
		edit(bad)
		if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateSpendingControl(ctx, bad) }); err == nil {
			t.Fatalf("stored %+v", bad)
		}
	}
}

// testTenantRegions: a tenant without a region reads the zero region; a put is read back
// and replaced by the next one.
func testTenantRegions(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten := newTenant(t, s).ID
	r := s.Read()
	if got, err := r.GetTenantRegion(ctx, ten); err != nil || !reflect.DeepEqual(got, &baas.TenantRegion{TenantID: ten}) {
		t.Fatalf("no region = %+v, %v", got, err)
	}
	for _, want := range []*baas.TenantRegion{
		{TenantID: ten, TimeZone: "America/New_York", Country: "US", UpdatedAt: now()},
		{TenantID: ten, TimeZone: "", Country: "UY", UpdatedAt: now().Add(time.Second)},
	} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutTenantRegion(ctx, want) })
		if got, err := r.GetTenantRegion(ctx, ten); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("region = %+v, %v; want %+v", got, err, want)
		}
	}
}
