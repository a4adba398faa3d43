package core_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
	"pgregory.net/rapid"
)

// payFixture is a sandbox tenant with a funded customer account and an active virtual
// card, on a service whose clock the test moves.
type payFixture struct {
	svc    *core.Service
	ctx    context.Context
	tenant string
	number int64
	card   *core.CardInfo
	clock  *servertest.Clock
}

func (f *payFixture) advance(d time.Duration) { f.clock.Add(d) }

func newPayFixture(t *testing.T, engine string, funds int64) *payFixture {
	t.Helper()
	f := &payFixture{clock: servertest.NewClock(time.Now())}
	f.svc = newServiceClock(t, engine, f.clock.Now)
	var creds *core.TenantCredentials
	f.ctx, creds = newTenant(t, f.svc, true)
	f.tenant = creds.TenantID
	f.number = newAccount(t, f.svc, f.ctx).Account.Number
	if funds > 0 {
		cashIn(t, f.svc, f.ctx, f.number, funds)
	}
	f.card = f.newCard(t, f.number)
	return f
}

func (f *payFixture) newCard(t tb, number int64) *core.CardInfo {
	t.Helper()
	c, _, err := f.svc.CreateCard(f.ctx, core.CreateCardParams{AccountNumber: number, Product: core.ProductGirasolVirtual,
		Holder: baas.CardHolder{FirstName: "Ada", LastName: "Lovelace", Phone: "+15550100"}})
	if err != nil {
		t.Fatalf("CreateCard: %v", err)
	}
	return c
}

func (f *payFixture) pay(t tb, typ string, amount int64) *baas.CardTransaction {
	t.Helper()
	tx, err := f.svc.Authorize(context.Background(), core.AuthorizeParams{TenantID: f.tenant, CardID: f.card.ID,
		Type: typ, Amount: amount, MerchantName: "CORNER GROCERY", MerchantCountry: "US", MCC: "5411", EntryMode: "chip"})
	if err != nil {
		t.Fatalf("Authorize(%s, %d): %v", typ, amount, err)
	}
	return tx
}

func (f *payFixture) settle(typ, original string, amount int64) (*baas.CardTransaction, error) {
	return f.svc.SettleCardTransaction(context.Background(), core.SettleParams{TenantID: f.tenant, Type: typ,
		OriginalID: original, Amount: amount})
}

func (f *payFixture) available(t tb) (balance, available int64) {
	t.Helper()
	info, err := f.svc.GetAccountInfo(f.ctx, f.number)
	if err != nil {
		t.Fatalf("GetAccountInfo: %v", err)
	}
	return info.Account.Balance, info.Account.Balance - info.Account.Held
}

func (f *payFixture) txn(t tb, id string) *core.CardTxnInfo {
	t.Helper()
	x, err := f.svc.GetCardTransaction(context.Background(), f.tenant, id)
	if err != nil {
		t.Fatalf("GetCardTransaction: %v", err)
	}
	return x
}

func wantDecision(t tb, x *baas.CardTransaction, status, reason string) {
	t.Helper()
	if x.Status != status || x.Reason != reason {
		t.Fatalf("transaction %s %s: %s %s (%s), want %s %s", x.Type, x.ID, x.Status, x.Reason, x.Detail, status, reason)
	}
}

