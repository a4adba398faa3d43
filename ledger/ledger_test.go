package ledger_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"pgregory.net/rapid"
)

// acct returns an account for unit tests.
func acct(id int64, currency string, balance, held int64, allowNegative bool) *baas.Account {
	return &baas.Account{ID: id, Currency: currency, Balance: balance, Held: held, AllowNegative: allowNegative,
		Kind: baas.AccountCustomer, Status: baas.AccountActive}
}

func accountMap(accounts ...*baas.Account) map[int64]*baas.Account {
	m := make(map[int64]*baas.Account, len(accounts))
	for _, a := range accounts {
		m[a.ID] = a
	}
	return m
}

// snapshot copies the accounts so a later comparison can tell whether anything changed.
func snapshot(m map[int64]*baas.Account) map[int64]baas.Account {
	out := make(map[int64]baas.Account, len(m))
	for id, a := range m {
		out[id] = *a
	}
	return out
}

func assertUnchanged(t interface {
	Helper()
	Fatalf(string, ...any)
}, before map[int64]baas.Account, m map[int64]*baas.Account) {
	t.Helper()
	for id, a := range m {
		if *a != before[id] {
			t.Fatalf("account %d changed by a failed operation: before %+v, after %+v", id, before[id], *a)
		}
	}
}

func TestMove(t *testing.T) {
	t.Parallel()
	got := ledger.Move(1, 2, 150)
	want := []ledger.Leg{{AccountID: 1, Amount: -150}, {AccountID: 2, Amount: 150}}
	if !slices.Equal(got, want) {
		t.Fatalf("Move(1, 2, 150) = %v, want %v", got, want)
	}
}

func TestCheckAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount int64
		ok     bool
	}{
		{math.MinInt64, false},
		{-1, false},
		{0, false},
		{1, true},
		{ledger.MaxAmount, true},
		{ledger.MaxAmount + 1, false},
		{math.MaxInt64, false},
	} {
		err := ledger.CheckAmount(tc.amount)
		if tc.ok && err != nil {
			t.Errorf("CheckAmount(%d) = %v, want nil", tc.amount, err)
		}
		if !tc.ok && baas.ErrorCode(err) != baas.EInvalid {
			t.Errorf("CheckAmount(%d) = %v, want %s", tc.amount, err, baas.EInvalid)
		}
		// One message for every refusal, naming the documented limit.
		if !tc.ok && baas.AsError(err).Message != "amount must be a positive number not greater than 1000000000000000" {
			t.Errorf("CheckAmount(%d) message %q", tc.amount, baas.AsError(err).Message)
		}
	}
}

func TestAccountIDs(t *testing.T) {
	t.Parallel()
	legs := []ledger.Leg{{AccountID: 9, Amount: 1}, {AccountID: 3, Amount: -1}, {AccountID: 9, Amount: 2}, {AccountID: 5, Amount: -2}}
	if got, want := ledger.AccountIDs(legs), []int64{3, 5, 9}; !slices.Equal(got, want) {
		t.Fatalf("AccountIDs = %v, want %v", got, want)
	}
	if got := ledger.AccountIDs(nil); len(got) != 0 {
		t.Fatalf("AccountIDs(nil) = %v, want empty", got)
	}
}

