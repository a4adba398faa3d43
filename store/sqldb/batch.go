package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/baas-oss/baas"
)

// This file holds the statements that write many rows at once, for transactions that
// post a batch of transfers (core's P2P batches): one statement per table instead of one
// per transfer, which is what a transfer costs PostgreSQL most.

// valuesList returns "(?, ?), (?, ?)" for rows rows of cols columns.
func valuesList(cols, rows int) string {
	one := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return one + strings.Repeat(", "+one, rows-1)
}

// assignIDs gives the ids a multi-row INSERT … RETURNING id returned to the rows in the
// order of its VALUES. Both engines insert the rows of a VALUES list in order and take
// each id as they insert it, so the ids increase in that order; the order in which
// RETURNING reports them is not promised (SQLite says so), hence the sort.
func assignIDs(ids []int64, n int, set func(i int, id int64)) error {
	if len(ids) != n {
		return fmt.Errorf("insert returned %d ids for %d rows", len(ids), n)
	}
	slices.Sort(ids)
	for i, id := range ids {
		set(i, id)
	}
	return nil
}

// InsertTransfers is held back where the querier pipelines (laterRead): it goes out with
// the transaction's next statement that waits for an answer, which sets the IDs.
func (x *queries) InsertTransfers(ctx context.Context, ts []*baas.Transfer) error {
	if len(ts) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(ts))
	for _, t := range ts {
		args = append(args, t.TenantID, t.Kind, t.Description, t.Merchant, nullJSON(t.Metadata), micros(t.CreatedAt))
	}
	ids := make([]int64, 0, len(ts))
	err := x.laterRead(ctx, PipeStmt{
		Query: `INSERT INTO transfers (tenant_id, kind, description, merchant, metadata, created_at) VALUES ` +
			valuesList(6, len(ts)) + ` RETURNING id`,
		Args: args,
		Each: func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			ids = append(ids, id)
			return err
		},
		After:  func() error { return assignIDs(ids, len(ts), func(i int, id int64) { ts[i].ID = id }) },
		MapErr: x.translate,
	})
	return x.translate(err)
}

// DiscardTransfers deletes transfers of this transaction that have no postings, held
// back like the postings.
func (x *queries) DiscardTransfers(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return x.later(ctx, `DELETE FROM transfers WHERE id IN `+valuesList(len(ids), 1), nil, args...)
}

// InsertAllPostings writes all postings in one statement, held back where the querier
// pipelines: nothing in the transaction waits for it.
func (x *queries) InsertAllPostings(ctx context.Context, postings []baas.Posting) error {
	if len(postings) == 0 {
		return nil
	}
	args := make([]any, 0, 5*len(postings))
	for _, p := range postings {
		args = append(args, p.TransferID, p.AccountID, p.Currency, p.Amount, p.BalanceAfter)
	}
	return x.later(ctx, `INSERT INTO postings (transfer_id, account_id, currency, amount, balance_after) VALUES `+
		valuesList(5, len(postings)), nil, args...)
}

// ExpectEvents looks up, with the transaction's next round trip, which of the tenants
// have live webhook endpoints, where the querier pipelines; elsewhere it does nothing.
func (x *queries) ExpectEvents(ctx context.Context, tenantIDs []string) error {
	if x.pipe == nil || len(tenantIDs) == 0 {
		return nil
	}
	args := make([]any, len(tenantIDs))
	for i, id := range tenantIDs {
		args[i] = id
	}
	found := map[string]bool{}
	return x.laterRead(ctx, PipeStmt{
		Query: `SELECT DISTINCT tenant_id FROM webhook_endpoints WHERE deleted_at IS NULL AND tenant_id IN ` +
			valuesList(len(tenantIDs), 1),
		Args: args,
		Each: func(scan func(...any) error) error {
			var id string
			err := scan(&id)
			found[id] = true
			return err
		},
		After: func() error {
			if x.hooked == nil {
				x.hooked = map[string]bool{}
			}
			for _, id := range tenantIDs {
				x.hooked[id] = found[id]
			}
			return nil
		},
		MapErr: x.translate,
	})
}

