package core_test

import (
	"context"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
)

// TestOperatorKeysApartFromTenantKeys: the same Idempotency-Key used by the tenant and by
// the operator (funding its master account) names two different requests, whatever the
// tenant writes in its key.
func TestOperatorKeysApartFromTenantKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		svc, err := core.New(storetest.Open(t, engine), core.DefaultConfig(), core.NewMasterKey(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "t", Sandbox: true})
		if err != nil {
			t.Fatal(err)
		}
		ctx := baas.WithTenant(context.Background(), creds.TenantID)
		info, _, err := svc.CreateAccount(ctx, core.CreateAccountParams{Email: "a@example.com", Handle: "a"})
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"k1", "operator:k1"} {
			if _, replayed, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: info.Account.Number, Amount: 5,
				Idem: core.Idempotency{Key: key, Fingerprint: "tenant"}}); err != nil || replayed {
				t.Fatalf("tenant %s: replayed=%v err=%v", key, replayed, err)
			}
		}
		res, replayed, err := svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: creds.TenantID, Amount: 7,
			Idem: core.Idempotency{Key: "k1", Fingerprint: "operator"}})
		if err != nil || replayed {
			t.Fatalf("operator k1 collided with the tenant's: replayed=%v err=%v", replayed, err)
		}
		again, replayed, err := svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: creds.TenantID, Amount: 7,
			Idem: core.Idempotency{Key: "k1", Fingerprint: "operator"}})
		if err != nil || !replayed || again.TransferID != res.TransferID {
			t.Fatalf("operator replay: %+v replayed=%v err=%v", again, replayed, err)
		}
	})
}
