// Package ledger is the double-entry arithmetic of baas: it checks that transfers balance,
// applies postings and holds to account balances with overflow and overdraft checks, and
// verifies the ledger invariants. It does no I/O.
package ledger

import (
	"fmt"
	"math"
	"sort"

	"github.com/baas-oss/baas"
)

// MaxAmount bounds any single amount, far below int64 overflow for sums of many postings
// (10^15 minor units: ten trillion dollars).
const MaxAmount int64 = 1_000_000_000_000_000

// Leg is one side of a transfer before it is applied.
type Leg struct {
	AccountID int64
	Amount    int64 // signed: positive credits the account
}

// Move returns the two legs that move amount from one account to another.
func Move(from, to int64, amount int64) []Leg {
	return []Leg{{AccountID: from, Amount: -amount}, {AccountID: to, Amount: amount}}
}

// AmountMessage is the one message for an amount out of range, naming the documented
// limit; every use case and both dialects' decoders refuse an amount with it.
var AmountMessage = fmt.Sprintf("amount must be a positive number not greater than %d", MaxAmount)

// CheckAmount is the one rule for an amount: it returns an EInvalid error with
// AmountMessage unless 0 < amount <= MaxAmount.
func CheckAmount(amount int64) error {
	if amount <= 0 || amount > MaxAmount {
		return baas.Invalid(AmountMessage)
	}
	return nil
}

// Apply applies legs to the given accounts (which must include every account a leg names)
// and returns the postings with each account's balance after it. It checks that the legs
// are non-zero, bounded, in the accounts' common currency and sum to zero, and that no
// account that may not go negative ends with less available than zero. On error no
// account is changed.
func Apply(accounts map[int64]*baas.Account, legs []Leg) ([]baas.Posting, error) {
	if len(legs) < 2 {
		return nil, baas.Errorf(baas.EInvalid, "a transfer needs at least two postings")
	}
	var sum int64
	currency := ""
	next := make(map[int64]int64, len(legs))
	for _, l := range legs {
		if l.Amount == 0 || l.Amount > MaxAmount || l.Amount < -MaxAmount {
			return nil, baas.Errorf(baas.EInvalid, "posting amount %d out of range", l.Amount)
		}
		a, ok := accounts[l.AccountID]
		if !ok {
			return nil, baas.Errorf(baas.ENotFound, "account %d not found", l.AccountID)
		}
		if currency == "" {
			currency = a.Currency
		} else if a.Currency != currency {
			return nil, baas.Errorf(baas.EInvalid, "currency mismatch: %s and %s", currency, a.Currency)
		}
		sum += l.Amount
		bal, seen := next[l.AccountID]
		if !seen {
			bal = a.Balance
		}
		nb, ok := add(bal, l.Amount)
		if !ok {
			return nil, baas.Errorf(baas.EInvalid, "balance of account %d would overflow", l.AccountID)
		}
		next[l.AccountID] = nb
	}
	if sum != 0 {
		return nil, baas.Errorf(baas.EInternal, "unbalanced transfer: postings sum to %d", sum)
	}
	for id, nb := range next {
		a := accounts[id]
		if !a.AllowNegative && nb-a.Held < 0 && nb < a.Balance {
			return nil, &baas.Error{Code: baas.EInsufficientFunds, Reason: "INSUFFICIENT_FUNDS",
				Message: fmt.Sprintf("insufficient funds in account %d", id)}
		}
	}
	postings := make([]baas.Posting, 0, len(legs))
	running := make(map[int64]int64, len(legs))
	for _, l := range legs {
		bal, seen := running[l.AccountID]
		if !seen {
			bal = accounts[l.AccountID].Balance
		}
		bal += l.Amount
		running[l.AccountID] = bal
		postings = append(postings, baas.Posting{AccountID: l.AccountID, Currency: currency, Amount: l.Amount, BalanceAfter: bal})
	}
	for id, nb := range next {
		accounts[id].Balance = nb
	}
	return postings, nil
}