func TestApplyErrors(t *testing.T) {
	t.Parallel()
	half := int64(math.MaxInt64 / 2)
	for _, tc := range []struct {
		name     string
		accounts []*baas.Account
		legs     []ledger.Leg
		code     baas.Code
		reason   string
	}{
		{"no legs", []*baas.Account{acct(1, "USD", 10, 0, false)}, nil, baas.EInvalid, ""},
		{"one leg", []*baas.Account{acct(1, "USD", 10, 0, false)}, []ledger.Leg{{AccountID: 1, Amount: -1}}, baas.EInvalid, ""},
		{"zero leg", []*baas.Account{acct(1, "USD", 10, 0, false), acct(2, "USD", 0, 0, false)},
			[]ledger.Leg{{AccountID: 1, Amount: 0}, {AccountID: 2, Amount: 0}}, baas.EInvalid, ""},
		{"amount above max", []*baas.Account{acct(1, "USD", 0, 0, true), acct(2, "USD", 0, 0, false)},
			ledger.Move(1, 2, ledger.MaxAmount+1), baas.EInvalid, ""},
		{"min int64", []*baas.Account{acct(1, "USD", 0, 0, true), acct(2, "USD", 0, 0, false)},
			[]ledger.Leg{{AccountID: 1, Amount: math.MinInt64}, {AccountID: 2, Amount: math.MinInt64}}, baas.EInvalid, ""},
		{"unknown account", []*baas.Account{acct(1, "USD", 10, 0, false)}, ledger.Move(1, 2, 5), baas.ENotFound, ""},
		{"currency mismatch", []*baas.Account{acct(1, "USD", 10, 0, false), acct(2, "EUR", 0, 0, false)},
			ledger.Move(1, 2, 5), baas.EInvalid, ""},
		{"unbalanced", []*baas.Account{acct(1, "USD", 10, 0, false), acct(2, "USD", 0, 0, false)},
			[]ledger.Leg{{AccountID: 1, Amount: -5}, {AccountID: 2, Amount: 4}}, baas.EInternal, ""},
		{"insufficient", []*baas.Account{acct(1, "USD", 10, 0, false), acct(2, "USD", 0, 0, false)},
			ledger.Move(1, 2, 11), baas.EInsufficientFunds, "INSUFFICIENT_FUNDS"},
		{"insufficient because of holds", []*baas.Account{acct(1, "USD", 10, 4, false), acct(2, "USD", 0, 0, false)},
			ledger.Move(1, 2, 7), baas.EInsufficientFunds, "INSUFFICIENT_FUNDS"},
		{"insufficient over several legs", []*baas.Account{acct(1, "USD", 10, 0, false), acct(2, "USD", 0, 0, false), acct(3, "USD", 0, 0, false)},
			[]ledger.Leg{{AccountID: 1, Amount: -6}, {AccountID: 2, Amount: 6}, {AccountID: 1, Amount: -6}, {AccountID: 3, Amount: 6}},
			baas.EInsufficientFunds, "INSUFFICIENT_FUNDS"},
		{"overflow", []*baas.Account{acct(1, "USD", 0, 0, true), acct(2, "USD", half-5, 0, true)},
			ledger.Move(1, 2, 10), baas.EInvalid, ""},
		{"underflow", []*baas.Account{acct(1, "USD", -half+5, 0, true), acct(2, "USD", 0, 0, true)},
			ledger.Move(1, 2, 10), baas.EInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := accountMap(tc.accounts...)
			before := snapshot(m)
			postings, err := ledger.Apply(m, tc.legs)
			if baas.ErrorCode(err) != tc.code {
				t.Fatalf("Apply = %v, want code %s", err, tc.code)
			}
			if got := baas.ErrorReason(err); got != tc.reason {
				t.Fatalf("reason = %q, want %q", got, tc.reason)
			}
			if postings != nil {
				t.Fatalf("postings = %v on error, want nil", postings)
			}
			assertUnchanged(t, before, m)
		})
	}
}

func TestApplyMove(t *testing.T) {
	t.Parallel()
	m := accountMap(acct(1, "USD", 100, 30, false), acct(2, "USD", 5, 0, false))
	postings, err := ledger.Apply(m, ledger.Move(1, 2, 70)) // exactly the available balance
	if err != nil {
		t.Fatal(err)
	}
	want := []baas.Posting{
		{AccountID: 1, Currency: "USD", Amount: -70, BalanceAfter: 30},
		{AccountID: 2, Currency: "USD", Amount: 70, BalanceAfter: 75},
	}
	if !slices.Equal(postings, want) {
		t.Fatalf("postings = %+v, want %+v", postings, want)
	}
	if m[1].Balance != 30 || m[1].Held != 30 || m[2].Balance != 75 {
		t.Fatalf("balances = %d/%d and %d, want 30/30 and 75", m[1].Balance, m[1].Held, m[2].Balance)
	}
	if m[1].Available() != 0 {
		t.Fatalf("available = %d, want 0", m[1].Available())
	}
}

func TestApplyAllowNegative(t *testing.T) {
	t.Parallel()
	m := accountMap(acct(1, "EUR", 0, 0, true), acct(2, "EUR", 0, 0, false))
	if _, err := ledger.Apply(m, ledger.Move(1, 2, ledger.MaxAmount)); err != nil {
		t.Fatal(err)
	}
	if m[1].Balance != -ledger.MaxAmount || m[2].Balance != ledger.MaxAmount {
		t.Fatalf("balances = %d, %d", m[1].Balance, m[2].Balance)
	}
}

