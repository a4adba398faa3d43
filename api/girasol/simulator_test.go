package girasol_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// simCard opens a funded account in the test tenant with an active virtual card.
func simCard(t *testing.T, e *servertest.Env, handle string, funds int64) (int64, *core.CardInfo) {
	t.Helper()
	ctx := baas.WithTenant(context.Background(), e.Tenant.TenantID)
	info, _, err := e.Core.CreateAccount(ctx, core.CreateAccountParams{Email: handle + "@example.com", Handle: handle,
		FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	if funds > 0 {
		if _, _, err := e.Core.CashIn(ctx, core.CashInParams{AccountNumber: info.Account.Number, Amount: funds}); err != nil {
			t.Fatal(err)
		}
	}
	c, _, err := e.Core.CreateCard(ctx, core.CreateCardParams{AccountNumber: info.Account.Number,
		Product: core.ProductGirasolVirtual, NameForPrint: "ADA LOVELACE"})
	if err != nil {
		t.Fatal(err)
	}
	return info.Account.Number, c
}

var (
	decimalRe = regexp.MustCompile(`^\d+\.\d{2}$`)
	millisRe  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

func wantGirasolError(t *testing.T, r *servertest.Response, status int, data any) {
	t.Helper()
	if r.Status != status || r.JSON["error"] != true || r.JSON["path"] != "/v1/simulator/transaction" ||
		!millisRe.MatchString(r.JSON["timestamp"].(string)) {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if data != nil && r.JSON["data"] != data {
		t.Fatalf("data %v, want %v: %s", r.JSON["data"], data, r.Raw)
	}
}

// TestSimulator replays the spec's Simulator bodies: a purchase answers the documented
// body and shows in the account's transactions; a reversal ("reseversal" too) gives the
// latest purchase back; an unknown or inactive card gets the spec's 409; a declined
// purchase and bad bodies get the documented errors and move nothing.
func TestSimulator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		number, card := simCard(t, e, "sim", 100_000)
		acct := "/v1/accounts/customer-info/" + strconv.FormatInt(number, 10)
		bal := func() float64 {
			t.Helper()
			r := e.Girasol(t, "GET", acct, nil)
			d, _ := r.JSON["data"].(map[string]any)
			b, ok := d["balance"].(float64)
			if !ok {
				t.Fatalf("customer info: %s", r.Raw)
			}
			return b
		}
		start := bal()

		// The spec's body, with a card of ours.
		r := e.Girasol(t, "POST", "/v1/simulator/transaction", map[string]any{"cardId": card.ID, "transactionType": "purchase"})
		d, _ := r.JSON["data"].(map[string]any)
		tx, _ := d["data"].(map[string]any)
		if r.Status != 201 || r.JSON["statusCode"] != float64(201) || r.JSON["error"] != false ||
			d["message"] != "transaction completed" || tx["cardId"] != card.ID || tx["currency"] != "USD" ||
			tx["transactionType"] != "purchase" || !decimalRe.MatchString(tx["amount"].(string)) ||
			!millisRe.MatchString(tx["transactionAt"].(string)) || tx["merchant"] == "" || len(tx) != 7 {
			t.Fatalf("purchase: %d %s", r.Status, r.Raw)
		}
		amount, _ := strconv.ParseFloat(tx["amount"].(string), 64)
		spent := int64(amount*100 + 0.5)
		if got := bal(); got != start-float64(spent) { // balances are in cents
			t.Fatalf("balance %v after a purchase of %d from %v", got, spent, start)
		}
		// It is in the account's transactions, as a purchase.
		r = e.Girasol(t, "GET", "/v1/accounts/transactions/"+strconv.FormatInt(number, 10), nil)
		list, _ := r.JSON["data"].(map[string]any)["transactions"].([]any)
		if len(list) == 0 || list[0].(map[string]any)["type"] != float64(2) || list[0].(map[string]any)["merchant"] != tx["merchant"] {
			t.Fatalf("transactions: %s", r.Raw)
		}

		// The spec's spelling of a reversal gives the purchase back, once.
		r = e.Girasol(t, "POST", "/v1/simulator/transaction", map[string]any{"cardId": card.ID, "transactionType": "reseversal"})
		rd, _ := r.JSON["data"].(map[string]any)["data"].(map[string]any)
		if r.Status != 201 || rd["amount"] != tx["amount"] || rd["transactionType"] != "reseversal" {
			t.Fatalf("reversal: %d %s", r.Status, r.Raw)
		}
		if got := bal(); got != start {
			t.Fatalf("balance %v after the reversal, want %v", got, start)
		}
		wantGirasolError(t, e.Girasol(t, "POST", "/v1/simulator/transaction",
			map[string]any{"cardId": card.ID, "transactionType": "reversal"}), 409,
			"this card does not have an approved purchase to reverse")

		// The spec's card id (no card of ours) and a frozen card: the spec's 409.
		const msg = "this card does not have an avtive status or does not exist"
		wantGirasolError(t, e.Girasol(t, "POST", "/v1/simulator/transaction",
			map[string]any{"cardId": "07672c12-9686-4102-8f55-199b6b5f0869", "transactionType": "purchase"}), 409, msg)
		if _, err := e.Core.ChangeCardStatus(baas.WithTenant(context.Background(), e.Tenant.TenantID), card.ID, baas.CardFreeze); err != nil {
			t.Fatal(err)
		}
		wantGirasolError(t, e.Girasol(t, "POST", "/v1/simulator/transaction",
			map[string]any{"cardId": card.ID, "transactionType": "purchase"}), 409, msg)

		// A card of another company is no card of ours.
		other := e.NewTenant(t)
		octx := baas.WithTenant(context.Background(), other.TenantID)
		oinfo, _, err := e.Core.CreateAccount(octx, core.CreateAccountParams{Email: "o@example.com", Handle: "o"})
		if err != nil {
			t.Fatal(err)
		}
		ocard, _, err := e.Core.CreateCard(octx, core.CreateCardParams{AccountNumber: oinfo.Account.Number,
			Product: core.ProductGirasolVirtual, NameForPrint: "OTHER"})
		if err != nil {
			t.Fatal(err)
		}
		wantGirasolError(t, e.Girasol(t, "POST", "/v1/simulator/transaction",
			map[string]any{"cardId": ocard.ID, "transactionType": "purchase"}), 409, msg)
		// A declined purchase: 409 with the reason; nothing moves.
		_, poor := simCard(t, e, "poor", 0)
		wantGirasolError(t, e.Girasol(t, "POST", "/v1/simulator/transaction",
			map[string]any{"cardId": poor.ID, "transactionType": "purchase"}), 409, "transaction declined: insufficient_funds")

		// Bad bodies.
		for _, body := range []map[string]any{
			{"transactionType": "purchase"},
			{"cardId": "nope", "transactionType": "purchase"},
			{"cardId": card.ID},
			{"cardId": card.ID, "transactionType": "refund"},
			{"cardId": card.ID, "transactionType": "purchase", "amount": 5},
		} {
			wantGirasolError(t, e.Girasol(t, "POST", "/v1/simulator/transaction", body), 400, nil)
		}
		if got := bal(); got != start {
			t.Fatalf("balance %v after refusals, want %v", got, start)
		}
		rep, err := e.Core.VerifyLedger(context.Background())
		if err != nil || !rep.OK {
			t.Fatalf("ledger: %+v, %v", rep, err)
		}
	})
}
