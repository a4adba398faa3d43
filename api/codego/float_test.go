package codego_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// The spec's float examples' bodies.
const (
	specFloatBalance = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425"}`
	specFloatTrxs    = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","start_date":"","end_date":""}`
	specFloatTrx     = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425"}`
)

// floatTrx returns the movements a float listing answers, checking the envelope and
// that every movement has the example's eight fields, as strings.
func floatTrx(t *testing.T, r *servertest.Response) []map[string]any {
	t.Helper()
	wantOK(t, r, "1")
	var out []map[string]any
	for _, x := range r.JSON["transactions"].([]any) {
		m := allStrings(t, "float movement", x)
		if len(m) != 8 || m["currency_name"] != "EUR" || m["domain_name"] != "test" {
			t.Fatalf("float movement: %v", m)
		}
		out = append(out, m)
	}
	return out
}

func TestFloat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		clock := servertest.NewClock(t0)
		e := servertest.StartClock(t, engine, clock)
		c := e.CodegoLogin(t, e.Tenant)
		ctx := baas.WithTenant(context.Background(), e.Tenant.TenantID)
		opening := core.DefaultConfig().SandboxMasterBalance

		// The float's movements: the sandbox opening balance (t0), an operator funding
		// (a day later), a load of a user's account from the float (two days later), a
		// crypto deposit to the whitelabel's own wallet (in April).
		clock.Add(24 * time.Hour)
		if r := e.Admin(t, "POST", "/admin/api/tenants/"+e.Tenant.TenantID+"/fund", map[string]any{"amount": 2000, "currency": "EUR"}); r.Status != 201 {
			t.Fatalf("fund: %s", r.Raw)
		}
		clock.Add(24 * time.Hour)
		c = e.CodegoLogin(t, e.Tenant) // the token lives 30 minutes
		uid := signup(t, c, "float@example.com")
		number, _ := strconv.ParseInt(accountDetail(t, c, uid)["account_number"].(string), 10, 64)
		if _, _, err := e.Core.CashIn(ctx, core.CashInParams{AccountNumber: number, Amount: 1234, Message: "account load"}); err != nil {
			t.Fatal(err)
		}
		clock.Add(18 * 24 * time.Hour)
		w, err := e.Core.GenerateWallet(ctx, core.GenerateWalletParams{Coin: "usdt", Network: "trc-20"})
		if err != nil {
			t.Fatal(err)
		}
		if r := e.Admin(t, "POST", "/admin/api/sandbox/crypto-deposits", map[string]any{"address": w.Address, "amount": "100"}); r.Status != 201 {
			t.Fatalf("deposit: %s", r.Raw)
		}

		c = e.CodegoLogin(t, e.Tenant)

		// The balance, the spec's body: "status":"1", the EUR float.
		r := c.Raw(t, "admin_float_balance", specBody(c, specFloatBalance), "application/json")
		wantOK(t, r, "1")
		want := money.Format(opening+2000-1234+9108, "EUR")
		if r.JSON["float_wallet"] != want || r.JSON["currency"] != "EUR" || len(r.JSON) != 3 {
			t.Fatalf("float balance: %s, want %s", r.Raw, want)
		}

		// Every movement, newest first, the spec's body (blank dates: all of them).
		all := floatTrx(t, c.Raw(t, "admin_float_trxs", specBody(c, specFloatTrxs), "application/json"))
		wantRows := []struct{ typ, amount, created, admin string }{
			{"credit", "91.08", "2025-04-03 09:30:00", "api"},
			{"debit", "12.34", "2025-03-16 09:30:00", "api"},
			{"credit", "20.00", "2025-03-15 09:30:00", "operator"},
			{"credit", money.Format(opening, "EUR"), "2025-03-14 09:30:00", "operator"},
		}
		if len(all) != len(wantRows) {
			t.Fatalf("%d movements: %v", len(all), all)
		}
		for i, w := range wantRows {
			m := all[i]
			if m["type"] != w.typ || m["float_amount"] != w.amount || m["created"] != w.created || m["admin_name"] != w.admin ||
				m["unique_id"] == "" || m["description"] == "" {
				t.Fatalf("movement %d: %v, want %+v", i, m, w)
			}
		}
		if all[0]["description"] != "crypto deposit of 100.00000000 usdt (trc-20)" {
			t.Fatalf("description: %v", all[0])
		}
		// The deprecated endpoint, its spec body: every movement too.
		if got := floatTrx(t, c.Raw(t, "admin_float_trx", specBody(c, specFloatTrx), "application/json")); jsonOf(got) != jsonOf(all) {
			t.Fatalf("admin_float_trx: %v", got)
		}

		count := func(name string, body map[string]any) int {
			t.Helper()
			return len(floatTrx(t, c.Post(t, name, body)))
		}
		for _, x := range []struct {
			name string
			body map[string]any
			want int
		}{
			{"admin_float_trxs", map[string]any{"start_date": "2025-03-15", "end_date": "2025-03-16"}, 2},
			{"admin_float_trxs", map[string]any{"start_date": "2025-03-15", "end_date": "2025-03-15"}, 1},
			{"admin_float_trxs", map[string]any{"start_date": "2025-03-15"}, 3},
			{"admin_float_trxs", map[string]any{"end_date": "2025-03-14"}, 1},
			{"admin_float_trxs", map[string]any{"start_date": "", "end_date": "", "trans_type": "debit"}, 1},
			{"admin_float_trxs", map[string]any{"trans_type": "credit"}, 3},
			{"admin_float_trxs", map[string]any{"trans_type": "all"}, 4},
			{"admin_float_trxs", map[string]any{"start_date": "2025-05-01"}, 0},
			{"admin_float_trx", map[string]any{"month": "03", "year": "2025"}, 3},
			{"admin_float_trx", map[string]any{"month": "4", "year": "2025", "trans_type": "credit"}, 1},
			{"admin_float_trx", map[string]any{"month": "03", "year": "2025", "trans_type": "debit"}, 1},
			{"admin_float_trx", map[string]any{"year": "2025"}, 4},
			{"admin_float_trx", map[string]any{"month": "02", "year": "2025"}, 0},
		} {
			if got := count(x.name, x.body); got != x.want {
				t.Fatalf("%s %v: %d movements, want %d", x.name, x.body, got, x.want)
			}
		}

		// Dates that do not parse, an end before the start, an unknown type: 400.
		for _, x := range []struct {
			name string
			body map[string]any
			msg  string
		}{
			{"admin_float_trxs", map[string]any{"start_date": "2025-13-01"}, "start date should be a date (YYYY-mm-dd)"},
			{"admin_float_trxs", map[string]any{"start_date": "15/03/2025"}, "start date should be a date"},
			{"admin_float_trxs", map[string]any{"end_date": "2025-02-30"}, "end date should be a date"},
			{"admin_float_trxs", map[string]any{"start_date": "2025-03-16", "end_date": "2025-03-15"}, "end date should be greater than equal to start date"},
			{"admin_float_trxs", map[string]any{"trans_type": "refund"}, "trans_type possible values : all or credit or debit"},
			{"admin_float_trx", map[string]any{"month": "13", "year": "2025"}, "month of transactions should be MM"},
			{"admin_float_trx", map[string]any{"month": "03"}, "year of transactions should be YYYY"},
			{"admin_float_trx", map[string]any{"month": "03", "year": "25"}, "year of transactions should be YYYY"},
			{"admin_float_trx", map[string]any{"trans_type": "x"}, "trans_type possible values"},
		} {
			wantCode(t, c.Post(t, x.name, x.body), 400, x.msg)
		}

		// Another whitelabel sees its own float only.
		oc := e.CodegoLogin(t, e.NewTenant(t))
		r = oc.Post(t, "admin_float_balance", nil)
		if r.JSON["float_wallet"] != money.Format(opening, "EUR") {
			t.Fatalf("another whitelabel's float: %s", r.Raw)
		}
		if n := len(oc.Post(t, "admin_float_trxs", nil).JSON["transactions"].([]any)); n != 1 {
			t.Fatalf("another whitelabel's movements: %d", n)
		}
	})
}
