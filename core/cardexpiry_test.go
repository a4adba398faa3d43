package core_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
)

// TestCardExpiry: a card is valid through the last day of its expiry month. From the next
// day every action on it is judged as on an expired card, and the sweep moves the cards
// nobody touched to expired with their card.expired event, once.
func TestCardExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		store := storetest.Open(t, engine)
		var clock atomic.Int64
		clock.Store(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC).UnixMicro())
		now := func() time.Time { return time.UnixMicro(clock.Load()).UTC() }
		svc, err := core.New(store, core.DefaultConfig(), core.NewMasterKey(), now, nil)
		if err != nil {
			t.Fatal(err)
		}
		creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "expiry", Sandbox: true})
		if err != nil {
			t.Fatal(err)
		}
		f := &cardFixture{svc: svc, store: store, ctx: baas.WithTenant(context.Background(), creds.TenantID), tenant: creds.TenantID}
		virtual := f.card(t, f.account(t, "ada"), core.ProductGirasolVirtual)
		physical := f.card(t, f.account(t, "bob"), core.ProductGirasolPhysical)
		if _, err := svc.OperatorCardAction(context.Background(), physical.ID, baas.CardAccept); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.OperatorCardAction(context.Background(), physical.ID, baas.CardShip); err != nil {
			t.Fatal(err)
		}

		// The last moment of the expiry month: still valid, nothing to sweep.
		clock.Store(time.Date(virtual.ExpYear, time.Month(virtual.ExpMonth)+1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Microsecond).UnixMicro())
		if n, err := svc.ExpireCards(context.Background()); err != nil || n != 0 {
			t.Fatalf("ExpireCards on the last day = %d, %v; want 0", n, err)
		}
		if c, err := svc.ChangeCardStatus(f.ctx, virtual.ID, baas.CardFreeze); err != nil || c.Status != baas.CardFrozen {
			t.Fatalf("freeze on the last day: %+v, %v", c, err)
		}

		// The next month: an action is refused as on an expired card, and changes nothing.
		last := time.Date(virtual.ExpYear, time.Month(virtual.ExpMonth)+1, 1, 0, 0, 0, 0, time.UTC)
		if p := time.Date(physical.ExpYear, time.Month(physical.ExpMonth)+1, 1, 0, 0, 0, 0, time.UTC); p.After(last) {
			last = p
		}
		clock.Store(last.UnixMicro())
		if _, err := svc.ChangeCardStatus(f.ctx, virtual.ID, baas.CardUnfreeze); !baas.IsCode(err, baas.EConflict) {
			t.Fatalf("unfreeze of an expired card: %v, want a conflict", err)
		}
		if c, err := svc.GetCard(f.ctx, virtual.ID); err != nil || c.Status != baas.CardFrozen {
			t.Fatalf("after the refused unfreeze: %+v, %v; want it untouched until the sweep", c, err)
		}

		// The sweep moves both, once, each with its event.
		if n, err := svc.ExpireCards(context.Background()); err != nil || n != 2 {
			t.Fatalf("ExpireCards = %d, %v; want 2", n, err)
		}
		if n, err := svc.ExpireCards(context.Background()); err != nil || n != 0 {
			t.Fatalf("second ExpireCards = %d, %v; want 0", n, err)
		}
		for _, id := range []string{virtual.ID, physical.ID} {
			c, err := svc.GetCard(f.ctx, id)
			if err != nil || c.Status != baas.CardExpired {
				t.Fatalf("card %s after the sweep: %+v, %v", id, c, err)
			}
			if evs := f.events(t, id); !slices.Contains(evs, "card.expired") || evs[len(evs)-1] != "card.expired" {
				t.Fatalf("events of %s: %v, want card.expired last", id, evs)
			}
		}
		// An expired card can still be blocked (final) and replaced, as the table says.
		if c, err := svc.OperatorCardAction(context.Background(), physical.ID, baas.CardBlock); err != nil || c.Status != baas.CardBlocked {
			t.Fatalf("block of an expired card: %+v, %v", c, err)
		}
	})
}
