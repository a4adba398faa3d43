package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// Fixtures and checks the area files share.

func uniq(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// now is a time as the stores keep it: UTC, whole microseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func inTx(t *testing.T, s baas.Store, fn func(ctx context.Context, tx baas.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx baas.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// wantCode fails the test unless err carries an *baas.Error with code.
func wantCode(t *testing.T, err error, code baas.Code) {
	t.Helper()
	var e *baas.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want a *baas.Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

func newTenant(t *testing.T, s baas.Store) *baas.Tenant {
	t.Helper()
	id := uniq("ten_")
	tn := &baas.Tenant{ID: id, Name: "Tenant " + id, CompanyID: uniq("co_"), WhitelabelID: uniq("wl_"), Sandbox: true, CreatedAt: now()}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateTenant(ctx, tn) })
	return tn
}

func newCustomer(t *testing.T, s baas.Store, tenantID string) *baas.Customer {
	t.Helper()
	id := uniq("cus_")
	c := &baas.Customer{ID: id, TenantID: tenantID, Email: id + "@example.com", Handle: id, FirstName: "Ada",
		LastName: "Lovelace", Phone: "+15550100", AddressLine1: "1 Main St", AddressLine2: "Apt 2", City: "London",
		ZipCode: "N1", CreatedAt: now()}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCustomer(ctx, c) })
	return c
}

var numbers struct {
	sync.Mutex
	next int64
}

// nextNumber returns an account number not used before in this process.
func nextNumber() int64 {
	numbers.Lock()
	defer numbers.Unlock()
	numbers.next++
	return 10_000_000 + numbers.next
}

// accountOpts describe an account made by newAccount; the zero value is a customer
// account in USD of a new customer.
type accountOpts struct {
	Kind          string
	Currency      string
	AllowNegative bool
}

func newAccount(t *testing.T, s baas.Store, tenantID string, o accountOpts) *baas.Account {
	t.Helper()
	if o.Kind == "" {
		o.Kind = baas.AccountCustomer
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	a := &baas.Account{TenantID: tenantID, Kind: o.Kind, Currency: o.Currency, AllowNegative: o.AllowNegative,
		Status: baas.AccountActive, CreatedAt: now()}
	if o.Kind == baas.AccountCustomer {
		a.CustomerID = newCustomer(t, s, tenantID).ID
		a.Number = nextNumber()
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateAccount(ctx, a) })
	if a.ID <= 0 {
		t.Fatalf("CreateAccount set id %d", a.ID)
	}
	return a
}

func getAccount(t *testing.T, s baas.Store, tenantID string, id int64) *baas.Account {
	t.Helper()
	a, err := s.Read().FindAccount(context.Background(), baas.AccountFilter{TenantID: tenantID, ID: &id})
	if err != nil {
		t.Fatalf("FindAccount(%d): %v", id, err)
	}
	return a
}

// transfer posts a balanced transfer moving amount from one account to another, keeping
// the stored balances right, in its own transaction.
func transfer(t *testing.T, s baas.Store, tenantID string, from, to int64, amount int64, desc string) *baas.Transfer {
	t.Helper()
	var tr *baas.Transfer
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		accts, err := tx.LockAccounts(ctx, []int64{from, to})
		if err != nil {
			return err
		}
		byID := map[int64]*baas.Account{}
		for _, a := range accts {
			byID[a.ID] = a
		}
		byID[from].Balance -= amount
		byID[to].Balance += amount
		if err := tx.SaveBalances(ctx, accts); err != nil {
			return err
		}
		tr = &baas.Transfer{TenantID: tenantID, Kind: baas.TransferP2P, Description: desc, Merchant: "m-" + desc,
			CreatedAt: now(), Postings: []baas.Posting{
				{AccountID: from, Currency: byID[from].Currency, Amount: -amount, BalanceAfter: byID[from].Balance},
				{AccountID: to, Currency: byID[to].Currency, Amount: amount, BalanceAfter: byID[to].Balance},
			}}
		return tx.InsertTransfer(ctx, tr)
	})
	return tr
}

func ledgerReport(t *testing.T, s baas.Store) ([]baas.CurrencyTotal, []baas.AccountCheck, []baas.UnbalancedTransfer) {
	t.Helper()
	var totals []baas.CurrencyTotal
	var checks []baas.AccountCheck
	var unbalanced []baas.UnbalancedTransfer
	err := s.View(context.Background(), func(tx baas.Tx) error {
		var err error
		ctx := context.Background()
		if totals, err = tx.CurrencyTotals(ctx); err != nil {
			return err
		}
		if checks, err = tx.AccountChecks(ctx); err != nil {
			return err
		}
		unbalanced, err = tx.UnbalancedTransfers(ctx)
		return err
	})
	if err != nil {
		t.Fatalf("ledger checks: %v", err)
	}
	return totals, checks, unbalanced
}

func newEndpoint(t *testing.T, s baas.Store, tenantID string, types ...string) *baas.WebhookEndpoint {
	t.Helper()
	e := &baas.WebhookEndpoint{ID: uniq("ep_"), TenantID: tenantID, URL: "https://example.com/" + uniq("h"),
		EventTypes: types, Format: baas.WebhookEnvelope, EventRequestKeySealed: []byte("erk-sealed\x00\xff"),
		SigningSecretSealed: []byte("secret-sealed\x01"), CreatedAt: now()}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateWebhookEndpoint(ctx, e) })
	return e
}

func deliveriesOf(t *testing.T, s baas.Store, f baas.DeliveryFilter) []*baas.WebhookDelivery {
	t.Helper()
	ds, err := s.Read().ListDeliveries(context.Background(), f)
	if err != nil {
		t.Fatalf("ListDeliveries: %v", err)
	}
	return ds
}

// codegoCustomer returns a customer of the tenant with every field of its Codego profile
// set (the user id with the characters a PHP client escapes), not yet created.
func codegoCustomer(tenantID, email string) *baas.ProfiledCustomer {
	return &baas.ProfiledCustomer{
		Customer: baas.Customer{ID: uniq("cus_"), TenantID: tenantID, Email: email, FirstName: "John", LastName: "De",
			Phone: "9999640806", AddressLine1: "#B004/566", City: "Mohali", ZipCode: "140301", CreatedAt: now()},
		Ref: uniq("uid_") + "/+=",
		Profile: baas.CustomerProfile{DateOfBirth: "1989-01-02", CountryOfResidence: 99,
			PhoneCountry: 99, Nationality: 25, AddressCountry: 99, SameShipping: true, ShipAddress: "#B004/566", ShipRegion: "PB",
			ShipCity: "Mohali", ShipCountry: 99, ShipZipCode: "140301", WorkCountry: 99, IncomeSource: "Salary",
			PoliticallyExposed: true, TaxCountry: 99, TaxNumber: "134567889", Gender: "Male", DeviceType: "android",
			DeviceToken: "tok", DeviceModel: "iphone 6 plus", IPAddress: "101.0.49.223", PasswordHash: "$argon2id$x"},
	}
}

// newCodegoAccount opens the EUR customer account of a created Codego customer.
func newCodegoAccount(t *testing.T, s baas.Store, c *baas.ProfiledCustomer) *baas.Account {
	t.Helper()
	a := &baas.Account{TenantID: c.TenantID, CustomerID: c.ID, Kind: baas.AccountCustomer, Number: nextNumber(),
		Currency: "EUR", Status: baas.AccountActive, CreatedAt: now()}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateAccount(ctx, a) })
	return a
}
