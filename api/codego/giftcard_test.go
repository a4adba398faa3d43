package codego_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/codego"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/webhook"
)

// specGiftcardBodies are the gift-card examples' --data-raw bodies, verbatim.
var specGiftcardBodies = map[string]string{
	"virtual_giftcard_fee":     `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","type":"order","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4="}`,
	"hs_virtual_giftcard_fee":  `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","type":"order","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4="}`,
	"us_virtual_giftcard_fee":  `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","type":"order","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4="}`,
	"generate_virtual_card":    `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","amount":"10"}`,
	"hs_generate_virtual_card": `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","amount":"10","mobile_number":"39-1234567890"}`,
	"us_generate_virtual_card": `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","amount":"10","mobile_number":"39-1234567890"}`,
	"get_giftcard_detail":      `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","access_code":"WERD-WEXS-SWAA-ONSW","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
	"hs_get_giftcard_detail":   `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","access_code":"WERD-WEXS-SWAA-ONSW","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
	"us_get_giftcard_detail":   `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","access_code":"WERD-WEXS-SWAA-ONSW","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
	"get_giftcard_transaction": `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
	"block_gift_card":          `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
	"hs_block_gift_card":       `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
	"hs_unblock_gift_card":     `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
	"us_block_gift_card":       `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
	"getAllGiftcard":           `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4="}`,
	"getByUserGiftcard":        `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4="}`,
}

// giftSpec sends a gift-card example's body with the client's keys and fields in place of
// the example's (the body's other fields and their JSON types are kept).
func giftSpec(t *testing.T, c *servertest.Codego, name string, fields map[string]any) *servertest.Response {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(specBody(c, specGiftcardBodies[name]), &body); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		if _, ok := body[k]; !ok {
			t.Fatalf("%s: the example has no %s", name, k)
		}
		body[k] = v
	}
	return c.Raw(t, name, body, "application/json")
}

var (
	accessCodeRe = regexp.MustCompile(`^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$`)
	giftMaskRe   = regexp.MustCompile(`^XXXX XXXX XXXX [0-9]{4}$`)
)

// issue generates a gift card with the example's body and returns its card_id and
// access_code.
func issue(t *testing.T, c *servertest.Codego, name, uid, amount string) (cardID, code string) {
	t.Helper()
	r := giftSpec(t, c, name, map[string]any{"user_id": uid, "amount": amount})
	wantOK(t, r, "1")
	m := allStrings(t, name, r.JSON)
	if len(m) != 4 || !accessCodeRe.MatchString(m["access_code"].(string)) || !servertestUUID(m["card_id"].(string)) ||
		m["message"] != "Giftcard issued successfully. After 1 minute you will get details of card." {
		t.Fatalf("%s: %s", name, r.Raw)
	}
	return m["card_id"].(string), m["access_code"].(string)
}

func servertestUUID(s string) bool { return core.ValidCardID(s) }

// purchase pays amount cents with a gift card through the sandbox card network.
func purchase(t *testing.T, e *servertest.Env, cardID string, amount int64) map[string]any {
	t.Helper()
	r := adminOK(t, e, "POST", "/admin/api/sandbox/cards/"+cardID+"/transactions",
		map[string]any{"type": "purchase", "amount": amount, "currency": "EUR", "merchant_name": "CORNER GROCERY"})
	return r.JSON
}

func floatCents(t *testing.T, c *servertest.Codego) int64 {
	t.Helper()
	r := c.Post(t, "admin_float_balance", nil)
	wantOK(t, r, "1")
	return cents(t, r.JSON["float_wallet"].(string))
}

func cents(t *testing.T, s string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(s, ".")
	return int64(atoi(t, whole))*100 + int64(atoi(t, (frac + "00")[:2]))
}

