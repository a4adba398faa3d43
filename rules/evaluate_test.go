package rules

import (
	"fmt"
	"testing"
	"time"
)

// noon on Wednesday 2026-12-09, UTC.
var wednesday = time.Date(2026, time.December, 9, 12, 0, 0, 0, time.UTC)

func txnAt(t time.Time) Txn {
	return Txn{Amount: 1000, Currency: "USD", MCC: "5812", EntryMode: ModeChip, MerchantCountry: "US", Time: t, HomeCountry: "US"}
}

func rule(id string, vt ValidationType, edit func(*Rule)) Rule {
	r := Rule{ID: id, OwnerType: OwnerCard, OwnerID: "card-1", ValidationType: vt, CurrencyCode: "USD", BusinessScope: Both, RangeType: Always}
	switch vt {
	case Mcc:
		r.Value = "5411,7995"
	case EntryMode:
		r.Value = "ecommerce,manual"
	case Amount:
		r.Amount = 5000
	}
	if edit != nil {
		edit(&r)
	}
	n, err := r.Normalize()
	if err != nil {
		panic(err)
	}
	return n
}

func TestEvaluate(t *testing.T) {
	at := func(hms string) time.Time {
		c, _ := parseClock(hms)
		return time.Date(2026, time.December, 9, 0, 0, c, 0, time.UTC)
	}
	for _, c := range []struct {
		name    string
		rules   []Rule
		txn     func(*Txn)
		h       History
		decline string // rule id, "" for approval
	}{
		{"no rules", nil, nil, History{}, ""},

		// Mcc
		{"mcc listed", []Rule{rule("m", Mcc, nil)}, func(x *Txn) { x.MCC = "5411" }, History{}, "m"},
		{"mcc second in list", []Rule{rule("m", Mcc, nil)}, func(x *Txn) { x.MCC = "7995" }, History{}, "m"},
		{"mcc not listed", []Rule{rule("m", Mcc, nil)}, func(x *Txn) { x.MCC = "5412" }, History{}, ""},
		{"mcc unknown on the transaction", []Rule{rule("m", Mcc, nil)}, func(x *Txn) { x.MCC = "" }, History{}, ""},
		{"mcc rule ignores currency", []Rule{rule("m", Mcc, nil)}, func(x *Txn) { x.MCC, x.Currency = "5411", "EUR" }, History{}, "m"},

		// EntryMode
		{"entry mode listed", []Rule{rule("e", EntryMode, nil)}, func(x *Txn) { x.EntryMode = ModeEcommerce }, History{}, "e"},
		{"entry mode listed, other case", []Rule{rule("e", EntryMode, nil)}, func(x *Txn) { x.EntryMode = "MANUAL" }, History{}, "e"},
		{"entry mode not listed", []Rule{rule("e", EntryMode, nil)}, func(x *Txn) { x.EntryMode = ModeContactless }, History{}, ""},
		{"entry mode unknown", []Rule{rule("e", EntryMode, nil)}, func(x *Txn) { x.EntryMode = "" }, History{}, ""},

		// Amount, Always = per transaction
		{"always: below", []Rule{rule("a", Amount, nil)}, func(x *Txn) { x.Amount = 4999 }, History{}, ""},
		{"always: exactly the limit", []Rule{rule("a", Amount, nil)}, func(x *Txn) { x.Amount = 5000 }, History{}, ""},
		{"always: one over", []Rule{rule("a", Amount, nil)}, func(x *Txn) { x.Amount = 5001 }, History{}, "a"},
		{"always: ignores history", []Rule{rule("a", Amount, nil)}, func(x *Txn) { x.Amount = 5000 }, History{Domestic: Totals{1e6, 1e6, 1e6}}, ""},
		{"limit 0 blocks all", []Rule{rule("a", Amount, func(r *Rule) { r.Amount = 0 })}, func(x *Txn) { x.Amount = 1 }, History{}, "a"},
		{"other currency: not applied", []Rule{rule("a", Amount, nil)}, func(x *Txn) { x.Amount, x.Currency = 9999, "EUR" }, History{}, ""},
		{"currency case", []Rule{rule("a", Amount, nil)}, func(x *Txn) { x.Amount, x.Currency = 9999, "usd" }, History{}, "a"},

		// Amount over windows
		{"daily: reaches the limit", []Rule{rule("d", Amount, func(r *Rule) { r.RangeType = Daily })}, func(x *Txn) { x.Amount = 1000 }, History{Domestic: Totals{Day: 4000, Week: 9000, Month: 9000}}, ""},
		{"daily: passes the limit", []Rule{rule("d", Amount, func(r *Rule) { r.RangeType = Daily })}, func(x *Txn) { x.Amount = 1001 }, History{Domestic: Totals{Day: 4000}}, "d"},
		{"daily: counts both scopes for Both", []Rule{rule("d", Amount, func(r *Rule) { r.RangeType = Daily })}, func(x *Txn) { x.Amount = 1000 }, History{Domestic: Totals{Day: 2000}, International: Totals{Day: 2001}}, "d"},
		{"weekly: passes", []Rule{rule("w", Amount, func(r *Rule) { r.RangeType = Weekly })}, nil, History{Domestic: Totals{Day: 0, Week: 4001}}, "w"},
		{"weekly: reads the week, not the day", []Rule{rule("w", Amount, func(r *Rule) { r.RangeType = Weekly })}, nil, History{Domestic: Totals{Day: 4001, Week: 4000}}, ""},
		{"monthly: passes", []Rule{rule("mo", Amount, func(r *Rule) { r.RangeType = Monthly })}, nil, History{International: Totals{Month: 4001}}, "mo"},
		{"monthly: reaches", []Rule{rule("mo", Amount, func(r *Rule) { r.RangeType = Monthly })}, nil, History{International: Totals{Month: 4000}}, ""},

		// Scope
		{"domestic rule, domestic txn", []Rule{rule("s", Mcc, func(r *Rule) { r.BusinessScope = Domestic })}, func(x *Txn) { x.MCC = "5411" }, History{}, "s"},
		{"domestic rule, international txn", []Rule{rule("s", Mcc, func(r *Rule) { r.BusinessScope = Domestic })}, func(x *Txn) { x.MCC, x.MerchantCountry = "5411", "FR" }, History{}, ""},
		{"international rule, international txn", []Rule{rule("s", Mcc, func(r *Rule) { r.BusinessScope = International })}, func(x *Txn) { x.MCC, x.MerchantCountry = "5411", "FR" }, History{}, "s"},
		{"international rule, domestic txn", []Rule{rule("s", Mcc, func(r *Rule) { r.BusinessScope = International })}, func(x *Txn) { x.MCC = "5411" }, History{}, ""},
		{"international rule, country case", []Rule{rule("s", Mcc, func(r *Rule) { r.BusinessScope = International })}, func(x *Txn) { x.MCC, x.MerchantCountry = "5411", "us" }, History{}, ""},
		{"international rule, unknown merchant country", []Rule{rule("s", Mcc, func(r *Rule) { r.BusinessScope = International })}, func(x *Txn) { x.MCC, x.MerchantCountry = "5411", "" }, History{}, ""},
		{"both, international txn", []Rule{rule("s", Mcc, nil)}, func(x *Txn) { x.MCC, x.MerchantCountry = "5411", "FR" }, History{}, "s"},
		{"international daily counts only international", []Rule{rule("s", Amount, func(r *Rule) { r.BusinessScope, r.RangeType = International, Daily })}, func(x *Txn) { x.MerchantCountry = "FR" }, History{Domestic: Totals{Day: 1e6}, International: Totals{Day: 4000}}, ""},
		{"international daily, over", []Rule{rule("s", Amount, func(r *Rule) { r.BusinessScope, r.RangeType = International, Daily })}, func(x *Txn) { x.MerchantCountry = "FR" }, History{International: Totals{Day: 4001}}, "s"},
		{"domestic daily counts only domestic", []Rule{rule("s", Amount, func(r *Rule) { r.BusinessScope, r.RangeType = Domestic, Daily })}, nil, History{Domestic: Totals{Day: 4000}, International: Totals{Day: 1e6}}, ""},

		// Time frame: both ends included, at second resolution
		{"frame: at begin", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"09:00:00", "17:00:00"} })}, func(x *Txn) { x.MCC, x.Time = "5411", at("09:00:00") }, History{}, "t"},
		{"frame: a second before begin", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"09:00:00", "17:00:00"} })}, func(x *Txn) { x.MCC, x.Time = "5411", at("08:59:59") }, History{}, ""},
		{"frame: at end", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"09:00:00", "17:00:00"} })}, func(x *Txn) { x.MCC, x.Time = "5411", at("17:00:00").Add(999*time.Millisecond) }, History{}, "t"},
		{"frame: a second after end", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"09:00:00", "17:00:00"} })}, func(x *Txn) { x.MCC, x.Time = "5411", at("17:00:01") }, History{}, ""},
		{"frame: whole day at midnight", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"00:00:00", "23:59:59"} })}, func(x *Txn) { x.MCC, x.Time = "5411", at("00:00:00") }, History{}, "t"},
		{"frame: whole day, last second", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"00:00:00", "23:59:59"} })}, func(x *Txn) { x.MCC, x.Time = "5411", at("23:59:59").Add(999*time.Millisecond) }, History{}, "t"},
		{"frame: one second", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"12:00:00", "12:00:00"} })}, func(x *Txn) { x.MCC, x.Time = "5411", at("12:00:00") }, History{}, "t"},
		{"frame on an amount rule", []Rule{rule("t", Amount, func(r *Rule) { r.TimeFrame = TimeFrame{"22:00:00", "23:59:59"} })}, func(x *Txn) { x.Amount, x.Time = 9000, at("21:59:59") }, History{}, ""},
		{"frame in the tenant's zone", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"09:00:00", "17:00:00"} })},
			func(x *Txn) { x.MCC, x.Time, x.Location = "5411", at("15:00:00"), mustZone("America/New_York") }, History{}, "t"}, // 10:00 in New York
		{"frame in the tenant's zone, outside", []Rule{rule("t", Mcc, func(r *Rule) { r.TimeFrame = TimeFrame{"09:00:00", "17:00:00"} })},
			func(x *Txn) { x.MCC, x.Time, x.Location = "5411", at("23:00:00"), mustZone("America/New_York") }, History{}, ""}, // 18:00 in New York

		// Owners: all apply; company first, then product, then card; in order within one
		{"card rule after an approving company rule", []Rule{
			rule("co", Mcc, func(r *Rule) { r.OwnerType, r.Value = OwnerCompany, "1234" }),
			rule("ca", Mcc, nil)}, func(x *Txn) { x.MCC = "5411" }, History{}, "ca"},
		{"company before card whatever the order", []Rule{
			rule("ca", Mcc, nil),
			rule("pr", EntryMode, func(r *Rule) { r.OwnerType, r.Value = OwnerProduct, "chip" }),
			rule("co", Amount, func(r *Rule) { r.OwnerType = OwnerCompany; r.Amount = 1 })}, func(x *Txn) { x.MCC = "5411" }, History{}, "co"},
		{"product before card", []Rule{
			rule("ca", Mcc, nil),
			rule("pr", EntryMode, func(r *Rule) { r.OwnerType, r.Value = OwnerProduct, "chip" })}, func(x *Txn) { x.MCC = "5411" }, History{}, "pr"},
		{"given order within an owner", []Rule{rule("first", Mcc, nil), rule("second", Mcc, nil)}, func(x *Txn) { x.MCC = "5411" }, History{}, "first"},
		{"unknown owner last", []Rule{
			{ID: "odd", OwnerType: "account", ValidationType: Mcc, Value: "5411", BusinessScope: Both, RangeType: Always},
			rule("ca", Mcc, nil)}, func(x *Txn) { x.MCC = "5411" }, History{}, "ca"},

		// Invalid rules (not normalized) fail closed
		{"invalid validationType", []Rule{{ID: "bad", OwnerType: OwnerCard, ValidationType: "Merchant"}}, nil, History{}, "bad"},
		{"invalid time frame", []Rule{{ID: "bad", OwnerType: OwnerCard, ValidationType: Mcc, Value: "1", TimeFrame: TimeFrame{"10:00:00", "09:00:00"}}}, nil, History{}, "bad"},
		{"invalid scope", []Rule{{ID: "bad", OwnerType: OwnerCard, ValidationType: Mcc, Value: "1", BusinessScope: "Global"}}, nil, History{}, "bad"},
		{"invalid range", []Rule{{ID: "bad", OwnerType: OwnerCard, ValidationType: Amount, Amount: 1e9, CurrencyCode: "USD", RangeType: "Yearly"}}, nil, History{}, "bad"},
		{"negative amount", []Rule{{ID: "bad", OwnerType: OwnerCard, ValidationType: Amount, Amount: -1, CurrencyCode: "USD"}}, nil, History{}, "bad"},
	} {
		txn := txnAt(wednesday)
		if c.txn != nil {
			c.txn(&txn)
		}
		d := Evaluate(c.rules, txn, c.h)
		switch {
		case c.decline == "" && (!d.Approved || d.Reason != "" || d.RuleID != ""):
			t.Errorf("%s: %+v; want approval", c.name, d)
		case c.decline != "" && (d.Approved || d.RuleID != c.decline || d.Reason != "spending_control:"+c.decline || d.Detail == ""):
			t.Errorf("%s: %+v; want a decline by %s", c.name, d, c.decline)
		}
	}
}

