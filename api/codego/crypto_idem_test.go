package codego_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestCryptoDepositIdempotency repeats a sandbox deposit with one Idempotency-Key: the
// first result is replayed and the user credited once; the key with another body is a
// 409 that credits nothing; another key credits again.
func TestCryptoDepositIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		e := servertest.Start(t, engine)
		c := e.CodegoLogin(t, e.Tenant)
		uid := signup(t, c, "idem@example.com")
		ctx := baas.WithTenant(context.Background(), e.Tenant.TenantID)
		k := baas.CustomerKey{Ref: httpx.NormalizeRef(uid)}
		w, err := e.Core.GenerateWallet(ctx, core.GenerateWalletParams{Customer: &k, Coin: "btc"})
		if err != nil {
			t.Fatal(err)
		}
		deposit := func(key, amount string) *servertest.Response {
			h := http.Header{}
			h.Set("Authorization", "Bearer "+servertest.AdminToken)
			if key != "" {
				h.Set("Idempotency-Key", key)
			}
			return e.Do(t, "POST", "/admin/api/sandbox/crypto-deposits", map[string]any{"address": w.Address, "amount": amount}, h)
		}
		balance := func() string { return accountDetail(t, c, uid)["balance"].(string) }

		first := deposit("dep-1", "0.015")
		if first.Status != 201 || first.JSON["credited"] != float64(35115) {
			t.Fatalf("deposit: %d %s", first.Status, first.Raw)
		}
		again := deposit("dep-1", "0.015")
		if again.Status != 201 || again.Header.Get(httpx.ReplayedHeader) != "true" ||
			again.JSON["transfer_id"] != first.JSON["transfer_id"] {
			t.Fatalf("replay: %d %v %s", again.Status, again.Header, again.Raw)
		}
		if got := balance(); got != "351.15" {
			t.Fatalf("balance after a replay: %s", got)
		}
		if r := deposit("dep-1", "0.02"); r.Status != 409 {
			t.Fatalf("the key with another body: %d %s", r.Status, r.Raw)
		}
		if got := balance(); got != "351.15" {
			t.Fatalf("balance after a refused reuse: %s", got)
		}
		if r := deposit("dep-2", "0.015"); r.Status != 201 || r.JSON["transfer_id"] == first.JSON["transfer_id"] {
			t.Fatalf("another key: %d %s", r.Status, r.Raw)
		}
		if got := balance(); got != "702.30" {
			t.Fatalf("balance after two deposits: %s", got)
		}
		// Played for another tenant (the console's form on that tenant's page), the
		// address is not found and nothing moves.
		other := e.NewTenant(t)
		_, _, err = e.Core.SandboxCryptoDeposit(context.Background(), core.CryptoDepositParams{Address: w.Address,
			Amount: "0.015", TenantID: other.TenantID})
		if !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("another tenant's address: %v", err)
		}
		if got := balance(); got != "702.30" {
			t.Fatalf("balance after a refused deposit: %s", got)
		}
	})
}
