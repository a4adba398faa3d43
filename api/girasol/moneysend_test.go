package girasol_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// receiverPAN is a Luhn-valid outside card number (a published test number).
const receiverPAN = "4000056655665556"

// validSend is the spec's money-send body made acceptable: a Luhn-valid receiver card
// that expires after the test clock.
func validSend(cardID, amount string) map[string]any {
	b := specMoneySend(cardID)
	b["amount"] = amount
	rcv := b["receiver"].(map[string]any)
	rcv["cardNumber"] = receiverPAN
	rcv["expirationDate"] = map[string]any{"month": 11, "year": 2029}
	return b
}

func virtualCard(t *testing.T, e *servertest.Env, account int64) string {
	t.Helper()
	r := e.Girasol(t, "POST", "/v1/cards/create-virtual-card", specCreateVirtualCard(account))
	if r.Status != 201 {
		t.Fatalf("create-virtual-card: %d %s", r.Status, r.Raw)
	}
	return data(t, r)["cardId"].(string)
}

// TestMoneySendSpec: the spec's own body fails on its receiver card (Luhn, expiry); made
// valid, it moves the amount to the network account, once per Idempotency-Key, and shows
// in the account's transactions; the receiver's number is stored nowhere in full.
func TestMoneySendSpec(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.StartClock(t, engine, servertest.NewClock(specNow))
		account := createAccount(t, e, "sender")
		if r := cashIn(t, e, account, 1000); r.Status != 201 {
			t.Fatalf("cash-in: %d %s", r.Status, r.Raw)
		}
		card := virtualCard(t, e, account)

		r := e.Girasol(t, "POST", "/v1/cards/money-send", specMoneySend(card))
		wantError(t, r, 400, "/v1/cards/money-send", []any{"receiver.cardNumber must be a valid card number",
			"receiver.expirationDate must not be in the past"})

		h := servertest.GirasolHeaders(e.Tenant)
		h.Set("Idempotency-Key", "send-1")
		r = e.Do(t, "POST", "/v1/cards/money-send", validSend(card, "1.00"), h)
		if r.Status != 201 {
			t.Fatalf("money-send: %d %s", r.Status, r.Raw)
		}
		d := data(t, r)
		rcv := d["receiver"].(map[string]any)
		if d["message"] != "money sent" || d["amount"] != "1.00" || d["balance"] != float64(900) || d["cardId"] != card ||
			rcv["cardNumber"] != "400005******5556" || rcv["name"] != "Daniel Bruno Barioni" {
			t.Fatalf("money-send answer %s", r.Raw)
		}
		again := e.Do(t, "POST", "/v1/cards/money-send", validSend(card, "1.00"), h)
		if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" ||
			data(t, again)["transactionId"] != d["transactionId"] {
			t.Fatalf("replay: %d %s", again.Status, again.Raw)
		}
		if got := balance(t, e, account); got != 900 {
			t.Fatalf("balance %d, want 900", got)
		}
		ev := lastEvent(t, e, "transfer.money_send")
		if ev["amount"] != float64(100) || ev["receiver_masked_pan"] != "400005******5556" {
			t.Fatalf("transfer.money_send %v", ev)
		}
		r = e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/transactions/%d", account), nil)
		first := data(t, r)["transactions"].([]any)[0].(map[string]any)
		if first["type"] != float64(5) || first["amount"] != float64(100) || first["direction"] != "debit" {
			t.Fatalf("transactions %s", r.Raw)
		}

		// Not covered: a clear refusal, nothing moves.
		r = e.Girasol(t, "POST", "/v1/cards/money-send", validSend(card, "9.01"))
		wantError(t, r, 409, "/v1/cards/money-send", " errorDefinitions.INSUFFICIENT_FUNDS ")
		if got := balance(t, e, account); got != 900 {
			t.Fatalf("balance after a refused send %d", got)
		}
		ledgerClean(t, e)

		// The receiver's number is in no transfer, event or idempotency record.
		ctx := context.Background()
		st, err := e.Store.Read().ListStatements(ctx, baas.StatementFilter{TenantID: e.Tenant.TenantID, AccountNumber: account, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := e.Store.Read().ListEvents(ctx, baas.EventFilter{TenantID: e.Tenant.TenantID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := e.Store.Read().GetIdempotency(ctx, e.Tenant.TenantID, "send-1")
		if err != nil {
			t.Fatal(err)
		}
		stored := fmt.Sprintf("%s %s %s", rec.Result, rec.Fingerprint, rec.Key)
		for _, x := range st {
			stored += string(x.Metadata) + x.Description
		}
		for _, ev := range evs {
			stored += string(ev.Payload)
		}
		if strings.Contains(stored, receiverPAN) || !strings.Contains(stored, "400005******5556") {
			t.Fatalf("stored: %s", stored)
		}
	})
}

// TestMoneySendBadInput: each refusal is a Girasol error and the ledger is untouched.
func TestMoneySendBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.StartClock(t, engine, servertest.NewClock(specNow))
		account := createAccount(t, e, "sender")
		if r := cashIn(t, e, account, 1000); r.Status != 201 {
			t.Fatalf("cash-in: %d %s", r.Status, r.Raw)
		}
		card := virtualCard(t, e, account)
		edit := func(f func(m map[string]any)) map[string]any {
			m := validSend(card, "1.00")
			f(m)
			return m
		}
		rcv := func(m map[string]any) map[string]any { return m["receiver"].(map[string]any) }
		for _, tc := range []struct {
			name   string
			body   map[string]any
			status int
			want   any
		}{
			{"zero", edit(func(m map[string]any) { m["amount"] = "0.00" }), 400,
				[]any{"amount must be a positive number not greater than 1000000000000000"}},
			{"negative", edit(func(m map[string]any) { m["amount"] = "-1.00" }), 400,
				[]any{"amount must be a decimal number string such as \"1.00\""}},
			{"three decimals", edit(func(m map[string]any) { m["amount"] = "1.001" }), 400,
				[]any{"amount must have at most 2 decimal places in USD"}},
			{"a number", edit(func(m map[string]any) { m["amount"] = 1 }), 400, []any{"amount must be a string"}},
			{"bad Luhn", edit(func(m map[string]any) { rcv(m)["cardNumber"] = "4000056655665557" }), 400,
				[]any{"receiver.cardNumber must be a valid card number"}},
			{"expired", edit(func(m map[string]any) { rcv(m)["expirationDate"] = map[string]any{"month": 5, "year": 2026} }), 400,
				[]any{"receiver.expirationDate must not be in the past"}},
			{"month 13", edit(func(m map[string]any) { rcv(m)["expirationDate"] = map[string]any{"month": 13, "year": 2030} }), 400,
				[]any{"receiver.expirationDate.month must not be greater than 12"}},
			{"no receiver", edit(func(m map[string]any) { delete(m, "receiver") }), 400, []any{"receiver should not be empty",
				"receiver.cardNumber should not be empty", "receiver.cardNumber must be a string",
				"receiver.firstName should not be empty", "receiver.firstName must be a string",
				"receiver.lastName should not be empty", "receiver.lastName must be a string",
				"receiver.expirationDate should not be empty", "receiver.expirationDate.month should not be empty",
				"receiver.expirationDate.year should not be empty"}},
			{"bad card id", edit(func(m map[string]any) { m["cardId"] = "nope" }), 400, []any{"cardId must be a UUID"}},
			{"unknown card", edit(func(m map[string]any) { m["cardId"] = "39859528-314b-4161-af73-aa1aa5984478" }), 404,
				" errorDefinitions.CARD_NOT_FOUND "},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, e.Girasol(t, "POST", "/v1/cards/money-send", tc.body), tc.status, "/v1/cards/money-send", tc.want)
			})
		}
		// Another company's card is unknown; a frozen card cannot send.
		o := e.NewTenant(t)
		r := e.Do(t, "POST", "/v1/cards/money-send", validSend(card, "1.00"), servertest.GirasolHeaders(o))
		wantError(t, r, 404, "/v1/cards/money-send", " errorDefinitions.CARD_NOT_FOUND ")
		if r := e.Girasol(t, "PATCH", "/v1/cards/"+card+"/freeze", nil); r.Status != 200 {
			t.Fatalf("freeze: %d %s", r.Status, r.Raw)
		}
		r = e.Girasol(t, "POST", "/v1/cards/money-send", validSend(card, "1.00"))
		wantError(t, r, 409, "/v1/cards/money-send", " errorDefinitions.INVALID_CARD_STATUS ")
		if got := balance(t, e, account); got != 1000 {
			t.Fatalf("a refused send moved money: %d", got)
		}
		ledgerClean(t, e)
	})
}
