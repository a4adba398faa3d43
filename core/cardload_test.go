package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
)

// codegoCardFixture is a sandbox whitelabel whose loads settle after a delay, with a
// customer (in Italy: 5 EUR shipping) whose KYC is verified and who has 20 EUR.
type codegoCardFixture struct {
	*kycFixture
	store  baas.Store
	tenant string
}

func newCodegoCardFixture(t *testing.T, engine string, delay time.Duration) *codegoCardFixture {
	t.Helper()
	f := &codegoCardFixture{kycFixture: &kycFixture{now: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)}}
	f.store = storetest.Open(t, engine)
	cfg := core.DefaultConfig()
	cfg.CardLoadDelay = delay
	cfg.SandboxMasterBalance = 0 // the float holds what each test funds
	svc, err := core.New(f.store, cfg, core.NewMasterKey(), f.clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "wl", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	f.svc, f.tenant, f.ctx = svc, creds.TenantID, baas.WithTenant(context.Background(), creds.TenantID)
	c, _, err := svc.Signup(f.ctx, core.SignupParams{FirstName: "John", LastName: "De", Phone: "9999640806",
		Email: "john@example.com", Password: "Aa100508!!!", Address: "Via Roma 1", City: "Roma", ZipCode: "00100",
		Product: core.ProductCards, Ref: "ref-john", Profile: baas.CustomerProfile{CountryOfResidence: 106,
			PhoneCountry: 106, DateOfBirth: "1989-01-02", Nationality: 106, AddressCountry: 106, SameShipping: true,
			WorkCountry: 106, IncomeSource: "salary", TaxCountry: 106, TaxNumber: "RSSMRA", Gender: "male"}})
	if err != nil {
		t.Fatal(err)
	}
	f.customer = baas.CustomerKey{Ref: c.Ref}
	bg := context.Background()
	if _, err := svc.SetKYCSettings(bg, baas.KYCSettings{TenantID: f.tenant, AutoVerifyAfter: time.Minute}); err != nil {
		t.Fatal(err)
	}
	for _, up := range []core.UploadKYCParams{
		{Customer: f.customer, Type: baas.DocIDProof, Number: "AB123",
			Images: []core.KYCImageUpload{{Field: "front_proof", Side: baas.SideFront, Data: pngBytes(t)}}},
		{Customer: f.customer, Type: baas.DocAddressProof,
			Images: []core.KYCImageUpload{{Field: "address_proof", Side: baas.SideFull, Data: pngBytes(t)}}},
	} {
		if _, err := svc.UploadKYC(f.ctx, up); err != nil {
			t.Fatal(err)
		}
	}
	f.add(2 * time.Minute) // the sandbox verifies them when the order reads them
	if _, err := svc.IncomingTransfer(bg, core.IncomingTransferParams{TenantID: f.tenant, Customer: f.customer,
		Amount: 2000, Currency: "EUR", Reference: "salary"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetCardAutoShip(bg, f.tenant, true); err != nil {
		t.Fatal(err)
	}
	return f
}

// activeCard orders a card of the type (auto-shipped) and activates it.
func (f *codegoCardFixture) activeCard(t *testing.T, typ, variant string) *core.CardInfo {
	t.Helper()
	c, err := f.svc.OrderCodegoCard(f.ctx, core.OrderCodegoCardParams{Customer: f.customer, Type: typ, Variant: variant})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != baas.CardShipped {
		t.Fatalf("auto-ship: %s", c.Status)
	}
	d, err := f.svc.SandboxCardData(f.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, pin, err := f.svc.ActivateCodegoCard(f.ctx, core.ActivateCodegoCardParams{Customer: f.customer, Type: typ, PAN: d.PAN,
		CVV: d.CVV, Month: d.ExpMonth, Year: d.ExpYear % 100})
	if err != nil || c.Status != baas.CardActive || len(pin) != 4 {
		t.Fatalf("activate: %+v %q %v", c, pin, err)
	}
	return c
}

func (f *codegoCardFixture) float(t *testing.T) *baas.Account {
	t.Helper()
	a, err := f.svc.MasterBalance(context.Background(), f.tenant, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *codegoCardFixture) cardBalance(t *testing.T) int64 {
	t.Helper()
	cards, err := f.svc.CodegoCards(f.ctx, f.customer, core.CardPrepaid)
	if err != nil || len(cards) == 0 {
		t.Fatalf("CodegoCards: %v %v", cards, err)
	}
	return cards[0].Balance
}

// TestPrepaidLoadSettlesLater: a load holds the float and moves nothing until its delay
// is over; a card locked in between makes it fail and releases the hold; the ledger adds
// up throughout.
func TestPrepaidLoadSettlesLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newCodegoCardFixture(t, engine, 5*time.Second)
		card := f.activeCard(t, core.CardPrepaid, "")
		if _, _, err := f.svc.FundMaster(context.Background(), core.FundMasterParams{TenantID: f.tenant, Amount: 10000,
			Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		l, err := f.svc.LoadPrepaidCard(f.ctx, f.customer, card.ID, 1000)
		if err != nil || l.Status != baas.CardLoadPending {
			t.Fatalf("load: %+v %v", l, err)
		}
		if fl := f.float(t); fl.Balance != 10000 || fl.Held != 1000 || f.cardBalance(t) != 0 {
			t.Fatalf("pending load: float %+v", fl)
		}
		// Beyond what the float has available (9,000 of 10,000).
		_, err = f.svc.LoadPrepaidCard(f.ctx, f.customer, card.ID, 9001)
		wantErr(t, err, baas.EInsufficientFunds, "INSUFFICIENT_FLOAT")
		if n, err := f.svc.SettleDueCardLoads(f.ctx); err != nil || n != 0 {
			t.Fatalf("settled before the delay: %d %v", n, err)
		}
		verifyLedger(t, f.svc)

		f.add(5 * time.Second)
		if n, err := f.svc.SettleDueCardLoads(f.ctx); err != nil || n != 1 {
			t.Fatalf("settle: %d %v", n, err)
		}
		if fl := f.float(t); fl.Balance != 9000 || fl.Held != 0 || f.cardBalance(t) != 1000 {
			t.Fatalf("settled: float %+v, card %d", fl, f.cardBalance(t))
		}

		// Locked before it settles: the load fails and nothing moves.
		if _, err := f.svc.LoadPrepaidCard(f.ctx, f.customer, card.ID, 500); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetCodegoCardLock(f.ctx, f.customer, core.CardPrepaid, card.ID, true); err != nil {
			t.Fatal(err)
		}
		f.add(5 * time.Second)
		if n, err := f.svc.SettleDueCardLoads(f.ctx); err != nil || n != 1 {
			t.Fatalf("settle: %d %v", n, err)
		}
		if fl := f.float(t); fl.Balance != 9000 || fl.Held != 0 || f.cardBalance(t) != 1000 {
			t.Fatalf("failed load moved money: float %+v", fl)
		}
		evs, err := f.store.Read().ListEvents(context.Background(), baas.EventFilter{TenantID: f.tenant, Type: "card.load.failed"})
		if err != nil || len(evs) != 1 {
			t.Fatalf("failed events: %d %v", len(evs), err)
		}
		// Italy ships for 5 EUR: charged once, to the fees account.
		acct, err := f.svc.AccountDetail(f.ctx, f.customer)
		if err != nil || acct.Account.Balance != 1500 {
			t.Fatalf("customer account after shipping: %+v %v", acct, err)
		}
		verifyLedger(t, f.svc)
	})
}

// TestCodegoOrderAllowanceConcurrent: of concurrent orders of one type for one customer,
// exactly one is accepted; the other is refused with the allowance used up.
func TestCodegoOrderAllowanceConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newCodegoCardFixture(t, engine, 0)
		exactlyOne(t, 4, "CARD_LIMIT_REACHED", func() error {
			_, err := f.svc.OrderCodegoCard(f.ctx, core.OrderCodegoCardParams{Customer: f.customer, Type: core.CardDebit,
				Variant: "plastic"})
			return err
		})
		if n, err := f.svc.RemainingCards(f.ctx, f.customer, core.CardDebit); err != nil || n != 0 {
			t.Fatalf("remaining: %d %v", n, err)
		}
		verifyLedger(t, f.svc)
	})
}

// exactlyOne runs fn n times at once and wants exactly one to succeed and every other to
// be refused for reason.
func exactlyOne(t *testing.T, n int, reason string, fn func() error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range errs {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case baas.ErrorReason(err) != reason:
			t.Fatalf("want %s, got %v", reason, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d accepted, want 1", ok, n)
	}
}