// RecordEvents writes the events and, for those whose tenant has live endpoints, their
// deliveries. Where the querier pipelines the insert is held back, like the postings:
// nothing in a transaction waits for an event, so it goes out with the next statement
// instead of costing a round trip of its own, and the deliveries, which the insert's
// answer says whether to write, are written before the COMMIT.
func (x *queries) RecordEvents(ctx context.Context, es []*baas.Event) error {
	if len(es) == 0 {
		return nil
	}
	args := make([]any, 0, 5*len(es))
	for _, e := range es {
		args = append(args, e.TenantID, e.Type, e.ObjectID, string(e.Payload), micros(e.CreatedAt))
	}
	type inserted struct {
		id           int64
		hasEndpoints bool
	}
	got := make([]inserted, 0, len(es))
	s := PipeStmt{
		Query: `INSERT INTO events (tenant_id, type, object_id, payload, created_at) VALUES ` + valuesList(5, len(es)) +
			` RETURNING id, EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.tenant_id = events.tenant_id AND w.deleted_at IS NULL)`,
		Args: args,
		Each: func(scan func(...any) error) error {
			var r inserted
			err := scan(&r.id, &r.hasEndpoints)
			got = append(got, r)
			return err
		},
		MapErr: x.translate,
	}
	assign := func() error {
		if len(got) != len(es) {
			return fmt.Errorf("insert returned %d ids for %d events", len(got), len(es))
		}
		slices.SortFunc(got, func(a, b inserted) int { return cmp.Compare(a.id, b.id) }) // see assignIDs
		for i, e := range es {
			e.ID = got[i].id
		}
		return nil
	}
	then := func(ctx context.Context) error {
		if err := assign(); err != nil {
			return err
		}
		for i, e := range es {
			if got[i].hasEndpoints {
				if err := x.EnqueueDeliveries(ctx, e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if x.pipe != nil {
		if !slices.ContainsFunc(es, func(e *baas.Event) bool { h, known := x.hooked[e.TenantID]; return h || !known }) {
			// ExpectEvents found no endpoint for these tenants (earlier in this
			// transaction, as READ COMMITTED would have at the insert): no delivery to
			// write, so the insert goes with the COMMIT.
			s.After = assign
			return x.laterRead(ctx, s)
		}
		s.Query = x.db.rebind(s.Query)
		x.pipe.LaterThen(s, then)
		return nil
	}
	if _, err := x.pipeline(ctx, []PipeStmt{s}); err != nil {
		return x.translate(err)
	}
	return then(ctx)
}

// RecordEvent writes e and, when its tenant has live endpoints, its deliveries: see
// RecordEvents.
func (x *queries) RecordEvent(ctx context.Context, e *baas.Event) error {
	return x.RecordEvents(ctx, []*baas.Event{e})
}

// PutIdempotencies is held back where the querier pipelines: it goes out with the COMMIT.
func (x *queries) PutIdempotencies(ctx context.Context, rs []*baas.IdempotencyRecord) error {
	if len(rs) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(rs))
	for _, r := range rs {
		args = append(args, r.TenantID, r.Key, r.Fingerprint, string(r.Result), micros(r.CreatedAt), micros(r.ExpiresAt))
	}
	return x.later(ctx, `INSERT INTO idempotency_keys (tenant_id, key, fingerprint, result, created_at, expires_at)
		VALUES `+valuesList(6, len(rs)), func(err error) error {
		if x.db.dialect.IsUnique(err) {
			return &baas.Error{Code: baas.EConflict, Reason: baas.ErrIdempotencyKeyTaken,
				Message: "Idempotency-Key already recorded", Err: err}
		}
		return err
	}, args...)
}

// PutIdempotency inserts one record: see PutIdempotencies.
func (x *queries) PutIdempotency(ctx context.Context, r *baas.IdempotencyRecord) error {
	return x.PutIdempotencies(ctx, []*baas.IdempotencyRecord{r})
}
