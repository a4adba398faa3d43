package baas

import (
	"context"
	"time"
)

// SessionToken is a tenant's API session token: issued when a caller proves the tenant's
// client keys (and API key), then sent with each request until it expires. The store
// keeps only a keyed hash of the token, so a copy of the database does not let anyone
// call the API. The table is still named codego_tokens, the name existing databases hold
// it under (the Codego dialect was the first to issue such tokens).
type SessionToken struct {
	Hash      []byte
	TenantID  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionTx holds the queries of API session tokens.
type SessionTx interface {
	InsertSessionToken(ctx context.Context, t *SessionToken) error
	// FindSessionToken returns the token with the hash, or ENotFound.
	FindSessionToken(ctx context.Context, hash []byte) (*SessionToken, error)
	// DeleteExpiredSessionTokens deletes the tenant's tokens that expired before before.
	DeleteExpiredSessionTokens(ctx context.Context, tenantID string, before time.Time) (int64, error)
}
