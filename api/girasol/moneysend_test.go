package girasol_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
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

// sender starts a server on the test clock with an account holding funds (cents) and a
// virtual card on it.
func sender(t *testing.T, engine string, funds int64) (*servertest.Env, int64, string) {
	t.Helper()
	e := servertest.StartClock(t, engine, servertest.NewClock(specNow))
	account := createAccount(t, e, "sender")
	if r := cashIn(t, e, account, funds); r.Status != 201 {
		t.Fatalf("cash-in: %d %s", r.Status, r.Raw)
	}
	return e, account, virtualCard(t, e, account)
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
		e, account, card := sender(t, engine, 1000)

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
		e, account, card := sender(t, engine, 1000)
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
		// An inactive account sends nothing from an active card (the one path's
		// account_inactive decline).
		if r := e.Girasol(t, "PATCH", "/v1/cards/"+card+"/unfreeze", nil); r.Status != 200 {
			t.Fatalf("unfreeze: %d %s", r.Status, r.Raw)
		}
		if r := e.Girasol(t, "PATCH", "/v1/accounts/change-account-status", map[string]any{
			"accountNumber": account, "status": 2}); r.Status != 200 {
			t.Fatalf("deactivate: %d %s", r.Status, r.Raw)
		}
		r = e.Girasol(t, "POST", "/v1/cards/money-send", validSend(card, "1.00"))
		wantError(t, r, 409, "/v1/cards/money-send", " errorDefinitions.ACCOUNT_INACTIVE ")
		if got := balance(t, e, account); got != 1000 {
			t.Fatalf("a refused send moved money: %d", got)
		}
		ledgerClean(t, e)
	})
}

// authCaller is the tenant's real-time authorization URL, in process: it answers
// approve until told otherwise and keeps what it was asked.
type authCaller struct {
	mu      sync.Mutex
	decline bool
	asked   []map[string]any
}

func (a *authCaller) CallAuthorization(_ context.Context, req baas.AuthorizationRequest) baas.AuthorizationDecision {
	a.mu.Lock()
	defer a.mu.Unlock()
	var d map[string]any
	_ = json.Unmarshal(req.Data, &d)
	d["raw"] = string(req.Data)
	a.asked = append(a.asked, d)
	if a.decline {
		return baas.AuthorizationDecision{Reason: "not this one", StatusCode: 200}
	}
	return baas.AuthorizationDecision{Approved: true, StatusCode: 200}
}

func (a *authCaller) calls() []map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.asked)
}

