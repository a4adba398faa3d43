package core

import (
	"context"
	"encoding/json"
	"time"

	"github.com/baas-oss/baas"
)

// Idempotency identifies a request made with an Idempotency-Key. Fingerprint is a hash of
// what the request asked for (method, path, canonical body), computed by the dialect.
type Idempotency struct {
	Key         string
	Fingerprint string
}

// idempotent runs fn in one transaction together with the idempotency record of idem:
// when the key was used before for the same request, it returns the stored result and
// replayed=true; when it was used for another request, an EConflict error. Only
// successful results are remembered, so a request that failed may be retried with the
// same key. Without a key it simply runs fn in a transaction.
//
// The key is not looked up first: a fresh key — the common case — costs only the insert
// of its record, which goes out with the COMMIT on PostgreSQL. When the key is already
// recorded the insert fails, the transaction rolls back, and the record is read and
// replayed; when fn itself fails, the record is read too, as a retried request must get
// its first answer even if running it again would fail now (the first transfer spent the
// money). Two requests racing with one fresh key are settled by the record's unique key.
func idempotent[T any](ctx context.Context, s *Service, idem Idempotency, fn func(ctx context.Context, tx baas.Tx, now time.Time) (T, error)) (res T, replayed bool, err error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return res, false, err
	}
	expired := false // the key's record has expired: replace it
	for attempt := 0; attempt < 4; attempt++ {
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
			rec, err := s.idempotencyRecord(tenantID, idem, now, r)
			if err != nil {
				return err
			}
			return tx.PutIdempotency(ctx, rec)
		})
		if err == nil {
			return res, false, nil
		}
		if idem.Key == "" || ctx.Err() != nil {
			break
		}
		taken := baas.ErrorReason(err) == baas.ErrIdempotencyKeyTaken
		rec, lerr := s.store.Read().GetIdempotency(ctx, tenantID, idem.Key)
		switch {
		case lerr == nil && rec.ExpiresAt.After(s.now()):
			var zero T
			if err := replayRecord(rec, idem, &zero); err != nil {
				return zero, false, err
			}
			return zero, true, nil
		case lerr != nil && !baas.IsCode(lerr, baas.ENotFound):
			return res, false, lerr
		case !taken:
			// fn failed and no live record answers for the key: fn's error is the answer.
			var zero T
			return zero, false, err
		}
		// Taken, but expired (replace it) or gone again (a concurrent request rolled back).
		expired = lerr == nil
	}
	var zero T
	return zero, false, err
}

// replayRecord reads the result of rec, a live record of idem's key, into res: EConflict
// IDEMPOTENCY_KEY_REUSED when the key was recorded for another request.
func replayRecord(rec *baas.IdempotencyRecord, idem Idempotency, res any) error {
	if rec.Fingerprint != idem.Fingerprint {
		return baas.Reasonf(baas.EConflict, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key was already used for a different request")
	}
	return json.Unmarshal(rec.Result, res)
}

// recordedResult returns the result that answers for idem.Key, if a live record holds
// it (ok); EConflict IDEMPOTENCY_KEY_REUSED when it was recorded for another request.
// Looked up before a request that must not run twice in part either (a payment asks the
// tenant's authorization URL and records its declines outside the record's transaction).
func (s *Service) recordedResult(ctx context.Context, tenantID string, idem Idempotency) (raw json.RawMessage, ok bool, err error) {
	rec, err := s.store.Read().GetIdempotency(ctx, tenantID, idem.Key)
	switch {
	case baas.IsCode(err, baas.ENotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case !rec.ExpiresAt.After(s.now()):
		return nil, false, nil // expired: idempotent replaces it
	}
	if err := replayRecord(rec, idem, &raw); err != nil {
		return nil, false, err
	}
	return raw, true, nil
}

// idempotencyRecord is the record that answers for idem.Key with result from now on.
func (s *Service) idempotencyRecord(tenantID string, idem Idempotency, now time.Time, result any) (*baas.IdempotencyRecord, error) {
	b, err := json.Marshal(result)
	if err != nil {
		return nil, err
	}
	return &baas.IdempotencyRecord{TenantID: tenantID, Key: idem.Key, Fingerprint: idem.Fingerprint, Result: b,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.IdempotencyTTL)}, nil
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
