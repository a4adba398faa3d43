package rules

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func base(vt ValidationType) Rule {
	return Rule{ID: "r1", OwnerType: OwnerCard, OwnerID: "card-1", ValidationType: vt, Value: "5411",
		Amount: 10000, CurrencyCode: "USD", BusinessScope: Both, RangeType: Daily,
		TimeFrame: TimeFrame{Begin: "00:00:00", End: "23:59:59"}}
}

func TestNormalizeCanonicalForm(t *testing.T) {
	in := Rule{OwnerType: "Card", OwnerID: "c", ValidationType: "mcc", Value: " 5411, 5812 ,5411",
		CurrencyCode: "usd", BusinessScope: "international", RangeType: "MONTHLY"}
	got, err := in.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	want := Rule{OwnerType: OwnerCard, OwnerID: "c", ValidationType: Mcc, Value: "5411,5812",
		CurrencyCode: "USD", BusinessScope: International, RangeType: Monthly}
	if got != want {
		t.Fatalf("Normalize = %+v\nwant        %+v", got, want)
	}
	// Defaults: scope Both, range Always, no time frame; entry modes lower case.
	got, err = Rule{OwnerType: OwnerCompany, OwnerID: "co", ValidationType: EntryMode, Value: "Ecommerce,MANUAL"}.Normalize()
	if err != nil || got.BusinessScope != Both || got.RangeType != Always || got.Value != "ecommerce,manual" || got.CurrencyCode != "" {
		t.Fatalf("Normalize = %+v, %v", got, err)
	}
	// An Amount rule's value is ignored and kept (the spec's examples send "XXX").
	got, err = Rule{OwnerType: OwnerProduct, OwnerID: "p", ValidationType: Amount, Value: "XXX", Amount: 0, CurrencyCode: "EUR", RangeType: Always}.Normalize()
	if err != nil || got.Value != "XXX" || got.Amount != 0 {
		t.Fatalf("Normalize = %+v, %v", got, err)
	}
	// The spec's own example body.
	spec := Rule{OwnerType: OwnerCard, OwnerID: "x", ValidationType: "Amount", Value: "XXX", Amount: 0, CurrencyCode: "USD",
		BusinessScope: "Both", RangeType: "Always", TimeFrame: TimeFrame{"00:00:00", "23:59:59"}}
	if _, err := spec.Normalize(); err != nil {
		t.Fatal(err)
	}
}