// TestCardTransactionLifecycle: purchases, authorizations with partial and several
// captures, reversals before and after capture, refunds, expiry and declines, each
// moving exactly what it says and nothing when refused; the ledger stays balanced.
func TestCardTransactionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newPayFixture(t, engine, 10_000)
		wantMoney := func(bal, avail int64) {
			t.Helper()
			if b, a := f.available(t); b != bal || a != avail {
				t.Fatalf("balance %d available %d, want %d %d", b, a, bal, avail)
			}
		}

		// A purchase moves the money at once.
		p := f.pay(t, baas.CardTxnPurchase, 1_000)
		wantDecision(t, p, baas.CardTxnApproved, core.ReasonApproved)
		if p.State != baas.CardTxnCaptured || p.TransferID == 0 {
			t.Fatalf("purchase: %+v", p)
		}
		wantMoney(9_000, 9_000)

		// An authorization holds; captures take from the hold, never more than it.
		a := f.pay(t, baas.CardTxnAuthorization, 2_000)
		wantDecision(t, a, baas.CardTxnApproved, core.ReasonApproved)
		wantMoney(9_000, 7_000)
		if _, err := f.settle(baas.CardTxnCapture, a.ID, 500); err != nil {
			t.Fatal(err)
		}
		wantMoney(8_500, 7_000)
		if got := f.txn(t, a.ID); got.State != baas.CardTxnPartiallyCaptured || got.Captured != 500 {
			t.Fatalf("after a partial capture: %+v", got)
		}
		if _, err := f.settle(baas.CardTxnCapture, a.ID, 700); err != nil {
			t.Fatal(err)
		}
		wantMoney(7_800, 7_000)
		_, err := f.settle(baas.CardTxnCapture, a.ID, 801)
		wantErr(t, err, baas.EConflict, "CAPTURE_EXCEEDS_AUTHORIZATION")
		wantMoney(7_800, 7_000)
		// A reversal releases the rest.
		r, err := f.settle(baas.CardTxnReversal, a.ID, 0)
		if err != nil || r.Amount != 800 || r.OriginalID != a.ID {
			t.Fatalf("reversal: %+v, %v", r, err)
		}
		wantMoney(7_800, 7_800)
		if got := f.txn(t, a.ID); got.State != baas.CardTxnCaptured || got.Captured != 1_200 || got.Reversed != 800 {
			t.Fatalf("after the reversal: %+v", got)
		}
		_, err = f.settle(baas.CardTxnCapture, a.ID, 1)
		wantErr(t, err, baas.EConflict, "CAPTURE_EXCEEDS_AUTHORIZATION")
		// Refunds: never more than captured.
		_, err = f.settle(baas.CardTxnRefund, a.ID, 1_201)
		wantErr(t, err, baas.EConflict, "REFUND_EXCEEDS_CAPTURE")
		if _, err := f.settle(baas.CardTxnRefund, a.ID, 200); err != nil {
			t.Fatal(err)
		}
		wantMoney(8_000, 8_000)
		if got := f.txn(t, a.ID); got.State != baas.CardTxnPartiallyRefunded {
			t.Fatalf("after a partial refund: %+v", got)
		}

		// The reversal of a completed purchase gives the money back, once.
		if _, err := f.settle(baas.CardTxnReversal, p.ID, 0); err != nil {
			t.Fatal(err)
		}
		wantMoney(9_000, 9_000)
		_, err = f.settle(baas.CardTxnReversal, p.ID, 0)
		wantErr(t, err, baas.EConflict, "NOTHING_TO_REVERSE")
		if got := f.txn(t, p.ID); got.State != baas.CardTxnRefunded {
			t.Fatalf("reversed purchase: %+v", got)
		}

		// Declines are recorded and move nothing.
		d := f.pay(t, baas.CardTxnPurchase, 9_001)
		wantDecision(t, d, baas.CardTxnDeclined, core.ReasonInsufficient)
		wantMoney(9_000, 9_000)
		_, err = f.settle(baas.CardTxnCapture, d.ID, 0)
		wantErr(t, err, baas.EConflict, "NOT_SETTLEABLE")
		x, err := f.svc.Authorize(context.Background(), core.AuthorizeParams{TenantID: f.tenant, CardID: f.card.ID,
			Type: baas.CardTxnPurchase, Amount: 100, Currency: "EUR"})
		if err != nil {
			t.Fatal(err)
		}
		wantDecision(t, x, baas.CardTxnDeclined, core.ReasonCurrency)
		if _, err := f.svc.ChangeCardStatus(f.ctx, f.card.ID, baas.CardFreeze); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnAuthorization, 100), baas.CardTxnDeclined, core.ReasonCardInactive)
		if _, err := f.svc.ChangeCardStatus(f.ctx, f.card.ID, baas.CardUnfreeze); err != nil {
			t.Fatal(err)
		}

		// Expiry: an uncaptured hold is released after the configured time, by the sweep
		// or by what touches the authorization.
		e1 := f.pay(t, baas.CardTxnAuthorization, 3_000)
		e2 := f.pay(t, baas.CardTxnAuthorization, 1_000)
		if _, err := f.settle(baas.CardTxnCapture, e2.ID, 400); err != nil {
			t.Fatal(err)
		}
		wantMoney(8_600, 5_000)
		f.advance(core.DefaultCardAuthorizationTTL - time.Minute)
		if n, err := f.svc.ExpireCardAuthorizations(context.Background(), ""); err != nil || n != 0 {
			t.Fatalf("sweep before the time: %d, %v", n, err)
		}
		f.advance(2 * time.Minute)
		_, err = f.settle(baas.CardTxnCapture, e1.ID, 1)
		wantErr(t, err, baas.EConflict, "CAPTURE_EXCEEDS_AUTHORIZATION")
		if got := f.txn(t, e1.ID); got.State != baas.CardTxnExpired || got.Reversed != 3_000 {
			t.Fatalf("expired authorization: %+v", got)
		}
		if n, err := f.svc.ExpireCardAuthorizations(context.Background(), ""); err != nil || n != 1 {
			t.Fatalf("sweep: %d, %v", n, err)
		}
		if got := f.txn(t, e2.ID); got.State != baas.CardTxnCaptured || got.Reversed != 600 {
			t.Fatalf("expired rest of a captured authorization: %+v", got)
		}
		wantMoney(8_600, 8_600)

		// Bad input and unknown or foreign cards change nothing.
		for _, p := range []core.AuthorizeParams{
			{Type: baas.CardTxnPurchase, Amount: -1},
			{Type: baas.CardTxnPurchase, Amount: 0},
			{Type: "refund", Amount: 10},
			{Type: baas.CardTxnPurchase, Amount: 10, MCC: "54a1"},
			{Type: baas.CardTxnPurchase, Amount: 10, EntryMode: "telepathy"},
			{Type: baas.CardTxnPurchase, Amount: 10, MerchantCountry: "USA"},
			{Type: baas.CardTxnPurchase, Amount: 10, Currency: "US"},
		} {
			p.TenantID, p.CardID = f.tenant, f.card.ID
			_, err := f.svc.Authorize(context.Background(), p)
			wantErr(t, err, baas.EInvalid, "")
		}
		ctx2, other := newTenant(t, f.svc, true)
		_ = ctx2
		_, err = f.svc.Authorize(context.Background(), core.AuthorizeParams{TenantID: other.TenantID, CardID: f.card.ID,
			Type: baas.CardTxnPurchase, Amount: 10})
		wantErr(t, err, baas.ENotFound, "CARD_NOT_FOUND")
		_, err = f.svc.SettleCardTransaction(context.Background(), core.SettleParams{TenantID: other.TenantID,
			Type: baas.CardTxnRefund, OriginalID: a.ID})
		wantErr(t, err, baas.ENotFound, "CARD_TRANSACTION_NOT_FOUND")
		_, err = f.settle(baas.CardTxnRefund, a.ID, -5)
		wantErr(t, err, baas.EInvalid, "")
		wantMoney(8_600, 8_600)

		// Every attempt is listed with its state; the events tell the story.
		list, err := f.svc.CardTransactions(context.Background(), f.tenant, f.card.ID, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 15 {
			t.Errorf("%d transactions listed, want 15", len(list))
		}
		counts := map[string]int{}
		evs, err := f.svc.ListEvents(context.Background(), baas.EventFilter{TenantID: f.tenant, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			counts[e.Type]++
		}
		want := map[string]int{core.EventCardAuthorization: 4, core.EventCardCapture: 4, core.EventCardDeclined: 3,
			core.EventCardReversal: 4, core.EventCardRefund: 1}
		for typ, n := range want {
			if counts[typ] != n {
				t.Errorf("%d %s events, want %d", counts[typ], typ, n)
			}
		}
		verifyLedger(t, f.svc)
	})
}

