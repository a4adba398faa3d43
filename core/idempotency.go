package core

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/baas-oss/baas"
)

// Idempotency identifies a request made with an Idempotency-Key. Fingerprint is a hash of
// what the request asked for (method, path, canonical body), computed by the dialect.
type Idempotency struct {
	Key         string
	Fingerprint string
}

var errIdempotencyRace = errors.New("idempotency key taken by a concurrent request")

// idempotent runs fn in one transaction together with the idempotency record of idem:
// when the key was used before for the same request, it returns the stored result and
// replayed=true without running fn; when it was used for another request, an EConflict
// error. Only successful results are remembered, so a request that failed may be retried
// with the same key. Without a key it simply runs fn in a transaction.
//
// The key is looked up on a reader before the write transaction, so a replay never takes
// the writer and a fresh key costs the writer one statement (the insert) instead of two.
// Two requests racing with one fresh key both run fn; the unique key of the record lets
// only the first commit, and the second, rolled back, looks again and replays it.
func idempotent[T any](ctx context.Context, s *Service, idem Idempotency, fn func(ctx context.Context, tx baas.Tx, now time.Time) (T, error)) (res T, replayed bool, err error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return res, false, err
	}
	for attempt := 0; attempt < 3; attempt++ {
		expired := false
		if idem.Key != "" {
			rec, err := s.store.Read().GetIdempotency(ctx, tenantID, idem.Key)
			switch {
			case err == nil && rec.ExpiresAt.After(s.now()):
				if rec.Fingerprint != idem.Fingerprint {
					return res, false, baas.Reasonf(baas.EConflict, "IDEMPOTENCY_KEY_REUSED",
						"Idempotency-Key was already used for a different request")
				}
				if err := json.Unmarshal(rec.Result, &res); err != nil {
					return res, false, err
				}
				return res, true, nil
			case err == nil:
				expired = true
			case !baas.IsCode(err, baas.ENotFound):
				return res, false, err
			}
		}
		err = s.store.InTx(ctx, func(tx baas.Tx) error {
			var zero T
			res = zero
			now := s.now()
			if expired {
				if err := tx.DeleteIdempotency(ctx, tenantID, idem.Key); err != nil {
					return err
				}
			}
			r, err := fn(ctx, tx, now)
			if err != nil {
				return err
			}
			res = r
			if idem.Key == "" {
				return nil
			}
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			err = tx.PutIdempotency(ctx, &baas.IdempotencyRecord{TenantID: tenantID, Key: idem.Key,
				Fingerprint: idem.Fingerprint, Result: b, CreatedAt: now, ExpiresAt: now.Add(s.cfg.IdempotencyTTL)})
			if baas.IsCode(err, baas.EConflict) {
				return errIdempotencyRace
			}
			return err
		})
		if !errors.Is(err, errIdempotencyRace) {
			break
		}
	}
	if err != nil {
		var zero T
		return zero, false, err
	}
	return res, false, nil
}

// PurgeIdempotencyKeys deletes the keys that have expired.
func (s *Service) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	var n int64
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		var err error
		n, err = tx.DeleteExpiredIdempotency(ctx, s.now())
		return err
	})
	return n, err
}
