package codego_test

import (
	"testing"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestCardAllowance: the operator sets a tenant's card allowance; check_remaining_card
// counts from it and ordering stops at it; another tenant keeps the default of one.
func TestCardAllowance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		c := e.CodegoLogin(t, e.Tenant)
		path := "/admin/api/tenants/" + e.Tenant.TenantID + "/card-allowance"
		if r := adminOK(t, e, "GET", path, nil); r.JSON["cards_per_type"] != float64(1) || r.JSON["default"] != true {
			t.Fatalf("default allowance: %s", r.Raw)
		}
		for _, bad := range []any{0, -1, 101, 1.5, "2", nil} {
			if r := e.Admin(t, "PUT", path, map[string]any{"cards_per_type": bad}); r.Status != 400 {
				t.Fatalf("cards_per_type %v: %d %s", bad, r.Status, r.Raw)
			}
		}
		if r := e.Admin(t, "PUT", "/admin/api/tenants/00000000-0000-0000-0000-000000000000/card-allowance",
			map[string]any{"cards_per_type": 2}); r.Status != 404 {
			t.Fatalf("unknown tenant: %d %s", r.Status, r.Raw)
		}
		if r := adminOK(t, e, "PUT", path, map[string]any{"cards_per_type": 2}); r.JSON["cards_per_type"] != float64(2) {
			t.Fatalf("set: %s", r.Raw)
		}
		if r := adminOK(t, e, "GET", path, nil); r.JSON["cards_per_type"] != float64(2) || r.JSON["default"] != false {
			t.Fatalf("after set: %s", r.Raw)
		}
		uid := verifiedCustomer(t, e, c, "two@example.com")
		remaining := func(c *servertest.Codego, uid, typ string) any {
			r := c.Post(t, "check_remaining_card", map[string]any{"user_id": uid, "type": typ})
			wantOK(t, r, float64(1))
			return r.JSON["remaining_card"]
		}
		if got := remaining(c, uid, "debitcard"); got != "2" {
			t.Fatalf("remaining before an order: %v", got)
		}
		for range 2 {
			wantOK(t, spec(t, c, "debitcard_card_order", map[string]any{"user_id": uid}), float64(1))
		}
		if got := remaining(c, uid, "debitcard"); got != "0" || remaining(c, uid, "prepaid") != "2" {
			t.Fatalf("remaining after two orders: %v", got)
		}
		wantCode(t, spec(t, c, "debitcard_card_order", map[string]any{"user_id": uid}), 0, "No card remaining")

		// Another whitelabel keeps the default.
		oc := e.CodegoLogin(t, e.NewTenant(t))
		other := signup(t, oc, "one@example.com")
		if got := remaining(oc, other, "prepaid"); got != "1" {
			t.Fatalf("another tenant's allowance: %v", got)
		}
	})
}