func TestDeclineDetail(t *testing.T) {
	for _, c := range []struct {
		r    Rule
		txn  func(*Txn)
		h    History
		want string
	}{
		{rule("a", Amount, func(r *Rule) { r.RangeType = Daily }), nil, History{Domestic: Totals{Day: 4500}},
			"amount 1000 on top of 4500 approved today would pass the daily limit of 5000 USD"},
		{rule("a", Amount, nil), func(x *Txn) { x.Amount = 6000 }, History{}, "amount 6000 is above the limit of 5000 USD per transaction"},
		{rule("m", Mcc, nil), func(x *Txn) { x.MCC = "5411" }, History{}, "merchant category 5411 is blocked"},
		{rule("e", EntryMode, nil), func(x *Txn) { x.EntryMode = "manual" }, History{}, "entry mode manual is blocked"},
	} {
		txn := txnAt(wednesday)
		if c.txn != nil {
			c.txn(&txn)
		}
		if d := Evaluate([]Rule{c.r}, txn, c.h); d.Detail != c.want {
			t.Errorf("detail %q, want %q", d.Detail, c.want)
		}
	}
}

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func TestWindow(t *testing.T) {
	utc := time.UTC
	berlin := mustZone("Europe/Berlin")
	d := func(loc *time.Location, y int, m time.Month, day, h, min, s int) time.Time {
		return time.Date(y, m, day, h, min, s, 0, loc)
	}
	for _, c := range []struct {
		name       string
		rt         RangeType
		at         time.Time
		loc        *time.Location
		start, end time.Time
	}{
		{"day", Daily, d(utc, 2026, 12, 9, 12, 0, 0), nil, d(utc, 2026, 12, 9, 0, 0, 0), d(utc, 2026, 12, 10, 0, 0, 0)},
		{"day, at its start", Daily, d(utc, 2026, 12, 9, 0, 0, 0), utc, d(utc, 2026, 12, 9, 0, 0, 0), d(utc, 2026, 12, 10, 0, 0, 0)},
		{"day, last instant", Daily, d(utc, 2026, 12, 9, 23, 59, 59).Add(999999999), utc, d(utc, 2026, 12, 9, 0, 0, 0), d(utc, 2026, 12, 10, 0, 0, 0)},
		{"day in the tenant's zone", Daily, d(utc, 2026, 12, 9, 23, 30, 0), berlin, d(berlin, 2026, 12, 10, 0, 0, 0), d(berlin, 2026, 12, 11, 0, 0, 0)},
		{"day of a DST change is 23 hours", Daily, d(berlin, 2026, 3, 29, 12, 0, 0), berlin, d(berlin, 2026, 3, 29, 0, 0, 0), d(berlin, 2026, 3, 30, 0, 0, 0)},
		{"week from Monday", Weekly, d(utc, 2026, 12, 9, 12, 0, 0), utc, d(utc, 2026, 12, 7, 0, 0, 0), d(utc, 2026, 12, 14, 0, 0, 0)},
		{"week, Monday 00:00", Weekly, d(utc, 2026, 12, 7, 0, 0, 0), utc, d(utc, 2026, 12, 7, 0, 0, 0), d(utc, 2026, 12, 14, 0, 0, 0)},
		{"week, Sunday's last second", Weekly, d(utc, 2026, 12, 13, 23, 59, 59), utc, d(utc, 2026, 12, 7, 0, 0, 0), d(utc, 2026, 12, 14, 0, 0, 0)},
		{"week across a month and year", Weekly, d(utc, 2027, 1, 1, 8, 0, 0), utc, d(utc, 2026, 12, 28, 0, 0, 0), d(utc, 2027, 1, 4, 0, 0, 0)},
		{"month", Monthly, d(utc, 2026, 12, 9, 12, 0, 0), utc, d(utc, 2026, 12, 1, 0, 0, 0), d(utc, 2027, 1, 1, 0, 0, 0)},
		{"month, February of a leap year", Monthly, d(utc, 2028, 2, 29, 23, 0, 0), utc, d(utc, 2028, 2, 1, 0, 0, 0), d(utc, 2028, 3, 1, 0, 0, 0)},
		{"month in the tenant's zone", Monthly, d(utc, 2026, 11, 30, 23, 30, 0), berlin, d(berlin, 2026, 12, 1, 0, 0, 0), d(berlin, 2027, 1, 1, 0, 0, 0)},
	} {
		start, end, ok := Window(c.rt, c.at, c.loc)
		if !ok || !start.Equal(c.start) || !end.Equal(c.end) {
			t.Errorf("%s: [%v, %v) %v; want [%v, %v)", c.name, start, end, ok, c.start, c.end)
		}
		if c.at.Before(start) || !c.at.Before(end) {
			t.Errorf("%s: %v outside its own window", c.name, c.at)
		}
	}
	if _, _, ok := Window(Always, wednesday, nil); ok {
		t.Error("Always has a window")
	}
}