// cardTxns lists a card's transactions (the sandbox network's listing), newest first.
func cardTxns(t *testing.T, e *servertest.Env, card string) []map[string]any {
	t.Helper()
	r := e.Admin(t, "GET", "/admin/api/cards/"+card+"/transactions", nil)
	if r.Status != 200 {
		t.Fatalf("card transactions: %d %s", r.Status, r.Raw)
	}
	if strings.Contains(string(r.Raw), receiverPAN) {
		t.Fatalf("card transactions show the receiver's number: %s", r.Raw)
	}
	var out []map[string]any
	for _, x := range r.JSON["transactions"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// TestMoneySendIsACardPayment: a money send is a purchase of the card through the one
// authorization path (MCC 4829, ecommerce): the card's MCC rule and Daily amount rule
// refuse it, it counts toward the Daily total (a later purchase is declined by it), it
// shows in the card's transactions (the declined ones too), the tenant's authorization
// URL is asked and may refuse it, and a replay of its Idempotency-Key moves nothing
// again, asks nothing and records nothing.
func TestMoneySendIsACardPayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e, account, card := sender(t, engine, 10_000)
		keys := servertest.GirasolHeaders(e.Tenant)
		send := func(amount, key string) *servertest.Response {
			t.Helper()
			h := servertest.GirasolHeaders(e.Tenant)
			if key != "" {
				h.Set("Idempotency-Key", key)
			}
			return e.Do(t, "POST", "/v1/cards/money-send", validSend(card, amount), h)
		}
		wantBalance := func(want int64) {
			t.Helper()
			if got := balance(t, e, account); got != want {
				t.Fatalf("balance %d, want %d", got, want)
			}
		}

		// The card's MCC rule on 4829 refuses it: recorded as a declined purchase.
		mcc := wantRuleID(t, e.Do(t, "POST", "/v1/controls/card/"+card, specControl("Mcc", "4829", "Both", "Always"), keys))
		wantError(t, send("1.00", "blocked"), 409, "/v1/cards/money-send", "transaction declined: spending_control:"+mcc)
		wantBalance(10_000)
		txns := cardTxns(t, e, card)
		if len(txns) != 1 || txns[0]["type"] != "purchase" || txns[0]["status"] != "declined" ||
			txns[0]["decline_reason"] != "spending_control:"+mcc || txns[0]["mcc"] != "4829" ||
			txns[0]["entry_mode"] != "ecommerce" || txns[0]["merchant_name"] != "MONEY SEND 400005******5556" ||
			txns[0]["amount"] != float64(100) || txns[0]["merchant_country"] != "" {
			t.Fatalf("declined send %v", txns)
		}
		if r := e.Do(t, "DELETE", "/v1/controls/"+mcc, nil, keys); r.Status != 200 {
			t.Fatalf("delete rule: %d %s", r.Status, r.Raw)
		}

		// A Daily amount rule of $5.00: a send beyond it is refused, one within it passes
		// and counts.
		b := specControl("Amount", "XXX", "Both", "Daily")
		b["amount"] = 500
		daily := wantRuleID(t, e.Do(t, "POST", "/v1/controls/card/"+card, b, keys))
		wantError(t, send("5.01", ""), 409, "/v1/cards/money-send", "transaction declined: spending_control:"+daily)
		wantBalance(10_000)
		r := send("3.00", "send-3")
		if r.Status != 201 || r.Header.Get("Idempotent-Replayed") == "true" {
			t.Fatalf("money-send: %d %s", r.Status, r.Raw)
		}
		first := data(t, r)
		if first["balance"] != float64(9_700) || first["amount"] != "3.00" {
			t.Fatalf("money-send answer %s", r.Raw)
		}
		wantBalance(9_700)
		again := send("3.00", "send-3")
		if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" ||
			data(t, again)["transactionId"] != first["transactionId"] || data(t, again)["balance"] != float64(9_700) {
			t.Fatalf("replay: %d %s", again.Status, again.Raw)
		}
		wantBalance(9_700)
		wantError(t, send("2.00", "send-3"), 409, "/v1/cards/money-send", " errorDefinitions.IDEMPOTENCY_KEY_REUSED ")
		// $3.00 spent today: a $2.50 purchase would pass $5.00, a $2.00 one reaches it.
		purchase := func(amount int) *servertest.Response {
			t.Helper()
			r := e.Admin(t, "POST", "/admin/api/sandbox/cards/"+card+"/transactions", map[string]any{"type": "purchase",
				"amount": amount, "merchant_name": "CORNER GROCERY", "mcc": "5411", "entry_mode": "chip"})
			if r.Status != 201 {
				t.Fatalf("sandbox purchase: %d %s", r.Status, r.Raw)
			}
			return r
		}
		if r := purchase(250); r.JSON["status"] != "declined" || r.JSON["decline_reason"] != "spending_control:"+daily {
			t.Fatalf("a purchase past the Daily limit after the send: %s", r.Raw)
		}
		if r := purchase(200); r.JSON["status"] != "approved" {
			t.Fatalf("a purchase reaching the Daily limit: %s", r.Raw)
		}
		wantBalance(9_500)
		sends := 0
		for _, x := range cardTxns(t, e, card) {
			if x["mcc"] == "4829" && x["status"] == "approved" {
				sends++
				if x["amount"] != float64(300) || x["state"] != "captured" || x["captured_amount"] != float64(300) ||
					x["transfer_id"] != first["transactionId"] {
					t.Fatalf("approved send %v", x)
				}
			}
		}
		if sends != 1 {
			t.Fatalf("%d approved sends in the card's transactions, want 1", sends)
		}
		if r := e.Do(t, "DELETE", "/v1/controls/"+daily, nil, keys); r.Status != 200 {
			t.Fatalf("delete rule: %d %s", r.Status, r.Raw)
		}

		// The tenant's authorization URL is asked about a send, and may refuse it.
		auth := &authCaller{}
		e.Core.SetAuthorizationCaller(auth)
		url := "https://authz.example.com/decide"
		if _, err := e.Core.UpdateAuthorizationSettings(context.Background(),
			core.AuthorizationSettingsPatch{TenantID: e.Tenant.TenantID, URL: &url}); err != nil {
			t.Fatal(err)
		}
		if r := send("1.00", "asked"); r.Status != 201 {
			t.Fatalf("money-send with a URL: %d %s", r.Status, r.Raw)
		}
		calls := auth.calls()
		if len(calls) != 1 || calls[0]["mcc"] != "4829" || calls[0]["type"] != "purchase" || calls[0]["amount"] != float64(100) ||
			calls[0]["merchant_name"] != "MONEY SEND 400005******5556" || calls[0]["card_id"] != card ||
			strings.Contains(calls[0]["raw"].(string), receiverPAN) {
			t.Fatalf("authorization requests %v", calls)
		}
		wantBalance(9_400)
		auth.mu.Lock()
		auth.decline = true
		auth.mu.Unlock()
		wantError(t, send("1.00", "refused"), 409, "/v1/cards/money-send", "transaction declined: webhook_declined")
		wantBalance(9_400)
		if txns := cardTxns(t, e, card); txns[0]["decline_reason"] != "webhook_declined" || txns[0]["mcc"] != "4829" {
			t.Fatalf("send refused by the URL %v", txns[0])
		}
		// A replay is answered by the record: the URL, which now refuses, is not asked.
		if r := send("1.00", "asked"); r.Status != 201 || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay with a URL: %d %s", r.Status, r.Raw)
		}
		if n := len(auth.calls()); n != 2 {
			t.Fatalf("%d authorization requests, want 2 (a replay asks nothing)", n)
		}
		wantBalance(9_400)
		ledgerClean(t, e)
	})
}

