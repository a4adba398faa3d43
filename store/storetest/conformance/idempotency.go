package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.IdempotencyTx: idempotency records.

func testIdempotency(t *testing.T, s baas.Store) {
	ctx := context.Background()
	t0 := now()
	rec := &baas.IdempotencyRecord{TenantID: "ten-a", Key: "key-1", Fingerprint: "fp-1",
		Result: json.RawMessage(`{"transfer_id":42,"note":"ü"}`), CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
	got, err := s.Read().GetIdempotency(ctx, rec.TenantID, rec.Key)
	wantCode(t, err, baas.ENotFound)
	if got != nil {
		t.Fatalf("GetIdempotency(unknown) returned %+v with its error", got)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutIdempotency(ctx, rec) })
	got, err = s.Read().GetIdempotency(ctx, rec.TenantID, rec.Key)
	if err != nil {
		t.Fatal(err)
	}
	if got.TenantID != rec.TenantID || got.Key != rec.Key || got.Fingerprint != rec.Fingerprint ||
		string(got.Result) != string(rec.Result) || !got.CreatedAt.Equal(rec.CreatedAt) || !got.ExpiresAt.Equal(rec.ExpiresAt) {
		t.Fatalf("record = %+v, want %+v", got, rec)
	}

	dup := *rec
	dup.Fingerprint = "fp-2"
	err = s.InTx(ctx, func(tx baas.Tx) error { return tx.PutIdempotency(ctx, &dup) })
	wantCode(t, err, baas.EConflict)
	if got, _ := s.Read().GetIdempotency(ctx, rec.TenantID, rec.Key); got == nil || got.Fingerprint != "fp-1" {
		t.Fatalf("duplicate put changed the record: %+v", got)
	}

	// The same key of another tenant is another record.
	elsewhere := *rec
	elsewhere.TenantID = "ten-b"
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutIdempotency(ctx, &elsewhere) })

	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.DeleteIdempotency(ctx, rec.TenantID, rec.Key) })
	_, err = s.Read().GetIdempotency(ctx, rec.TenantID, rec.Key)
	wantCode(t, err, baas.ENotFound)
	if _, err := s.Read().GetIdempotency(ctx, "ten-b", rec.Key); err != nil {
		t.Fatalf("deleting one tenant's key deleted another's: %v", err)
	}
	// Deleting what is not there is not an error.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.DeleteIdempotency(ctx, rec.TenantID, rec.Key) })
	// Once deleted, the key may be used again.
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutIdempotency(ctx, &dup) })

	// Purge: only records that expired before now go.
	for i, exp := range []time.Duration{-2 * time.Hour, -time.Minute, time.Minute, 2 * time.Hour} {
		r := &baas.IdempotencyRecord{TenantID: "ten-c", Key: fmt.Sprintf("exp-%d", i), Fingerprint: "f",
			Result: json.RawMessage(`{}`), CreatedAt: t0.Add(-3 * time.Hour), ExpiresAt: t0.Add(exp)}
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.PutIdempotency(ctx, r) })
	}
	var n int64
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		var err error
		n, err = tx.DeleteExpiredIdempotency(ctx, t0)
		return err
	})
	if n != 2 {
		t.Fatalf("DeleteExpiredIdempotency removed %d records, want 2", n)
	}
	for i, wantFound := range []bool{false, false, true, true} {
		_, err := s.Read().GetIdempotency(ctx, "ten-c", fmt.Sprintf("exp-%d", i))
		if wantFound && err != nil {
			t.Fatalf("unexpired record exp-%d: %v", i, err)
		}
		if !wantFound {
			wantCode(t, err, baas.ENotFound)
		}
	}
	for _, k := range [][2]string{{rec.TenantID, rec.Key}, {"ten-b", rec.Key}} {
		if _, err := s.Read().GetIdempotency(ctx, k[0], k[1]); err != nil {
			t.Fatalf("purge removed an unexpired record %v: %v", k, err)
		}
	}
}