func TestNormalizeRefuses(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*Rule)
		field string
		says  string
	}{
		{"unknown validationType", func(r *Rule) { r.ValidationType = "Merchant" }, "validationType", `validationType must be Mcc, Amount or EntryMode, not "Merchant"`},
		{"empty validationType", func(r *Rule) { r.ValidationType = "" }, "validationType", "not an empty value"},
		{"unknown rangeType", func(r *Rule) { r.RangeType = "Yearly" }, "rangeType", `rangeType must be Daily, Weekly, Monthly or Always, not "Yearly"`},
		{"unknown businessScope", func(r *Rule) { r.BusinessScope = "Global" }, "businessScope", `businessScope must be International, Domestic or Both, not "Global"`},
		{"unknown ownerType", func(r *Rule) { r.OwnerType = "account" }, "ownerType", `ownerType must be company, product or card, not "account"`},
		{"no owner id", func(r *Rule) { r.OwnerID = " " }, "ownerId", "ownerId is required"},
		{"negative amount", func(r *Rule) { r.Amount = -1 }, "amount", "amount must not be negative"},
		{"amount rule without currency", func(r *Rule) { r.ValidationType, r.CurrencyCode = Amount, "" }, "currencyCode", "3-letter"},
		{"bad currency", func(r *Rule) { r.CurrencyCode = "US1" }, "currencyCode", `not "US1"`},
		{"long currency", func(r *Rule) { r.CurrencyCode = "USDX" }, "currencyCode", "3-letter"},
		{"MCC of 3 digits", func(r *Rule) { r.Value = "541" }, "value", `4-digit merchant category codes separated by commas (got "541")`},
		{"MCC not digits", func(r *Rule) { r.Value = "5411,ab12" }, "value", `got "ab12"`},
		{"MCC list empty", func(r *Rule) { r.Value = "" }, "value", "merchant category codes"},
		{"MCC empty item", func(r *Rule) { r.Value = "5411,,5812" }, "value", "got an empty value"},
		{"unknown entry mode", func(r *Rule) { r.ValidationType, r.Value = EntryMode, "chip,swipe" }, "value", `(chip, contactless, ecommerce, magstripe, manual) separated by commas (got "swipe")`},
		{"begin after end", func(r *Rule) { r.TimeFrame = TimeFrame{"18:00:00", "09:00:00"} }, "timeFrame", "timeFrame.begin 18:00:00 is after timeFrame.end 09:00:00"},
		{"begin not HH:MM:SS", func(r *Rule) { r.TimeFrame.Begin = "9:00" }, "timeFrame.begin", `timeFrame.begin must be HH:MM:SS from 00:00:00 to 23:59:59, not "9:00"`},
		{"end not HH:MM:SS", func(r *Rule) { r.TimeFrame.End = "24:00:00" }, "timeFrame.end", `not "24:00:00"`},
		{"minute 60", func(r *Rule) { r.TimeFrame.End = "12:60:00" }, "timeFrame.end", "HH:MM:SS"},
		{"second 60", func(r *Rule) { r.TimeFrame.Begin = "12:00:60" }, "timeFrame.begin", "HH:MM:SS"},
		{"with fraction", func(r *Rule) { r.TimeFrame.Begin = "12:00:00.5" }, "timeFrame.begin", "HH:MM:SS"},
		{"signs", func(r *Rule) { r.TimeFrame.Begin = "+1:00:00" }, "timeFrame.begin", "HH:MM:SS"},
		{"begin only", func(r *Rule) { r.TimeFrame = TimeFrame{Begin: "09:00:00"} }, "timeFrame.end", "an empty value"},
		{"end only", func(r *Rule) { r.TimeFrame = TimeFrame{End: "09:00:00"} }, "timeFrame.begin", "an empty value"},
	} {
		r := base(Mcc)
		c.edit(&r)
		_, err := r.Normalize()
		var e *Error
		if !errors.As(err, &e) || e.Field != c.field || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %v (%+v); want field %s saying %q", c.name, err, e, c.field, c.says)
		}
	}
	// Edges that are accepted.
	for _, tf := range []TimeFrame{{"00:00:00", "23:59:59"}, {"12:00:00", "12:00:00"}, {}} {
		r := base(Amount)
		r.TimeFrame = tf
		if _, err := r.Normalize(); err != nil {
			t.Errorf("time frame %+v: %v", tf, err)
		}
	}
}

// A rule Normalize accepts is a fixed point of Normalize, and Evaluate never finds it invalid.
func FuzzNormalize(f *testing.F) {
	f.Add("card", "Mcc", "5411, 5812", int64(0), "usd", "Both", "Daily", "00:00:00", "23:59:59", "5411", int64(100), int64(3600))
	f.Add("company", "amount", "XXX", int64(500), "EUR", "international", "weekly", "", "", "", int64(600), int64(0))
	f.Add("product", "EntryMode", "Chip,manual", int64(-1), "", "domestic", "ALWAYS", "10:00:00", "09:59:59", "", int64(1), int64(86399))
	f.Fuzz(func(t *testing.T, owner, vt, value string, amount int64, cur, scope, rng, begin, end, mcc string, txnAmount, secs int64) {
		r := Rule{ID: "f", OwnerType: OwnerType(owner), OwnerID: "o", ValidationType: ValidationType(vt), Value: value,
			Amount: amount, CurrencyCode: cur, BusinessScope: Scope(scope), RangeType: RangeType(rng), TimeFrame: TimeFrame{begin, end}}
		n, err := r.Normalize()
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if again, err := n.Normalize(); err != nil || again != n {
			t.Fatalf("not a fixed point: %+v -> %+v, %v", n, again, err)
		}
		txn := txnAt(wednesday.Add(time.Duration(secs%86400) * time.Second))
		txn.MCC, txn.Amount, txn.Currency = mcc, txnAmount%1e12, n.CurrencyCode
		if d := Evaluate([]Rule{n}, txn, History{}); strings.HasPrefix(d.Detail, "rule is invalid") {
			t.Fatalf("%+v: %s", n, d.Detail)
		}
	})
}
