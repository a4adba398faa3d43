// Package rules owns spending controls: the rule a company sets on itself, a product or a
// card (the Girasol "Controls"), its validation, and the pure evaluation of a card
// transaction against the rules that apply to it. No I/O: the caller loads the rules and
// the card's approved totals (History) and passes the transaction's time and the tenant's
// country and time zone.
//
// Semantics, where the spec leaves them open:
//
//   - Mcc: Value lists merchant category codes ("5411" or "5411,5812"); a transaction
//     whose MCC is listed is declined. EntryMode: Value lists entry modes (chip,
//     contactless, ecommerce, magstripe, manual); a transaction with a listed mode is
//     declined. Amount: Amount is a limit in minor units of CurrencyCode; Value is ignored.
//   - RangeType applies to Amount rules only. Always means no time window: the limit
//     applies to every single transaction (declined when its amount is above the limit).
//     Daily, Weekly and Monthly decline the transaction that would take the card's
//     approved total in the current window past the limit (reaching it exactly is
//     allowed). Windows are calendar periods in the tenant's zone (UTC by default): the
//     day from 00:00:00, the week from Monday 00:00:00 (ISO 8601), the month from the 1st;
//     each is [start, next start) — start included, end excluded (Window).
//   - Limits count per card, wherever the rule is defined: a company or product rule
//     "Daily 100.00" lets each of its cards spend 100.00 a day.
//   - An Amount rule applies only to transactions in its currency.
//   - BusinessScope: Domestic rules apply to domestic transactions, International ones to
//     international transactions, Both to all (the default). A transaction is
//     international when its merchant country is known and differs from the tenant's
//     country (IsDomestic); an Amount rule counts the approved total of its scope only.
//   - TimeFrame: the rule applies only to transactions whose local time of day (seconds
//     truncated) lies between Begin and End, both included; 00:00:00–23:59:59, or no time
//     frame at all, is the whole day. Begin after End is refused: a window across midnight
//     is two rules.
//   - Owners: company, product and card rules all apply; Evaluate checks company rules
//     first, then product, then card, each owner's in the order given, and reports the
//     first rule violated.
package rules

import (
	"strings"
)

// ValidationType is what a rule checks.
type ValidationType string

const (
	Mcc       ValidationType = "Mcc"
	Amount    ValidationType = "Amount"
	EntryMode ValidationType = "EntryMode"
)

// Scope says which transactions a rule applies to by merchant country.
type Scope string

const (
	International Scope = "International"
	Domestic      Scope = "Domestic"
	Both          Scope = "Both"
)

// RangeType is the window over which an Amount rule adds up approved amounts.
type RangeType string

const (
	Daily   RangeType = "Daily"
	Weekly  RangeType = "Weekly"
	Monthly RangeType = "Monthly"
	Always  RangeType = "Always"
)

// OwnerType is who a rule is set on.
type OwnerType string

const (
	OwnerCompany OwnerType = "company"
	OwnerProduct OwnerType = "product"
	OwnerCard    OwnerType = "card"
)

// Entry modes a transaction may carry and an EntryMode rule may list.
const (
	ModeChip        = "chip"
	ModeContactless = "contactless"
	ModeEcommerce   = "ecommerce"
	ModeMagstripe   = "magstripe"
	ModeManual      = "manual"
)

var entryModes = []string{ModeChip, ModeContactless, ModeEcommerce, ModeMagstripe, ModeManual}

// TimeFrame limits a rule to a time of day, "HH:MM:SS" to "HH:MM:SS" in the tenant's
// zone, both ends included. Both empty means the whole day.
type TimeFrame struct {
	Begin, End string
}

// Rule is one spending control, with the spec's fields.
type Rule struct {
	ID             string
	OwnerType      OwnerType
	OwnerID        string
	ValidationType ValidationType
	Value          string
	Amount         int64 // limit in minor units of CurrencyCode
	CurrencyCode   string
	BusinessScope  Scope
	RangeType      RangeType
	TimeFrame      TimeFrame
}

// Error is a rule that does not validate: Field names the field (with the spec's JSON
// name), Message says what is wrong in words a client can act on.
type Error struct {
	Field, Message string
}

func (e *Error) Error() string { return e.Message }

func invalid(field, msg string) error { return &Error{Field: field, Message: msg} }

