package core_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
)

func TestCountriesTable(t *testing.T) {
	list := core.Countries()
	if len(list) != 249 {
		t.Fatalf("%d countries, want every ISO 3166-1 entry (249)", len(list))
	}
	alpha2, alpha3, numeric := map[string]bool{}, map[string]bool{}, map[string]bool{}
	upper2, upper3, digits3 := regexp.MustCompile(`^[A-Z]{2}$`), regexp.MustCompile(`^[A-Z]{3}$`), regexp.MustCompile(`^\d{3}$`)
	for i, c := range list {
		if c.ID != i+1 {
			t.Fatalf("entry %d has id %d: ids are 1..249 in order", i, c.ID)
		}
		if !upper2.MatchString(c.Alpha2) || !upper3.MatchString(c.Alpha3) || !digits3.MatchString(c.Numeric) ||
			c.Name == "" || !regexp.MustCompile(`^[1-9]\d{0,3}$`).MatchString(c.PhoneCode) || c.ShippingCost <= 0 {
			t.Fatalf("bad entry %+v", c)
		}
		if alpha2[c.Alpha2] || alpha3[c.Alpha3] || numeric[c.Numeric] {
			t.Fatalf("duplicate code in %+v", c)
		}
		alpha2[c.Alpha2], alpha3[c.Alpha3], numeric[c.Numeric] = true, true, true
		if c.SolarisIBAN && !c.IBAN {
			t.Fatalf("%s: an EEA country without IBAN", c.Name)
		}
	}
	for id, want := range map[int]string{99: "IN", 106: "IT", 80: "DE", 230: "US"} {
		if c, ok := core.CountryByID(id); !ok || c.Alpha2 != want {
			t.Fatalf("country %d = %+v, want %s", id, c, want)
		}
	}
	if _, ok := core.CountryByID(250); ok {
		t.Fatal("country 250 exists")
	}
}

func TestPasswordHash(t *testing.T) {
	ctx := context.Background()
	h, err := core.HashPassword(ctx, "Aa100508!!!")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=\d\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Fatalf("hash %q", h)
	}
	for pw, want := range map[string]bool{"Aa100508!!!": true, "Aa100508!!": false} {
		if ok, err := core.PasswordMatches(ctx, pw, h); err != nil || ok != want {
			t.Fatalf("PasswordMatches(%q) = %v, %v", pw, ok, err)
		}
	}
	if _, err := core.PasswordMatches(ctx, "x", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA"); err == nil {
		t.Fatal("absurd parameters accepted")
	}
}

// kycFixture is a sandbox whitelabel with a signed-up customer, over a clock the test
// moves.
type kycFixture struct {
	svc      *core.Service
	ctx      context.Context
	customer baas.CustomerKey
	mu       sync.Mutex
	now      time.Time
}