// TestCardTransactionsRandom: random sequences of authorizations, purchases, captures,
// reversals, refunds and expiries on several cards keep every ledger invariant, never
// capture more than was authorized nor refund more than was captured, and the account
// balances follow a model.
func TestCardTransactionsRandom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newPayFixture(t, engine, 0)
		rapid.Check(t, func(t *rapid.T) {
			type card struct {
				id      string
				number  int64
				balance int64
				held    int64
			}
			var cards []*card
			for i, n := 0, rapid.IntRange(1, 3).Draw(t, "cards"); i < n; i++ {
				num := newAccount(t, f.svc, f.ctx).Account.Number
				cashIn(t, f.svc, f.ctx, num, rapid.Int64Range(1, 5_000).Draw(t, "funds"))
				c := f.newCard(t, num)
				cards = append(cards, &card{id: c.ID, number: num, balance: balance(t, f.svc, f.ctx, num)})
			}
			var approved []*baas.CardTransaction
			check := func(t *rapid.T) {
				for _, c := range cards {
					info, err := f.svc.GetAccountInfo(f.ctx, c.number)
					if err != nil {
						t.Fatal(err)
					}
					if info.Account.Balance != c.balance || info.Account.Held != c.held {
						t.Fatalf("card %s: balance %d held %d, model %d %d", c.id, info.Account.Balance,
							info.Account.Held, c.balance, c.held)
					}
				}
				for _, a := range approved {
					x := f.txn(t, a.ID)
					if x.Captured+x.Reversed > x.Authorized || x.Refunded > x.Captured {
						t.Fatalf("totals broken: %+v", x)
					}
				}
			}
			cardOf := func(id string) *card {
				for _, c := range cards {
					if c.id == id {
						return c
					}
				}
				return nil
			}
			t.Repeat(map[string]func(*rapid.T){
				"pay": func(t *rapid.T) {
					c := rapid.SampledFrom(cards).Draw(t, "card")
					typ := rapid.SampledFrom([]string{baas.CardTxnAuthorization, baas.CardTxnPurchase}).Draw(t, "type")
					amt := rapid.Int64Range(1, 3_000).Draw(t, "amount")
					x, err := f.svc.Authorize(context.Background(), core.AuthorizeParams{TenantID: f.tenant, CardID: c.id,
						Type: typ, Amount: amt})
					if err != nil {
						t.Fatal(err)
					}
					if avail := c.balance - c.held; amt > avail {
						wantDecision(t, x, baas.CardTxnDeclined, core.ReasonInsufficient)
						return
					}
					wantDecision(t, x, baas.CardTxnApproved, core.ReasonApproved)
					approved = append(approved, x)
					if typ == baas.CardTxnPurchase {
						c.balance -= amt
					} else {
						c.held += amt
					}
				},
				"settle": func(t *rapid.T) {
					if len(approved) == 0 {
						t.Skip("nothing approved")
					}
					a := rapid.SampledFrom(approved).Draw(t, "original")
					typ := rapid.SampledFrom([]string{baas.CardTxnCapture, baas.CardTxnReversal, baas.CardTxnRefund}).Draw(t, "type")
					amt := rapid.Int64Range(0, 3_000).Draw(t, "amount")
					before := f.txn(t, a.ID)
					left := before.Authorized - before.Captured - before.Reversed
					if before.State != baas.CardTxnPending && before.State != baas.CardTxnPartiallyCaptured {
						left = 0
					}
					back := before.Captured - before.Refunded
					x, err := f.settle(typ, a.ID, amt)
					c := cardOf(a.CardID)
					switch {
					case typ == baas.CardTxnCapture && (left == 0 || amt > left):
						wantErr(t, err, baas.EConflict, "CAPTURE_EXCEEDS_AUTHORIZATION")
					case typ == baas.CardTxnCapture:
						if err != nil {
							t.Fatal(err)
						}
						c.balance -= x.Amount
						c.held -= x.Amount
					case typ == baas.CardTxnReversal && left > 0 && amt > left:
						wantErr(t, err, baas.EConflict, "NOTHING_TO_REVERSE")
					case typ == baas.CardTxnReversal && left > 0:
						if err != nil {
							t.Fatal(err)
						}
						c.held -= x.Amount
					case back == 0 || amt > back:
						if typ == baas.CardTxnReversal {
							wantErr(t, err, baas.EConflict, "NOTHING_TO_REVERSE")
						} else {
							wantErr(t, err, baas.EConflict, "REFUND_EXCEEDS_CAPTURE")
						}
					default:
						if err != nil {
							t.Fatal(err)
						}
						c.balance += x.Amount
					}
				},
				"expire": func(t *rapid.T) {
					f.advance(core.DefaultCardAuthorizationTTL + time.Second)
					if _, err := f.svc.ExpireCardAuthorizations(context.Background(), ""); err != nil {
						t.Fatal(err)
					}
					for _, c := range cards {
						c.held = 0
					}
				},
				"": check,
			})
			verifyLedger(t, f.svc)
		})
	})
}