// Normalize validates r and returns it in canonical form: the spec's spelling of
// validationType, businessScope and rangeType (matched without regard to case), Both
// and Always where they are empty, the currency upper case, the value's list trimmed and
// (entry modes) lower case. It returns an *Error for the first field that is wrong. ID is
// not checked: the caller assigns it.
func (r Rule) Normalize() (Rule, error) {
	switch OwnerType(strings.ToLower(string(r.OwnerType))) {
	case OwnerCompany, OwnerProduct, OwnerCard:
		r.OwnerType = OwnerType(strings.ToLower(string(r.OwnerType)))
	default:
		return r, invalid("ownerType", "ownerType must be company, product or card, not "+quote(string(r.OwnerType)))
	}
	if strings.TrimSpace(r.OwnerID) == "" {
		return r, invalid("ownerId", "ownerId is required")
	}
	var ok bool
	if r.ValidationType, ok = canonical(r.ValidationType, Mcc, Amount, EntryMode); !ok {
		return r, invalid("validationType", "validationType must be Mcc, Amount or EntryMode, not "+quote(string(r.ValidationType)))
	}
	if r.BusinessScope == "" {
		r.BusinessScope = Both
	}
	if r.BusinessScope, ok = canonical(r.BusinessScope, International, Domestic, Both); !ok {
		return r, invalid("businessScope", "businessScope must be International, Domestic or Both, not "+quote(string(r.BusinessScope)))
	}
	if r.RangeType == "" {
		r.RangeType = Always
	}
	if r.RangeType, ok = canonical(r.RangeType, Daily, Weekly, Monthly, Always); !ok {
		return r, invalid("rangeType", "rangeType must be Daily, Weekly, Monthly or Always, not "+quote(string(r.RangeType)))
	}
	if r.Amount < 0 {
		return r, invalid("amount", "amount must not be negative")
	}
	if r.CurrencyCode != "" || r.ValidationType == Amount {
		c := strings.ToUpper(strings.TrimSpace(r.CurrencyCode))
		if len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return r, invalid("currencyCode", "currencyCode must be a 3-letter ISO 4217 code, not "+quote(r.CurrencyCode))
		}
		r.CurrencyCode = c
	}
	switch r.ValidationType {
	case Mcc:
		v, err := normalizeList(r.Value, func(s string) (string, bool) { return s, len(s) == 4 && digits(s) })
		if err != "" {
			return r, invalid("value", "value must list 4-digit merchant category codes separated by commas ("+err+")")
		}
		r.Value = v
	case EntryMode:
		v, err := normalizeList(r.Value, func(s string) (string, bool) {
			s = strings.ToLower(s)
			for _, m := range entryModes {
				if s == m {
					return s, true
				}
			}
			return s, false
		})
		if err != "" {
			return r, invalid("value", "value must list entry modes ("+strings.Join(entryModes, ", ")+") separated by commas ("+err+")")
		}
		r.Value = v
	}
	tf := r.TimeFrame
	if tf.Begin == "" && tf.End == "" {
		return r, nil
	}
	begin, okB := parseClock(tf.Begin)
	if !okB {
		return r, invalid("timeFrame.begin", "timeFrame.begin must be HH:MM:SS from 00:00:00 to 23:59:59, not "+quote(tf.Begin))
	}
	end, okE := parseClock(tf.End)
	if !okE {
		return r, invalid("timeFrame.end", "timeFrame.end must be HH:MM:SS from 00:00:00 to 23:59:59, not "+quote(tf.End))
	}
	if begin > end {
		return r, invalid("timeFrame", "timeFrame.begin "+tf.Begin+" is after timeFrame.end "+tf.End+" (a window across midnight is two rules)")
	}
	return r, nil
}

// canonical returns the one of words that v spells, ignoring case.
func canonical[T ~string](v T, words ...T) (T, bool) {
	for _, w := range words {
		if strings.EqualFold(string(v), string(w)) {
			return w, true
		}
	}
	return v, false
}

// normalizeList trims the comma-separated items of s, checks each with ok (which may
// rewrite it) and drops repeats; it returns a reason when the list is empty or an item
// is wrong.
func normalizeList(s string, ok func(string) (string, bool)) (string, string) {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		item, good := ok(strings.TrimSpace(item))
		if !good {
			return "", "got " + quote(item)
		}
		dup := false
		for _, o := range out {
			dup = dup || o == item
		}
		if !dup {
			out = append(out, item)
		}
	}
	if len(out) == 0 || out[0] == "" {
		return "", "the list is empty"
	}
	return strings.Join(out, ","), ""
}

// parseClock reads "HH:MM:SS" (exactly that shape, 24-hour) as seconds since midnight.
func parseClock(s string) (int, bool) {
	if len(s) != 8 || s[2] != ':' || s[5] != ':' || !digits(s[0:2]) || !digits(s[3:5]) || !digits(s[6:8]) {
		return 0, false
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	sec := int(s[6]-'0')*10 + int(s[7]-'0')
	if h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	return h*3600 + m*60 + sec, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func quote(s string) string {
	if s == "" {
		return "an empty value"
	}
	return `"` + s + `"`
}
