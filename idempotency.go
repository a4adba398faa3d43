package baas

import (
	"context"
	"encoding/json"
	"time"
)

// IdempotencyRecord remembers the result of a request made with an Idempotency-Key.
type IdempotencyRecord struct {
	TenantID    string
	Key         string
	Fingerprint string
	Result      json.RawMessage
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// ErrIdempotencyKeyTaken is the reason of the EConflict error of PutIdempotency when the
// tenant already has a record with the key.
const ErrIdempotencyKeyTaken = "IDEMPOTENCY_KEY_TAKEN"

// IdempotencyTx holds the queries of idempotency records.
type IdempotencyTx interface {
	GetIdempotency(ctx context.Context, tenantID, key string) (*IdempotencyRecord, error)
	// PutIdempotency inserts r; a record with the same tenant and key is an EConflict
	// error with reason ErrIdempotencyKeyTaken. The store may hold the write back until
	// the commit (PostgreSQL pipelines it with the COMMIT): the error then comes from InTx.
	PutIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// PutIdempotencies is PutIdempotency for several records, in one statement: one key
	// already recorded fails them all.
	PutIdempotencies(ctx context.Context, rs []*IdempotencyRecord) error
	// RecordedIdempotencyKeys returns which of keys the tenant has a record for (expired
	// or not), in ascending order.
	RecordedIdempotencyKeys(ctx context.Context, tenantID string, keys []string) ([]string, error)
	DeleteIdempotency(ctx context.Context, tenantID, key string) error
	DeleteExpiredIdempotency(ctx context.Context, now time.Time) (int64, error)
}
