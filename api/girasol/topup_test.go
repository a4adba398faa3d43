package girasol_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// The spec's request bodies of the "Top-up" collection and of "Money send", with the
// test's account, card, invoice and currency put in (the spec's account "123123123" is
// no account number, and its currency 532 is not the test company's USD).

const specInvoice = "QR-APIFY-PSE97fb439903d9dc73a2966ee7d6f742be52145427"

func specTopUp(email string, account int64, qr string) map[string]any {
	return map[string]any{
		"email": email, "account": fmt.Sprint(account), "qrCode": qr, "ammount": 5000, "tax": 0,
		"currencyCode": 840, "cashier": "cashier", "merchant": "local 1", "TransactionDate": "2024-08-21 08:50:48",
		"paymentType": "cash", "id_invoice": specInvoice,
	}
}

func specReverse(transactionID string) map[string]any {
	return map[string]any{"ammount": 5000, "tax": 0, "currencyCode": 840, "TransactionDate": "2024-08-21 08:50:48",
		"paymentType": "cash", "id_invoice": specInvoice, "transaction_id": transactionID}
}

func specValidate(transactionID, code string) map[string]any {
	return map[string]any{"id_invoice": specInvoice, "transaction_id": transactionID, "user_code": code}
}

func specMoneySend(cardID string) map[string]any {
	return map[string]any{
		"amount": "1.00", "cardId": cardID,
		"receiver": map[string]any{
			"cardNumber": "1234123412341234", "firstName": "Daniel Bruno", "lastName": "Barioni",
			"expirationDate": map[string]any{"month": 11, "year": 2025},
			"address":        map[string]any{"street": "Street 123 SP", "countryCodeId": "25f1f70a-d199-452e-a936-9eee39786b8e"},
		},
	}
}

// specNow is the tests' clock: after the spec's receiver card expired (11/2025).
var specNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func customerInfo(t *testing.T, e *servertest.Env, account int64) map[string]any {
	t.Helper()
	r := e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/customer-info/%d", account), nil)
	if r.Status != 200 {
		t.Fatalf("customer-info: %d %s", r.Status, r.Raw)
	}
	return data(t, r)
}

func balance(t *testing.T, e *servertest.Env, account int64) int64 {
	t.Helper()
	return int64(customerInfo(t, e, account)["balance"].(float64))
}