func (f *kycFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *kycFixture) add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func newKYCFixture(t *testing.T, engine string) *kycFixture {
	t.Helper()
	f := &kycFixture{now: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)}
	svc, err := core.New(storetest.Open(t, engine), core.DefaultConfig(), core.NewMasterKey(), f.clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "wl", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	f.svc, f.ctx = svc, baas.WithTenant(context.Background(), creds.TenantID)
	c, a, err := svc.Signup(f.ctx, core.SignupParams{FirstName: "John", LastName: "De", Phone: "9999640806",
		Email: "John@Example.com", Password: "Aa100508!!!", Address: "Via Roma 1", City: "Roma", ZipCode: "00100",
		Product: core.ProductCards, Ref: "ref-john", Profile: baas.CustomerProfile{CountryOfResidence: 106,
			PhoneCountry: 106, DateOfBirth: "1989-01-02", Nationality: 106, AddressCountry: 106, SameShipping: true,
			WorkCountry: 106, IncomeSource: "salary", TaxCountry: 106, TaxNumber: "RSSMRA", Gender: "male"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "john@example.com" || c.Profile.Gender != "Male" || c.Profile.IncomeSource != "Salary" ||
		c.Profile.ShipCountry != 106 || a.Currency != "EUR" || !core.ValidAccountNumber(a.Number) {
		t.Fatalf("signup: %+v %+v", c, a)
	}
	if _, err := svc.SetKYCSettings(context.Background(), baas.KYCSettings{TenantID: creds.TenantID,
		AutoVerifyAfter: time.Minute}); err != nil {
		t.Fatal(err)
	}
	f.customer = baas.CustomerKey{ID: c.ID}
	return f
}

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestKYCReviewAndSandbox: the sweep verifies due sandbox documents once; an operator's
// decision first wins over the sweep; decisions on decided documents conflict.
func TestKYCReviewAndSandbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newKYCFixture(t, engine)
		ctx := f.ctx
		id, err := f.svc.UploadKYC(ctx, core.UploadKYCParams{Customer: f.customer, Type: baas.DocIDProof, Number: "AB123",
			Images: []core.KYCImageUpload{{Field: "front_proof", Side: baas.SideFront, Data: pngBytes(t)}}})
		if err != nil {
			t.Fatal(err)
		}
		f.add(30 * time.Second)
		addr, err := f.svc.UploadKYC(ctx, core.UploadKYCParams{Customer: f.customer, Type: baas.DocAddressProof,
			Images: []core.KYCImageUpload{{Field: "address_proof", Side: baas.SideFull, Data: pngBytes(t)}}})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := f.svc.AutoVerifyKYC(ctx); err != nil || n != 0 {
			t.Fatalf("sweep before anything is due: %d %v", n, err)
		}
		// The operator rejects the address proof before it verifies itself.
		if _, err := f.svc.ReviewKYC(ctx, core.ReviewKYCParams{DocumentID: addr.ID}); !baas.IsCode(err, baas.EInvalid) {
			t.Fatalf("reject without reason: %v", err)
		}
		if _, err := f.svc.ReviewKYC(ctx, core.ReviewKYCParams{DocumentID: addr.ID, Reason: "expired bill"}); err != nil {
			t.Fatal(err)
		}
		f.add(time.Minute)
		if n, err := f.svc.AutoVerifyKYC(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if n, err := f.svc.AutoVerifyKYC(ctx); err != nil || n != 0 {
			t.Fatalf("second sweep: %d %v", n, err)
		}
		_, docs, err := f.svc.KYCStatus(ctx, f.customer)
		if err != nil || len(docs) != 2 || docs[0].Status != baas.KYCVerified || docs[0].Reviewer != "sandbox" ||
			docs[1].Status != baas.KYCRejected || docs[1].Reason != "expired bill" {
			t.Fatalf("status: %v %+v", err, docs)
		}
		if _, err := f.svc.ReviewKYC(ctx, core.ReviewKYCParams{DocumentID: id.ID, Verify: true}); baas.ErrorReason(err) != "KYC_NOT_PENDING" {
			t.Fatalf("deciding twice: %v", err)
		}
		if _, err := f.svc.ReviewKYC(ctx, core.ReviewKYCParams{DocumentID: 1 << 40, Verify: true}); !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("unknown document: %v", err)
		}
		d, err := f.svc.AccountDetail(ctx, f.customer)
		if err != nil || d.KYCStatus != baas.KYCRejected {
			t.Fatalf("account: %v %+v", err, d)
		}
		// Another whitelabel does not see the user.
		other, err := f.svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AccountDetail(baas.WithTenant(context.Background(), other.TenantID), f.customer); !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("other whitelabel: %v", err)
		}
		if _, err := f.svc.SetKYCSettings(context.Background(), baas.KYCSettings{TenantID: other.TenantID, AutoVerifyAfter: time.Second}); !baas.IsCode(err, baas.EConflict) {
			t.Fatalf("auto-verify on a production tenant: %v", err)
		}
	})
}

// TestConcurrentUploads: of two simultaneous uploads of one document type, one is
// accepted and the other refused as already pending.
func TestConcurrentUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newKYCFixture(t, engine)
		exactlyOne(t, 4, "KYC_PENDING", func() error {
			_, err := f.svc.UploadKYC(f.ctx, core.UploadKYCParams{Customer: f.customer, Type: baas.DocAddressProof,
				Images: []core.KYCImageUpload{{Field: "address_proof", Side: baas.SideFull, Data: pngBytes(t)}}})
			return err
		})
	})
}

