package admin_test

import (
	"testing"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestAdminRegion: a tenant reads UTC and no country until the operator sets its zone and
// country; unknown zones and countries, missing fields and unknown tenants are refused
// and change nothing.
func TestAdminRegion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		path := "/admin/api/tenants/" + e.Tenant.TenantID + "/region"
		want := func(zone, country string) {
			t.Helper()
			r := e.Admin(t, "GET", path, nil)
			if r.Status != 200 || r.JSON["tenant_id"] != e.Tenant.TenantID || r.JSON["time_zone"] != zone || r.JSON["country"] != country {
				t.Fatalf("region: %d %s; want %s %q", r.Status, r.Raw, zone, country)
			}
		}
		want("UTC", "")

		r := e.Admin(t, "PUT", path, map[string]any{"time_zone": "America/New_York", "country": "us"})
		if r.Status != 200 || r.JSON["time_zone"] != "America/New_York" || r.JSON["country"] != "US" {
			t.Fatalf("put: %d %s", r.Status, r.Raw)
		}
		want("America/New_York", "US")

		for _, c := range []struct {
			body   map[string]any
			status int
			code   string
		}{
			{map[string]any{"time_zone": "Mars/Olympus", "country": "US"}, 400, "invalid"},
			{map[string]any{"time_zone": "../../etc/passwd", "country": "US"}, 400, "invalid"},
			{map[string]any{"time_zone": "Local", "country": "US"}, 400, "invalid"},
			{map[string]any{"time_zone": "UTC", "country": "XX"}, 400, "invalid"},
			{map[string]any{"time_zone": "UTC", "country": "USA"}, 400, "invalid"},
			{map[string]any{"time_zone": "UTC"}, 400, "invalid"},
			{map[string]any{"country": "US"}, 400, "invalid"},
			{map[string]any{"time_zone": "UTC", "country": "US", "currency": "USD"}, 400, "invalid"},
		} {
			wantAdminError(t, e.Admin(t, "PUT", path, c.body), c.status, c.code)
		}
		want("America/New_York", "US")
		wantAdminError(t, e.Admin(t, "PUT", "/admin/api/tenants/nobody/region", map[string]any{"time_zone": "UTC", "country": ""}), 404, "not_found")
		wantAdminError(t, e.Admin(t, "GET", "/admin/api/tenants/nobody/region", nil), 404, "not_found")

		// Back to the defaults: UTC and no country are values.
		if r := e.Admin(t, "PUT", path, map[string]any{"time_zone": "", "country": ""}); r.Status != 200 {
			t.Fatalf("reset: %d %s", r.Status, r.Raw)
		}
		want("UTC", "")

		// Each change is in the audit log.
		r = e.Admin(t, "GET", "/admin/api/audit?action=tenant.region_changed", nil)
		if r.Status != 200 {
			t.Fatalf("audit: %d %s", r.Status, r.Raw)
		}
		if entries, _ := r.JSON["entries"].([]any); len(entries) != 2 {
			t.Fatalf("audit entries: %s", r.Raw)
		}
	})
}