// lastEvent returns the payload of the tenant's newest event of a type.
func lastEvent(t *testing.T, e *servertest.Env, typ string) map[string]any {
	t.Helper()
	evs, err := e.Core.ListEvents(context.Background(), baas.EventFilter{TenantID: e.Tenant.TenantID, Type: typ, Limit: 1})
	if err != nil || len(evs) == 0 {
		t.Fatalf("no %s event: %v", typ, err)
	}
	var p map[string]any
	if err := json.Unmarshal(evs[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func qrCode(t *testing.T, e *servertest.Env, account int64) string {
	t.Helper()
	r := e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/qr-code/%d", account), nil)
	if r.Status != 200 {
		t.Fatalf("qr-code: %d %s", r.Status, r.Raw)
	}
	return data(t, r)["qrCode"].(string)
}

// ledgerClean fails the test unless the ledger check finds nothing.
func ledgerClean(t *testing.T, e *servertest.Env) {
	t.Helper()
	r := e.Admin(t, "GET", "/admin/api/ledger/verify", nil)
	if r.Status != 200 || r.JSON["ok"] != true {
		t.Fatalf("ledger verify: %d %s", r.Status, r.Raw)
	}
}

// TestTopUpSpecFlow replays the collection: a top-up named by account, email and QR code
// at once, its 201 echo, the second top-up of the invoice refused, then a reversal
// requested, confirmed with the code from the event, and refused a second time.
func TestTopUpSpecFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.StartClock(t, engine, servertest.NewClock(specNow))
		account := createAccount(t, e, "topup")
		info := customerInfo(t, e, account)
		email := info["email"].(string)
		qr := qrCode(t, e, account)
		if qr2 := qrCode(t, e, account); qr2 != qr || !strings.HasPrefix(qr, "qr_") {
			t.Fatalf("QR codes %q then %q: one stable code per account", qr, qr2)
		}

		r := e.Girasol(t, "POST", "/v1/top-up/new", specTopUp(email, account, qr))
		if r.Status != 201 || r.JSON["statusCode"] != float64(201) || r.JSON["error"] != false {
			t.Fatalf("top-up: %d %s", r.Status, r.Raw)
		}
		d := data(t, r)
		id, _ := d["transactionId"].(string)
		if d["message"] != "Top-up created successfully" || !uuidRe.MatchString(id) || d["createdAt"] != "2026-06-01T12:00:00.000Z" {
			t.Fatalf("top-up answer %s", r.Raw)
		}
		echo := d["transaction"].(map[string]any)
		for k, v := range specTopUp(email, account, qr) {
			if fmt.Sprint(echo[k]) != fmt.Sprint(v) {
				t.Errorf("echo %s = %v, want %v", k, echo[k], v)
			}
		}
		if got := balance(t, e, account); got != 5000 {
			t.Fatalf("balance after top-up %d", got)
		}
		if ev := lastEvent(t, e, "top_up.created"); ev["transaction_id"] != id || ev["amount"] != float64(5000) {
			t.Fatalf("top_up.created %v", ev)
		}

		// The same invoice again: refused, nothing moves.
		r = e.Girasol(t, "POST", "/v1/top-up/new", specTopUp(email, account, qr))
		wantError(t, r, 409, "/v1/top-up/new", " errorDefinitions.INVOICE_ALREADY_USED ")
		if got := balance(t, e, account); got != 5000 {
			t.Fatalf("balance after the refused top-up %d", got)
		}

		// Reverse: the code goes to the company in the event, never in the answer.
		r = e.Girasol(t, "PATCH", "/v1/top-up/reverse", specReverse(id))
		if r.Status != 200 {
			t.Fatalf("reverse: %d %s", r.Status, r.Raw)
		}
		d = data(t, r)
		if d["message"] != "otp sended to the user" || d["transactionId"] != id || strings.Contains(string(r.Raw), "user_code") {
			t.Fatalf("reverse answer %s", r.Raw)
		}
		ev := lastEvent(t, e, "top_up.reversal_requested")
		code, _ := ev["user_code"].(string)
		if ev["transaction_id"] != id || len(code) != 5 {
			t.Fatalf("top_up.reversal_requested %v", ev)
		}
		if got := balance(t, e, account); got != 5000 {
			t.Fatalf("a requested reversal moved money: %d", got)
		}

		r = e.Girasol(t, "PATCH", "/v1/top-up/validate", specValidate(id, code))
		if r.Status != 200 || data(t, r)["message"] != "transaction validated" || data(t, r)["transactionId"] != id {
			t.Fatalf("validate: %d %s", r.Status, r.Raw)
		}
		if got := balance(t, e, account); got != 0 {
			t.Fatalf("balance after the reversal %d", got)
		}
		if ev := lastEvent(t, e, "top_up.reversed"); ev["transaction_id"] != id {
			t.Fatalf("top_up.reversed %v", ev)
		}
		// Not twice; and nothing is left to reverse.
		r = e.Girasol(t, "PATCH", "/v1/top-up/validate", specValidate(id, code))
		wantError(t, r, 409, "/v1/top-up/validate", " errorDefinitions.REVERSAL_ALREADY_COMPLETED ")
		r = e.Girasol(t, "PATCH", "/v1/top-up/reverse", specReverse(id))
		wantError(t, r, 409, "/v1/top-up/reverse", " errorDefinitions.REVERSAL_EXCEEDS_TOP_UP ")

		// The transactions list shows the top-up and its reversal.
		r = e.Girasol(t, "GET", fmt.Sprintf("/v1/accounts/transactions/%d", account), nil)
		list := data(t, r)["transactions"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["type"] != float64(7) || list[1].(map[string]any)["type"] != float64(6) {
			t.Fatalf("transactions %s", r.Raw)
		}
		ledgerClean(t, e)
	})
}

// TestTopUpReversalCodes: a wrong code is refused and counted, the fifth cancels; a new
// reversal may be asked then; an expired code is refused; a malformed one is a 400.
func TestTopUpReversalCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		clock := servertest.NewClock(specNow)
		e := servertest.StartClock(t, engine, clock)
		account := createAccount(t, e, "codes")
		r := e.Girasol(t, "POST", "/v1/top-up/new", map[string]any{"account": fmt.Sprint(account), "amount": 5000,
			"tax": 100, "currencyCode": 840, "cashier": "c", "merchant": "m", "TransactionDate": "2024-08-21T08:50:48Z",
			"paymentType": "cash", "id_invoice": specInvoice})
		if r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Raw)
		}
		id := data(t, r)["transactionId"].(string)

		for _, bad := range []any{"1234", "123456", "12a45", " 1234"} {
			r := e.Girasol(t, "PATCH", "/v1/top-up/validate", specValidate(id, fmt.Sprint(bad)))
			wantError(t, r, 400, "/v1/top-up/validate", []any{"user_code must be exactly 5 digits long"})
		}
		r = e.Girasol(t, "PATCH", "/v1/top-up/validate", specValidate(id, "12345"))
		wantError(t, r, 409, "/v1/top-up/validate", " errorDefinitions.REVERSAL_NOT_FOUND ")

		// Brute force: four wrong codes are refused, the fifth cancels; even the right
		// code is refused afterwards.
		if r := e.Girasol(t, "PATCH", "/v1/top-up/reverse", specReverse(id)); r.Status != 200 {
			t.Fatalf("reverse: %d %s", r.Status, r.Raw)
		}
		code := lastEvent(t, e, "top_up.reversal_requested")["user_code"].(string)
		if r := e.Girasol(t, "PATCH", "/v1/top-up/reverse", specReverse(id)); r.Status != 409 ||
			!strings.Contains(string(r.Raw), "REVERSAL_PENDING") {
			t.Fatalf("second reverse while one is pending: %d %s", r.Status, r.Raw)
		}
		wrong := fmt.Sprintf("%05d", (atoi(code)+1)%100000)
		for i := 1; i <= 5; i++ {
			r := e.Girasol(t, "PATCH", "/v1/top-up/validate", specValidate(id, wrong))
			want := " errorDefinitions.INVALID_USER_CODE "
			if i == 5 {
				want = " errorDefinitions.REVERSAL_CANCELLED "
			}
			wantError(t, r, 409, "/v1/top-up/validate", want)
		}
		r = e.Girasol(t, "PATCH", "/v1/top-up/validate", specValidate(id, code))
		wantError(t, r, 409, "/v1/top-up/validate", " errorDefinitions.REVERSAL_CANCELLED ")
		if lastEvent(t, e, "top_up.reversal_cancelled")["transaction_id"] != id {
			t.Fatal("no top_up.reversal_cancelled event")
		}
		if got := balance(t, e, account); got != 5000 {
			t.Fatalf("balance after a cancelled reversal %d", got)
		}

		// Expiry: a new reversal (partial), its code past ten minutes is refused.
		rev := specReverse(id)
		rev["ammount"] = 2000
		if r := e.Girasol(t, "PATCH", "/v1/top-up/reverse", rev); r.Status != 200 {
			t.Fatalf("reverse again: %d %s", r.Status, r.Raw)
		}
		code = lastEvent(t, e, "top_up.reversal_requested")["user_code"].(string)
		clock.Add(10 * time.Minute)
		r = e.Girasol(t, "PATCH", "/v1/top-up/validate", specValidate(id, code))
		wantError(t, r, 409, "/v1/top-up/validate", " errorDefinitions.REVERSAL_EXPIRED ")

		// A partial reversal in time completes; then the money is spent (p2p out) and
		// the rest cannot be reversed.
		if r := e.Girasol(t, "PATCH", "/v1/top-up/reverse", rev); r.Status != 200 {
			t.Fatalf("reverse after expiry: %d %s", r.Status, r.Raw)
		}
		code = lastEvent(t, e, "top_up.reversal_requested")["user_code"].(string)
		clock.Add(9 * time.Minute)
		if r := e.Girasol(t, "PATCH", "/v1/top-up/validate", specValidate(id, code)); r.Status != 200 {
			t.Fatalf("validate: %d %s", r.Status, r.Raw)
		}
		if got := balance(t, e, account); got != 3000 {
			t.Fatalf("balance after a partial reversal %d", got)
		}
		other := createAccount(t, e, "spender")
		if r := e.Girasol(t, "POST", "/v1/accounts/p2p-transaction", map[string]any{"originAccountNumber": account,
			"destinationAccountNumber": other, "amount": 2500}); r.Status != 201 {
			t.Fatalf("p2p: %d %s", r.Status, r.Raw)
		}
		rev["ammount"] = 3000
		r = e.Girasol(t, "PATCH", "/v1/top-up/reverse", rev)
		wantError(t, r, 409, "/v1/top-up/reverse", " errorDefinitions.TOP_UP_FUNDS_SPENT ")
		rev["ammount"] = 3001
		r = e.Girasol(t, "PATCH", "/v1/top-up/reverse", rev)
		wantError(t, r, 409, "/v1/top-up/reverse", " errorDefinitions.REVERSAL_EXCEEDS_TOP_UP ")

		// Another company cannot see the top-up.
		o := e.NewTenant(t)
		r = e.Do(t, "PATCH", "/v1/top-up/reverse", specReverse(id), servertest.GirasolHeaders(o))
		wantError(t, r, 404, "/v1/top-up/reverse", " errorDefinitions.TOP_UP_NOT_FOUND ")
		ledgerClean(t, e)
	})
}

