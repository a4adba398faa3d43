package console_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/console"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
)

// The volume of BenchmarkPages: what issue #19 asks every console page to be fast with.
const (
	volCustomers = 10_000
	volCards     = 20_000  // two per customer account
	volPostings  = 200_000 // ledger entries: 100,000 transfers of two postings
	volTenants   = 300     // besides the one that holds the volume: the tenant list pages
	volKYC       = 2_000   // pending documents in the review queue
	volEvents    = 10_000  // events, each delivered to one endpoint
	volCardTxns  = 60      // sandbox purchases on the card whose page is measured
	heavyEntries = 5_000   // postings of the one account whose page is measured
)

// maxStatements is the most SQL statements any console page may run, however many rows
// it shows. Every list shows 50 rows: a page that ran a query per row would run more. The
// most a page runs is the tenant page's fixed count, a few statements per card product of
// the catalogue.
const maxStatements = 40

// BenchmarkPages renders every console page against a store holding 10,000 customers,
// 20,000 cards and 200,000 ledger entries (seeded in bulk through the store's own
// transactions), on each store. It calls the console's handler directly, so the time per
// op is the server's time: the core's reads and the template, without the network. It
// reports the SQL statements a page runs (stmts/op) and fails when a page runs more than
// maxStatements, which a query per row would.
//
//	BAAS_TEST_POSTGRES_URL=… go test -run XXX -bench Pages -benchtime 50x ./api/console/
func BenchmarkPages(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			v := seedVolume(b, engine)
			for _, pg := range v.pages {
				b.Run(pg.name, func(b *testing.B) {
					v.serve(b, pg.path) // once outside the timing: warm caches, check the answer
					before := v.counter.Statements()
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						v.serve(b, pg.path)
					}
					b.StopTimer()
					stmts := float64(v.counter.Statements()-before) / float64(b.N)
					b.ReportMetric(stmts, "stmts/op")
					if stmts > maxStatements {
						b.Errorf("%s ran %.1f SQL statements a render; at most %d are allowed", pg.path, stmts, maxStatements)
					}
				})
			}
		})
	}
}

type volume struct {
	handler http.Handler
	cookie  *http.Cookie
	counter interface{ Statements() int64 }
	pages   []struct{ name, path string }
}

func (v *volume) serve(b *testing.B, path string) {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(v.cookie)
	rec := httptest.NewRecorder()
	v.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK && rec.Code != http.StatusSeeOther { // a search that finds an account redirects to it
		b.Fatalf("GET %s: %d %.300s", path, rec.Code, rec.Body.String())
	}
}