// TestGiftcards replays the spec's body of every gift-card API on all three products,
// with the float, the fees, the one-time details, purchases through the sandbox card
// network, blocks, the webhooks' bodies, bad input and a reconciliation of the ledger.
func TestGiftcards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		clock := servertest.NewClock(t0)
		e := servertest.StartWith(t, engine, servertest.Options{Now: clock.Now, CodegoRateLimit: -1,
			Config: func(c *core.Config) { c.SandboxMasterBalance = 50_000; c.GiftcardDetailsDelay = time.Minute }})
		c := e.CodegoLogin(t, e.Tenant)
		tenantID := e.Tenant.TenantID
		uid := signup(t, c, "gift@example.com")
		other := signup(t, c, "other@example.com")
		start := floatCents(t, c)
		if start != 50_000 {
			t.Fatalf("float %d", start)
		}

		// Fees: the spec's values and formats.
		for name, want := range map[string][3]string{
			"virtual_giftcard_fee":    {"€10.00", "€1.00", "0.65%"},
			"hs_virtual_giftcard_fee": {"5.00 EUR", "1.00 EUR", "2.00%"},
			"us_virtual_giftcard_fee": {"5.00 EUR", "1.00 EUR", "2.00%"},
		} {
			r := giftSpec(t, c, name, map[string]any{"user_id": uid})
			wantOK(t, r, "1")
			if m := allStrings(t, name, r.JSON); len(m) != 4 || m["issue_virtual_gift_card_fee"] != want[0] ||
				m["loadcard_fee_fixed"] != want[1] || m["loadcard_fee_percentage"] != want[2] {
				t.Fatalf("%s: %s", name, r.Raw)
			}
		}
		if !strings.Contains(string(giftSpec(t, c, "virtual_giftcard_fee", map[string]any{"user_id": uid}).Raw), `\u20ac10.00`) &&
			!strings.Contains(string(giftSpec(t, c, "virtual_giftcard_fee", map[string]any{"user_id": uid}).Raw), `€10.00`) {
			t.Fatal("the euro sign")
		}

		// A standard card of €100.00: the fee €11.65, the float debited €111.65 in one
		// movement with the spec's description.
		std, stdCode := issue(t, c, "generate_virtual_card", uid, "100")
		const desc = "Generate virtual gift card costs is €10.00 and Load amount is €100.00. The total fee is €11.65"
		if got := floatCents(t, c); got != start-11165 {
			t.Fatalf("float after the issue: %d", got)
		}
		mv := floatTrx(t, c.Post(t, "admin_float_trxs", map[string]any{"trans_type": "debit"}))
		if len(mv) != 1 || mv[0]["float_amount"] != "111.65" || mv[0]["type"] != "debit" || mv[0]["description"] != desc {
			t.Fatalf("float movements: %v", mv)
		}

		// The operator funds the float: a credit among the issues.
		adminOK(t, e, "POST", "/admin/api/tenants/"+tenantID+"/fund", map[string]any{"amount": 10_000, "currency": "EUR"})
		const funded = 10_000

		// Details: not before the delay; then the full data once; masked afterwards.
		r := giftSpec(t, c, "get_giftcard_detail", map[string]any{"user_id": uid, "card_id": std, "access_code": stdCode})
		wantOK(t, r, "1")
		if m := allStrings(t, "detail", r.JSON); len(m) != 4 || !giftMaskRe.MatchString(m["card_number"].(string)) ||
			m["balance"] != "0" || m["message"] != "You will get detail of card after one minute" {
			t.Fatalf("details before the delay: %s", r.Raw)
		}
		wantCode(t, giftSpec(t, c, "get_giftcard_detail", map[string]any{"user_id": uid, "card_id": std}), 400,
			"(access_code) cannot be blank or invalid")
		clock.Add(time.Minute)
		c = e.CodegoLogin(t, e.Tenant)
		wantCode(t, giftSpec(t, c, "get_giftcard_detail", map[string]any{"user_id": uid, "card_id": std,
			"access_code": "AAAA-AAAA-AAAA-AAAA"}), 400, "(access_code) cannot be blank or invalid")
		r = giftSpec(t, c, "get_giftcard_detail", map[string]any{"user_id": uid, "card_id": std, "access_code": stdCode})
		wantOK(t, r, "1")
		pan, cvv, month, year := sandboxData(t, e, std)
		if m := allStrings(t, "detail", r.JSON); len(m) != 6 || m["card_number"] != pan || m["cvv"] != cvv ||
			m["expiry_date"] != twoDigits(month)+"/"+twoDigits(year%100) || m["balance"] != "100.00" {
			t.Fatalf("the details' delivery: %s", r.Raw)
		}
		r = giftSpec(t, c, "get_giftcard_detail", map[string]any{"user_id": uid, "card_id": std, "access_code": stdCode})
		if m := allStrings(t, "detail", r.JSON); len(m) != 4 || m["card_number"] != "XXXX XXXX XXXX "+pan[len(pan)-4:] ||
			m["balance"] != "100.00" || strings.Contains(string(r.Raw), cvv+`"`) {
			t.Fatalf("details after the delivery: %s", r.Raw)
		}

		// A purchase through the sandbox card network spends the card's own balance.
		if p := purchase(t, e, std, 2550); p["status"] != "approved" {
			t.Fatalf("purchase: %v", p)
		}
		r = giftSpec(t, c, "get_giftcard_transaction", map[string]any{"user_id": uid, "card_id": std})
		wantOK(t, r, "1")
		if r.JSON["BalanceAvail"] != "74.50" || !giftMaskRe.MatchString(r.JSON["card_number"].(string)) {
			t.Fatalf("transactions: %s", r.Raw)
		}
		trx := r.JSON["trx"].([]any)
		first, second := allStrings(t, "trx", trx[0]), allStrings(t, "trx", trx[1])
		if len(trx) != 2 || len(first) != 5 || first["amount"] != "100.00" || first["currency"] != "EUR" ||
			first["description"] != "Loaded 100.00 in your card (100EUR)" || second["amount"] != "-25.50" ||
			second["description"] != "CORNER GROCERY (25.50EUR)" {
			t.Fatalf("transactions: %s", r.Raw)
		}

		// HS and US with their examples' bodies (€10.00: a fee of 5 + 1 + 0.20).
		hs, hsCode := issue(t, c, "hs_generate_virtual_card", uid, "10")
		us, usCode := issue(t, c, "us_generate_virtual_card", uid, "10")
		if got := floatCents(t, c); got != start+funded-11165-1620-1620 {
			t.Fatalf("float after three issues: %d", got)
		}
		clock.Add(time.Minute)
		c = e.CodegoLogin(t, e.Tenant)
		for name, x := range map[string][2]string{"hs_get_giftcard_detail": {hs, hsCode}, "us_get_giftcard_detail": {us, usCode}} {
			r := giftSpec(t, c, name, map[string]any{"user_id": uid, "card_id": x[0], "access_code": x[1]})
			if m := allStrings(t, name, r.JSON); len(m) != 6 || m["balance"] != "10.00" || len(m["card_number"].(string)) != 16 {
				t.Fatalf("%s: %s", name, r.Raw)
			}
			// Another user's card_id, another product's API: not found.
			wantCode(t, giftSpec(t, c, name, map[string]any{"user_id": other, "card_id": x[0], "access_code": x[1]}), 404, "")
			wantCode(t, giftSpec(t, c, name, map[string]any{"user_id": uid, "card_id": std, "access_code": stdCode}), 404, "")
		}

		// Blocks: a blocked card declines and keeps its balance; HS unblocks.
		r = giftSpec(t, c, "block_gift_card", map[string]any{"user_id": uid, "card_id": std})
		if wantOK(t, r, "1"); r.JSON["message"] != "card blocked." {
			t.Fatalf("block: %s", r.Raw)
		}
		if p := purchase(t, e, std, 100); p["status"] != "declined" {
			t.Fatalf("a blocked card paid: %v", p)
		}
		r = giftSpec(t, c, "hs_block_gift_card", map[string]any{"user_id": uid, "card_id": hs})
		if wantOK(t, r, "1"); r.JSON["message"] != "Card is blocked successfully." {
			t.Fatalf("hs block: %s", r.Raw)
		}
		if p := purchase(t, e, hs, 100); p["status"] != "declined" {
			t.Fatalf("a blocked HS card paid: %v", p)
		}
		r = giftSpec(t, c, "hs_unblock_gift_card", map[string]any{"user_id": uid, "card_id": hs})
		if wantOK(t, r, "1"); r.JSON["message"] != "Card is active successfully." {
			t.Fatalf("hs unblock: %s", r.Raw)
		}
		if p := purchase(t, e, hs, 399); p["status"] != "approved" {
			t.Fatalf("an unblocked HS card: %v", p)
		}
		if p := purchase(t, e, us, 1001); p["status"] != "declined" {
			t.Fatalf("beyond the balance: %v", p)
		}
		r = giftSpec(t, c, "us_block_gift_card", map[string]any{"user_id": uid, "card_id": us})
		if wantOK(t, r, "1"); r.JSON["message"] != "Card is blocked successfully." {
			t.Fatalf("us block: %s", r.Raw)
		}

		// The lists: the whitelabel's and the user's, the example's fields.
		for _, name := range []string{"getAllGiftcard", "getByUserGiftcard"} {
			r := giftSpec(t, c, name, map[string]any{"user_id": uid})
			wantOK(t, r, float64(1))
			cards := r.JSON["cards"].([]any)
			if len(cards) != 3 {
				t.Fatalf("%s: %s", name, r.Raw)
			}
			m := allStrings(t, name, cards[0])
			if len(m) != 11 || m["unique_id"] != std || m["loaded_amount"] != "100.00" || m["fee"] != "11.65" ||
				m["total_pay"] != "111.65" || m["description"] != desc || m["balance"] != "74.50" ||
				m["card_status"] != "Blocked" || !giftMaskRe.MatchString(m["card_number"].(string)) ||
				!regexp.MustCompile(`^[0-9]{2}/[0-9]{4}$`).MatchString(m["expiry_date"].(string)) {
				t.Fatalf("%s: %v", name, m)
			}
			if hsEntry := allStrings(t, name, cards[1]); hsEntry["card_status"] != "You have read " || hsEntry["balance"] != "6.01" {
				t.Fatalf("%s: the HS card: %v", name, hsEntry)
			}
		}
		r = giftSpec(t, c, "getByUserGiftcard", map[string]any{"user_id": other})
		if wantOK(t, r, float64(1)); len(r.JSON["cards"].([]any)) != 0 {
			t.Fatalf("another user's list: %s", r.Raw)
		}

		// The gift-card webhooks: card_id, balance, the latest five movements.
		for i := range 5 {
			if p := purchase(t, e, hs, int64(10+i)); p["status"] != "approved" {
				t.Fatalf("purchase %d: %v", i, p)
			}
		}
		evs, err := e.Store.Read().ListEvents(context.Background(), baas.EventFilter{TenantID: tenantID, Type: "hs_giftcard.updated"})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 7 { // the issue and six purchases
			t.Fatalf("%d HS balance events", len(evs))
		}
		last := evs[0]
		for _, ev := range evs {
			if ev.ID > last.ID {
				last = ev
			}
		}
		body, err := codego.RenderEvent(last)
		if err != nil {
			t.Fatal(err)
		}
		var hook struct {
			Status  int              `json:"status"`
			CardID  string           `json:"card_id"`
			Balance string           `json:"balance"`
			Trx     []map[string]any `json:"trx"`
		}
		if err := json.Unmarshal(body, &hook); err != nil {
			t.Fatal(err)
		}
		var keys map[string]any
		_ = json.Unmarshal(body, &keys)
		if len(keys) != 4 || hook.Status != 1 || hook.CardID != hs || hook.Balance != "5.41" || len(hook.Trx) != 5 ||
			hook.Trx[4]["amount"] != "-0.14" || hook.Trx[0]["amount"] != "-0.10" || len(hook.Trx[0]) != 5 {
			t.Fatalf("HS webhook: %s", body)
		}
		std0, _ := e.Store.Read().ListEvents(context.Background(), baas.EventFilter{TenantID: tenantID, Type: "giftcard.updated"})
		if len(std0) != 2 { // the issue and one purchase; the declined one moved nothing
			t.Fatalf("%d standard balance events", len(std0))
		}

		// Bad input: each refused with the Codego error and no money moved.
		before := floatCents(t, c)
		for _, x := range []struct {
			name   string
			fields map[string]any
			code   int
			msg    string
		}{
			{"generate_virtual_card", map[string]any{"user_id": uid, "amount": "0"}, 400, "amount must be between 1.00 and 5000.00 EUR"},
			{"generate_virtual_card", map[string]any{"user_id": uid, "amount": "-5"}, 400, "amount must be a positive amount"},
			{"generate_virtual_card", map[string]any{"user_id": uid, "amount": "ten"}, 400, "amount must be a positive amount"},
			{"generate_virtual_card", map[string]any{"user_id": uid, "amount": "5000.01"}, 400, "amount must be between"},
			{"generate_virtual_card", map[string]any{"user_id": uid, "amount": "10.001"}, 400, "amount must be a positive amount"},
			{"generate_virtual_card", map[string]any{"user_id": "nobody", "amount": "10"}, 404, ""},
			{"hs_generate_virtual_card", map[string]any{"user_id": uid, "amount": "10", "mobile_number": ""}, 400, "mobile_number"},
			{"hs_generate_virtual_card", map[string]any{"user_id": uid, "amount": "10", "mobile_number": "call me"}, 400, "mobile_number"},
			{"hs_generate_virtual_card", map[string]any{"user_id": uid, "amount": "500", "mobile_number": "39-1234567890"}, 0, "float"},
			{"us_generate_virtual_card", map[string]any{"user_id": uid, "amount": "5000.01", "mobile_number": "39-1234567890"}, 400, "amount must be between"},
			{"block_gift_card", map[string]any{"user_id": other, "card_id": std}, 404, ""},
			{"get_giftcard_transaction", map[string]any{"user_id": other, "card_id": std}, 404, ""},
			{"get_giftcard_transaction", map[string]any{"user_id": uid, "card_id": "GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}, 404, ""},
			{"hs_unblock_gift_card", map[string]any{"user_id": uid, "card_id": us}, 404, ""},
		} {
			wantCode(t, giftSpec(t, c, x.name, x.fields), x.code, x.msg)
		}
		// The debit and prepaid card APIs do not serve gift cards.
		wantCode(t, spec(t, c, "replace_stolen_card", map[string]any{"user_id": uid, "card_id": hs}), 404, "")
		wantCode(t, spec(t, c, "reset_card_pin", map[string]any{"user_id": uid, "card_id": hs}), 404, "")
		wantCode(t, spec(t, c, "prepaid_load_balance_card", map[string]any{"user_id": uid, "card_id": hs, "amount": 10}), 404, "")
		if got := floatCents(t, c); got != before {
			t.Fatalf("refusals moved the float: %d → %d", before, got)
		}
		// Another whitelabel sees none of it.
		oc := e.CodegoLogin(t, e.NewTenant(t))
		ouid := signup(t, oc, "gift@example.com")
		wantCode(t, giftSpec(t, oc, "get_giftcard_transaction", map[string]any{"user_id": ouid, "card_id": std}), 404, "")
		if r := giftSpec(t, oc, "getAllGiftcard", nil); len(r.JSON["cards"].([]any)) != 0 {
			t.Fatalf("another whitelabel's list: %s", r.Raw)
		}

		// The operator's fees: a percentage only, rounded half up (0.35 % of €50.00 is
		// €0.175: €0.18).
		if r := e.Admin(t, "PUT", "/admin/api/tenants/"+tenantID+"/fees", map[string]any{"product": "codego-giftcard",
			"issue_fee": 0, "load_fee_fixed": 0, "load_fee_percent_bp": 35}); r.Status != 200 || r.JSON["load_fee_percent_bp"] != float64(35) {
			t.Fatalf("PUT fees: %d %s", r.Status, r.Raw)
		}
		for _, bad := range []map[string]any{
			{"product": "codego-giftcard", "issue_fee": 0, "load_fee_fixed": 0, "load_fee_percent_bp": 10001},
			{"product": "codego-giftcard", "issue_fee": -1, "load_fee_fixed": 0, "load_fee_percent_bp": 1},
			{"product": "codego-giftcard", "issue_fee": 0, "load_fee_percent_bp": 1},
			{"product": "codego-giftcard", "issue_fee": "1", "load_fee_fixed": 0, "load_fee_percent_bp": 1},
		} {
			if r := e.Admin(t, "PUT", "/admin/api/tenants/"+tenantID+"/fees", bad); r.Status != 400 {
				t.Fatalf("PUT fees %v: %d %s", bad, r.Status, r.Raw)
			}
		}
		if r := e.Admin(t, "PUT", "/admin/api/tenants/"+tenantID+"/fees", map[string]any{"product": "nope",
			"issue_fee": 0, "load_fee_fixed": 0, "load_fee_percent_bp": 1}); r.Status != 404 {
			t.Fatalf("unknown product: %d %s", r.Status, r.Raw)
		}
		r = giftSpec(t, c, "virtual_giftcard_fee", map[string]any{"user_id": uid})
		if r.JSON["issue_virtual_gift_card_fee"] != "€0.00" || r.JSON["loadcard_fee_percentage"] != "0.35%" {
			t.Fatalf("fees after the change: %s", r.Raw)
		}
		cheap, _ := issue(t, c, "generate_virtual_card", uid, "50")
		mv = floatTrx(t, c.Post(t, "admin_float_trxs", map[string]any{"trans_type": "debit"}))
		if mv[0]["float_amount"] != "50.18" ||
			mv[0]["description"] != "Generate virtual gift card costs is €0.00 and Load amount is €50.00. The total fee is €0.18" {
			t.Fatalf("the cheaper issue: %v", mv[0])
		}
		fees := adminOK(t, e, "GET", "/admin/api/tenants/"+tenantID+"/fees", nil).JSON["fees"].([]any)
		if len(fees) != 3 || fees[0].(map[string]any)["default"] != false || fees[1].(map[string]any)["default"] != true {
			t.Fatalf("GET fees: %v", fees)
		}
		_ = cheap

		// Reconciliation: the float's fall is exactly the fee revenue, what the gift
		// cards hold and what they spent at the network.
		bal := balances(t, e, tenantID)
		spent := int64(2550 + 399 + 10 + 11 + 12 + 13 + 14)
		if got := start + funded - bal["master/EUR"]; got != bal["fees/EUR"]+bal["giftcard/EUR"]+spent {
			t.Fatalf("float %d fell by %d; fees %d + gift cards %d + spent %d", bal["master/EUR"], got, bal["fees/EUR"],
				bal["giftcard/EUR"], spent)
		}
		if bal["fees/EUR"] != 1165+620+620+18 || bal["giftcard/EUR"] != 7450+541+1000+5000 {
			t.Fatalf("balances: %v", bal)
		}
		if got := floatCents(t, c); got != bal["master/EUR"] || money.Format(got, "EUR") == "" {
			t.Fatalf("float %d, ledger %d", got, bal["master/EUR"])
		}
	})
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }

// TestGiftcardWebhookDelivery delivers the HS gift-card webhook through the real
// dispatcher to an endpoint in the payload format: the spec's bare body, with the
// event-request-key header.
func TestGiftcardWebhookDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		e := servertest.StartWith(t, engine, servertest.Options{CodegoRateLimit: -1})
		c := e.CodegoLogin(t, e.Tenant)
		uid := signup(t, c, "hook@example.com")
		type hit struct {
			key  string
			body []byte
		}
		hits := make(chan hit, 16)
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			hits <- hit{r.Header.Get("event-request-key"), b}
		}))
		t.Cleanup(rc.Close)
		sec, err := e.Core.CreateWebhookEndpoint(context.Background(), core.CreateWebhookEndpointParams{
			TenantID: e.Tenant.TenantID, URL: rc.URL, EventTypes: []string{"giftcard.updated", "hs_giftcard.updated"},
			Format: baas.WebhookPayload})
		if err != nil {
			t.Fatal(err)
		}
		d, err := webhook.NewDispatcher(e.Core, webhook.Config{PollInterval: 10 * time.Millisecond, Jitter: -1,
			Schedule: []time.Duration{20 * time.Millisecond}, Render: codego.RenderEvent}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = d.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })

		hs, _ := issue(t, c, "hs_generate_virtual_card", uid, "10")
		purchase(t, e, hs, 92)
		var got []hit
		for len(got) < 2 {
			select {
			case h := <-hits:
				got = append(got, h)
			case <-time.After(20 * time.Second):
				t.Fatalf("%d webhooks delivered", len(got))
			}
		}
		for i, h := range got {
			if h.key != sec.EventRequestKey {
				t.Fatalf("event-request-key %q", h.key)
			}
			var m map[string]any
			if err := json.Unmarshal(h.body, &m); err != nil || len(m) != 4 || m["status"] != float64(1) || m["card_id"] != hs {
				t.Fatalf("webhook %d: %s", i, h.body)
			}
			if i == 1 && (m["balance"] != "9.08" || len(m["trx"].([]any)) != 2) {
				t.Fatalf("webhook after the purchase: %s", h.body)
			}
		}
	})
}

// TestGiftcardDetailsOnce asks for a gift card's details from several clients at once:
// exactly one gets the number, expiry and CVV.
func TestGiftcardDetailsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		e := servertest.StartWith(t, engine, servertest.Options{CodegoRateLimit: -1})
		c := e.CodegoLogin(t, e.Tenant)
		uid := signup(t, c, "once@example.com")
		card, code := issue(t, c, "us_generate_virtual_card", uid, "25.5")
		k := baas.CustomerKey{Ref: httpx.NormalizeRef(uid)}
		ctx := baas.WithTenant(context.Background(), e.Tenant.TenantID)
		const n = 8
		got := make(chan bool, n)
		errs := make(chan error, n)
		for range n {
			go func() {
				d, err := e.Core.GiftcardDetails(ctx, k, core.GiftcardUS, card, code)
				if err != nil {
					errs <- err
					return
				}
				got <- d.Data != nil
			}()
		}
		full := 0
		for range n {
			select {
			case err := <-errs:
				t.Fatal(err)
			case g := <-got:
				if g {
					full++
				}
			}
		}
		if full != 1 {
			t.Fatalf("%d of %d calls got the card's data", full, n)
		}
	})
}