// TestCardPurchasesConcurrent: concurrent purchases and authorizations on one card never
// spend more than its account holds: exactly as many are approved as fit, the others are
// declined insufficient_funds, and the ledger stays balanced (batches take one payment
// of the card each and put the others first in the next).
func TestCardPurchasesConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newPayFixture(t, engine, 10_000)
		var mu sync.Mutex
		approved, declined := 0, 0
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				typ := baas.CardTxnPurchase
				if i%2 == 1 {
					typ = baas.CardTxnAuthorization
				}
				x, err := f.svc.Authorize(context.Background(), core.AuthorizeParams{TenantID: f.tenant, CardID: f.card.ID,
					Type: typ, Amount: 500})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("Authorize: %v", err)
				case x.Status == baas.CardTxnApproved:
					approved++
				case x.Reason == core.ReasonInsufficient:
					declined++
				default:
					t.Errorf("unexpected decision %+v", x)
				}
			}()
		}
		wg.Wait()
		if approved != 20 || declined != 10 {
			t.Fatalf("%d approved, %d declined; want 20 and 10", approved, declined)
		}
		// A second payment of the card in a batch goes to the next batch, not through a
		// failed transaction.
		if st := f.svc.CardBatchStats(); st.LeftOut["batch_failed"] != 0 || st.LeftOut["panic"] != 0 {
			t.Fatalf("card batches left payments out: %v", st.LeftOut)
		}
		if _, avail := f.available(t); avail != 0 {
			t.Fatalf("available %d, want 0", avail)
		}
		verifyLedger(t, f.svc)
	})
}

