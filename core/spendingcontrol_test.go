package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/rules"
	"github.com/baas-oss/baas/store/storetest"
)

// TestControlsCRUD: owners are named in any case and stored canonically; an update keeps
// the owner and changes only the fields given; an owner holds at most
// MaxControlsPerOwner rules; another tenant's rules and owners are not found; every
// refusal names the spec's field.
func TestControlsCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		f := newCardFixture(t, engine)
		card := f.card(t, f.account(t, "holder"), core.ProductGirasolVirtual)
		str := func(s string) *string { return &s }
		mcc := core.ControlFields{ValidationType: str("mcc"), Value: str(" 5411 ,5812")}

		c, err := f.svc.CreateControl(f.ctx, "CARD", strings.ToUpper(card.ID), mcc)
		if err != nil {
			t.Fatal(err)
		}
		if c.OwnerType != "card" || c.OwnerID != card.ID || c.ValidationType != "Mcc" || c.Value != "5411,5812" ||
			c.BusinessScope != "Both" || c.RangeType != "Always" || c.TenantID != f.tenant {
			t.Fatalf("created %+v", c)
		}
		p, err := f.svc.CreateControl(f.ctx, "product", "GIRASOL-VIRTUAL", mcc)
		if err != nil || p.OwnerID != core.ProductGirasolVirtual {
			t.Fatalf("product rule %+v, %v", p, err)
		}
		co, err := f.svc.CreateControl(f.ctx, "company", f.tenant, mcc)
		if err != nil || co.OwnerID != f.tenant {
			t.Fatalf("company rule %+v, %v", co, err)
		}

		// Update: only the fields given; the owner and creation stay.
		amount := int64(2500)
		up, err := f.svc.UpdateControl(f.ctx, strings.ToUpper(c.ID), core.ControlFields{ValidationType: str("Amount"),
			Amount: &amount, CurrencyCode: str("usd"), TimeFrame: &rules.TimeFrame{Begin: "08:00:00", End: "20:00:00"}})
		if err != nil {
			t.Fatal(err)
		}
		if up.ID != c.ID || up.OwnerID != card.ID || up.Value != "5411,5812" || up.Amount != 2500 || up.CurrencyCode != "USD" ||
			up.TimeBegin != "08:00:00" || !up.CreatedAt.Equal(c.CreatedAt.Truncate(time.Microsecond)) {
			t.Fatalf("updated %+v", up)
		}
		list, err := f.svc.ListControls(f.ctx, "card", card.ID)
		if err != nil || len(list) != 1 || list[0].Amount != 2500 {
			t.Fatalf("list %+v, %v", list, err)
		}

		// Refusals name the field.
		for _, tc := range []struct {
			f     core.ControlFields
			field string
		}{
			{core.ControlFields{ValidationType: str("Merchant")}, "validationType"},
			{core.ControlFields{ValidationType: str("Amount"), Amount: &[]int64{-1}[0], CurrencyCode: str("USD")}, "amount"},
			{core.ControlFields{ValidationType: str("Amount"), Amount: &[]int64{1e16}[0], CurrencyCode: str("USD")}, "amount"},
			{core.ControlFields{ValidationType: str("Mcc"), Value: str("5411"), RangeType: str("Yearly")}, "rangeType"},
			{core.ControlFields{ValidationType: str("Mcc"), Value: str("5411"), TimeFrame: &rules.TimeFrame{Begin: "9:00:00", End: "10:00:00"}}, "timeFrame.begin"},
		} {
			_, err := f.svc.CreateControl(f.ctx, "card", card.ID, tc.f)
			if e := baas.AsError(err); e.Code != baas.EInvalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
				t.Errorf("%+v: %v; want a refusal of %s", tc.f, err, tc.field)
			}
		}

		// At most MaxControlsPerOwner per owner.
		for i := 1; i < core.MaxControlsPerOwner; i++ {
			if _, err := f.svc.CreateControl(f.ctx, "card", card.ID, mcc); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.CreateControl(f.ctx, "card", card.ID, mcc); baas.ErrorReason(err) != core.ReasonRuleLimit {
			t.Fatalf("rule %d: %v", core.MaxControlsPerOwner+1, err)
		}

		// Another tenant sees none of it.
		other, err := f.svc.CreateTenant(f.ctx, core.CreateTenantParams{Name: "other", Sandbox: true})
		if err != nil {
			t.Fatal(err)
		}
		octx := baas.WithTenant(f.ctx, other.TenantID)
		for _, err := range []error{
			func() error { _, err := f.svc.UpdateControl(octx, c.ID, mcc); return err }(),
			func() error { _, err := f.svc.DeleteControl(octx, c.ID); return err }(),
		} {
			if baas.ErrorReason(err) != core.ReasonRuleNotFound {
				t.Fatalf("another tenant's rule: %v", err)
			}
		}
		for _, owner := range [][2]string{{"card", card.ID}, {"company", f.tenant}} {
			if _, err := f.svc.ListControls(octx, owner[0], owner[1]); baas.ErrorReason(err) != core.ReasonOwnerNotFound {
				t.Fatalf("another tenant's %s: %v", owner[0], err)
			}
		}
		if list, err := f.svc.ListControls(octx, "product", core.ProductGirasolVirtual); err != nil || len(list) != 0 {
			t.Fatalf("another tenant's product rules: %+v, %v", list, err)
		}
		if _, err := f.svc.DeleteControl(f.ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	})
}
