package core

import (
	"context"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/storetest"
)

// TestHolds: a hold lowers the available balance, not the balance; releasing gives it
// back; capturing releases it and moves up to the held amount; a hold larger than what is
// available is refused; the ledger stays consistent throughout (both stores).
func TestHolds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		s, tenantID, ctx := newTenantService(t, storetest.Open(t, engine))
		info, _, err := s.CreateAccount(ctx, CreateAccountParams{Email: "h@example.com", Handle: "h"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CashIn(ctx, CashInParams{AccountNumber: info.Account.Number, Amount: 1_000}); err != nil {
			t.Fatal(err)
		}
		acct := info.Account.ID
		var network *baas.Account
		var hold, hold2 *baas.Hold
		inTx := func(fn func(tx baas.Tx) error) {
			t.Helper()
			if err := s.store.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		get := func() *baas.Account {
			t.Helper()
			a, err := s.store.Read().FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, ID: &acct})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		inTx(func(tx baas.Tx) error {
			var err error
			if network, err = systemAccount(ctx, tx, tenantID, baas.AccountNetwork, "USD", s.now()); err != nil {
				return err
			}
			if hold, err = placeHold(ctx, tx, tenantID, s.now(), HoldParams{AccountID: acct, Amount: 600, Reference: "auth-1"}); err != nil {
				return err
			}
			hold2, err = placeHold(ctx, tx, tenantID, s.now(), HoldParams{AccountID: acct, Amount: 300, Reference: "auth-2"})
			return err
		})
		if a := get(); a.Balance != 1_000 || a.Held != 900 || a.Available() != 100 {
			t.Fatalf("after holds: balance %d held %d", a.Balance, a.Held)
		}
		err = s.store.InTx(ctx, func(tx baas.Tx) error {
			_, err := placeHold(ctx, tx, tenantID, s.now(), HoldParams{AccountID: acct, Amount: 101, Reference: "auth-3"})
			return err
		})
		if !baas.IsCode(err, baas.EInsufficientFunds) {
			t.Fatalf("hold over the available balance: %v", err)
		}
		inTx(func(tx baas.Tx) error {
			_, _, err := releaseHold(ctx, tx, tenantID, s.now(), hold2.ID)
			return err
		})
		inTx(func(tx baas.Tx) error {
			_, err := captureHold(ctx, tx, tenantID, s.now(), hold.ID, network.ID, 450,
				transferSpec{Kind: baas.TransferCapture, Description: "purchase", Merchant: "Test Merchant"})
			return err
		})
		if a := get(); a.Balance != 550 || a.Held != 0 {
			t.Fatalf("after capture: balance %d held %d", a.Balance, a.Held)
		}
		err = s.store.InTx(ctx, func(tx baas.Tx) error {
			_, _, err := releaseHold(ctx, tx, tenantID, s.now(), hold.ID)
			return err
		})
		if baas.ErrorReason(err) != "HOLD_NOT_ACTIVE" {
			t.Fatalf("releasing a captured hold: %v", err)
		}
		rep, err := s.VerifyLedger(context.Background())
		if err != nil || !rep.OK {
			t.Fatalf("ledger: %v %+v", err, rep)
		}
	})
}
