package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.CustomerTx: customers, and the Codego customers with their profile.

func testCustomers(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	other := newTenant(t, s)
	c := newCustomer(t, s, tn.ID)

	find := func(f baas.CustomerFilter) (*baas.Customer, error) { return s.Read().FindCustomer(ctx, f) }
	for name, f := range map[string]baas.CustomerFilter{
		"id":           {TenantID: tn.ID, ID: &c.ID},
		"email":        {TenantID: tn.ID, Email: &c.Email},
		"handle":       {TenantID: tn.ID, Handle: &c.Handle},
		"email+handle": {TenantID: tn.ID, Email: &c.Email, Handle: &c.Handle},
	} {
		got, err := find(f)
		if err != nil {
			t.Fatalf("FindCustomer by %s: %v", name, err)
		}
		if !got.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("CreatedAt = %v, want %v", got.CreatedAt, c.CreatedAt)
		}
		want := *c
		got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
		if *got != want {
			t.Fatalf("FindCustomer by %s = %+v, want %+v", name, *got, want)
		}
	}
	wrong := "nobody@example.com"
	for name, f := range map[string]baas.CustomerFilter{
		"other tenant":     {TenantID: other.ID, ID: &c.ID},
		"unknown email":    {TenantID: tn.ID, Email: &wrong},
		"mismatched email": {TenantID: tn.ID, ID: &c.ID, Email: &wrong},
	} {
		got, err := find(f)
		wantCode(t, err, baas.ENotFound)
		if got != nil {
			t.Fatalf("FindCustomer (%s) returned %+v with its error", name, got)
		}
	}

	sameEmail := &baas.Customer{ID: uniq("cus_"), TenantID: tn.ID, Email: c.Email, Handle: uniq("h_"), CreatedAt: now()}
	err := s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateCustomer(ctx, sameEmail) })
	wantCode(t, err, baas.EConflict)
	sameHandle := &baas.Customer{ID: uniq("cus_"), TenantID: tn.ID, Email: uniq("e_") + "@example.com", Handle: c.Handle, CreatedAt: now()}
	err = s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateCustomer(ctx, sameHandle) })
	wantCode(t, err, baas.EConflict)

	// The same email and handle in another tenant are another customer.
	elsewhere := &baas.Customer{ID: uniq("cus_"), TenantID: other.ID, Email: c.Email, Handle: c.Handle, CreatedAt: now()}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateCustomer(ctx, elsewhere) })
	got, err := find(baas.CustomerFilter{TenantID: other.ID, Email: &c.Email})
	if err != nil || got.ID != elsewhere.ID {
		t.Fatalf("FindCustomer in the other tenant = %+v, %v; want %s", got, err, elsewhere.ID)
	}
	got, err = find(baas.CustomerFilter{TenantID: tn.ID, Email: &c.Email})
	if err != nil || got.ID != c.ID {
		t.Fatalf("FindCustomer in the first tenant = %+v, %v; want %s", got, err, c.ID)
	}
}

// testCodegoCustomers: every profile field of a Codego customer round-trips, found by
// its tenant and user id only; the account_detail summary comes in one query (none
// without an account); the email is unique per tenant (a second empty handle is fine);
// and the customer is an ordinary customer to FindCustomer.
func testCodegoCustomers(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten, other := newTenant(t, s).ID, newTenant(t, s).ID
	r := s.Read()

	c := codegoCustomer(ten, "john@example.com")
	c2 := codegoCustomer(ten, "jane@example.com")
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.CreateProfiledCustomer(ctx, c); err != nil {
			return err
		}
		return tx.CreateProfiledCustomer(ctx, c2) // a second empty handle is fine
	})
	gc, err := r.FindProfiledCustomer(ctx, ten, baas.CustomerKey{Ref: c.Ref})
	if err != nil || !reflect.DeepEqual(gc, c) {
		t.Fatalf("FindProfiledCustomer = %+v, %v\nwant %+v", gc, err, c)
	}
	if byID, err := r.FindProfiledCustomer(ctx, ten, baas.CustomerKey{ID: c.ID}); err != nil || !reflect.DeepEqual(byID, gc) {
		t.Fatalf("FindProfiledCustomer by id = %+v, %v\nwant %+v", byID, err, gc)
	}
	if _, err := r.FindProfiledCustomer(ctx, other, baas.CustomerKey{Ref: c.Ref}); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's user: %v", err)
	}
	// The account_detail summary, in one query: none without an account, then the
	// customer account with no documents yet.
	if _, err := r.CustomerSummary(ctx, ten, baas.CustomerKey{Ref: c.Ref}); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("customer without an account: %v", err)
	}
	acct := newCodegoAccount(t, s, c)
	sum, err := r.CustomerSummary(ctx, ten, baas.CustomerKey{Ref: c.Ref})
	if err != nil || sum.CustomerID != c.ID || sum.FirstName != c.FirstName || sum.LastName != c.LastName ||
		!reflect.DeepEqual(&sum.Account, acct) || len(sum.Documents) != 0 {
		t.Fatalf("CustomerSummary = %+v, %v\nwant %+v %+v", sum, err, c, acct)
	}
	if _, err := r.CustomerSummary(ctx, other, baas.CustomerKey{Ref: c.Ref}); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("another tenant's user with account: %v", err)
	}
	dup := codegoCustomer(ten, "john@example.com")
	if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateProfiledCustomer(ctx, dup) }); !baas.IsCode(err, baas.EConflict) {
		t.Fatalf("duplicate email: %v", err)
	}
	if err := s.InTx(ctx, func(tx baas.Tx) error {
		return tx.CreateProfiledCustomer(ctx, codegoCustomer(other, "john@example.com"))
	}); err != nil {
		t.Fatalf("same email, other tenant: %v", err)
	}
	pc, err := r.FindCustomer(ctx, baas.CustomerFilter{TenantID: ten, Email: &c.Email})
	if err != nil || pc.ID != c.ID || pc.Phone != c.Phone {
		t.Fatalf("the Codego customer through FindCustomer: %+v %v", pc, err)
	}
}
