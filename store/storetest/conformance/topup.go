package conformance

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.TopUpTx: top-ups, one per invoice of a tenant, read and locked per tenant, their
// reversed amount bounded by the amount; their reversals, newest first; accounts' QR
// codes, one per account and unique.

func newTopUp(t *testing.T, s baas.Store, tenantID string, a *baas.Account, invoice string) *baas.TopUp {
	t.Helper()
	tr := transfer(t, s, tenantID, newAccount(t, s, tenantID, accountOpts{}).ID, a.ID, 0, "top-up")
	at := now()
	return &baas.TopUp{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", nextNumber()), TenantID: tenantID,
		AccountID: a.ID, TransferID: tr.ID, Invoice: invoice, Amount: 5000, Tax: 0, Currency: "USD",
		Details: baas.TopUpDetails{Email: "a@example.com", Cashier: "cashier", Merchant: "local 1",
			TransactionDate: "2024-08-21 08:50:48", PaymentType: "cash"}, CreatedAt: at, UpdatedAt: at}
}

// testTopUps: a top-up reads back as written for its tenant only; a second with the same
// invoice is a conflict for that tenant, not for another; the reversed amount is stored
// and the database refuses more than the amount; reversals read back newest first and
// update; QR codes are one per account and unique.
func testTopUps(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s).ID, newTenant(t, s).ID
	acct := newAccount(t, s, ten, accountOpts{})
	r := s.Read()

	tu := newTopUp(t, s, ten, acct, "INV-1")
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateTopUp(ctx, tu) })
	got, err := r.GetTopUp(ctx, ten, tu.ID)
	if err != nil || !reflect.DeepEqual(got, tu) {
		t.Fatalf("GetTopUp = %+v, %v; want %+v", got, err, tu)
	}
	if _, err := r.GetTopUp(ctx, other, tu.ID); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's top-up: %v", err)
	}
	dup := newTopUp(t, s, ten, acct, "INV-1")
	wantCode(t, s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateTopUp(ctx, dup) }), baas.EConflict)
	theirs := newTopUp(t, s, other, newAccount(t, s, other, accountOpts{}), "INV-1")
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateTopUp(ctx, theirs) })

	later := tu.UpdatedAt.Add(time.Second)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		locked, err := tx.LockTopUp(ctx, ten, tu.ID)
		if err != nil || locked.ID != tu.ID {
			return fmt.Errorf("LockTopUp = %+v, %v", locked, err)
		}
		if _, err := tx.LockTopUp(ctx, other, tu.ID); !baas.IsCode(err, baas.ENotFound) {
			return fmt.Errorf("LockTopUp of another tenant's top-up: %v", err)
		}
		return tx.SetTopUpReversed(ctx, tu.ID, 2000, later)
	})
	if got, _ := r.GetTopUp(ctx, ten, tu.ID); got.Reversed != 2000 || !got.UpdatedAt.Equal(later) {
		t.Fatalf("after SetTopUpReversed: %+v", got)
	}
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.SetTopUpReversed(ctx, tu.ID, 5001, later) }); err == nil {
		t.Fatal("the database let a top-up be reversed for more than its amount")
	}

	// Reversals: the newest is found; updates keep what they do not change.
	if _, err := r.LastTopUpReversal(ctx, ten, tu.ID); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("no reversal yet: %v", err)
	}
	at := now()
	first := &baas.TopUpReversal{ID: "00000000-0000-7000-8000-000000000001", TenantID: ten, TopUpID: tu.ID, Amount: 1000,
		CodeHash: []byte("hash-1"), Status: baas.ReversalPending, ExpiresAt: at.Add(10 * time.Minute), CreatedAt: at,
		UpdatedAt: at}
	second := *first
	second.ID, second.CodeHash, second.CreatedAt, second.UpdatedAt = "00000000-0000-7000-8000-000000000002",
		[]byte("hash-2"), at.Add(time.Millisecond), at.Add(time.Millisecond)
	for _, rv := range []*baas.TopUpReversal{first, &second} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateTopUpReversal(ctx, rv) })
	}
	if got, err := r.LastTopUpReversal(ctx, ten, tu.ID); err != nil || !reflect.DeepEqual(got, &second) {
		t.Fatalf("LastTopUpReversal = %+v, %v; want %+v", got, err, &second)
	}
	if _, err := r.LastTopUpReversal(ctx, other, tu.ID); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's reversal: %v", err)
	}
	second.Status, second.Attempts, second.TransferID, second.UpdatedAt = baas.ReversalCompleted, 3, tu.TransferID, later
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.UpdateTopUpReversal(ctx, &second) })
	if got, err := r.LastTopUpReversal(ctx, ten, tu.ID); err != nil || !reflect.DeepEqual(got, &second) {
		t.Fatalf("after UpdateTopUpReversal = %+v, %v; want %+v", got, err, &second)
	}

	// QR codes.
	if _, err := r.AccountQRCode(ctx, ten, acct.ID); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("no QR code yet: %v", err)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutAccountQRCode(ctx, ten, acct.ID, "qr-1", at) })
	if code, err := r.AccountQRCode(ctx, ten, acct.ID); err != nil || code != "qr-1" {
		t.Fatalf("AccountQRCode = %q, %v", code, err)
	}
	if id, err := r.FindQRCodeAccount(ctx, ten, "qr-1"); err != nil || id != acct.ID {
		t.Fatalf("FindQRCodeAccount = %d, %v", id, err)
	}
	if _, err := r.FindQRCodeAccount(ctx, other, "qr-1"); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's QR code: %v", err)
	}
	wantCode(t, s.InTx(ctx, func(tx baas.Tx) error { return tx.PutAccountQRCode(ctx, ten, acct.ID, "qr-2", at) }),
		baas.EConflict)
	acct2 := newAccount(t, s, ten, accountOpts{})
	wantCode(t, s.InTx(ctx, func(tx baas.Tx) error { return tx.PutAccountQRCode(ctx, ten, acct2.ID, "qr-1", at) }),
		baas.EConflict)
}
