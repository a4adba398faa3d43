package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/codego"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// codegoChecker checks Codego requests and answers of a live server against codego.json.
type codegoChecker struct {
	doc  *openapi3.T
	seen map[string]bool
}

func (c *codegoChecker) op(t *testing.T, name string) *openapi3.Operation {
	t.Helper()
	item := c.doc.Paths.Value("/api/" + name)
	if item == nil || item.Post == nil {
		t.Fatalf("codego.json has no POST /api/%s", name)
	}
	c.seen[name] = true
	return item.Post
}

// request checks a JSON body against the operation's application/json schema.
func (c *codegoChecker) request(t *testing.T, name string, body map[string]any) {
	t.Helper()
	op := c.op(t, name)
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		t.Fatalf("%s: no application/json request schema", name)
	}
	if err := mt.Schema.Value.VisitJSON(roundTrip(t, body), openapi3.EnableJSONSchema2020(), openapi3.VisitAsRequest()); err != nil {
		t.Errorf("%s request %v does not match codego.json: %v", name, body, err)
	}
}

// answer checks an answer against the operation's response for its HTTP status, and
// requires success (status 1) unless wantError.
func (c *codegoChecker) answer(t *testing.T, name string, r *servertest.Response, wantError bool) map[string]any {
	t.Helper()
	op := c.op(t, name)
	resp := op.Responses.Status(r.Status)
	if resp == nil || resp.Value == nil {
		t.Fatalf("%s answered HTTP %d, which codego.json does not document: %s", name, r.Status, r.Raw)
	}
	mt := resp.Value.Content.Get("application/json")
	var v any
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		t.Fatalf("%s: not JSON: %s", name, r.Raw)
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse()); err != nil {
		t.Errorf("%s answer %s does not match codego.json: %v", name, r.Raw, err)
	}
	ok := fmt.Sprint(r.JSON["status"]) == "1"
	if ok == wantError {
		t.Fatalf("%s: want error %v, got %s", name, wantError, r.Raw)
	}
	return r.JSON
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCodegoAnswersMatchDocument runs the Codego flows on a real server (both stores) —
// authentication, the lists, signup, KYC and its review, debit and prepaid cards through
// their lifecycle, a load, payments through the sandbox card network and the card
// statements, the gift cards of the three products (fees, issue, the three shapes of the
// details, statement, blocks, lists), crypto wallets and the float, and errors — and
// checks every request body and every answer against codego.json. It fails when a
// documented API is never called.
func TestCodegoAnswersMatchDocument(t *testing.T) {
	doc := loadCodego(t)
	storetest.Each(t, func(t *testing.T, engine string) {
		// A clock, so the gift-card details can be asked before and after their delay; a
		// float of €5,000.00, so a large gift card finds it short.
		clock := servertest.NewClock(time.Now())
		e := servertest.StartWith(t, engine, servertest.Options{Now: clock.Now, CodegoRateLimit: -1,
			Config: func(c *core.Config) { c.SandboxMasterBalance = 500_000; c.GiftcardDetailsDelay = time.Minute }})
		c := e.CodegoLogin(t, e.Tenant)
		chk := &codegoChecker{doc: doc, seen: map[string]bool{}}
		post := func(name string, body map[string]any) map[string]any {
			t.Helper()
			full := map[string]any{"apikey": c.Keys.APIKey, "whitelabel_id": c.Keys.WhitelabelID}
			for k, v := range body {
				full[k] = v
			}
			chk.request(t, name, full)
			return chk.answer(t, name, c.Post(t, name, body), false)
		}
		fail := func(name string, r *servertest.Response) { t.Helper(); chk.answer(t, name, r, true) }

		chk.answer(t, "authenticaion", c.Authenticate(t, "authenticaion"), false)
		chk.answer(t, "authentication", c.Authenticate(t, "authentication"), false)
		for _, name := range []string{"refreshtoken", "refresh_token", "countries_list", "nationality", "nationality_list",
			"income_source", "income_soruce", "documents_list", "kyc_document_list", "admin_float_balance",
			"crypto_getCoinList", "crypto_getWalletAddress", "admin_float_trxs", "admin_float_trx"} {
			chk.answer(t, name, c.Call(t, name), false)
		}

		signup := servertest.CodegoSignupBody("doc@example.com")
		delete(signup, "apikey")
		delete(signup, "whitelabel_id")
		user := post("signup", signup)["user_id"].(string)
		fail("signup", c.Post(t, "signup", map[string]any{"name": "x"}))
		u := map[string]any{"user_id": user}

		img := servertest.PNG(t)
		chk.answer(t, "upload_id_proof", c.Form(t, "upload_id_proof", map[string]string{"user_id": user, "document_id": "1",
			"document_number": "1234568910"}, map[string][]byte{"front_proof": img, "back_proof": img}), false)
		chk.answer(t, "address_proof", c.Form(t, "address_proof", map[string]string{"user_id": user, "document_id": "2"},
			map[string][]byte{"address_proof": img}), false)
		for _, d := range post("check_kyc_status", u)["kyc_status"].([]any) {
			id := d.(map[string]any)["kyc_document_id"].(string)
			if r := e.Admin(t, "POST", "/admin/api/kyc/documents/"+id+"/verify", nil); r.Status != 200 {
				t.Fatalf("verify %s: %d %s", id, r.Status, r.Raw)
			}
		}
		if r := e.Admin(t, "POST", "/admin/api/sandbox/incoming-transfers", map[string]any{"tenant_id": e.Tenant.TenantID,
			"user_id": user, "amount": 10000, "currency": "EUR", "reference": "doc"}); r.Status != 201 {
			t.Fatalf("incoming transfer: %d %s", r.Status, r.Raw)
		}
		post("account_detail", u)
		post("check_remaining_card", map[string]any{"user_id": user, "type": "debitcard"})
		post("get_shipping_cost", map[string]any{"user_id": user, "type": "prepaid"})

		ship := func(card string) map[string]any {
			t.Helper()
			for _, a := range []string{"accept", "ship"} {
				if r := e.Admin(t, "POST", "/admin/api/cards/"+card+"/"+a, nil); r.Status != 200 {
					t.Fatalf("%s %s: %d %s", a, card, r.Status, r.Raw)
				}
			}
			r := e.Admin(t, "GET", "/admin/api/cards/"+card+"/sandbox-data", nil)
			return r.JSON
		}
		activate := func(name, card string) {
			t.Helper()
			d := ship(card)
			post(name, map[string]any{"user_id": user, "card_number": d["pan"], "cvv": d["cvv"],
				"mm": fmt.Sprintf("%02d", int(d["exp_month"].(float64))), "yy": fmt.Sprint(d["exp_year"])})
		}
		debit := post("debitcard_card_order", map[string]any{"user_id": user, "type": "order", "card_type": "plastic"})["card_id"].(string)
		fail("debitcard_activate", c.Post(t, "debitcard_activate", map[string]any{"user_id": user,
			"card_number": "4341333167816100", "cvv": "152", "mm": "05", "yy": "2026"}))
		activate("debitcard_activate", debit)
		post("debitcard_details", u)
		post("debitcard_settings", map[string]any{"user_id": user, "card_id": debit, "setting_name": "card_lock", "setting_value": "1"})
		post("debitcard_settings", map[string]any{"user_id": user, "card_id": debit, "setting_name": "card_lock", "setting_value": 0})
		post("reset_card_pin", map[string]any{"user_id": user, "card_id": debit})

		prepaid := post("prepaid_card_order", map[string]any{"user_id": user, "type": "order"})["card_id"].(string)
		activate("prepaid_card_activate", prepaid)
		post("prepaid_load_balance_card", map[string]any{"user_id": user, "card_id": prepaid, "amount": "10.50"})
		post("prepaid_load_balance_card", map[string]any{"user_id": user, "card_id": prepaid, "amount": 5})
		post("prepaid_card_details", u)
		cardTransactions(t, e, post, fail, c, user, debit, prepaid, clock.Now())
		post("prepaid_card_settings", map[string]any{"user_id": user, "card_id": prepaid, "setting_name": "card_lock", "setting_value": "1"})
		post("replace_stolen_card", map[string]any{"user_id": user, "card_id": debit})
		post("debitcard_details", u)

		giftcards(t, e, post, fail, c, user, clock)

		wallet := post("crypto_generateWaletAddress", map[string]any{"user_id": user, "coin": "usdt", "network": "trc-20"})
		if r := e.Admin(t, "POST", "/admin/api/sandbox/crypto-deposits", map[string]any{"address": wallet["wallet_address"],
			"amount": "12.5"}); r.Status != 201 {
			t.Fatalf("crypto deposit: %d %s", r.Status, r.Raw)
		}
		post("crypto_generateWalletAddress", map[string]any{"user_id": "", "coin": "btc"})
		post("crypto_getWalletAddresss", map[string]any{"user_id": user})
		post("admin_float_trxs", map[string]any{"start_date": "", "end_date": "", "trans_type": "debit"})
		post("admin_float_trx", map[string]any{"month": "03", "year": "2025", "trans_type": "all"})

		// The envelope of errors: a wrong type, an unknown card, a token that does not exist.
		fail("check_remaining_card", c.Post(t, "check_remaining_card", map[string]any{"user_id": user, "type": "gift"}))
		fail("reset_card_pin", c.Post(t, "reset_card_pin", map[string]any{"user_id": user, "card_id": "nope"}))
		bad := *c
		bad.Token = "00000000-00000000-00000000-00000000-00000000-00000000"
		fail("account_detail", bad.Post(t, "account_detail", u))

		var missed []string
		for path := range doc.Paths.Map() {
			if name := path[len("/api/"):]; !chk.seen[name] {
				missed = append(missed, name)
			}
		}
		if len(missed) > 0 {
			t.Errorf("the flow called no served API named %v: add it so its answers are checked", missed)
		}
		checkWebhooks(t, e, doc)
	})
}