// TestInactiveAccountSpendsNothing: a card whose account is inactive is declined
// account_inactive for a purchase and for an authorization, whether batched or alone, and
// nothing moves; once active again it pays.
func TestInactiveAccountSpendsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newPayFixture(t, engine, 10_000)
		if _, err := f.svc.ChangeAccountStatus(f.ctx, f.number, baas.AccountInactive); err != nil {
			t.Fatal(err)
		}
		for _, typ := range []string{baas.CardTxnPurchase, baas.CardTxnAuthorization} {
			wantDecision(t, f.pay(t, typ, 500), baas.CardTxnDeclined, core.ReasonAccountInactive)
		}
		if bal, avail := f.available(t); bal != 10_000 || avail != 10_000 {
			t.Fatalf("balance %d, available %d after declines; want 10000", bal, avail)
		}
		if _, err := f.svc.ChangeAccountStatus(f.ctx, f.number, baas.AccountActive); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 500), baas.CardTxnApproved, core.ReasonApproved)
		verifyLedger(t, f.svc)
	})
}

// TestFirstPurchasesTogether: a tenant's first purchases, on different cards at once,
// all go through, though each needs the network settlement account that none has made
// yet.
func TestFirstPurchasesTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newPayFixture(t, engine, 1_000)
		cards := []string{f.card.ID}
		for range 7 {
			n := newAccount(t, f.svc, f.ctx).Account.Number
			cashIn(t, f.svc, f.ctx, n, 1_000)
			cards = append(cards, f.newCard(t, n).ID)
		}
		var wg sync.WaitGroup
		for _, id := range cards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				x, err := f.svc.Authorize(context.Background(), core.AuthorizeParams{TenantID: f.tenant, CardID: id,
					Type: baas.CardTxnPurchase, Amount: 100})
				if err != nil || x.Status != baas.CardTxnApproved {
					t.Errorf("first purchase on %s: %+v, %v", id, x, err)
				}
			}()
		}
		wg.Wait()
		verifyLedger(t, f.svc)
	})
}