// TestMoneySendSameKeyAtOnce: sends with one Idempotency-Key at once make one payment;
// every other is answered by its record, though the card's Daily rule, which the first
// reaches, would have declined a second payment — and no decline is recorded.
func TestMoneySendSameKeyAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e, account, card := sender(t, engine, 10_000)
		b := specControl("Amount", "XXX", "Both", "Daily")
		b["amount"] = 100
		wantRuleID(t, e.Do(t, "POST", "/v1/controls/card/"+card, b, servertest.GirasolHeaders(e.Tenant)))
		const n = 6
		answers := make([]*servertest.Response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := servertest.GirasolHeaders(e.Tenant)
				h.Set("Idempotency-Key", "at-once")
				answers[i] = e.Do(t, "POST", "/v1/cards/money-send", validSend(card, "1.00"), h)
			}()
		}
		wg.Wait()
		replayed := 0
		for _, r := range answers {
			if r.Status != 201 || data(t, r)["transactionId"] != data(t, answers[0])["transactionId"] {
				t.Fatalf("answers %d %s and %s", r.Status, r.Raw, answers[0].Raw)
			}
			if r.Header.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
		}
		if replayed != n-1 {
			t.Fatalf("%d replayed answers, want %d", replayed, n-1)
		}
		if got := balance(t, e, account); got != 9_900 {
			t.Fatalf("balance %d, want 9900", got)
		}
		if txns := cardTxns(t, e, card); len(txns) != 1 || txns[0]["status"] != "approved" {
			t.Fatalf("card transactions %v, want the one send", txns)
		}
		ledgerClean(t, e)
	})
}