func TestApplyMultiLeg(t *testing.T) {
	t.Parallel()
	m := accountMap(acct(1, "USD", 100, 0, false), acct(2, "USD", 0, 0, false), acct(3, "USD", 0, 0, false))
	legs := []ledger.Leg{
		{AccountID: 1, Amount: -60},
		{AccountID: 2, Amount: 50},
		{AccountID: 3, Amount: 10},
		{AccountID: 1, Amount: -40},
		{AccountID: 2, Amount: 40},
	}
	postings, err := ledger.Apply(m, legs)
	if err != nil {
		t.Fatal(err)
	}
	wantAfter := []int64{40, 50, 10, 0, 90}
	for i, p := range postings {
		if p.AccountID != legs[i].AccountID || p.Amount != legs[i].Amount || p.BalanceAfter != wantAfter[i] || p.Currency != "USD" {
			t.Fatalf("posting %d = %+v, want account %d amount %d after %d", i, p, legs[i].AccountID, legs[i].Amount, wantAfter[i])
		}
	}
	if m[1].Balance != 0 || m[2].Balance != 90 || m[3].Balance != 10 {
		t.Fatalf("balances = %d, %d, %d", m[1].Balance, m[2].Balance, m[3].Balance)
	}
}

// An account may pass through zero inside one transfer as long as it ends non-negative.
func TestApplyNetOfLegs(t *testing.T) {
	t.Parallel()
	m := accountMap(acct(1, "USD", 0, 0, false), acct(2, "USD", 50, 0, false))
	legs := []ledger.Leg{{AccountID: 1, Amount: -20}, {AccountID: 2, Amount: 20}, {AccountID: 2, Amount: -30}, {AccountID: 1, Amount: 30}}
	postings, err := ledger.Apply(m, legs)
	if err != nil {
		t.Fatal(err)
	}
	if postings[0].BalanceAfter != -20 || postings[3].BalanceAfter != 10 {
		t.Fatalf("postings = %+v", postings)
	}
	if m[1].Balance != 10 || m[2].Balance != 40 {
		t.Fatalf("balances = %d, %d", m[1].Balance, m[2].Balance)
	}
}

func TestPlaceHold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		a        *baas.Account
		amount   int64
		code     baas.Code
		wantHeld int64
	}{
		{"fits", acct(1, "USD", 100, 20, false), 80, "", 100},
		{"too much", acct(1, "USD", 100, 20, false), 81, baas.EInsufficientFunds, 20},
		{"zero", acct(1, "USD", 100, 0, false), 0, baas.EInvalid, 0},
		{"negative", acct(1, "USD", 100, 0, false), -5, baas.EInvalid, 0},
		{"above max", acct(1, "USD", 0, 0, true), ledger.MaxAmount + 1, baas.EInvalid, 0},
		{"allow negative", acct(1, "USD", 0, 0, true), 500, "", 500},
		{"held overflow", acct(1, "USD", 0, math.MaxInt64/2-1, true), 10, baas.EInvalid, math.MaxInt64/2 - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := *tc.a
			err := ledger.PlaceHold(tc.a, tc.amount)
			if baas.ErrorCode(err) != tc.code {
				t.Fatalf("PlaceHold = %v, want code %q", err, tc.code)
			}
			if tc.a.Held != tc.wantHeld {
				t.Fatalf("held = %d, want %d", tc.a.Held, tc.wantHeld)
			}
			if tc.a.Balance != before.Balance {
				t.Fatalf("balance changed from %d to %d", before.Balance, tc.a.Balance)
			}
			if tc.code == baas.EInsufficientFunds && baas.ErrorReason(err) != "INSUFFICIENT_FUNDS" {
				t.Fatalf("reason = %q", baas.ErrorReason(err))
			}
		})
	}
}

