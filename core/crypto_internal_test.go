package core

import (
	"bytes"
	"testing"

	"github.com/baas-oss/baas/chainaddr"
)

// A wallet's address depends only on the keys and the inputs: a service started again
// with the same master key derives the same address, another key another one; every
// address is valid on its coin's chain and distinct per customer, coin and network.
func TestWalletAddressDeterministic(t *testing.T) {
	svc := func(key []byte) *Service {
		kr, err := LegacyKeyring(key)
		if err != nil {
			t.Fatal(err)
		}
		return &Service{keys: kr}
	}
	a, b, other := svc(bytes.Repeat([]byte{1}, 32)), svc(bytes.Repeat([]byte{1}, 32)), svc(bytes.Repeat([]byte{2}, 32))
	seen := map[string]bool{}
	for _, cust := range []string{"", "cus-1", "cus-2"} {
		for _, c := range Coins() {
			x, err := a.walletAddress("ten-1", cust, c)
			if err != nil || !chainaddr.Valid(c.Chain, x) {
				t.Fatalf("%s %s/%s: %s %v", cust, c.Code, c.Network, x, err)
			}
			if y, _ := b.walletAddress("ten-1", cust, c); y != x {
				t.Fatalf("after a restart: %s, before %s", y, x)
			}
			if z, _ := other.walletAddress("ten-1", cust, c); z == x {
				t.Fatal("another key, the same address")
			}
			if w, _ := a.walletAddress("ten-2", cust, c); w == x {
				t.Fatal("another tenant, the same address")
			}
			if seen[x] {
				t.Fatalf("%s given twice", x)
			}
			seen[x] = true
		}
	}
}

// DepositValue: (amount − fee) × price, rounded down to the cent, exactly.
func TestDepositValue(t *testing.T) {
	btc, _ := FindCoin("BTC", "")
	usdt, _ := FindCoin("usdt", "TRC20")
	for _, c := range []struct {
		coin   Coin
		amount string
		want   int64
	}{
		{btc, "0.015", 35115},            // 0.0149 × 23567.33 = 351.153217
		{btc, "1", 2356497},              // 0.9999 × 23567.33 = 23564.973267
		{btc, "0.00010043", 1},           // 0.00000043 × 23567.33 = 0.0101
		{usdt, "100", 9108},              // 99 × 0.92
		{usdt, "1.01", 0},                // 0.01 × 0.92 = 0.0092: under a cent
		{btc, "0.0001", 0},               // the fee itself
		{btc, "90000000000", 0},          // beyond the ledger's bound
		{btc, "99999999999.99999999", 0}, // beyond int64 units
	} {
		n, err := ParseCoin(c.amount)
		if err != nil {
			if c.want != 0 {
				t.Fatalf("%s: %v", c.amount, err)
			}
			continue
		}
		got, err := DepositValue(c.coin, n)
		if (err != nil) != (c.want == 0) || got != c.want {
			t.Fatalf("%s %s: %d %v, want %d", c.coin.Code, c.amount, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "0.123456789", "-1", "1e3", " 1", "1.", ".5", "0x10", "١"} {
		if _, err := ParseCoin(bad); err == nil {
			t.Errorf("ParseCoin(%q) passed", bad)
		}
	}
	if FormatCoin(10_000) != "0.00010000" || FormatCoin(2_356_733_000_000) != "23567.33000000" {
		t.Fatal(FormatCoin(10_000))
	}
}
