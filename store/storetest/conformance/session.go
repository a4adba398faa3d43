package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.SessionTx: the Codego session tokens.

// testCodegoTokens: a session token is found by its hash, and deleted once long expired.
func testCodegoTokens(t *testing.T, s baas.Store) {
	ctx := context.Background()
	ten := newTenant(t, s).ID
	r := s.Read()

	at := now()
	live := &baas.CodegoToken{Hash: []byte("live-hash-0123456789"), TenantID: ten, CreatedAt: at, ExpiresAt: at.Add(30 * time.Minute)}
	dead := &baas.CodegoToken{Hash: []byte("dead-hash-0123456789"), TenantID: ten, CreatedAt: at.Add(-48 * time.Hour), ExpiresAt: at.Add(-47 * time.Hour)}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.InsertCodegoToken(ctx, live); err != nil {
			return err
		}
		return tx.InsertCodegoToken(ctx, dead)
	})
	got, err := r.FindCodegoToken(ctx, live.Hash)
	if err != nil || !reflect.DeepEqual(got, live) {
		t.Fatalf("FindCodegoToken = %+v, %v", got, err)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		n, err := tx.DeleteCodegoTokens(ctx, ten, at.Add(-24*time.Hour))
		if err == nil && n != 1 {
			t.Errorf("deleted %d tokens, want 1", n)
		}
		return err
	})
	if _, err := r.FindCodegoToken(ctx, dead.Hash); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("expired token: %v", err)
	}
}