// TestControlChangesApplyToNextPurchase: the core caches a card's rules and its tenant's
// region; every change through the service (a rule created, updated or deleted on the
// card, its product or its company, the region set) applies to the very next purchase.
func TestControlChangesApplyToNextPurchase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newPayFixture(t, engine, 100_000)
		str := func(s string) *string { return &s }
		amount := func(n int64) *int64 { return &n }
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnApproved, core.ReasonApproved) // the cache holds "no rules"

		mcc, err := f.svc.CreateControl(f.ctx, "card", f.card.ID, core.ControlFields{ValidationType: str("Mcc"), Value: str("5411")})
		if err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnDeclined, "spending_control:"+mcc.ID)
		if _, err := f.svc.UpdateControl(f.ctx, mcc.ID, core.ControlFields{Value: str("7995")}); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnApproved, core.ReasonApproved)
		if _, err := f.svc.UpdateControl(f.ctx, mcc.ID, core.ControlFields{Value: str("5411")}); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnDeclined, "spending_control:"+mcc.ID)
		if _, err := f.svc.DeleteControl(f.ctx, mcc.ID); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnApproved, core.ReasonApproved)

		// A company rule on international payments: the fixture pays a US merchant, so
		// whether it applies turns on the tenant's country alone.
		intl, err := f.svc.CreateControl(f.ctx, "company", f.tenant, core.ControlFields{ValidationType: str("Amount"),
			Value: str("XXX"), Amount: amount(50), CurrencyCode: str("USD"), BusinessScope: str("International")})
		if err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnApproved, core.ReasonApproved) // no country: domestic
		if _, err := f.svc.SetTenantRegion(context.Background(), f.tenant, "", "FR"); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnDeclined, "spending_control:"+intl.ID)
		if _, err := f.svc.SetTenantRegion(context.Background(), f.tenant, "", "US"); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnApproved, core.ReasonApproved)

		// A product rule reaches the next purchase of the card too.
		product, err := f.svc.CreateControl(f.ctx, "product", core.ProductGirasolVirtual, core.ControlFields{
			ValidationType: str("EntryMode"), Value: str("Chip")})
		if err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnAuthorization, 100), baas.CardTxnDeclined, "spending_control:"+product.ID)
		verifyLedger(t, f.svc)
	})
}