func TestReleaseHold(t *testing.T) {
	t.Parallel()
	a := acct(1, "USD", 100, 30, false)
	for _, amount := range []int64{0, -1, 31} {
		if err := ledger.ReleaseHold(a, amount); err == nil {
			t.Fatalf("ReleaseHold(%d) with 30 held succeeded", amount)
		}
		if a.Held != 30 {
			t.Fatalf("held = %d after failed release, want 30", a.Held)
		}
	}
	if err := ledger.ReleaseHold(a, 10); err != nil {
		t.Fatal(err)
	}
	if err := ledger.ReleaseHold(a, 20); err != nil {
		t.Fatal(err)
	}
	if a.Held != 0 || a.Balance != 100 {
		t.Fatalf("after releases held=%d balance=%d, want 0 and 100", a.Held, a.Balance)
	}
}

func kinds(vs []ledger.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Kind)
		if v.Message == "" {
			panic(fmt.Sprintf("violation %q without a message", v.Kind))
		}
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ok := func(a *baas.Account) baas.AccountCheck {
		return baas.AccountCheck{Account: *a, PostingSum: a.Balance, ActiveHolds: a.Held}
	}
	good := []baas.AccountCheck{ok(acct(1, "USD", -100, 0, true)), ok(acct(2, "USD", 100, 40, false))}
	if vs := ledger.Check([]baas.CurrencyTotal{{Currency: "USD", Total: 0}}, good, nil); len(vs) != 0 {
		t.Fatalf("Check on consistent data = %v", vs)
	}
	if vs := ledger.Check(nil, nil, nil); len(vs) != 0 {
		t.Fatalf("Check on nothing = %v", vs)
	}
	for _, tc := range []struct {
		name      string
		totals    []baas.CurrencyTotal
		accounts  []baas.AccountCheck
		transfers []baas.UnbalancedTransfer
		want      []string
	}{
		{"currency total", []baas.CurrencyTotal{{Currency: "USD", Total: 0}, {Currency: "EUR", Total: 3}}, nil, nil,
			[]string{"currency_total"}},
		{"posting sum", nil, []baas.AccountCheck{{Account: *acct(1, "USD", 10, 0, false), PostingSum: 9}}, nil,
			[]string{"posting_sum"}},
		{"held sum", nil, []baas.AccountCheck{{Account: *acct(1, "USD", 10, 5, false), PostingSum: 10, ActiveHolds: 4}}, nil,
			[]string{"held_sum"}},
		{"negative balance", nil, []baas.AccountCheck{{Account: *acct(1, "USD", -1, 0, false), PostingSum: -1}}, nil,
			[]string{"negative"}},
		{"negative available", nil, []baas.AccountCheck{{Account: *acct(1, "USD", 10, 11, false), PostingSum: 10, ActiveHolds: 11}}, nil,
			[]string{"negative"}},
		{"negative allowed", nil, []baas.AccountCheck{{Account: *acct(1, "USD", -10, 5, true), PostingSum: -10, ActiveHolds: 5}}, nil,
			nil},
		{"unbalanced transfer", nil, nil, []baas.UnbalancedTransfer{{TransferID: 7, Currency: "USD", Sum: 1}, {TransferID: 8, Currency: "EUR", Sum: -2}},
			[]string{"unbalanced_transfer", "unbalanced_transfer"}},
		{"orphan posting", nil, nil, []baas.UnbalancedTransfer{{TransferID: 7, Currency: "USD", Orphans: 1}},
			[]string{"orphan_posting"}},
		{"empty transfer", nil, nil, []baas.UnbalancedTransfer{{TransferID: 9, Empty: true}},
			[]string{"empty_transfer"}},
		{"orphan and unbalanced", nil, nil, []baas.UnbalancedTransfer{{TransferID: 7, Currency: "USD", Sum: 3, Orphans: 2}},
			[]string{"unbalanced_transfer", "orphan_posting"}},
		{"everything", []baas.CurrencyTotal{{Currency: "USD", Total: -1}},
			[]baas.AccountCheck{{Account: *acct(1, "USD", -1, 1, false), PostingSum: 0, ActiveHolds: 0}},
			[]baas.UnbalancedTransfer{{TransferID: 1, Currency: "USD", Sum: 5}},
			[]string{"currency_total", "posting_sum", "held_sum", "negative", "unbalanced_transfer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := kinds(ledger.Check(tc.totals, tc.accounts, tc.transfers))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("violations = %v, want %v", got, tc.want)
			}
		})
	}
}

// --- property tests ---

