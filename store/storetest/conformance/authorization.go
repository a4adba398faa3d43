package conformance

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.AuthorizationTx: the real-time authorization settings and call log.

func testAuthorizationSettings(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn := newTenant(t, s)
	a, err := s.Read().GetAuthorizationSettings(ctx, tn.ID)
	if err != nil || a.URL != "" || a.Timeout != 2*time.Second || a.StandIn != baas.StandInDecline || a.SecretSealed != nil {
		t.Fatalf("defaults %+v, %v", a, err)
	}
	_, err = s.Read().GetAuthorizationSettings(ctx, "no-such-tenant")
	wantCode(t, err, baas.ENotFound)
	a.URL, a.Timeout, a.StandIn, a.SecretSealed = "https://example.com/auth", 750*time.Millisecond, baas.StandInApprove, []byte{1, 2, 0, 3}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.SaveAuthorizationSettings(ctx, a) })
	b, _ := s.Read().GetAuthorizationSettings(ctx, tn.ID)
	if b.URL != a.URL || b.Timeout != a.Timeout || b.StandIn != a.StandIn || !bytes.Equal(b.SecretSealed, a.SecretSealed) {
		t.Fatalf("saved %+v, read %+v", a, b)
	}
	err = s.InTx(ctx, func(tx baas.Tx) error {
		return tx.SaveAuthorizationSettings(ctx, &baas.AuthorizationSettings{TenantID: "no-such-tenant", StandIn: "decline"})
	})
	wantCode(t, err, baas.ENotFound)

	for i, approved := range []bool{true, false} {
		c := &baas.AuthorizationCall{TenantID: tn.ID, RequestID: fmt.Sprint("authz_", i), Reference: "card-auth-1",
			Approved: approved, StandIn: !approved, Reason: "timeout after 2s", StatusCode: 0, Latency: 2 * time.Second, CreatedAt: now()}
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.InsertAuthorizationCall(ctx, c) })
		if c.ID <= 0 {
			t.Fatalf("InsertAuthorizationCall set id %d", c.ID)
		}
	}
	calls, err := s.Read().ListAuthorizationCalls(ctx, tn.ID, 0, 10)
	if err != nil || len(calls) != 2 || calls[0].Approved || !calls[0].StandIn || calls[1].RequestID != "authz_0" ||
		calls[0].Latency != 2*time.Second || calls[0].Reason != "timeout after 2s" {
		t.Fatalf("ListAuthorizationCalls = %+v, %v", calls, err)
	}
	if calls, _ := s.Read().ListAuthorizationCalls(ctx, tn.ID, calls[0].ID, 10); len(calls) != 1 {
		t.Fatalf("before: %d", len(calls))
	}
}
