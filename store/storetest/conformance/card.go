package conformance

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.CardTx: cards, looked up by id (per tenant or for the operator) and by the hash of
// their number, listed in id order, updated; and the tenant's card settings.

// newCardID makes card ids that sort in creation order, as the core's time-ordered UUIDs
// do.
func newCardID() string { return fmt.Sprintf("00000000-0000-7000-8000-%012d", nextNumber()) }

func cardOf(tenantID string, a *baas.Account, status baas.CardStatus) *baas.Card {
	at := now()
	id := newCardID()
	return &baas.Card{ID: id, TenantID: tenantID, CustomerID: a.CustomerID, AccountID: a.ID, Product: "girasol-physical",
		FormFactor: baas.CardPhysical, Status: status, NameForPrint: "ADA LOVELACE",
		Holder: baas.CardHolder{FirstName: "Ada", LastName: "Lovelace", Phone: "+15550100", Address1: "1 Main St",
			City: "London", State: "LDN", ZipCode: "N1"},
		MaskedPAN: "411111******1234", Last4: "1234", ExpMonth: 9, ExpYear: 2030, PANHash: []byte("hash-" + id),
		Sealed: []byte("sealed-" + id), CreatedAt: at, UpdatedAt: at}
}

// testCards: a card reads back as written, for its tenant and for the operator, never
// for another tenant; its PAN hash is unique and finds it; lists filter and page in id
// order; an update changes status, PIN hash, failures and time only.
func testCards(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s).ID, newTenant(t, s).ID
	acct := newAccount(t, s, ten, accountOpts{})
	r := s.Read()

	c := cardOf(ten, acct, baas.CardOrdered)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCard(ctx, c) })
	for _, tenant := range []string{ten, ""} {
		got, err := r.GetCard(ctx, tenant, c.ID)
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Fatalf("GetCard(%q) = %+v, %v; want %+v", tenant, got, err, c)
		}
	}
	if _, err := r.GetCard(ctx, other, c.ID); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's card: %v", err)
	}
	if _, err := r.GetCard(ctx, ten, newCardID()); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("unknown card: %v", err)
	}

	// The PAN hash is unique and finds the card under any of the hashes given.
	dup := cardOf(ten, acct, baas.CardOrdered)
	dup.PANHash = c.PANHash
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateCard(ctx, dup) }); !baas.IsCode(err, baas.EConflict) {
		t.Fatalf("second card with the same PAN hash: %v", err)
	}
	if got, err := r.FindCardByPANHash(ctx, [][]byte{[]byte("nope"), c.PANHash}); err != nil || got.ID != c.ID {
		t.Fatalf("FindCardByPANHash = %+v, %v", got, err)
	}
	if _, err := r.FindCardByPANHash(ctx, [][]byte{[]byte("nope")}); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("unknown PAN hash: %v", err)
	}

	// Lists: by tenant, account, status and last four digits, in id order, paged with AfterID.
	v := cardOf(ten, acct, baas.CardActive)
	v.FormFactor, v.Product = baas.CardVirtual, "girasol-virtual"
	w := cardOf(ten, newAccount(t, s, ten, accountOpts{}), baas.CardActive)
	w.MaskedPAN, w.Last4 = "411111******9876", "9876"
	theirs := cardOf(other, newAccount(t, s, other, accountOpts{}), baas.CardActive)
	for _, x := range []*baas.Card{v, w, theirs} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCard(ctx, x) })
	}
	ids := func(f baas.CardFilter) []string {
		t.Helper()
		cs, err := r.ListCards(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		f    baas.CardFilter
		want []string
	}{
		{baas.CardFilter{TenantID: ten}, []string{c.ID, v.ID, w.ID}},
		{baas.CardFilter{TenantID: ten, AccountID: acct.ID}, []string{c.ID, v.ID}},
		{baas.CardFilter{TenantID: ten, Status: baas.CardActive}, []string{v.ID, w.ID}},
		{baas.CardFilter{TenantID: ten, AfterID: c.ID, Limit: 1}, []string{v.ID}},
		{baas.CardFilter{Status: baas.CardActive}, []string{v.ID, w.ID, theirs.ID}},
		{baas.CardFilter{TenantID: ten, Last4: "9876"}, []string{w.ID}},
		{baas.CardFilter{TenantID: ten, Last4: "1234"}, []string{c.ID, v.ID}},
		{baas.CardFilter{TenantID: other, Last4: "9876"}, nil},
	} {
		if got := ids(tc.f); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ListCards(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}

	// Updates: status, PIN hash, failures and time; a card of another tenant is not found.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		l, err := tx.LockCard(ctx, ten, c.ID)
		if err != nil {
			return err
		}
		l.Status, l.PINHash, l.ActivationFailures, l.UpdatedAt = baas.CardShipped, []byte("pin"), 2, now().Add(time.Second)
		l.NameForPrint = "ignored"
		return tx.UpdateCard(ctx, l)
	})
	got, err := r.GetCard(ctx, ten, c.ID)
	if err != nil || got.Status != baas.CardShipped || !bytes.Equal(got.PINHash, []byte("pin")) ||
		got.ActivationFailures != 2 || !got.UpdatedAt.After(c.UpdatedAt) || got.NameForPrint != c.NameForPrint {
		t.Fatalf("updated card = %+v, %v", got, err)
	}
	if err := s.InTx(ctx, func(tx baas.Tx) error {
		_, err := tx.LockCard(ctx, other, c.ID)
		return err
	}); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("LockCard of another tenant: %v", err)
	}
	// LockCards: the cards named, of any tenant, in id order; an unknown id is absent.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		locked, err := tx.LockCards(ctx, []string{theirs.ID, w.ID, newCardID(), c.ID})
		if err != nil {
			return err
		}
		var got []string
		for _, l := range locked {
			got = append(got, l.ID)
		}
		want := []string{c.ID, w.ID, theirs.ID}
		slices.Sort(want)
		if !reflect.DeepEqual(got, want) || locked[slices.Index(got, c.ID)].Status != baas.CardShipped {
			t.Errorf("LockCards = %v, want %v", got, want)
		}
		if none, err := tx.LockCards(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("LockCards(none) = %v, %v", none, err)
		}
		return nil
	})
	moved := *got
	moved.TenantID = other
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.UpdateCard(ctx, &moved) }); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("UpdateCard as another tenant: %v", err)
	}
}