// model is a ledger held in memory: accounts, every posting applied, the active holds and
// the transfers, so that the figures a store would report can be derived from it.
type model struct {
	accounts   map[int64]*baas.Account
	ids        []int64
	currencies []string
	postingSum map[int64]int64
	lastAfter  map[int64]int64 // BalanceAfter of each account's latest posting
	holds      map[int]hold    // active holds by a test-local id
	nextHold   int
	transfers  [][]baas.Posting
}

type hold struct {
	accountID int64
	amount    int64
}

func newModel(t *rapid.T) *model {
	m := &model{
		accounts:   map[int64]*baas.Account{},
		currencies: []string{"USD", "EUR", "BRL"}[:rapid.IntRange(1, 3).Draw(t, "currencies")],
		postingSum: map[int64]int64{},
		lastAfter:  map[int64]int64{},
		holds:      map[int]hold{},
	}
	n := rapid.IntRange(2, 8).Draw(t, "accounts")
	var id int64 = 100
	for i := 0; i < n; i++ {
		id += rapid.Int64Range(1, 3).Draw(t, "idgap")
		a := acct(id, rapid.SampledFrom(m.currencies).Draw(t, "currency"), 0, 0, rapid.Bool().Draw(t, "allowNegative"))
		m.accounts[id] = a
		m.ids = append(m.ids, id)
	}
	// Every currency has an account that may go negative, so money can enter the ledger.
	for _, c := range m.currencies {
		id += 1
		m.accounts[id] = acct(id, c, 0, 0, true)
		m.ids = append(m.ids, id)
	}
	return m
}

func (m *model) drawAccount(t *rapid.T, label string) int64 {
	return rapid.SampledFrom(m.ids).Draw(t, label)
}

func drawAmount(t *rapid.T, label string) int64 {
	return rapid.OneOf(
		rapid.Int64Range(1, 1_000),
		rapid.Int64Range(1, 1_000_000_000),
		rapid.Int64Range(-3, 3),
		rapid.SampledFrom([]int64{ledger.MaxAmount, ledger.MaxAmount + 1, -ledger.MaxAmount, -ledger.MaxAmount - 1, math.MaxInt64, math.MinInt64}),
	).Draw(t, label)
}

// expectApply is the specification of ledger.Apply: the error code it must return for
// legs over the model's accounts, or "" when it must succeed.
func (m *model) expectApply(legs []ledger.Leg) baas.Code {
	if len(legs) < 2 {
		return baas.EInvalid
	}
	currency := ""
	next := map[int64]int64{}
	var sum int64
	for _, l := range legs {
		if l.Amount == 0 || l.Amount > ledger.MaxAmount || l.Amount < -ledger.MaxAmount {
			return baas.EInvalid
		}
		a, ok := m.accounts[l.AccountID]
		if !ok {
			return baas.ENotFound
		}
		if currency == "" {
			currency = a.Currency
		} else if currency != a.Currency {
			return baas.EInvalid
		}
		bal, seen := next[l.AccountID]
		if !seen {
			bal = a.Balance
		}
		bal += l.Amount // no overflow: |bal| stays far below MaxInt64/2 in these tests
		if bal > math.MaxInt64/2 || bal < math.MinInt64/2 {
			return baas.EInvalid
		}
		next[l.AccountID] = bal
		sum += l.Amount
	}
	if sum != 0 {
		return baas.EInternal
	}
	for id, nb := range next {
		a := m.accounts[id]
		if !a.AllowNegative && nb < a.Balance && nb-a.Held < 0 {
			return baas.EInsufficientFunds
		}
	}
	return ""
}