// TestSignupFieldProblems: a signup's problems name the neutral fields with a reason each,
// in field order; Details carries their messages.
func TestSignupFieldProblems(t *testing.T) {
	f := newKYCFixture(t, "sqlite")
	_, _, err := f.svc.Signup(f.ctx, core.SignupParams{FirstName: "Ann", LastName: "B", Phone: "12ab", Email: "nope",
		Password: "Aa1!", Product: core.ProductCards, Profile: baas.CustomerProfile{DateOfBirth: "2099-01-01",
			CountryOfResidence: 106, PhoneCountry: 0, Nationality: 106, AddressCountry: 999, WorkCountry: 106,
			TaxCountry: 106, ShipCity: "Roma", ShipCountry: 0, IncomeSource: "lottery", Gender: "male", IPAddress: "fe80::1%eth0"}})
	e := baas.AsError(err)
	if e.Code != baas.EInvalid {
		t.Fatalf("Signup = %v", err)
	}
	want := []baas.FieldError{
		{Field: core.FieldEmail, Reason: core.ReasonInvalidEmail},
		{Field: core.FieldPassword, Reason: core.ReasonWeakPassword},
		{Field: core.FieldDateOfBirth, Reason: core.ReasonDateInFuture},
		{Field: core.FieldPhone, Reason: core.ReasonInvalidPhone},
		{Field: core.FieldPhoneCountry, Reason: core.ReasonUnknownCountry},
		{Field: core.FieldAddressCountry, Reason: core.ReasonUnknownCountry},
		{Field: core.FieldShipAddress, Reason: core.ReasonShippingPartMissing},
		{Field: core.FieldShipZipCode, Reason: core.ReasonShippingPartMissing},
		{Field: core.FieldShipCountry, Reason: core.ReasonUnknownCountry},
		{Field: core.FieldIncomeSource, Reason: core.ReasonUnknownIncomeSource},
		{Field: core.FieldIPAddress, Reason: core.ReasonInvalidIPAddress},
	}
	if len(e.Fields) != len(want) || len(e.Details) != len(want) || e.Message != e.Details[0] {
		t.Fatalf("problems: %+v", e)
	}
	for i, w := range want {
		got := e.Fields[i]
		if got.Field != w.Field || got.Reason != w.Reason || got.Message == "" || e.Details[i] != got.Message {
			t.Fatalf("problem %d = %+v, want %s %s", i, got, w.Field, w.Reason)
		}
	}
	for _, tc := range []struct{ dob, reason string }{
		{"1989-02-30", core.ReasonInvalidDate}, {"2010-01-01", core.ReasonUnderAge}, {"1850-01-01", core.ReasonDateTooOld},
	} {
		_, _, err := f.svc.Signup(f.ctx, core.SignupParams{FirstName: "Ann", LastName: "B", Phone: "+39 06-1234567",
			Email: "ann@example.com", Password: "Aa100508!!!", Product: core.ProductCards, Profile: baas.CustomerProfile{
				DateOfBirth: tc.dob, CountryOfResidence: 106, PhoneCountry: 106, Nationality: 106, AddressCountry: 106,
				SameShipping: true, WorkCountry: 106, IncomeSource: "Salary", TaxCountry: 106, Gender: "Female"}})
		if e := baas.AsError(err); len(e.Fields) != 1 || e.Fields[0].Field != core.FieldDateOfBirth || e.Fields[0].Reason != tc.reason {
			t.Fatalf("dob %s: %v", tc.dob, err)
		}
	}
}

// TestKYCUploadRules: an upload names its type once and carries every image its type
// needs; the core refuses the others with a reason, before anything is stored.
func TestKYCUploadRules(t *testing.T) {
	if err := core.CheckKYCType(baas.DocIDProof, 1); err != nil {
		t.Fatal(err)
	}
	for _, stated := range []int64{0, 2, 3, -1} {
		if err := core.CheckKYCType(baas.DocIDProof, stated); baas.ErrorReason(err) != core.ReasonKYCWrongType || !baas.IsCode(err, baas.EInvalid) {
			t.Fatalf("stated %d: %v", stated, err)
		}
	}
	back := core.KYCImageUpload{Field: "back", Side: baas.SideBack, Data: []byte("x")}
	front := core.KYCImageUpload{Field: "front", Side: baas.SideFront, Data: []byte("x")}
	for _, tc := range []struct {
		typ    int
		images []core.KYCImageUpload
		want   []string
	}{
		{baas.DocIDProof, nil, []string{baas.SideFront}},
		{baas.DocIDProof, []core.KYCImageUpload{back}, []string{baas.SideFront}},
		{baas.DocIDProof, []core.KYCImageUpload{front}, nil},
		{baas.DocIDProof, []core.KYCImageUpload{back, front}, nil},
		{baas.DocAddressProof, []core.KYCImageUpload{front}, []string{baas.SideFull}},
	} {
		if got := core.MissingKYCSides(tc.typ, tc.images); !slices.Equal(got, tc.want) {
			t.Fatalf("MissingKYCSides(%d, %v) = %v, want %v", tc.typ, tc.images, got, tc.want)
		}
	}
	f := newKYCFixture(t, "sqlite")
	_, err := f.svc.UploadKYC(f.ctx, core.UploadKYCParams{Customer: f.customer, Type: baas.DocIDProof, Number: "AB123",
		Images: []core.KYCImageUpload{{Field: "back_proof", Side: baas.SideBack, Data: pngBytes(t)}}})
	if baas.ErrorReason(err) != core.ReasonKYCIncomplete {
		t.Fatalf("no front: %v", err)
	}
	if _, err := f.svc.UploadKYC(f.ctx, core.UploadKYCParams{Customer: f.customer, Type: 7}); baas.ErrorReason(err) != core.ReasonKYCWrongType {
		t.Fatalf("type 7: %v", err)
	}
	if _, docs, err := f.svc.KYCStatus(f.ctx, f.customer); err != nil || len(docs) != 0 {
		t.Fatalf("stored: %v %v", docs, err)
	}
}
