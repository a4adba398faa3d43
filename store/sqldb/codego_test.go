package sqldb_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/storetest"
)

// The Codego queries (baas.CodegoTx) on both engines.

func cgUniq(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func cgStamp() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func cgInTx(t *testing.T, s baas.Store, fn func(ctx context.Context, tx baas.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx baas.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

func cgTenant(t *testing.T, s baas.Store) string {
	t.Helper()
	id := cgUniq("ten_")
	cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		return tx.CreateTenant(ctx, &baas.Tenant{ID: id, Name: id, CompanyID: cgUniq("co_"), WhitelabelID: cgUniq("wl_"),
			Sandbox: true, CreatedAt: cgStamp()})
	})
	return id
}

func codegoCustomer(tenantID, email string) *baas.ProfiledCustomer {
	return &baas.ProfiledCustomer{
		Customer: baas.Customer{ID: cgUniq("cus_"), TenantID: tenantID, Email: email, FirstName: "John", LastName: "De",
			Phone: "9999640806", AddressLine1: "#B004/566", City: "Mohali", ZipCode: "140301", CreatedAt: cgStamp()},
		Ref: cgUniq("uid_") + "/+=",
		Profile: baas.CustomerProfile{DateOfBirth: "1989-01-02", CountryOfResidence: 99,
			PhoneCountry: 99, Nationality: 25, AddressCountry: 99, SameShipping: true, ShipAddress: "#B004/566", ShipRegion: "PB",
			ShipCity: "Mohali", ShipCountry: 99, ShipZipCode: "140301", WorkCountry: 99, IncomeSource: "Salary",
			PoliticallyExposed: true, TaxCountry: 99, TaxNumber: "134567889", Gender: "Male", DeviceType: "android",
			DeviceToken: "tok", DeviceModel: "iphone 6 plus", IPAddress: "101.0.49.223", PasswordHash: "$argon2id$x"},
	}
}

func TestCodegoStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		s := storetest.Open(t, engine)
		ctx := context.Background()
		ten, other := cgTenant(t, s), cgTenant(t, s)
		r := s.Read()

		// Tokens: found by hash, deleted once long expired.
		now := cgStamp()
		live := &baas.CodegoToken{Hash: []byte("live-hash-0123456789"), TenantID: ten, CreatedAt: now, ExpiresAt: now.Add(30 * time.Minute)}
		dead := &baas.CodegoToken{Hash: []byte("dead-hash-0123456789"), TenantID: ten, CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-47 * time.Hour)}
		cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			if err := tx.InsertCodegoToken(ctx, live); err != nil {
				return err
			}
			return tx.InsertCodegoToken(ctx, dead)
		})
		got, err := r.FindCodegoToken(ctx, live.Hash)
		if err != nil || !reflect.DeepEqual(got, live) {
			t.Fatalf("FindCodegoToken = %+v, %v", got, err)
		}
		cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			n, err := tx.DeleteCodegoTokens(ctx, ten, now.Add(-24*time.Hour))
			if err == nil && n != 1 {
				t.Errorf("deleted %d tokens, want 1", n)
			}
			return err
		})
		if _, err := r.FindCodegoToken(ctx, dead.Hash); !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("expired token: %v", err)
		}

		// Customers: every profile field round-trips; email unique per tenant; no handle.
		c := codegoCustomer(ten, "john@example.com")
		c2 := codegoCustomer(ten, "jane@example.com")
		cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error {
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
		acct := &baas.Account{TenantID: ten, CustomerID: c.ID, Kind: baas.AccountCustomer, Number: 98_765_432,
			Currency: "EUR", Status: baas.AccountActive, CreatedAt: cgStamp()}
		cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateAccount(ctx, acct) })
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

		// KYC documents: insert with images, one pending or verified per type.
		front := bytes.Repeat([]byte{1, 2, 3}, 1000)
		doc := &baas.KYCDocument{TenantID: ten, CustomerID: c.ID, Type: baas.DocIDProof, Number: "X1", Status: baas.KYCPending,
			CreatedAt: now, AutoVerifyAt: now.Add(time.Minute), Images: []baas.KYCImage{
				{Side: baas.SideFront, ContentType: "image/png", Width: 4, Height: 3, Size: int64(len(front)), SHA256: "aa", Data: front},
				{Side: baas.SideBack, ContentType: "image/jpeg", Width: 5, Height: 6, Size: 1, SHA256: "bb", Data: []byte{9}},
			}}
		cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertKYCDocument(ctx, doc) })
		again := &baas.KYCDocument{TenantID: ten, CustomerID: c.ID, Type: baas.DocIDProof, Status: baas.KYCPending, CreatedAt: now}
		if err := s.InTx(ctx, func(tx baas.Tx) error { return tx.InsertKYCDocument(ctx, again) }); !baas.IsCode(err, baas.EConflict) {
			t.Fatalf("second pending id proof: %v", err)
		}
		gd, err := r.GetKYCDocument(ctx, doc.ID)
		if err != nil || gd.CustomerRef != c.Ref || gd.CustomerName != "John De" || gd.CustomerEmail != c.Email ||
			len(gd.Images) != 2 || gd.Images[0].Side != baas.SideFront || gd.Images[0].Data != nil ||
			!gd.AutoVerifyAt.Equal(doc.AutoVerifyAt) || !gd.ReviewedAt.IsZero() {
			t.Fatalf("GetKYCDocument = %+v, %v", gd, err)
		}
		im, err := r.GetKYCImage(ctx, doc.ID, baas.SideFront)
		if err != nil || !bytes.Equal(im.Data, front) || im.Width != 4 || im.ContentType != "image/png" {
			t.Fatalf("GetKYCImage: %v", err)
		}
		if _, err := r.GetKYCImage(ctx, doc.ID, "selfie"); !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("unknown side: %v", err)
		}
		due, err := r.DueKYCDocuments(ctx, "", now.Add(time.Minute), 10)
		if err != nil || len(due) != 1 || due[0].ID != doc.ID {
			t.Fatalf("DueKYCDocuments: %v %v", due, err)
		}
		if due, _ := r.DueKYCDocuments(ctx, c.ID, now, 10); len(due) != 0 {
			t.Fatalf("not yet due: %v", due)
		}

		// Decisions: only a pending document changes; a rejected one frees its type.
		cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			ok, err := tx.DecideKYCDocument(ctx, doc.ID, baas.KYCRejected, "blurred", "alice", now)
			if err == nil && !ok {
				t.Error("first decision refused")
			}
			if err != nil {
				return err
			}
			ok, err = tx.DecideKYCDocument(ctx, doc.ID, baas.KYCVerified, "", "bob", now)
			if ok {
				t.Error("second decision accepted")
			}
			return err
		})
		again.Number = "X2"
		cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertKYCDocument(ctx, again) })
		addr := &baas.KYCDocument{TenantID: ten, CustomerID: c.ID, Type: baas.DocAddressProof, Status: baas.KYCPending, CreatedAt: now}
		cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertKYCDocument(ctx, addr) })
		latest, err := r.LatestKYCDocuments(ctx, c.ID)
		if err != nil || len(latest) != 2 || latest[0].ID != again.ID || latest[1].ID != addr.ID {
			t.Fatalf("LatestKYCDocuments: %+v %v", latest, err)
		}
		sum, err = r.CustomerSummary(ctx, ten, baas.CustomerKey{Ref: c.Ref})
		if err != nil || len(sum.Documents) != 2 || sum.Account.ID != acct.ID {
			t.Fatalf("summary with documents: %+v %v", sum, err)
		}
		for i, d := range sum.Documents {
			if d.ID != latest[i].ID || d.Type != latest[i].Type || d.Status != latest[i].Status ||
				!d.AutoVerifyAt.Equal(latest[i].AutoVerifyAt) || d.CustomerID != c.ID {
				t.Fatalf("summary document %d = %+v, want %+v", i, d, latest[i])
			}
		}
		pending, err := r.ListKYCDocuments(ctx, baas.KYCFilter{TenantID: ten, Status: baas.KYCPending})
		if err != nil || len(pending) != 2 {
			t.Fatalf("pending: %d %v", len(pending), err)
		}
		page, err := r.ListKYCDocuments(ctx, baas.KYCFilter{CustomerID: c.ID, AfterID: doc.ID, Limit: 1})
		if err != nil || len(page) != 1 || page[0].ID != again.ID {
			t.Fatalf("page: %+v %v", page, err)
		}
		rej, err := r.ListKYCDocuments(ctx, baas.KYCFilter{Status: baas.KYCRejected, TenantID: ten})
		if err != nil || len(rej) != 1 || rej[0].Reason != "blurred" || rej[0].Reviewer != "alice" || !rej[0].ReviewedAt.Equal(now) {
			t.Fatalf("rejected: %+v %v", rej, err)
		}

		// Settings: zero until saved, then upserted.
		if set, err := r.GetKYCSettings(ctx, ten); err != nil || set.AutoVerifyAfter != 0 {
			t.Fatalf("default settings: %+v %v", set, err)
		}
		for _, d := range []time.Duration{time.Minute, 90 * time.Second} {
			cgInTx(t, s, func(ctx context.Context, tx baas.Tx) error {
				return tx.PutKYCSettings(ctx, &baas.KYCSettings{TenantID: ten, AutoVerifyAfter: d})
			})
			if set, err := r.GetKYCSettings(ctx, ten); err != nil || set.AutoVerifyAfter != d {
				t.Fatalf("settings: %+v %v", set, err)
			}
		}
	})
}
