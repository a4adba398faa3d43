package codego_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/codego"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/webhook"
)

// The statements' examples, verbatim.
func init() {
	specCardBodies["debitcard_trx"] = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","page":0,"type":"refund"}`
	specCardBodies["prepaid_card_transaction"] = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"c24f7b7f-b91c3a84-8edeeb5a-a8f6306c-2df29dc6-8ff85c3c-63a35393-b6a08945","user_id":"amcRhjCE8g4WgqFXx4QBCBY4J20zwGpqjS6EZ02rqUf5e9RxIXbBbgoczGY3WIAb\/5oqBZDpscbvQmsHr93igmlf378ff9Sz1QWRfDnpzGdOnVQ1aBHBaPIYST0=","month":"12","year":"21"}`
}

// activeCard orders a card of a type for the customer and takes it through the operator's
// accept and ship and the holder's activation; it returns the card's id.
func activeCard(t *testing.T, e *servertest.Env, c *servertest.Codego, uid, typ string) string {
	t.Helper()
	order, activate, details := "debitcard_card_order", "debitcard_activate", "debitcard"
	if typ == "prepaid" {
		order, activate, details = "prepaid_card_order", "prepaid_card_activate", "prepaid"
	}
	wantOK(t, spec(t, c, order, map[string]any{"user_id": uid}), float64(1))
	id := cardDetails(t, c, details, uid)[0]["card_id"].(string)
	adminOK(t, e, "POST", "/admin/api/cards/"+id+"/accept", nil)
	adminOK(t, e, "POST", "/admin/api/cards/"+id+"/ship", nil)
	pan, cvv, month, year := sandboxData(t, e, id)
	wantOK(t, spec(t, c, activate, map[string]any{"user_id": uid, "card_number": pan, "cvv": cvv,
		"mm": strconv.Itoa(month), "yy": strconv.Itoa(year)}), float64(1))
	return id
}

// network sends a sandbox card network message and returns the recorded transaction.
func network(t *testing.T, e *servertest.Env, cardID string, body map[string]any) map[string]any {
	t.Helper()
	r := e.Admin(t, "POST", "/admin/api/sandbox/cards/"+cardID+"/transactions", body)
	if r.Status != 201 {
		t.Fatalf("sandbox transaction %v: %d %s", body, r.Status, r.Raw)
	}
	return r.JSON
}

// hookBodies is a webhook receiver that keeps the bodies it gets.
type hookBodies struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (h *hookBodies) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	h.mu.Lock()
	h.bodies = append(h.bodies, m)
	h.mu.Unlock()
}

// byTxID waits until n card_transaction webhooks came, and returns them by TxId.
func (h *hookBodies) byTxID(t *testing.T, n int) map[string]map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		h.mu.Lock()
		out := map[string]map[string]any{}
		for _, b := range h.bodies {
			if b["event"] == "card_transaction" {
				out[b["TxId"].(string)] = b
			}
		}
		h.mu.Unlock()
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d card_transaction webhooks within 20s, want %d", len(out), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCodegoCardTransactions: sandbox network purchases, refunds, reversals and an
// expiry on a debit and a prepaid card, through the one authorization path, appear in
// debitcard_trx and prepaid_card_transaction (the spec's bodies) with the example's
// fields, filters and paging, each fires the debit-card transaction webhook to a payload
// endpoint, bad filters get the Codego errors, and the ledger adds up, on both stores.
func TestCodegoCardTransactions(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			clock := servertest.NewClock(t0)
			e := servertest.StartWith(t, engine, servertest.Options{Now: clock.Now,
				Config: func(c *core.Config) { c.SandboxMasterBalance = 0 }})
			c := e.CodegoLogin(t, e.Tenant)
			tenantID := e.Tenant.TenantID

			// The webhook: an endpoint in the payload format, a real dispatcher.
			hooks := &hookBodies{}
			srv := httptest.NewServer(http.HandlerFunc(hooks.serve))
			t.Cleanup(srv.Close)
			adminOK(t, e, "POST", "/admin/api/tenants/"+tenantID+"/webhooks/endpoints", map[string]any{"url": srv.URL,
				"events": []string{"card.authorization", "card.declined", "card.reversal", "card.refund"}, "format": "payload"})
			d, err := webhook.NewDispatcher(e.Core, webhook.Config{PollInterval: 10 * time.Millisecond, Timeout: 5 * time.Second,
				Schedule: []time.Duration{10 * time.Millisecond}, Jitter: -1, Render: codego.RenderEvent}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { d.Run(ctx); close(done) }()
			t.Cleanup(func() { cancel(); <-done })

			uid := verifiedCustomer(t, e, c, "spender@example.com")
			adminOK(t, e, "POST", "/admin/api/sandbox/incoming-transfers", map[string]any{"tenant_id": tenantID,
				"user_id": uid, "amount": 12000, "currency": "EUR", "reference": "salary"})
			debitID := activeCard(t, e, c, uid, "debitcard")
			prepaidID := activeCard(t, e, c, uid, "prepaid")
			adminOK(t, e, "POST", "/admin/api/tenants/"+tenantID+"/fund", map[string]any{"amount": 100000, "currency": "EUR"})
			wantOK(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": prepaidID,
				"amount": "50"}), "1")
			before := balances(t, e, tenantID)
			if before["customer/EUR"] != 12000-2000 || before["prepaid/EUR"] != 5000 {
				t.Fatalf("before the payments: %v", before)
			}

			// The debit card spends from the customer's EUR account.
			grocery := map[string]any{"merchant_name": "CORNER GROCERY", "merchant_city": "AUSTIN", "merchant_country": "US",
				"mcc": "5411", "entry_mode": "chip"}
			with := func(m map[string]any, kv ...any) map[string]any {
				out := map[string]any{}
				for k, v := range m {
					out[k] = v
				}
				for i := 0; i < len(kv); i += 2 {
					out[kv[i].(string)] = kv[i+1]
				}
				return out
			}
			purchase := network(t, e, debitID, with(grocery, "type", "purchase", "amount", 1234))
			if purchase["status"] != "approved" {
				t.Fatalf("purchase: %v", purchase)
			}
			pID := purchase["transaction_id"].(string)
			refund := network(t, e, debitID, map[string]any{"type": "refund", "amount": 200, "original_transaction_id": pID})
			auth := network(t, e, debitID, with(grocery, "type", "authorization", "amount", 500, "merchant_name", "FUEL"))
			reversal := network(t, e, debitID, map[string]any{"type": "reversal", "original_transaction_id": auth["transaction_id"]})
			declined := network(t, e, debitID, with(grocery, "type", "purchase", "amount", 999999))
			if declined["status"] != "declined" || refund["status"] != "approved" || reversal["status"] != "approved" {
				t.Fatalf("refund %v, reversal %v, declined %v", refund, reversal, declined)
			}
			// The prepaid card spends from its own balance.
			pp := network(t, e, prepaidID, with(grocery, "type", "purchase", "amount", 2000, "merchant_city", "PARIS"))
			if pp["status"] != "approved" {
				t.Fatalf("prepaid purchase: %v", pp)
			}
			// A locked card is declined, and takes payments again once unlocked.
			wantOK(t, spec(t, c, "debitcard_settings", map[string]any{"user_id": uid, "card_id": debitID,
				"setting_value": "0"}), float64(1))
			if r := network(t, e, debitID, with(grocery, "type", "purchase", "amount", 100)); r["reason"] != "card_inactive" {
				t.Fatalf("a locked card's purchase: %v", r)
			}
			wantOK(t, spec(t, c, "debitcard_settings", map[string]any{"user_id": uid, "card_id": debitID,
				"setting_value": "1"}), float64(1))
			after := balances(t, e, tenantID)
			if after["customer/EUR"] != before["customer/EUR"]-1234+200 || after["prepaid/EUR"] != 5000-2000 ||
				after["network/EUR"] != before["network/EUR"]+1234-200+2000 || after["master/EUR"] != 100000-5000 {
				t.Fatalf("after the payments: %v (before %v)", after, before)
			}

			// debitcard_trx with the example's body: page 0, type refund.
			trx := func(fields map[string]any) *servertest.Response {
				return spec(t, c, "debitcard_trx", with(fields, "user_id", escaped(uid)))
			}
			r := trx(nil)
			wantOK(t, r, float64(1))
			if r.JSON["page_number"] != "1" || r.JSON["per_page"] != "10" || r.JSON["num_rows"] != "1" {
				t.Fatalf("debitcard_trx refund: %s", r.Raw)
			}
			line := allStrings(t, "debitcard_trx", r.JSON["data"].([]any)[0])
			want := map[string]any{"trx_type": "refund", "fee": "0.00", "TxId": refund["transaction_id"], "TransLink": pID,
				"total_amount": "2.00", "TxAmount": "2.00", "De043": "CORNER GROCERY, AUSTIN", "card_id": debitID,
				"currency": "EUR", "datetime": t0.Format(time.DateTime)}
			if fmt.Sprint(line) != fmt.Sprint(want) {
				t.Fatalf("refund line:\n%v\nwant\n%v", line, want)
			}
			types := func(r *servertest.Response) []string {
				t.Helper()
				wantOK(t, r, float64(1))
				var out []string
				for _, x := range r.JSON["data"].([]any) {
					m := x.(map[string]any)
					out = append(out, m["trx_type"].(string)+":"+m["TxAmount"].(string))
				}
				return out
			}
			if got := fmt.Sprint(types(trx(map[string]any{"type": "debit"}))); got != "[debit:5.00 debit:12.34]" {
				t.Fatalf("debit lines: %s", got)
			}
			if got := fmt.Sprint(types(trx(map[string]any{"type": "credit"}))); got != "[credit:5.00]" {
				t.Fatalf("credit lines: %s", got)
			}
			r = c.Post(t, "debitcard_trx", map[string]any{"user_id": uid})
			if got := fmt.Sprint(types(r)); got != "[credit:5.00 debit:5.00 refund:2.00 debit:12.34]" || r.JSON["num_rows"] != "4" {
				t.Fatalf("every line: %s", r.Raw)
			}

			// Paging: 12 lines are two pages of 10.
			for i := range 8 {
				network(t, e, debitID, with(grocery, "type", "purchase", "amount", 100+i))
			}
			r = trx(map[string]any{"type": "", "page": "1"})
			if n := len(r.JSON["data"].([]any)); n != 10 || r.JSON["num_rows"] != "12" || r.JSON["page_number"] != "1" {
				t.Fatalf("page 1: %d lines, %s", n, r.Raw)
			}
			r = trx(map[string]any{"type": "", "page": 2})
			if got := fmt.Sprint(types(r)); got != "[refund:2.00 debit:12.34]" || r.JSON["page_number"] != "2" {
				t.Fatalf("page 2: %s", r.Raw)
			}
			if r = trx(map[string]any{"type": "", "page": 3}); len(r.JSON["data"].([]any)) != 0 || r.JSON["num_rows"] != "12" {
				t.Fatalf("page 3: %s", r.Raw)
			}

			// prepaid_card_transaction: the example's month and year (December 2021) find
			// nothing; the month of the payments finds the prepaid card's only.
			r = spec(t, c, "prepaid_card_transaction", map[string]any{"user_id": uid})
			wantOK(t, r, float64(1))
			if len(r.JSON["transaction_history"].([]any)) != 0 || r.JSON["total_page"] != "0" {
				t.Fatalf("December 2021: %s", r.Raw)
			}
			for _, period := range []map[string]any{{"month": "03", "year": "25"}, {"month": "3", "year": "2025"},
				{"month": "", "year": "2025"}} {
				r = spec(t, c, "prepaid_card_transaction", with(period, "user_id", uid))
				wantOK(t, r, float64(1))
				h := r.JSON["transaction_history"].([]any)
				if len(h) != 1 || r.JSON["total_page"] != "1" || r.JSON["previous_page"] != "1" || r.JSON["next_page"] != "1" {
					t.Fatalf("prepaid %v: %s", period, r.Raw)
				}
				l := allStrings(t, "prepaid_card_transaction", h[0])
				if l["trx_type"] != "debit" || l["TxId"] != pp["transaction_id"] || l["TransLink"] != l["TxId"] ||
					l["total_amount"] != "20.00" || l["De043"] != "CORNER GROCERY, PARIS" || l["card_id"] != prepaidID {
					t.Fatalf("prepaid line: %v", l)
				}
			}
			if r = spec(t, c, "prepaid_card_transaction", map[string]any{"user_id": uid, "month": "04", "year": "2025"}); len(r.JSON["transaction_history"].([]any)) != 0 {
				t.Fatalf("April: %s", r.Raw)
			}

			// An uncaptured authorization expires: a credit line once its time has come.
			exp := network(t, e, debitID, with(grocery, "type", "authorization", "amount", 300))
			clock.Add(8 * 24 * time.Hour)
			c = e.CodegoLogin(t, e.Tenant)
			r = trx(map[string]any{"type": "credit"})
			if got := fmt.Sprint(types(r)); got != "[credit:3.00 credit:5.00]" {
				t.Fatalf("after the expiry: %s", r.Raw)
			}
			if l := r.JSON["data"].([]any)[0].(map[string]any); l["TransLink"] != exp["transaction_id"] {
				t.Fatalf("the expiry's TransLink: %v", l)
			}

			// Bad filters: the Codego error, nothing listed.
			for _, tc := range []struct {
				name   string
				fields map[string]any
				msg    string
			}{
				{"debitcard_trx", map[string]any{"type": "cash"}, "type possible values : debit or refund or credit"},
				{"debitcard_trx", map[string]any{"page": -1}, "page must be a page number"},
				{"debitcard_trx", map[string]any{"page": "two"}, "page must be an integer"},
				{"debitcard_trx", map[string]any{"page": 1.5}, "page"},
				{"debitcard_trx", map[string]any{"type": true}, "type must be a string"},
				{"prepaid_card_transaction", map[string]any{"month": "13"}, "month of transactions should be MM"},
				{"prepaid_card_transaction", map[string]any{"month": "0"}, "month of transactions should be MM"},
				{"prepaid_card_transaction", map[string]any{"year": "202"}, "year of transactions should be YY or YYYY"},
				{"prepaid_card_transaction", map[string]any{"year": "+5"}, "year of transactions should be YY or YYYY"},
				{"prepaid_card_transaction", map[string]any{"year": ""}, "year of transactions should be YY or YYYY"},
				{"prepaid_card_transaction", map[string]any{"month": "12345"}, "month must be at most 2 characters"},
			} {
				wantCode(t, spec(t, c, tc.name, with(tc.fields, "user_id", uid)), 400, tc.msg)
			}
			wantCode(t, c.Post(t, "debitcard_trx", map[string]any{}), 400, "user_id cannot be blank")

			// Another customer has no lines; another whitelabel does not know the user.
			other := verifiedCustomer(t, e, c, "other@example.com")
			r = spec(t, c, "debitcard_trx", map[string]any{"user_id": other, "type": ""})
			if wantOK(t, r, float64(1)); len(r.JSON["data"].([]any)) != 0 || r.JSON["num_rows"] != "0" {
				t.Fatalf("another customer: %s", r.Raw)
			}
			o := e.CodegoLogin(t, e.NewTenant(t))
			wantCode(t, spec(t, o, "debitcard_trx", map[string]any{"user_id": uid}), 404, "user not found")
			wantCode(t, spec(t, o, "prepaid_card_transaction", map[string]any{"user_id": uid, "year": "2025"}), 404, "user not found")

			// The webhook: one per purchase, refund, authorization, reversal, expiry and
			// decline, in the payload format.
			got := hooks.byTxID(t, 6+8+2)
			h := got[pID]
			wantHook := map[string]any{"status": float64(1), "event": "card_transaction", "card_type": "debit",
				"card_number": "xxxx xxxx xxxx " + lastFour(t, e, debitID), "trx_status": "Approved", "reason": "approved",
				"trx_type": "debit", "fee": "0.00", "TxId": pID, "TransLink": pID, "total_amount": "12.34",
				"TxAmount": "12.34", "De043": "CORNER GROCERY, AUSTIN", "card_id": debitID, "currency": "EUR",
				"datetime": t0.Format(time.DateTime)}
			if fmt.Sprint(h) != fmt.Sprint(wantHook) {
				t.Fatalf("purchase webhook:\n%v\nwant\n%v", h, wantHook)
			}
			for id, w := range map[any]string{refund["transaction_id"]: "refund Approved 2.00 debit",
				reversal["transaction_id"]: "credit Approved 5.00 debit", declined["transaction_id"]: "debit Declined 9999.99 debit",
				pp["transaction_id"]: "debit Approved 20.00 prepaid"} {
				b := got[id.(string)]
				if s := fmt.Sprint(b["trx_type"], " ", b["trx_status"], " ", b["TxAmount"], " ", b["card_type"]); s != w {
					t.Errorf("webhook of %v: %s, want %s (%v)", id, s, w, b)
				}
			}
			if b := got[declined["transaction_id"].(string)]; b["reason"] != "insufficient_funds" {
				t.Errorf("declined webhook: %v", b)
			}

			// Reconciliation: the payments moved money between the customer's account,
			// the prepaid card's and the network account only, and the ledger adds up.
			end := balances(t, e, tenantID)
			spent := int64(0)
			for i := range 8 {
				spent += int64(100 + i)
			}
			if end["customer/EUR"] != after["customer/EUR"]-spent || end["prepaid/EUR"] != after["prepaid/EUR"] ||
				end["network/EUR"] != after["network/EUR"]+spent || end["master/EUR"] != after["master/EUR"] {
				t.Fatalf("at the end: %v (after the first payments %v)", end, after)
			}
		})
	}
}

// lastFour is the last four digits of a card's number (the operator's sandbox view).
func lastFour(t *testing.T, e *servertest.Env, cardID string) string {
	t.Helper()
	pan, _, _, _ := sandboxData(t, e, cardID)
	return pan[len(pan)-4:]
}

// TestRenderCardTransaction renders a Codego card's reversal as the debit-card
// transaction webhook, and leaves another product's card transactions and captures to
// the neutral payload.
func TestRenderCardTransaction(t *testing.T) {
	at := time.Date(2026, 12, 6, 20, 40, 3, 0, time.UTC)
	payload := `{"transaction_id":"t2","card_id":"c1","masked_pan":"411111******1234","product":"codego-prepaid",` +
		`"customer_id":"x","account_id":3,"type":"reversal","status":"approved","reason":"approved","state":"completed",` +
		`"amount":1050,"currency":"EUR","merchant_name":"FUEL","merchant_city":"","merchant_country":"FR","mcc":"5541",` +
		`"entry_mode":"chip","created_at":"2026-12-06T20:40:00Z","original_transaction_id":"t1"}`
	got, err := codego.RenderEvent(&baas.Event{Type: core.EventCardReversal, CreatedAt: at, Payload: []byte(payload)})
	want := `{"status":1,"event":"card_transaction","card_type":"prepaid","card_number":"xxxx xxxx xxxx 1234",` +
		`"trx_status":"Approved","reason":"approved","trx_type":"credit","fee":"0.00","TxId":"t2","TransLink":"t1",` +
		`"total_amount":"10.50","TxAmount":"10.50","De043":"FUEL","card_id":"c1","currency":"EUR",` +
		`"datetime":"2026-12-06 20:40:03"}`
	if err != nil || string(got) != want {
		t.Fatalf("RenderEvent = %s, %v\nwant %s", got, err, want)
	}
	for typ, p := range map[string]string{
		core.EventCardCapture:  payload,
		core.EventCardReversal: `{"transaction_id":"t2","product":"girasol-physical","type":"reversal"}`,
	} {
		if got, err := codego.RenderEvent(&baas.Event{Type: typ, Payload: []byte(p)}); got != nil || err != nil {
			t.Errorf("RenderEvent(%s) = %s, %v; want nil", typ, got, err)
		}
	}
}