// apply runs ledger.Apply and checks its outcome against the specification.
func (m *model) apply(t *rapid.T, legs []ledger.Leg) {
	want := m.expectApply(legs)
	before := snapshot(m.accounts)
	postings, err := ledger.Apply(m.accounts, legs)
	if got := baas.ErrorCode(err); got != want {
		t.Fatalf("Apply(%v) = %v, want code %q", legs, err, want)
	}
	if err != nil {
		if postings != nil {
			t.Fatalf("failed Apply returned postings %v", postings)
		}
		assertUnchanged(t, before, m.accounts)
		return
	}
	if len(postings) != len(legs) {
		t.Fatalf("%d postings for %d legs", len(postings), len(legs))
	}
	running := map[int64]int64{}
	for i, p := range postings {
		l := legs[i]
		if p.AccountID != l.AccountID || p.Amount != l.Amount {
			t.Fatalf("posting %d = %+v for leg %+v", i, p, l)
		}
		if p.Currency != before[l.AccountID].Currency {
			t.Fatalf("posting %d currency %q, account currency %q", i, p.Currency, before[l.AccountID].Currency)
		}
		prev, seen := running[p.AccountID]
		if !seen {
			prev = before[p.AccountID].Balance
			// The chain continues from the account's previous posting.
			if last := m.lastAfter[p.AccountID]; last != prev {
				t.Fatalf("account %d balance %d but its last posting left %d", p.AccountID, prev, last)
			}
		}
		if p.BalanceAfter != prev+p.Amount {
			t.Fatalf("posting %d BalanceAfter %d, want %d + %d", i, p.BalanceAfter, prev, p.Amount)
		}
		running[p.AccountID] = p.BalanceAfter
		m.postingSum[p.AccountID] += p.Amount
	}
	for id, a := range m.accounts {
		wantBal := before[id].Balance
		if r, ok := running[id]; ok {
			wantBal = r
		}
		if a.Balance != wantBal || a.Held != before[id].Held {
			t.Fatalf("account %d is %d/%d after Apply, want %d/%d", id, a.Balance, a.Held, wantBal, before[id].Held)
		}
		if r, ok := running[id]; ok {
			m.lastAfter[id] = r
		}
	}
	m.transfers = append(m.transfers, postings)
}

// checkInvariants verifies every ledger invariant over the model.
func (m *model) checkInvariants(t *rapid.T) {
	totals := map[string]int64{}
	held := map[int64]int64{}
	for _, h := range m.holds {
		held[h.accountID] += h.amount
	}
	for id, a := range m.accounts {
		totals[a.Currency] += a.Balance
		if !a.AllowNegative && a.Balance-a.Held < 0 {
			t.Fatalf("account %d may not go negative but has balance %d, held %d", id, a.Balance, a.Held)
		}
		if a.Held < 0 {
			t.Fatalf("account %d has negative held %d", id, a.Held)
		}
		if a.Held != held[id] {
			t.Fatalf("account %d held %d, active holds %d", id, a.Held, held[id])
		}
		if a.Balance != m.postingSum[id] {
			t.Fatalf("account %d balance %d, postings %d", id, a.Balance, m.postingSum[id])
		}
	}
	for c, total := range totals {
		if total != 0 {
			t.Fatalf("balances in %s sum to %d", c, total)
		}
	}
	for _, tr := range m.transfers {
		sums := map[string]int64{}
		for _, p := range tr {
			sums[p.Currency] += p.Amount
		}
		for c, s := range sums {
			if s != 0 {
				t.Fatalf("transfer %v sums to %d in %s", tr, s, c)
			}
		}
	}
	if vs := ledger.Check(m.report()); len(vs) != 0 {
		t.Fatalf("Check on consistent ledger: %v", vs)
	}
}

// report derives what a store would report about the model: the totals per currency,
// every account with its posting and hold sums, and the unbalanced transfers.
func (m *model) report() ([]baas.CurrencyTotal, []baas.AccountCheck, []baas.UnbalancedTransfer) {
	totals := map[string]int64{}
	held := map[int64]int64{}
	for _, h := range m.holds {
		held[h.accountID] += h.amount
	}
	var checks []baas.AccountCheck
	for _, id := range m.ids {
		a := m.accounts[id]
		totals[a.Currency] += a.Balance
		checks = append(checks, baas.AccountCheck{Account: *a, PostingSum: m.postingSum[id], ActiveHolds: held[id]})
	}
	var ts []baas.CurrencyTotal
	for _, c := range m.currencies {
		ts = append(ts, baas.CurrencyTotal{Currency: c, Total: totals[c]})
	}
	var unbalanced []baas.UnbalancedTransfer
	for i, tr := range m.transfers {
		sums := map[string]int64{}
		for _, p := range tr {
			sums[p.Currency] += p.Amount
		}
		for c, s := range sums {
			if s != 0 {
				unbalanced = append(unbalanced, baas.UnbalancedTransfer{TransferID: int64(i + 1), Currency: c, Sum: s})
			}
		}
	}
	return ts, checks, unbalanced
}

