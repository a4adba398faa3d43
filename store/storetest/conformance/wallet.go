package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.WalletTx: wallets read back as written; one per tenant, customer, coin and network
// (the tenant's own wallet, customer "", counts too); addresses unique across tenants;
// found by address whatever the tenant; listed per tenant, newest first, all of them or
// one customer's.
func testWallets(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s).ID, newTenant(t, s).ID
	cust := newCustomer(t, s, ten).ID
	at := now()
	mk := func(tenantID, customerID, coin, network string, age time.Duration) *baas.CryptoWallet {
		return &baas.CryptoWallet{ID: uniq("w-"), TenantID: tenantID, CustomerID: customerID, Coin: coin,
			Network: network, Address: uniq("addr-"), CreatedAt: at.Add(-age)}
	}
	create := func(w *baas.CryptoWallet) error {
		return s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateWallet(ctx, w) })
	}
	btc := mk(ten, cust, "btc", "bitcoin", 2*time.Second)
	usdt := mk(ten, cust, "usdt", "trc-20", time.Second)
	own := mk(ten, "", "usdt", "trc-20", 0)
	for _, w := range []*baas.CryptoWallet{btc, usdt, own} {
		if err := create(w); err != nil {
			t.Fatal(err)
		}
	}
	r := s.Read()
	got, err := r.FindWallet(ctx, ten, cust, "usdt", "trc-20")
	if err != nil || !reflect.DeepEqual(got, usdt) {
		t.Fatalf("FindWallet = %+v, %v; want %+v", got, err, usdt)
	}
	if got, err := r.FindWallet(ctx, ten, "", "usdt", "trc-20"); err != nil || got.ID != own.ID {
		t.Fatalf("the tenant's own wallet: %+v, %v", got, err)
	}
	if _, err := r.FindWallet(ctx, other, cust, "usdt", "trc-20"); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's wallet: %v", err)
	}
	if _, err := r.FindWallet(ctx, ten, cust, "usdt", "erc-20"); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another network: %v", err)
	}
	if got, err := r.FindWalletByAddress(ctx, btc.Address); err != nil || !reflect.DeepEqual(got, btc) {
		t.Fatalf("FindWalletByAddress = %+v, %v", got, err)
	}
	if _, err := r.FindWalletByAddress(ctx, "nowhere"); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("unknown address: %v", err)
	}

	// Same owner, coin and network; same address in another tenant.
	wantCode(t, create(mk(ten, cust, "btc", "bitcoin", 0)), baas.EConflict)
	wantCode(t, create(mk(ten, "", "usdt", "trc-20", 0)), baas.EConflict)
	clash := mk(other, "", "btc", "bitcoin", 0)
	clash.Address = btc.Address
	wantCode(t, create(clash), baas.EConflict)
	if err := create(mk(other, cust, "btc", "bitcoin", 0)); err != nil {
		t.Fatalf("the same owner, coin and network in another tenant: %v", err)
	}

	ids := func(ws []*baas.CryptoWallet, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, w := range ws {
			out = append(out, w.ID)
		}
		return out
	}
	if got := ids(r.ListWallets(ctx, ten, nil)); !reflect.DeepEqual(got, []string{own.ID, usdt.ID, btc.ID}) {
		t.Fatalf("all wallets: %v", got)
	}
	if got := ids(r.ListWallets(ctx, ten, &cust)); !reflect.DeepEqual(got, []string{usdt.ID, btc.ID}) {
		t.Fatalf("the customer's wallets: %v", got)
	}
	none := ""
	if got := ids(r.ListWallets(ctx, ten, &none)); !reflect.DeepEqual(got, []string{own.ID}) {
		t.Fatalf("the tenant's own wallets: %v", got)
	}
}
