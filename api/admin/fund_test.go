package admin_test

import (
	"testing"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestFundAmountRule: funding takes the one amount rule, whose message names the limit.
func TestFundAmountRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		path := "/admin/api/tenants/" + e.Tenant.TenantID + "/fund"
		for _, amount := range []int64{0, -1, 1_000_000_000_000_001} {
			r := e.Admin(t, "POST", path, map[string]any{"amount": amount})
			msg, _ := r.JSON["error"].(map[string]any)["message"].(string)
			if r.Status != 400 || msg != "amount must be a positive number not greater than 1000000000000000" {
				t.Errorf("fund %d: %d %s", amount, r.Status, r.Raw)
			}
		}
		if r := e.Admin(t, "POST", path, map[string]any{"amount": 1_000_000_000_000_000}); r.Status != 201 {
			t.Errorf("fund the limit: %d %s", r.Status, r.Raw)
		}
	})
}
