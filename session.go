package baas

import (
	"context"
	"time"
)

// CodegoToken is a Codego auth token. The store keeps only a keyed hash of the token, so a
// copy of the database does not let anyone call the API.
type CodegoToken struct {
	Hash      []byte
	TenantID  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionTx holds the queries of auth tokens.
type SessionTx interface {
	InsertCodegoToken(ctx context.Context, t *CodegoToken) error
	FindCodegoToken(ctx context.Context, hash []byte) (*CodegoToken, error)
	// DeleteCodegoTokens deletes the tenant's tokens that expired before before.
	DeleteCodegoTokens(ctx context.Context, tenantID string, before time.Time) (int64, error)
}
