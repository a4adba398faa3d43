package rules

import (
	"fmt"
	"strings"
	"time"
)

// Txn is what Evaluate needs of a card transaction and its tenant.
type Txn struct {
	Amount          int64  // minor units of Currency, positive
	Currency        string // ISO 4217
	MCC             string // 4 digits; empty when unknown
	EntryMode       string // one of the Mode* constants; empty when unknown
	MerchantCountry string // ISO 3166 code, in the form HomeCountry uses; empty when unknown
	Time            time.Time

	HomeCountry string         // the tenant's country
	Location    *time.Location // the tenant's zone for time frames and windows; nil is UTC
}

// Totals are amounts a card already had approved in the windows that contain the
// transaction's time (Window): today, this week, this month.
type Totals struct {
	Day, Week, Month int64
}

// History is what the amount rules need: the card's approved and not reversed amounts in
// its currency, apart by scope (IsDomestic of each transaction's merchant country). The
// zero History is a card with nothing approved yet; NeedsHistory tells whether the rules
// read it at all.
type History struct {
	Domestic, International Totals
}

// Decision is Evaluate's answer: approved, or the first rule violated.
type Decision struct {
	Approved bool
	RuleID   string
	Reason   string // "spending_control:<ruleId>", empty when approved
	Detail   string // what the rule refused, in words, for logs and operators
}

// ReasonPrefix starts the decline reason of a spending control.
const ReasonPrefix = "spending_control:"

// IsDomestic reports whether a transaction at a merchant in merchantCountry is domestic
// for a tenant in homeCountry: yes unless both are known and differ (case ignored).
func IsDomestic(merchantCountry, homeCountry string) bool {
	return merchantCountry == "" || homeCountry == "" || strings.EqualFold(merchantCountry, homeCountry)
}

// NeedsHistory reports whether any rule reads History (an Amount rule with a Daily,
// Weekly or Monthly range), so the caller can skip querying the totals.
func NeedsHistory(rules []Rule) bool {
	for i := range rules {
		if rules[i].ValidationType == Amount && rules[i].RangeType != Always && rules[i].RangeType != "" {
			return true
		}
	}
	return false
}

var ownerOrder = [...]OwnerType{OwnerCompany, OwnerProduct, OwnerCard}

// Evaluate checks txn against rules (normalized ones: see Rule.Normalize) and returns the
// first violated rule in owner order — company, product, card, then any other owner —
// and within an owner in the order given; otherwise approval. A rule that does not
// validate fails closed: it declines every transaction it would check, with a detail
// saying so.
func Evaluate(rules []Rule, txn Txn, h History) Decision {
	loc := txn.Location
	if loc == nil {
		loc = time.UTC
	}
	local := txn.Time.In(loc)
	clock := local.Hour()*3600 + local.Minute()*60 + local.Second()
	domestic := IsDomestic(txn.MerchantCountry, txn.HomeCountry)
	scoped, all := h.International, h.Domestic
	if domestic {
		scoped = h.Domestic
	}
	all.Day += h.International.Day
	all.Week += h.International.Week
	all.Month += h.International.Month
	for pass := 0; pass <= len(ownerOrder); pass++ {
		for i := range rules {
			r := &rules[i]
			if !inPass(r.OwnerType, pass) {
				continue
			}
			if detail := violation(r, &txn, domestic, clock, scoped, all); detail != "" {
				return Decision{RuleID: r.ID, Reason: ReasonPrefix + r.ID, Detail: detail}
			}
		}
	}
	return Decision{Approved: true}
}

func inPass(o OwnerType, pass int) bool {
	if pass < len(ownerOrder) {
		return o == ownerOrder[pass]
	}
	return o != OwnerCompany && o != OwnerProduct && o != OwnerCard
}

// violation returns why r declines txn, or "" when r does not apply or allows it.
// scoped holds the totals of the transaction's own scope, all those of both scopes.
func violation(r *Rule, txn *Txn, domestic bool, clock int, scoped, all Totals) string {
	switch r.BusinessScope {
	case Both, "":
	case Domestic:
		if !domestic {
			return ""
		}
	case International:
		if domestic {
			return ""
		}
	default:
		return "rule is invalid: businessScope " + quote(string(r.BusinessScope))
	}
	if r.TimeFrame.Begin != "" || r.TimeFrame.End != "" {
		begin, ok1 := parseClock(r.TimeFrame.Begin)
		end, ok2 := parseClock(r.TimeFrame.End)
		if !ok1 || !ok2 || begin > end {
			return "rule is invalid: timeFrame " + r.TimeFrame.Begin + "-" + r.TimeFrame.End
		}
		if clock < begin || clock > end {
			return ""
		}
	}
	switch r.ValidationType {
	case Mcc:
		if txn.MCC != "" && listed(r.Value, txn.MCC) {
			return "merchant category " + txn.MCC + " is blocked"
		}
	case EntryMode:
		if txn.EntryMode != "" && listed(r.Value, txn.EntryMode) {
			return "entry mode " + txn.EntryMode + " is blocked"
		}
	case Amount:
		if !strings.EqualFold(r.CurrencyCode, txn.Currency) {
			return ""
		}
		if r.Amount < 0 {
			return "rule is invalid: negative amount"
		}
		var spent int64
		t := scoped
		if r.BusinessScope == Both || r.BusinessScope == "" {
			t = all
		}
		switch r.RangeType {
		case Always, "":
		case Daily:
			spent = t.Day
		case Weekly:
			spent = t.Week
		case Monthly:
			spent = t.Month
		default:
			return "rule is invalid: rangeType " + quote(string(r.RangeType))
		}
		if spent+txn.Amount > r.Amount {
			if r.RangeType == Always || r.RangeType == "" {
				return fmt.Sprintf("amount %d is above the limit of %d %s per transaction", txn.Amount, r.Amount, r.CurrencyCode)
			}
			return fmt.Sprintf("amount %d on top of %d approved %s would pass the %s limit of %d %s",
				txn.Amount, spent, windowWord(r.RangeType), strings.ToLower(string(r.RangeType)), r.Amount, r.CurrencyCode)
		}
	default:
		return "rule is invalid: validationType " + quote(string(r.ValidationType))
	}
	return ""
}

func windowWord(rt RangeType) string {
	switch rt {
	case Daily:
		return "today"
	case Weekly:
		return "this week"
	}
	return "this month"
}

// listed reports whether item is one of the comma-separated entries of list, ignoring
// case and spaces around entries, without allocating.
func listed(list, item string) bool {
	for list != "" {
		entry := list
		if i := strings.IndexByte(list, ','); i >= 0 {
			entry, list = list[:i], list[i+1:]
		} else {
			list = ""
		}
		if strings.EqualFold(strings.TrimSpace(entry), item) {
			return true
		}
	}
	return false
}

// Window returns the calendar window of rt that contains t in loc (nil is UTC) as
// [start, end): the day from local midnight, the week from Monday 00:00, the month from
// the 1st. ok is false for Always (and any other range), which has no window. The caller
// sums a card's approved amounts with start <= time < end to fill History.
func Window(rt RangeType, t time.Time, loc *time.Location) (start, end time.Time, ok bool) {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	y, m, d := l.Date()
	switch rt {
	case Daily:
		return time.Date(y, m, d, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc), true
	case Weekly:
		back := (int(l.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc), time.Date(y, m, d-back+7, 0, 0, 0, 0, loc), true
	case Monthly:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc), time.Date(y, m+1, 1, 0, 0, 0, 0, loc), true
	}
	return time.Time{}, time.Time{}, false
}
