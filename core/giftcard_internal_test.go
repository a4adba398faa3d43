package core

import "testing"

// The fee of a load: issue fee + fixed load fee + the percentage, rounded half up to the
// cent; the description in the spec's words.
func TestGiftcardFee(t *testing.T) {
	std, _ := LookupGiftcardKind(GiftcardStandard)
	hs, _ := LookupGiftcardKind(ProductHSGiftcard)
	def := func(k GiftcardKind) GiftcardFeeConfig {
		return GiftcardFeeConfig{IssueFee: k.IssueFee, LoadFeeFixed: k.LoadFixed, LoadFeePercentBP: k.LoadPercentBP}
	}
	for _, x := range []struct {
		f      GiftcardFeeConfig
		amount int64
		want   int64
	}{
		{def(std), 10_000, 1165}, // the spec's €100.00: €11.65
		{def(std), 1_000, 1107},  // 0.65 % of €10.00 = 6.5 cents: 7
		{def(std), 999, 1106},    // 6.4935 cents: 6
		{def(hs), 1_000, 620},
		{def(hs), 5_000_000, 100_600},
		{GiftcardFeeConfig{LoadFeePercentBP: 35}, 5_000, 18}, // 17.5 cents: 18
		{GiftcardFeeConfig{LoadFeePercentBP: 35}, 4_999, 17}, // 17.4965 cents: 17
		{GiftcardFeeConfig{}, 5_000, 0},
		{GiftcardFeeConfig{LoadFeePercentBP: MaxGiftcardPercentBP}, 5_000, 5_000},
	} {
		if got := x.f.Fee(x.amount); got != x.want {
			t.Errorf("Fee(%+v, %d) = %d, want %d", x.f, x.amount, got, x.want)
		}
	}
	if got, want := GiftcardDescription(1000, 10_000, 1165),
		"Generate virtual gift card costs is €10.00 and Load amount is €100.00. The total fee is €11.65"; got != want {
		t.Errorf("description %q, want %q", got, want)
	}
	if _, ok := LookupGiftcardKind("nope"); ok {
		t.Error("an unknown kind")
	}
	for _, k := range GiftcardKinds {
		p, ok := LookupCardProduct(k.Product)
		if !ok || p.FormFactor != "virtual" || p.AccountKind != "giftcard" || p.Dialect != "codego" {
			t.Errorf("product %s: %+v", k.Product, p)
		}
	}
}

func TestAccessCode(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		c, err := accessCode()
		if err != nil || len(c) != 19 || c[4] != '-' || c[9] != '-' || c[14] != '-' || seen[c] {
			t.Fatalf("access code %q, %v", c, err)
		}
		seen[c] = true
	}
}