// AccountIDs returns the distinct account ids named by legs, ascending: the order in which
// a store locks them, so that concurrent transfers cannot deadlock.
func AccountIDs(legs []Leg) []int64 {
	seen := make(map[int64]bool, len(legs))
	ids := make([]int64, 0, len(legs))
	for _, l := range legs {
		if !seen[l.AccountID] {
			seen[l.AccountID] = true
			ids = append(ids, l.AccountID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// PlaceHold reserves amount of a's available balance.
func PlaceHold(a *baas.Account, amount int64) error {
	if err := CheckAmount(amount); err != nil {
		return err
	}
	if !a.AllowNegative && a.Available() < amount {
		return &baas.Error{Code: baas.EInsufficientFunds, Reason: "INSUFFICIENT_FUNDS",
			Message: fmt.Sprintf("insufficient funds in account %d", a.ID)}
	}
	nh, ok := add(a.Held, amount)
	if !ok {
		return baas.Errorf(baas.EInvalid, "held amount would overflow")
	}
	a.Held = nh
	return nil
}

// ReleaseHold gives back amount previously held on a.
func ReleaseHold(a *baas.Account, amount int64) error {
	if amount <= 0 || amount > a.Held {
		return baas.Errorf(baas.EInternal, "release of %d exceeds held %d on account %d", amount, a.Held, a.ID)
	}
	a.Held -= amount
	return nil
}

func add(a, b int64) (int64, bool) {
	c := a + b
	if (b > 0 && c < a) || (b < 0 && c > a) || c > math.MaxInt64/2 || c < math.MinInt64/2 {
		return 0, false
	}
	return c, true
}

// Violation is one broken ledger invariant.
type Violation struct {
	Kind    string `json:"kind"` // "currency_total", "posting_sum", "held_sum", "negative", "unbalanced_transfer", "orphan_posting", "empty_transfer"
	Message string `json:"message"`
}

// Check verifies the ledger invariants over the figures a store reports: per currency the
// balances sum to zero; each account's balance equals the sum of its postings and its
// held amount the sum of its active holds; no account that may not go negative is below
// zero (posted or available); every transfer balances and has postings; every posting
// belongs to a transfer and an account that exist.
func Check(totals []baas.CurrencyTotal, accounts []baas.AccountCheck, transfers []baas.UnbalancedTransfer) []Violation {
	vs := []Violation{}
	for _, t := range totals {
		if t.Total != 0 {
			vs = append(vs, Violation{"currency_total", fmt.Sprintf("balances in %s sum to %d, not 0", t.Currency, t.Total)})
		}
	}
	for _, c := range accounts {
		a := c.Account
		if a.Balance != c.PostingSum {
			vs = append(vs, Violation{"posting_sum", fmt.Sprintf("account %d balance %d but its postings sum to %d", a.ID, a.Balance, c.PostingSum)})
		}
		if a.Held != c.ActiveHolds {
			vs = append(vs, Violation{"held_sum", fmt.Sprintf("account %d held %d but its active holds sum to %d", a.ID, a.Held, c.ActiveHolds)})
		}
		if !a.AllowNegative && (a.Balance < 0 || a.Available() < 0) {
			vs = append(vs, Violation{"negative", fmt.Sprintf("account %d may not go negative but has balance %d, held %d", a.ID, a.Balance, a.Held)})
		}
	}
	for _, t := range transfers {
		if t.Sum != 0 {
			vs = append(vs, Violation{"unbalanced_transfer", fmt.Sprintf("transfer %d postings in %s sum to %d", t.TransferID, t.Currency, t.Sum)})
		}
		if t.Empty {
			vs = append(vs, Violation{"empty_transfer", fmt.Sprintf("transfer %d has no postings", t.TransferID)})
		}
		if t.Orphans != 0 {
			vs = append(vs, Violation{"orphan_posting", fmt.Sprintf("transfer %d has %d postings in %s whose transfer or account does not exist", t.TransferID, t.Orphans, t.Currency)})
		}
	}
	return vs
}