func TestNeedsHistoryAndIsDomestic(t *testing.T) {
	if NeedsHistory([]Rule{rule("m", Mcc, nil), rule("a", Amount, nil)}) {
		t.Error("per-transaction amount rules do not read history")
	}
	if !NeedsHistory([]Rule{rule("m", Mcc, nil), rule("a", Amount, func(r *Rule) { r.RangeType = Weekly })}) {
		t.Error("a weekly amount rule reads history")
	}
	if NeedsHistory([]Rule{rule("m", Mcc, func(r *Rule) { r.RangeType = Daily })}) {
		t.Error("an MCC rule with a daily range does not read history")
	}
	for _, c := range []struct {
		merchant, home string
		want           bool
	}{{"US", "US", true}, {"us", "US", true}, {"FR", "US", false}, {"", "US", true}, {"FR", "", true}} {
		if got := IsDomestic(c.merchant, c.home); got != c.want {
			t.Errorf("IsDomestic(%q, %q) = %v", c.merchant, c.home, got)
		}
	}
}

// tenRules are ten rules of mixed types on three owners, none of which declines the
// benchmark's transaction, so every rule is checked.
func tenRules() []Rule {
	return []Rule{
		rule("1", Mcc, func(r *Rule) { r.OwnerType, r.Value = OwnerCompany, "7995,5933,5993" }),
		rule("2", Amount, func(r *Rule) { r.OwnerType, r.RangeType, r.Amount = OwnerCompany, Monthly, 1_000_000 }),
		rule("3", EntryMode, func(r *Rule) { r.OwnerType, r.Value = OwnerCompany, "manual" }),
		rule("4", Mcc, func(r *Rule) { r.OwnerType, r.Value, r.BusinessScope = OwnerProduct, "4829,6051", International }),
		rule("5", Amount, func(r *Rule) { r.OwnerType, r.RangeType, r.Amount = OwnerProduct, Weekly, 500_000 }),
		rule("6", Amount, func(r *Rule) { r.RangeType, r.Amount = Daily, 100_000 }),
		rule("7", Amount, func(r *Rule) { r.Amount = 50_000 }),
		rule("8", Mcc, func(r *Rule) { r.Value, r.TimeFrame = "5813", TimeFrame{"22:00:00", "23:59:59"} }),
		rule("9", EntryMode, func(r *Rule) { r.Value, r.BusinessScope = "magstripe,ecommerce", International }),
		rule("10", Amount, func(r *Rule) { r.RangeType, r.Amount, r.BusinessScope = Daily, 20_000, International }),
	}
}

func BenchmarkEvaluate(b *testing.B) {
	rs := tenRules()
	txn := txnAt(wednesday)
	txn.Location = mustZone("Europe/Berlin")
	h := History{Domestic: Totals{Day: 5000, Week: 20000, Month: 80000}}
	if d := Evaluate(rs, txn, h); !d.Approved {
		b.Fatalf("the benchmark's transaction is declined: %+v", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(rs, txn, h)
	}
}

func ExampleEvaluate() {
	rs := []Rule{{ID: "daily-100", OwnerType: OwnerCard, OwnerID: "card-1", ValidationType: Amount,
		Amount: 10000, CurrencyCode: "USD", BusinessScope: Both, RangeType: Daily}}
	txn := Txn{Amount: 2500, Currency: "USD", MCC: "5411", EntryMode: ModeChip, MerchantCountry: "US",
		Time: time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC), HomeCountry: "US"}
	d := Evaluate(rs, txn, History{Domestic: Totals{Day: 8000}})
	fmt.Println(d.Approved, d.Reason)
	fmt.Println(d.Detail)
	// Output:
	// false spending_control:daily-100
	// amount 2500 on top of 8000 approved today would pass the daily limit of 10000 USD
}