func seedVolume(b *testing.B, engine string) *volume {
	b.Helper()
	start := time.Now()
	store, dbURL := storetest.OpenURL(b, engine)
	svc, err := core.New(store, core.DefaultConfig(), core.NewMasterKey(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	creds, err := svc.CreateTenant(ctx, core.CreateTenantParams{Name: "volume", Sandbox: true})
	if err != nil {
		b.Fatal(err)
	}
	tid := creds.TenantID
	tctx := baas.WithTenant(ctx, tid)
	// The master account, funded: every customer account is paid from it first.
	if _, _, err := svc.FundMaster(ctx, core.FundMasterParams{TenantID: tid, Amount: 1 << 40, Currency: core.FloatCurrency,
		Description: "volume"}); err != nil {
		b.Fatal(err)
	}
	master, err := svc.MasterBalance(ctx, tid, core.FloatCurrency)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	tx := func(fn func(tx baas.Tx) error) {
		b.Helper()
		if err := store.InTx(ctx, fn); err != nil {
			b.Fatal(err)
		}
	}

	// Other tenants, for the tenant list.
	tx(func(tx baas.Tx) error {
		for i := range volTenants {
			id := uuid.NewString()
			if err := tx.CreateTenant(ctx, &baas.Tenant{ID: id, Name: fmt.Sprintf("Tenant %03d", i), CompanyID: id,
				WhitelabelID: fmt.Sprintf("wl-%d", i), Sandbox: i%2 == 0, CreatedAt: now.Add(time.Duration(i) * time.Second)}); err != nil {
				return err
			}
		}
		return nil
	})

	// Customers with one account each and two cards an account, in chunks.
	accounts := make([]*baas.Account, volCustomers)
	customers := make([]string, volCustomers)
	const chunk = 2_000
	for lo := 0; lo < volCustomers; lo += chunk {
		tx(func(tx baas.Tx) error {
			for i := lo; i < min(lo+chunk, volCustomers); i++ {
				at := now.Add(time.Duration(i-volCustomers) * time.Minute)
				c := &baas.ProfiledCustomer{Customer: baas.Customer{ID: uuid.NewString(), TenantID: tid,
					Email: fmt.Sprintf("c%05d@example.com", i), FirstName: fmt.Sprintf("First%05d", i),
					LastName: fmt.Sprintf("Last%05d", volCustomers-i), CreatedAt: at}, Ref: fmt.Sprintf("VOL%08d", i)}
				if err := tx.CreateProfiledCustomer(ctx, c); err != nil {
					return err
				}
				a := &baas.Account{TenantID: tid, CustomerID: c.ID, Kind: baas.AccountCustomer, Number: 70_000_000 + int64(i),
					Currency: core.FloatCurrency, Status: baas.AccountActive, CreatedAt: at}
				if err := tx.CreateAccount(ctx, a); err != nil {
					return err
				}
				accounts[i], customers[i] = a, c.ID
				for k := range volCards / volCustomers {
					n := i*(volCards/volCustomers) + k
					pan := fmt.Sprintf("4111110%09d", n)
					h := sha256.Sum256([]byte(pan))
					id, _ := uuid.NewV7()
					status := []baas.CardStatus{baas.CardActive, baas.CardOrdered, baas.CardAccepted, baas.CardBlocked}[n%4]
					if err := tx.CreateCard(ctx, &baas.Card{ID: id.String(), TenantID: tid, CustomerID: c.ID, AccountID: a.ID,
						Product: core.ProductGirasolVirtual, FormFactor: baas.CardVirtual, Status: status,
						NameForPrint: "VOLUME HOLDER", MaskedPAN: pan[:6] + "******" + pan[12:], Last4: pan[12:],
						ExpMonth: 12, ExpYear: now.Year() + 3, PANHash: h[:], Sealed: []byte("not a real seal"),
						CreatedAt: at, UpdatedAt: at}); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}

	// The ledger: a cash-in to every account, then transfers between customers, a share
	// of them to and from one heavy account whose page is measured.
	balances := map[int64]int64{master.ID: master.Balance}
	heavy := accounts[0]
	var transfers []*baas.Transfer
	type leg struct{ from, to *baas.Account }
	var legs []leg
	for i := range volPostings / 2 {
		var l leg
		switch {
		case i < volCustomers:
			l = leg{master, accounts[i]}
		case i%20 == 0 && i/20 <= heavyEntries: // heavyEntries postings on the heavy account
			l = leg{accounts[1+i%(volCustomers-1)], heavy}
		default:
			l = leg{accounts[1+i%(volCustomers-1)], accounts[1+(i*7)%(volCustomers-1)]}
		}
		legs = append(legs, l)
		transfers = append(transfers, &baas.Transfer{TenantID: tid, Kind: baas.TransferP2P,
			Description: "volume <b>transfer</b> " + strconv.Itoa(i), CreatedAt: now.Add(time.Duration(i) * time.Millisecond)})
	}
	const tchunk = 2_000
	for lo := 0; lo < len(transfers); lo += tchunk {
		ts := transfers[lo:min(lo+tchunk, len(transfers))]
		tx(func(tx baas.Tx) error { return tx.InsertTransfers(ctx, ts) })
		var ps []baas.Posting
		for j, t := range ts {
			l := legs[lo+j]
			amt := int64(100 + (lo+j)%900)
			if l.from.Kind == baas.AccountCustomer && balances[l.from.ID] < amt {
				amt = 1 // keep customers above zero
			}
			balances[l.from.ID] -= amt
			balances[l.to.ID] += amt
			ps = append(ps,
				baas.Posting{TransferID: t.ID, AccountID: l.from.ID, Currency: core.FloatCurrency, Amount: -amt, BalanceAfter: balances[l.from.ID]},
				baas.Posting{TransferID: t.ID, AccountID: l.to.ID, Currency: core.FloatCurrency, Amount: amt, BalanceAfter: balances[l.to.ID]})
		}
		tx(func(tx baas.Tx) error { return tx.InsertAllPostings(ctx, ps) })
	}
	all := append([]*baas.Account{master}, accounts...)
	for _, a := range all {
		a.Balance = balances[a.ID]
	}
	for lo := 0; lo < len(all); lo += 400 {
		tx(func(tx baas.Tx) error { return tx.SaveBalances(ctx, all[lo:min(lo+400, len(all))]) })
	}

	// Pending KYC documents.
	tx(func(tx baas.Tx) error {
		for i := range volKYC {
			d := &baas.KYCDocument{TenantID: tid, CustomerID: customers[i], Type: 1, Number: fmt.Sprintf("X%07d", i),
				Status: baas.KYCPending, CreatedAt: now.Add(time.Duration(i) * time.Second),
				Images: []baas.KYCImage{{Side: "front", ContentType: "image/png", Width: 1, Height: 1, Size: 4, SHA256: "00", Data: []byte("png!")}}}
			if err := tx.InsertKYCDocument(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})

	// A webhook endpoint and the deliveries of volEvents events.
	if _, err := svc.CreateWebhookEndpoint(ctx, core.CreateWebhookEndpointParams{TenantID: tid,
		URL: "https://hooks.example.com/baas"}); err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < volEvents; lo += chunk {
		tx(func(tx baas.Tx) error {
			var es []*baas.Event
			for i := lo; i < min(lo+chunk, volEvents); i++ {
				es = append(es, &baas.Event{TenantID: tid, Type: "account.created", ObjectID: customers[i%volCustomers],
					Payload: json.RawMessage(`{"n":` + strconv.Itoa(i) + `}`), CreatedAt: now})
			}
			return tx.RecordEvents(ctx, es)
		})
	}

	// One real card with sandbox purchases, through the core.
	buyer, _, err := svc.CreateAccount(tctx, core.CreateAccountParams{Email: "buyer@example.com", Handle: "buyer", FirstName: "Volume", LastName: "Buyer"})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := svc.CashIn(tctx, core.CashInParams{AccountNumber: buyer.Account.Number, Amount: 1_000_000}); err != nil {
		b.Fatal(err)
	}
	card, _, err := svc.CreateCard(tctx, core.CreateCardParams{AccountNumber: buyer.Account.Number,
		Product: core.ProductGirasolVirtual, NameForPrint: "VOLUME BUYER"})
	if err != nil {
		b.Fatal(err)
	}
	for range volCardTxns {
		if _, err := svc.SandboxCardTransaction(ctx, core.SandboxTxnParams{CardID: card.ID, Type: baas.CardTxnPurchase,
			Amount: 150, Currency: core.FloatCurrency, MerchantName: "Volume <Shop>"}); err != nil {
			b.Fatal(err)
		}
	}
	deliveries, err := svc.ListDeliveries(ctx, baas.DeliveryFilter{TenantID: tid, Limit: 1})
	if err != nil || len(deliveries) == 0 {
		b.Fatalf("deliveries: %v %v", deliveries, err)
	}
	docs, err := svc.ListKYCDocuments(ctx, baas.KYCFilter{Status: baas.KYCPending, Limit: 1})
	if err != nil || len(docs) == 0 {
		b.Fatalf("kyc: %v %v", docs, err)
	}
	if engine == "postgres" {
		// The statistics autovacuum would have gathered by the time a database holds
		// this much: without them the planner guesses, as it never would in production.
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec(`ANALYZE`); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	b.Logf("%s: seeded in %v", engine, time.Since(start).Round(time.Millisecond))

	v := &volume{counter: store.(interface{ Statements() int64 })}
	mux := http.NewServeMux()
	console.New(console.Options{Core: svc, Auth: func(tok string) bool { return tok == "volume-token" }}).Register(mux)
	v.handler = mux
	v.cookie = signInDirect(b, mux)

	tp := "/console/tenants/" + url.PathEscape(tid)
	midCard := accounts[volCustomers/2]
	mid, err := svc.ListCards(ctx, baas.CardFilter{TenantID: tid, AccountID: midCard.ID, Limit: 1})
	if err != nil || len(mid) == 0 {
		b.Fatalf("cards of %d: %v", midCard.ID, err)
	}
	midCardID := mid[0].ID
	add := func(name, path string) { v.pages = append(v.pages, struct{ name, path string }{name, path}) }
	add("kyc", "/console/kyc")
	add("kyc-queue", "/console/kyc/queue")
	add("kyc-doc", "/console/kyc/"+strconv.FormatInt(docs[0].ID, 10))
	add("tenants", "/console/tenants")
	add("tenant", tp)
	add("accounts", tp+"/accounts")
	add("accounts-deep", tp+"/accounts?after="+strconv.FormatInt(midCard.ID, 10))
	add("accounts-by-name", tp+"/accounts?sort=name")
	add("accounts-by-name-deep", tp+"/accounts?sort=name&after="+strconv.FormatInt(midCard.ID, 10))
	add("accounts-newest", tp+"/accounts?sort=newest")
	add("account-search", tp+"/accounts?q=c05000%40example.com")
	add("account", tp+"/accounts/"+strconv.FormatInt(heavy.Number, 10))
	add("cards", "/console/cards")
	add("cards-tenant-ordered", "/console/cards?tenant="+url.QueryEscape(tid)+"&status=ordered")
	add("cards-by-status", "/console/cards?sort=status&after="+url.QueryEscape(midCardID))
	add("cards-tenant-newest", "/console/cards?tenant="+url.QueryEscape(tid)+"&sort=newest")
	add("cards-last4", "/console/cards?tenant="+url.QueryEscape(tid)+"&last4=5000")
	add("card", "/console/cards/"+url.PathEscape(card.ID))
	add("webhooks", tp+"/webhooks")
	add("webhooks-oldest", tp+"/webhooks?sort=oldest")
	add("webhooks-failed", tp+"/webhooks?status=failed")
	add("delivery", tp+"/webhooks/deliveries/"+strconv.FormatInt(deliveries[0].ID, 10))
	return v
}

// signInDirect opens a console session through the sign-in form, on the handler itself.
func signInDirect(b *testing.B, h http.Handler) *http.Cookie {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/console/sign-in", nil))
	var signIn *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "baas_console_signin" {
			signIn = c
		}
	}
	m := csrfRe.FindStringSubmatch(rec.Body.String())
	if signIn == nil || m == nil {
		b.Fatalf("sign-in page: %d", rec.Code)
	}
	form := url.Values{"csrf": {m[1]}, "token": {"volume-token"}, "next": {"/console/kyc"}}
	req := httptest.NewRequest("POST", "/console/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(signIn)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "baas_console" && c.Value != "" {
			return c
		}
	}
	b.Fatalf("sign-in: %d %.300s", rec.Code, rec.Body.String())
	return nil
}
