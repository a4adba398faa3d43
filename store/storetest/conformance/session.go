package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.SessionTx: the API session tokens (table codego_tokens).

// testSessionTokens: a session token is found by its hash, and deleted once long expired.
func testSessionTokens(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten := newTenant(t, s).ID
	r := s.Read()

	at := now()
	live := &baas.SessionToken{Hash: []byte("live-hash-0123456789"), TenantID: ten, CreatedAt: at, ExpiresAt: at.Add(30 * time.Minute)}
	dead := &baas.SessionToken{Hash: []byte("dead-hash-0123456789"), TenantID: ten, CreatedAt: at.Add(-48 * time.Hour), ExpiresAt: at.Add(-47 * time.Hour)}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.InsertSessionToken(ctx, live); err != nil {
			return err
		}
		return tx.InsertSessionToken(ctx, dead)
	})
	got, err := r.FindSessionToken(ctx, live.Hash)
	if err != nil || !reflect.DeepEqual(got, live) {
		t.Fatalf("FindSessionToken = %+v, %v", got, err)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		n, err := tx.DeleteExpiredSessionTokens(ctx, ten, at.Add(-24*time.Hour))
		if err == nil && n != 1 {
			t.Errorf("deleted %d tokens, want 1", n)
		}
		return err
	})
	if _, err := r.FindSessionToken(ctx, dead.Hash); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("expired token: %v", err)
	}
}
