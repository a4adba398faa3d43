package server_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestListsCostNoQueryPerItem: every list endpoint of the dialects and the operator API
// runs as many SQL statements for a list of a few items as for a list of many (the
// store counts the statements it runs): no query per item. Each request is made once
// first, so that caches (credentials) are warm when it is counted.
func TestListsCostNoQueryPerItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		counter, ok := e.Store.(interface{ Statements() int64 })
		if !ok {
			t.Fatalf("%T does not count its statements", e.Store)
		}
		tid := e.Tenant.TenantID
		ctx := baas.WithTenant(context.Background(), tid)
		acct, _, err := e.Core.CreateAccount(ctx, core.CreateAccountParams{Email: "lists@example.com", Handle: "lists"})
		if err != nil {
			t.Fatal(err)
		}
		ep, err := e.Core.CreateWebhookEndpoint(ctx, core.CreateWebhookEndpointParams{TenantID: tid, URL: "https://hooks.example.com/lists"})
		if err != nil {
			t.Fatal(err)
		}
		url := "https://auth.example.com/lists"
		if _, err := e.Core.UpdateAuthorizationSettings(ctx, core.AuthorizationSettingsPatch{TenantID: tid, URL: &url}); err != nil {
			t.Fatal(err)
		}
		var img bytes.Buffer
		if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
			t.Fatal(err)
		}

		// add gives every list n more items: tenants, accounts, cash-ins (transactions,
		// events, webhook deliveries), Codego customers with a KYC document each, recorded
		// authorization calls.
		seq := 0
		add := func(n int) {
			t.Helper()
			for range n {
				seq++
				e.NewTenant(t)
				if _, _, err := e.Core.CreateAccount(ctx, core.CreateAccountParams{Email: fmt.Sprintf("a%d@example.com", seq),
					Handle: fmt.Sprintf("a%d", seq)}); err != nil {
					t.Fatal(err)
				}
				if _, _, err := e.Core.CashIn(ctx, core.CashInParams{AccountNumber: acct.Account.Number, Amount: 100}); err != nil {
					t.Fatal(err)
				}
				c, _, err := e.Core.Signup(ctx, core.SignupParams{FirstName: "Ada", LastName: "Lovelace",
					Phone: fmt.Sprintf("99996%05d", seq), Email: fmt.Sprintf("c%d@example.com", seq), Password: "Aa100508!!!",
					Address: "Via Roma 1", City: "Roma", ZipCode: "00100", Product: core.ProductCards,
					Ref: fmt.Sprintf("ref-%d", seq), Profile: baas.CustomerProfile{CountryOfResidence: 106, PhoneCountry: 106,
						DateOfBirth: "1989-01-02", Nationality: 106, AddressCountry: 106, SameShipping: true, WorkCountry: 106,
						IncomeSource: "salary", TaxCountry: 106, TaxNumber: "RSSMRA", Gender: "female"}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.Core.UploadKYC(ctx, core.UploadKYCParams{Customer: baas.CustomerKey{ID: c.ID}, Type: baas.DocAddressProof,
					Images: []core.KYCImageUpload{{Field: "address_proof", Side: baas.SideFull, Data: img.Bytes()}}}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.Core.RequestAuthorization(ctx, core.AuthorizationParams{TenantID: tid, Reference: strconv.Itoa(seq)}); err != nil {
					t.Fatal(err)
				}
			}
		}

		tenant := "/admin/api/tenants/" + tid
		lists := []struct {
			path    string
			girasol bool
			items   string // the JSON field holding the list, dotted
		}{
			{"/v1/accounts/transactions/" + strconv.FormatInt(acct.Account.Number, 10), true, "data.transactions"},
			{"/admin/api/tenants", false, "tenants"},
			{tenant + "/accounts", false, "accounts"},
			{"/admin/api/kyc/documents?tenant_id=" + tid, false, "documents"},
			{tenant + "/events", false, "events"},
			{tenant + "/webhooks/deliveries", false, "deliveries"},
			{tenant + "/webhooks/endpoints/" + ep.EndpointID + "/deliveries", false, "deliveries"},
			{tenant + "/authorization/calls", false, "calls"},
		}
		// cost makes the request twice and returns the second's statements and items.
		cost := func(path string, girasol bool, items string) (int64, int) {
			t.Helper()
			var r *servertest.Response
			var before int64
			for i := range 2 {
				before = counter.Statements()
				if girasol {
					r = e.Girasol(t, "GET", path, nil)
				} else {
					r = e.Admin(t, "GET", path, nil)
				}
				if r.Status != 200 {
					t.Fatalf("GET %s (%d): %d %s", path, i, r.Status, r.Raw)
				}
			}
			var v any = r.JSON
			for _, k := range strings.Split(items, ".") {
				m, _ := v.(map[string]any)
				v = m[k]
			}
			n := -1
			if l, ok := v.([]any); ok {
				n = len(l)
			}
			return counter.Statements() - before, n
		}

		add(2)
		few := make([]int64, len(lists))
		for i, l := range lists {
			few[i], _ = cost(l.path, l.girasol, l.items)
		}
		add(20)
		for i, l := range lists {
			many, n := cost(l.path, l.girasol, l.items)
			if n < 20 {
				t.Fatalf("GET %s lists %d items, want at least 20 (is %q the list's field?)", l.path, n, l.items)
			}
			if many != few[i] {
				t.Fatalf("GET %s: %d statements for %d items, %d for a few", l.path, many, n, few[i])
			}
			t.Logf("GET %s: %d statements for %d items", l.path, many, n)
		}
	})
}
