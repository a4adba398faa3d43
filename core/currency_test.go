package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
)

// TestSetAccountCurrency: a tenant's accounts (whose cash-ins draw on its master
// account) stay in the master currency; the cards product may take another currency.
func TestSetAccountCurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		svc, err := core.New(storetest.Open(t, engine), core.DefaultConfig(), core.NewMasterKey(), time.Now, nil)
		if err != nil {
			t.Fatal(err)
		}
		creds, err := svc.CreateTenant(ctx, core.CreateTenantParams{Name: "cur", Sandbox: true})
		if err != nil {
			t.Fatal(err)
		}
		ten := creds.TenantID
		err = svc.SetAccountCurrency(ctx, ten, core.ProductAccounts, "EUR")
		if !baas.IsCode(err, baas.EInvalid) || baas.ErrorReason(err) != core.ReasonCurrencyNotMaster {
			t.Fatalf("accounts in EUR: %v", err)
		}
		if cur, err := svc.AccountCurrency(ctx, ten, core.ProductAccounts); err != nil || cur != "USD" {
			t.Fatalf("accounts currency after the refusal: %q %v", cur, err)
		}
		if err := svc.SetAccountCurrency(ctx, ten, core.ProductAccounts, " usd "); err != nil {
			t.Fatalf("accounts in the master currency: %v", err)
		}
		if err := svc.SetAccountCurrency(ctx, ten, core.ProductCards, "GBP"); err != nil {
			t.Fatalf("cards in GBP: %v", err)
		}
		if cur, err := svc.AccountCurrency(ctx, ten, core.ProductCards); err != nil || cur != "GBP" {
			t.Fatalf("cards currency: %q %v", cur, err)
		}
		if err := svc.SetAccountCurrency(ctx, ten, core.ProductAccounts, "XYZ"); !baas.IsCode(err, baas.EInvalid) {
			t.Fatalf("unknown currency: %v", err)
		}
	})
}