type (
	postFunc func(name string, body map[string]any) map[string]any
	failFunc func(name string, r *servertest.Response)
)

// network sends a payment message of the sandbox card network and returns its status.
func network(t *testing.T, e *servertest.Env, card string, body map[string]any) map[string]any {
	t.Helper()
	r := e.Admin(t, "POST", "/admin/api/sandbox/cards/"+card+"/transactions", body)
	if r.Status != 201 {
		t.Fatalf("sandbox transaction %v: %d %s", body, r.Status, r.Raw)
	}
	return r.JSON
}

// cardTransactions pays with the active debit and prepaid cards through the sandbox card
// network (a purchase, a refund, an authorization and its reversal, a decline) and reads
// them back with debitcard_trx and prepaid_card_transaction, filters, pages and errors.
func cardTransactions(t *testing.T, e *servertest.Env, post postFunc, fail failFunc,
	c *servertest.Codego, user, debit, prepaid string, now time.Time) {
	t.Helper()
	shop := func(kv ...any) map[string]any {
		m := map[string]any{"merchant_name": "CORNER GROCERY", "merchant_city": "AUSTIN", "merchant_country": "US", "mcc": "5411"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	// The flow left the debit card locked (card_lock 0): a declined purchase, then unlocked.
	if r := network(t, e, debit, shop("type", "purchase", "amount", 100)); r["reason"] != "card_inactive" {
		t.Fatalf("a locked card's purchase: %v", r)
	}
	post("debitcard_settings", map[string]any{"user_id": user, "card_id": debit, "setting_name": "card_lock", "setting_value": "1"})
	buy := network(t, e, debit, shop("type", "purchase", "amount", 1234))
	if buy["status"] != "approved" {
		t.Fatalf("debit purchase: %v", buy)
	}
	network(t, e, debit, map[string]any{"type": "refund", "amount": 200, "original_transaction_id": buy["transaction_id"]})
	auth := network(t, e, debit, shop("type", "authorization", "amount", 500))
	network(t, e, debit, map[string]any{"type": "reversal", "original_transaction_id": auth["transaction_id"]})
	if r := network(t, e, debit, shop("type", "purchase", "amount", 99_999_999)); r["status"] != "declined" {
		t.Fatalf("a purchase beyond the balance: %v", r)
	}
	if r := network(t, e, prepaid, shop("type", "purchase", "amount", 200, "merchant_city", "PARIS")); r["status"] != "approved" {
		t.Fatalf("prepaid purchase: %v", r)
	}

	if got := post("debitcard_trx", map[string]any{"user_id": user}); got["num_rows"] != "4" || len(got["data"].([]any)) != 4 {
		t.Fatalf("debitcard_trx: %v", got)
	}
	post("debitcard_trx", map[string]any{"user_id": user, "page": 0, "type": "refund"})
	post("debitcard_trx", map[string]any{"user_id": user, "page": "1", "type": "ALL"})
	if got := post("debitcard_trx", map[string]any{"user_id": user, "page": 2, "type": ""}); len(got["data"].([]any)) != 0 {
		t.Fatalf("debitcard_trx page 2: %v", got)
	}
	fail("debitcard_trx", c.Post(t, "debitcard_trx", map[string]any{"user_id": user, "type": "gift"}))
	fail("debitcard_trx", c.Post(t, "debitcard_trx", map[string]any{"user_id": user, "page": "-1"}))
	fail("debitcard_trx", c.Post(t, "debitcard_trx", map[string]any{"user_id": "nobody"}))

	month, year := now.UTC().Format("01"), now.UTC().Format("2006")
	got := post("prepaid_card_transaction", map[string]any{"user_id": user, "month": month, "year": year})
	if len(got["transaction_history"].([]any)) != 1 || got["total_page"] != "1" {
		t.Fatalf("prepaid_card_transaction: %v", got)
	}
	post("prepaid_card_transaction", map[string]any{"user_id": user, "month": "", "year": year[2:], "page": 1})
	post("prepaid_card_transaction", map[string]any{"user_id": user, "month": 12, "year": 2021})
	post("prepaid_card_transaction", map[string]any{"user_id": user})
	fail("prepaid_card_transaction", c.Post(t, "prepaid_card_transaction", map[string]any{"user_id": user, "month": "13", "year": year}))
	fail("prepaid_card_transaction", c.Post(t, "prepaid_card_transaction", map[string]any{"user_id": user, "month": month}))
	fail("prepaid_card_transaction", c.Post(t, "prepaid_card_transaction", map[string]any{"user_id": user, "year": "202"}))
	fail("prepaid_card_transaction", c.Post(t, "prepaid_card_transaction", map[string]any{"user_id": "nobody"}))
}

// giftcards runs the gift cards of the three products: the fees (the operator's as well as
// the defaults), an issue each, the details before their delay, once delivered and
// afterwards, a payment and the statement, the blocks, the lists and the errors.
func giftcards(t *testing.T, e *servertest.Env, post postFunc, fail failFunc,
	c *servertest.Codego, user string, clock *servertest.Clock) {
	t.Helper()
	if r := e.Admin(t, "PUT", "/admin/api/tenants/"+e.Tenant.TenantID+"/fees", map[string]any{"product": "us",
		"issue_fee": 250, "load_fee_fixed": 0, "load_fee_percent_bp": 35}); r.Status != 200 {
		t.Fatalf("fees: %d %s", r.Status, r.Raw)
	}
	type card struct{ id, code string }
	cards := map[string]card{}
	for _, p := range []string{"", "hs_", "us_"} {
		post(p+"virtual_giftcard_fee", map[string]any{"user_id": user, "type": "order"})
		body := map[string]any{"user_id": user, "amount": "10"}
		if p != "" {
			body["mobile_number"] = "39-1234567890"
		}
		g := post(p+"generate_virtual_card", body)
		cards[p] = card{g["card_id"].(string), g["access_code"].(string)}
	}
	post("virtual_giftcard_fee", map[string]any{"user_id": user})
	fail("virtual_giftcard_fee", c.Post(t, "virtual_giftcard_fee", map[string]any{"user_id": user, "type": "reload"}))
	fail("hs_virtual_giftcard_fee", c.Post(t, "hs_virtual_giftcard_fee", map[string]any{"user_id": "nobody"}))
	post("generate_virtual_card", map[string]any{"user_id": user, "amount": 25.5, "mobile_number": "+39 123 4567890"})
	fail("generate_virtual_card", c.Post(t, "generate_virtual_card", map[string]any{"user_id": user, "amount": "0"}))
	fail("generate_virtual_card", c.Post(t, "generate_virtual_card", map[string]any{"user_id": user, "amount": "10.001"}))
	fail("us_generate_virtual_card", c.Post(t, "us_generate_virtual_card", map[string]any{"user_id": user, "amount": "10"}))
	fail("hs_generate_virtual_card", c.Post(t, "hs_generate_virtual_card", map[string]any{"user_id": user,
		"amount": "10000", "mobile_number": "39-1234567890"})) // the float is short: code 0
	fail("us_generate_virtual_card", c.Post(t, "us_generate_virtual_card", map[string]any{"user_id": "nobody",
		"amount": "10", "mobile_number": "39-1234567890"}))

	detail := func(p string) map[string]any {
		return post(p+"get_giftcard_detail", map[string]any{"user_id": user, "card_id": cards[p].id, "access_code": cards[p].code})
	}
	for p := range cards {
		if got := detail(p); got["balance"] != "0" {
			t.Fatalf("%sget_giftcard_detail before the delay: %v", p, got)
		}
		fail(p+"get_giftcard_detail", c.Post(t, p+"get_giftcard_detail", map[string]any{"user_id": user,
			"card_id": cards[p].id, "access_code": "AAAA-AAAA-AAAA-AAAA"}))
	}
	clock.Add(time.Minute)
	for p := range cards {
		if got := detail(p); got["cvv"] == nil {
			t.Fatalf("%sget_giftcard_detail, the delivery: %v", p, got)
		}
		if got := detail(p); got["cvv"] != nil {
			t.Fatalf("%sget_giftcard_detail, after the delivery: %v", p, got)
		}
	}
	fail("hs_get_giftcard_detail", c.Post(t, "hs_get_giftcard_detail", map[string]any{"user_id": user,
		"card_id": cards[""].id, "access_code": cards[""].code})) // another product's card: 404

	if r := network(t, e, cards[""].id, map[string]any{"type": "purchase", "amount": 250, "merchant_name": "CORNER GROCERY"}); r["status"] != "approved" {
		t.Fatalf("gift card purchase: %v", r)
	}
	for _, p := range []string{"", "hs_", "us_"} {
		post("get_giftcard_transaction", map[string]any{"user_id": user, "card_id": cards[p].id})
	}
	fail("get_giftcard_transaction", c.Post(t, "get_giftcard_transaction", map[string]any{"user_id": user, "card_id": "nope"}))

	post("block_gift_card", map[string]any{"user_id": user, "card_id": cards[""].id})
	post("block_gift_card", map[string]any{"user_id": user, "card_id": cards[""].id})
	post("hs_block_gift_card", map[string]any{"user_id": user, "card_id": cards["hs_"].id})
	post("hs_unblock_gift_card", map[string]any{"user_id": user, "card_id": cards["hs_"].id})
	post("us_block_gift_card", map[string]any{"user_id": user, "card_id": cards["us_"].id})
	fail("us_block_gift_card", c.Post(t, "us_block_gift_card", map[string]any{"user_id": user, "card_id": cards["hs_"].id}))
	fail("hs_unblock_gift_card", c.Post(t, "hs_unblock_gift_card", map[string]any{"user_id": "nobody", "card_id": cards["hs_"].id}))
	fail("block_gift_card", c.Post(t, "block_gift_card", map[string]any{"user_id": user}))

	if got := post("getAllGiftcard", map[string]any{"user_id": user}); len(got["cards"].([]any)) != 4 {
		t.Fatalf("getAllGiftcard: %v", got)
	}
	post("getAllGiftcard", nil)
	post("getByUserGiftcard", map[string]any{"user_id": user})
	fail("getByUserGiftcard", c.Post(t, "getByUserGiftcard", map[string]any{"user_id": "nobody"}))
	fail("getAllGiftcard", c.Post(t, "getAllGiftcard", map[string]any{"user_id": user, "page": 1}))
}

// codegoWebhook names the webhook of codego.json that renders an event type.
func codegoWebhook(typ string) string {
	switch {
	case strings.HasPrefix(typ, "kyc."):
		return "kyc"
	case strings.HasPrefix(typ, "card.load."):
		return "load_card"
	case strings.HasSuffix(typ, "giftcard.updated"):
		return "giftcard"
	case strings.HasPrefix(typ, "card."):
		return "card_transaction"
	}
	return strings.ReplaceAll(typ, ".", "_") // crypto.deposit, account.created
}

// checkWebhooks renders every event the flow wrote as a Codego receiver gets it
// (codego.RenderEvent, what the dispatcher sends to a payload endpoint) and checks each
// body against its webhook in codego.json; every documented webhook must have been seen.
func checkWebhooks(t *testing.T, e *servertest.Env, doc *openapi3.T) {
	t.Helper()
	evs, err := e.Store.Read().ListEvents(context.Background(), baas.EventFilter{TenantID: e.Tenant.TenantID})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ev := range evs {
		body, err := codego.RenderEvent(ev)
		if err != nil {
			t.Fatalf("render %s: %v", ev.Type, err)
		}
		if body == nil {
			continue
		}
		name := codegoWebhook(ev.Type)
		item := doc.Webhooks[name]
		if item == nil || item.Post == nil {
			t.Errorf("%s is rendered for Codego receivers but codego.json has no webhook %q: %s", ev.Type, name, body)
			continue
		}
		seen[name] = true
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
		schema := item.Post.RequestBody.Value.Content.Get("application/json").Schema.Value
		if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsRequest()); err != nil {
			t.Errorf("%s body %s does not match webhook %s: %v", ev.Type, body, name, err)
		}
	}
	for name := range doc.Webhooks {
		if !seen[name] {
			t.Errorf("the flow wrote no event rendered as webhook %s: add one so its body is checked", name)
		}
	}
}