// actions are the random steps of the ledger state machine. An action that does not apply
// to the current state simply returns (it also runs outside Repeat, where a skip would
// abandon the whole test case).
func (m *model) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"move": func(t *rapid.T) {
			m.apply(t, ledger.Move(m.drawAccount(t, "from"), m.drawAccount(t, "to"), drawAmount(t, "amount")))
		},
		"fund": func(t *rapid.T) {
			// From an account that may go negative to any account of its currency: succeeds.
			to := m.drawAccount(t, "to")
			var from int64
			for _, id := range m.ids {
				if m.accounts[id].AllowNegative && m.accounts[id].Currency == m.accounts[to].Currency && id != to {
					from = id
					break
				}
			}
			if from == 0 {
				return
			}
			legs := ledger.Move(from, to, rapid.Int64Range(1, 1_000_000).Draw(t, "amount"))
			if code := m.expectApply(legs); code != "" {
				t.Fatalf("funding %v expected to fail with %s", legs, code)
			}
			m.apply(t, legs)
		},
		"spend available": func(t *rapid.T) {
			// Moving exactly an account's available balance succeeds; one more unit does not.
			from := m.drawAccount(t, "from")
			a := m.accounts[from]
			if a.AllowNegative || a.Available() <= 0 || a.Available() > ledger.MaxAmount {
				return
			}
			var to int64
			for _, id := range m.ids {
				if id != from && m.accounts[id].Currency == a.Currency {
					to = id
				}
			}
			if to == 0 {
				return
			}
			m.apply(t, ledger.Move(from, to, a.Available()+1))
			m.apply(t, ledger.Move(from, to, a.Available()))
			if a.Available() != 0 {
				t.Fatalf("available %d after spending all of it", a.Available())
			}
		},
		"multi": func(t *rapid.T) {
			n := rapid.IntRange(0, 6).Draw(t, "legs")
			legs := make([]ledger.Leg, n)
			var sum int64
			for i := range legs {
				legs[i] = ledger.Leg{AccountID: m.drawAccount(t, "account"), Amount: drawAmount(t, "amount")}
				if i < n-1 {
					sum += legs[i].Amount
				}
			}
			if n >= 2 && rapid.Bool().Draw(t, "balanced") && sum >= -ledger.MaxAmount && sum <= ledger.MaxAmount {
				legs[n-1].Amount = -sum
			}
			m.apply(t, legs)
		},
		"multi same currency": func(t *rapid.T) {
			c := rapid.SampledFrom(m.currencies).Draw(t, "currency")
			var ids []int64
			for _, id := range m.ids {
				if m.accounts[id].Currency == c {
					ids = append(ids, id)
				}
			}
			n := rapid.IntRange(2, 6).Draw(t, "legs")
			legs := make([]ledger.Leg, n)
			var sum int64
			for i := 0; i < n-1; i++ {
				legs[i] = ledger.Leg{AccountID: rapid.SampledFrom(ids).Draw(t, "account"), Amount: rapid.Int64Range(-500, 500).Draw(t, "amount")}
				sum += legs[i].Amount
			}
			legs[n-1] = ledger.Leg{AccountID: rapid.SampledFrom(ids).Draw(t, "account"), Amount: -sum}
			m.apply(t, legs)
		},
		"unknown account": func(t *rapid.T) {
			before := snapshot(m.accounts)
			_, err := ledger.Apply(m.accounts, ledger.Move(m.drawAccount(t, "from"), 1, 1))
			if code := baas.ErrorCode(err); code != baas.ENotFound {
				t.Fatalf("Apply to an unknown account = %v, want not found", err)
			}
			assertUnchanged(t, before, m.accounts)
		},
		"place hold": func(t *rapid.T) {
			id := m.drawAccount(t, "account")
			a := m.accounts[id]
			amount := rapid.OneOf(rapid.Int64Range(-2, 2), rapid.Int64Range(1, 2_000_000), rapid.Just(a.Available()), rapid.Just(a.Available()+1)).Draw(t, "amount")
			before := *a
			err := ledger.PlaceHold(a, amount)
			var want baas.Code
			switch {
			case amount <= 0 || amount > ledger.MaxAmount:
				want = baas.EInvalid
			case !a.AllowNegative && before.Available() < amount:
				want = baas.EInsufficientFunds
			}
			if got := baas.ErrorCode(err); got != want {
				t.Fatalf("PlaceHold(%+v, %d) = %v, want code %q", before, amount, err, want)
			}
			if err != nil {
				if *a != before {
					t.Fatalf("failed PlaceHold changed the account: %+v -> %+v", before, *a)
				}
				return
			}
			if a.Held != before.Held+amount || a.Balance != before.Balance {
				t.Fatalf("PlaceHold(%d): %+v -> %+v", amount, before, *a)
			}
			m.nextHold++
			m.holds[m.nextHold] = hold{accountID: id, amount: amount}
		},
		"release hold": func(t *rapid.T) {
			if len(m.holds) == 0 {
				return
			}
			var keys []int
			for k := range m.holds {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			k := rapid.SampledFrom(keys).Draw(t, "hold")
			h := m.holds[k]
			a := m.accounts[h.accountID]
			before := *a
			if err := ledger.ReleaseHold(a, a.Held+1); err == nil {
				t.Fatalf("releasing more than held (%d) succeeded", a.Held)
			}
			if *a != before {
				t.Fatalf("failed ReleaseHold changed the account")
			}
			if err := ledger.ReleaseHold(a, h.amount); err != nil {
				t.Fatalf("ReleaseHold(%d) with %d held: %v", h.amount, before.Held, err)
			}
			if a.Held != before.Held-h.amount || a.Balance != before.Balance {
				t.Fatalf("ReleaseHold(%d): %+v -> %+v", h.amount, before, *a)
			}
			delete(m.holds, k)
		},
		"": m.checkInvariants,
	}
}

func TestLedgerProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := newModel(t)
		t.Repeat(m.actions())
	})
}

// TestCheckReportsBrokenData builds a consistent ledger at random, breaks it in one way on
// purpose, and expects Check to name that kind of violation.
func TestCheckReportsBrokenData(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := newModel(t)
		acts := m.actions()
		for _, name := range rapid.SliceOfN(rapid.SampledFrom([]string{"fund", "move", "multi same currency", "place hold", "spend available"}), 0, 15).Draw(t, "steps") {
			acts[name](t)
		}
		m.checkInvariants(t)
		totals, checks, unbalanced := m.report()
		idx := rapid.IntRange(0, len(checks)-1).Draw(t, "account")
		delta := rapid.OneOf(rapid.Int64Range(1, 1000), rapid.Int64Range(-1000, -1)).Draw(t, "delta")
		var want string
		switch kind := rapid.SampledFrom([]string{"currency_total", "posting_sum", "held_sum", "negative", "unbalanced_transfer", "orphan_posting", "empty_transfer"}).Draw(t, "kind"); kind {
		case "currency_total":
			totals[rapid.IntRange(0, len(totals)-1).Draw(t, "currency")].Total += delta
			want = kind
		case "posting_sum":
			checks[idx].PostingSum += delta
			want = kind
		case "held_sum":
			checks[idx].ActiveHolds += delta
			want = kind
		case "negative":
			// An account that may not go negative with less available than zero, its
			// postings and holds agreeing with it.
			c := &checks[idx]
			c.Account.AllowNegative = false
			c.Account.Held = c.Account.Balance + rapid.Int64Range(1, 1000).Draw(t, "over")
			if c.Account.Held < 0 {
				c.Account.Held = 0
			}
			c.ActiveHolds = c.Account.Held
			if c.Account.Available() >= 0 {
				c.Account.Balance = -1
				c.PostingSum = -1
			}
			want = kind
		case "unbalanced_transfer":
			unbalanced = append(unbalanced, baas.UnbalancedTransfer{TransferID: 1, Currency: m.currencies[0], Sum: delta})
			want = kind
		case "orphan_posting":
			unbalanced = append(unbalanced, baas.UnbalancedTransfer{TransferID: 1, Currency: m.currencies[0], Orphans: 1})
			want = kind
		case "empty_transfer":
			unbalanced = append(unbalanced, baas.UnbalancedTransfer{TransferID: 1, Empty: true})
			want = kind
		}
		got := kinds(ledger.Check(totals, checks, unbalanced))
		if !slices.Contains(got, want) {
			t.Fatalf("Check after breaking %s reported %v", want, got)
		}
	})
}