// TestCardPaymentsTogether: payments of many cards at once (made in batches), several per
// card, against a company's daily limit and the cards' balances: each card gets exactly
// what its limit and its money allow, whatever batch each payment fell in.
func TestCardPaymentsTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newPayFixture(t, engine, 10_000)
		str := func(s string) *string { return &s }
		limit := int64(1_500)
		rule, err := f.svc.CreateControl(f.ctx, "company", f.tenant, core.ControlFields{ValidationType: str("Amount"),
			Value: str("XXX"), Amount: &limit, CurrencyCode: str("USD"), RangeType: str("Daily")})
		if err != nil {
			t.Fatal(err)
		}
		rich := []string{f.card.ID} // 10,000 each: the limit binds (two of 700)
		poor := []string{}          // 1,000 each: the money binds (one of 700)
		for i := range 6 {
			n := newAccount(t, f.svc, f.ctx).Account.Number
			if i%2 == 0 {
				cashIn(t, f.svc, f.ctx, n, 10_000)
				rich = append(rich, f.newCard(t, n).ID)
			} else {
				cashIn(t, f.svc, f.ctx, n, 1_000)
				poor = append(poor, f.newCard(t, n).ID)
			}
		}
		var mu sync.Mutex
		approved := map[string]int{}
		declined := map[string]map[string]int{}
		var wg sync.WaitGroup
		for _, id := range append(slices.Clone(rich), poor...) {
			declined[id] = map[string]int{}
			for i := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					typ := baas.CardTxnPurchase
					if i == 1 {
						typ = baas.CardTxnAuthorization
					}
					x, err := f.svc.Authorize(context.Background(), core.AuthorizeParams{TenantID: f.tenant, CardID: id,
						Type: typ, Amount: 700, MerchantCountry: "US"})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err != nil:
						t.Errorf("Authorize: %v", err)
					case x.Status == baas.CardTxnApproved:
						approved[id]++
					default:
						declined[id][x.Reason]++
					}
				}()
			}
		}
		wg.Wait()
		for _, id := range rich {
			if approved[id] != 2 || declined[id]["spending_control:"+rule.ID] != 1 {
				t.Errorf("card %s with money: %d approved, declined %v; want 2 and one by the daily limit", id, approved[id], declined[id])
			}
		}
		for _, id := range poor {
			if approved[id] != 1 || declined[id][core.ReasonInsufficient] != 2 {
				t.Errorf("card %s without money: %d approved, declined %v; want 1 and two for funds", id, approved[id], declined[id])
			}
		}
		verifyLedger(t, f.svc)
	})
}

// TestAuthorizationSettingsFromAnotherProcess: the payments' cached authorization
// settings do not outlive a change made by another process over the same database (as
// `baas webhook` makes): the next payment asks the tenant's new URL.
func TestAuthorizationSettingsFromAnotherProcess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		st, key := storetest.Open(t, engine), core.NewMasterKey()
		one, err := core.New(st, core.DefaultConfig(), key, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		other, err := core.New(st, core.DefaultConfig(), key, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := &payFixture{svc: one}
		var creds *core.TenantCredentials
		f.ctx, creds = newTenant(t, one, true)
		f.tenant = creds.TenantID
		f.number = newAccount(t, one, f.ctx).Account.Number
		cashIn(t, one, f.ctx, f.number, 100_000)
		f.card = f.newCard(t, f.number)
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnApproved, core.ReasonApproved) // no URL, cached

		url, timeout, standIn := "https://authz.invalid/decide", 200*time.Millisecond, baas.StandInDecline
		if _, err := other.UpdateAuthorizationSettings(context.Background(), core.AuthorizationSettingsPatch{TenantID: f.tenant,
			URL: &url, Timeout: &timeout, StandIn: &standIn}); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnDeclined, core.ReasonStandIn) // asked, unreachable
		empty := ""
		if _, err := other.UpdateAuthorizationSettings(context.Background(), core.AuthorizationSettingsPatch{TenantID: f.tenant,
			URL: &empty}); err != nil {
			t.Fatal(err)
		}
		wantDecision(t, f.pay(t, baas.CardTxnPurchase, 100), baas.CardTxnApproved, core.ReasonApproved)
		verifyLedger(t, one)
	})
}