// testCardSettings: product settings are absent until put, then read back and replaced;
// card settings read as zero until put.
func testCardSettings(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten := newTenant(t, s).ID
	r := s.Read()
	if _, err := r.GetCardProductSettings(ctx, ten, "girasol-physical"); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("product settings before any: %v", err)
	}
	for _, ps := range []baas.CardProductSettings{
		{TenantID: ten, Product: "girasol-physical", BINRange: "411111:16", ExpiryYears: 3, UpdatedAt: now()},
		{TenantID: ten, Product: "girasol-physical", BINRange: "41111100-41111199:19", ExpiryYears: 5, UpdatedAt: now()},
	} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutCardProductSettings(ctx, &ps) })
		got, err := r.GetCardProductSettings(ctx, ten, ps.Product)
		if err != nil || !reflect.DeepEqual(*got, ps) {
			t.Fatalf("product settings = %+v, %v; want %+v", got, err, ps)
		}
	}
	if _, err := r.GetCardProductSettings(ctx, ten, "girasol-virtual"); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another product's settings: %v", err)
	}

	if cs, err := r.GetCardSettings(ctx, ten); err != nil || !reflect.DeepEqual(*cs, baas.CardSettings{TenantID: ten}) {
		t.Fatalf("card settings before any: %+v, %v", cs, err)
	}
	for _, cs := range []baas.CardSettings{
		{TenantID: ten, AutoShip: true, UpdatedAt: now()},
		{TenantID: ten, AutoShip: true, CardsPerType: 3, UpdatedAt: now()},
		{TenantID: ten, DataKeyID: "k1", DataPublicKey: "-----BEGIN PUBLIC KEY-----", UpdatedAt: now()},
	} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutCardSettings(ctx, &cs) })
		got, err := r.GetCardSettings(ctx, ten)
		if err != nil || !reflect.DeepEqual(*got, cs) {
			t.Fatalf("card settings = %+v, %v; want %+v", got, err, cs)
		}
	}
}