// TestTopUpBadInput: each refusal is a Girasol error and moves nothing.
func TestTopUpBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.StartClock(t, engine, servertest.NewClock(specNow))
		account := createAccount(t, e, "bad")
		second := createAccount(t, e, "second")
		email := customerInfo(t, e, account)["email"].(string)
		base := func(edit func(m map[string]any)) map[string]any {
			m := specTopUp(email, account, "")
			delete(m, "qrCode")
			edit(m)
			return m
		}
		for _, tc := range []struct {
			name   string
			body   map[string]any
			status int
			want   any
		}{
			{"no tax", base(func(m map[string]any) { delete(m, "tax") }), 400,
				[]any{"tax must be a number conforming to the specified constraints", "tax should not be empty"}},
			{"tax a string", base(func(m map[string]any) { m["tax"] = "x" }), 400,
				[]any{"tax must be a number conforming to the specified constraints"}},
			{"tax above the amount", base(func(m map[string]any) { m["tax"] = 5001 }), 400,
				[]any{"tax must not be negative nor greater than the amount"}},
			{"negative tax", base(func(m map[string]any) { m["tax"] = -1 }), 400, []any{"tax must not be less than 0"}},
			{"zero amount", base(func(m map[string]any) { m["ammount"] = 0 }), 400,
				[]any{"ammount must be a positive number not greater than 1000000000000000"}},
			{"negative amount", base(func(m map[string]any) { m["ammount"] = -5 }), 400,
				[]any{"ammount must be a positive number not greater than 1000000000000000"}},
			{"two amounts", base(func(m map[string]any) { m["amount"] = 4000 }), 400,
				[]any{"ammount and amount must be equal when both are sent"}},
			{"no account", base(func(m map[string]any) { delete(m, "account"); delete(m, "email") }), 400,
				[]any{"account, email or qrCode should not be empty"}},
			{"bad date", base(func(m map[string]any) { m["TransactionDate"] = "yesterday" }), 400,
				[]any{"TransactionDate must be a date such as 2024-08-21 08:50:48"}},
			{"other currency", base(func(m map[string]any) { m["currencyCode"] = 532 }), 400,
				[]any{"currencyCode must be 840, the account's currency (USD)"}},
			{"unknown account", base(func(m map[string]any) { m["account"] = "123123123"; delete(m, "email") }), 404,
				" errorDefinitions.ACCOUNT_NOT_FOUND "},
			{"unknown QR code", base(func(m map[string]any) { m["qrCode"] = "xxxxyyy" }), 404,
				" errorDefinitions.ACCOUNT_NOT_FOUND "},
			{"two accounts", base(func(m map[string]any) { m["account"] = fmt.Sprint(second) }), 409,
				" errorDefinitions.ACCOUNT_MISMATCH "},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Girasol(t, "POST", "/v1/top-up/new", tc.body)
				wantError(t, r, tc.status, "/v1/top-up/new", tc.want)
			})
		}
		// Another company's account is unknown to this one.
		o := e.NewTenant(t)
		r := e.Do(t, "POST", "/v1/top-up/new", base(func(map[string]any) {}), servertest.GirasolHeaders(o))
		wantError(t, r, 404, "/v1/top-up/new", " errorDefinitions.ACCOUNT_NOT_FOUND ")
		if got := balance(t, e, account); got != 0 {
			t.Fatalf("a refused top-up moved money: %d", got)
		}
		// The corrected spelling alone, and both spellings agreeing, are accepted; an
		// Idempotency-Key replays the first answer.
		body := base(func(m map[string]any) { m["amount"] = 5000; delete(m, "ammount") })
		h := servertest.GirasolHeaders(e.Tenant)
		h.Set("Idempotency-Key", "topup-1")
		first := e.Do(t, "POST", "/v1/top-up/new", body, h)
		again := e.Do(t, "POST", "/v1/top-up/new", body, h)
		if first.Status != 201 || again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" ||
			data(t, first)["transactionId"] != data(t, again)["transactionId"] {
			t.Fatalf("idempotent top-up: %d %s / %d %s", first.Status, first.Raw, again.Status, again.Raw)
		}
		both := base(func(m map[string]any) { m["amount"] = 5000; m["id_invoice"] = "INV-2" })
		if r := e.Girasol(t, "POST", "/v1/top-up/new", both); r.Status != 201 {
			t.Fatalf("both spellings: %d %s", r.Status, r.Raw)
		}
		if got := balance(t, e, account); got != 10000 {
			t.Fatalf("balance %d, want 10000", got)
		}
		ledgerClean(t, e)
	})
}
