package conformance

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.KYCTx: KYC documents with their images, decisions, and the tenant's KYC settings.

// testKYCDocuments: a document goes in with its images, one pending or verified per type
// and customer; it reads back with its customer's names and its images' metadata (the
// data only through GetKYCImage); only a pending document is decided, and a rejected one
// frees its type; the account_detail summary shows the newest document of each type.
func testKYCDocuments(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten := newTenant(t, s).ID
	r := s.Read()
	c := codegoCustomer(ten, "john@example.com")
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.CreateProfiledCustomer(ctx, c) })
	acct := newCodegoAccount(t, s, c)
	at := now()

	// KYC documents: insert with images, one pending or verified per type.
	front := bytes.Repeat([]byte{1, 2, 3}, 1000)
	doc := &baas.KYCDocument{TenantID: ten, CustomerID: c.ID, Type: baas.DocIDProof, Number: "X1", Status: baas.KYCPending,
		CreatedAt: at, AutoVerifyAt: at.Add(time.Minute), Images: []baas.KYCImage{
			{Side: baas.SideFront, ContentType: "image/png", Width: 4, Height: 3, Size: int64(len(front)), SHA256: "aa", Data: front},
			{Side: baas.SideBack, ContentType: "image/jpeg", Width: 5, Height: 6, Size: 1, SHA256: "bb", Data: []byte{9}},
		}}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertKYCDocument(ctx, doc) })
	again := &baas.KYCDocument{TenantID: ten, CustomerID: c.ID, Type: baas.DocIDProof, Status: baas.KYCPending, CreatedAt: at}
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
	due, err := r.DueKYCDocuments(ctx, "", at.Add(time.Minute), 10)
	if err != nil || len(due) != 1 || due[0].ID != doc.ID {
		t.Fatalf("DueKYCDocuments: %v %v", due, err)
	}
	if due, _ := r.DueKYCDocuments(ctx, c.ID, at, 10); len(due) != 0 {
		t.Fatalf("not yet due: %v", due)
	}

	// Decisions: only a pending document changes; a rejected one frees its type.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		ok, err := tx.DecideKYCDocument(ctx, doc.ID, baas.KYCRejected, "blurred", "alice", at)
		if err == nil && !ok {
			t.Error("first decision refused")
		}
		if err != nil {
			return err
		}
		ok, err = tx.DecideKYCDocument(ctx, doc.ID, baas.KYCVerified, "", "bob", at)
		if ok {
			t.Error("second decision accepted")
		}
		return err
	})
	again.Number = "X2"
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertKYCDocument(ctx, again) })
	addr := &baas.KYCDocument{TenantID: ten, CustomerID: c.ID, Type: baas.DocAddressProof, Status: baas.KYCPending, CreatedAt: at}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertKYCDocument(ctx, addr) })
	latest, err := r.LatestKYCDocuments(ctx, c.ID)
	if err != nil || len(latest) != 2 || latest[0].ID != again.ID || latest[1].ID != addr.ID {
		t.Fatalf("LatestKYCDocuments: %+v %v", latest, err)
	}
	sum, err := r.CustomerSummary(ctx, ten, baas.CustomerKey{Ref: c.Ref})
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
	if err != nil || len(rej) != 1 || rej[0].Reason != "blurred" || rej[0].Reviewer != "alice" || !rej[0].ReviewedAt.Equal(at) {
		t.Fatalf("rejected: %+v %v", rej, err)
	}
}

// testKYCSettings: a tenant's KYC settings are zero until saved, then upserted.
func testKYCSettings(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten := newTenant(t, s).ID
	r := s.Read()
	if set, err := r.GetKYCSettings(ctx, ten); err != nil || set.AutoVerifyAfter != 0 {
		t.Fatalf("default settings: %+v %v", set, err)
	}
	for _, d := range []time.Duration{time.Minute, 90 * time.Second} {
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			return tx.PutKYCSettings(ctx, &baas.KYCSettings{TenantID: ten, AutoVerifyAfter: d})
		})
		if set, err := r.GetKYCSettings(ctx, ten); err != nil || set.AutoVerifyAfter != d {
			t.Fatalf("settings: %+v %v", set, err)
		}
	}
}
