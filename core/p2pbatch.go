package core

import (
	"context"
	"slices"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
)

// P2P transfers are posted in batches: concurrent requests are gathered and one
// transaction posts them all, with one statement per table (the accounts locked, the
// transfers, their events, their postings, the balances, the idempotency records)
// instead of seven per transfer. A transfer's cost on PostgreSQL is mostly per statement
// (planning, executor start-up, the round trips), so a batch of ten costs about what two
// transfers cost alone; on SQLite the one writer runs fewer statements per transfer; and
// a busy account (a merchant paid by many customers) is locked and updated once per batch
// instead of once per transfer.
//
// Nothing waits to fill a batch: a batch takes whatever has queued while the previous
// ones ran, so under light load a transfer goes alone and under heavy load batches grow
// with the queue. A batch only posts what it can post in full; a transfer it cannot
// (an inactive account, insufficient funds, an Idempotency-Key seen twice in the batch
// or already recorded) goes through the one-by-one path afterwards, which gives the
// exact answer and replays recorded keys. A recorded key shows only when the batch's
// commit fails on it: the batch then runs again without the recorded keys (one look-up),
// and if that fails too, all its transfers go one by one. The isolation is the same as
// one by one: the batch's transaction locks every account it moves money between
// before reading a balance, in the one global order (descending id), and the batch
// commits before any of its callers is answered.

// p2pBatcher gathers P2P transfers into batches (batcher.go).
type p2pBatcher = batcher[*p2pJob]

func newP2PBatcher(s *Service, size int) *p2pBatcher {
	return &p2pBatcher{size: size, do: s.postP2PBatchSafely}
}

// p2pJob is a transfer waiting for its batch: posted says whether the batch posted it,
// with res its result.
type p2pJob struct {
	tenantID     string
	p            P2PParams
	origin, dest accountRef
	res          *P2PResult
	posted       bool
	done         chan struct{}
}

// postP2PBatchSafely posts one batch and releases its callers. A panic (a bug) must not take the
// process down from this goroutine, where no request's recovery covers it: it is logged,
// and the transfers the batch did not post go one by one, where the request's recovery
// does. A job is marked posted only once its batch's commit has returned, so a panic
// before that leaves every transfer to the one-by-one path, and one after it cannot
// post a transfer twice.
func (s *Service) postP2PBatchSafely(jobs []*p2pJob) {
	defer func() {
		if r := recover(); r != nil {
			left := 0
			for _, j := range jobs {
				if !j.posted {
					left++
				}
			}
			s.log.Error("p2p batch panicked; what it did not post goes one by one", "panic", r, "transfers", left)
			s.metrics.leave(&s.metrics.p2p, leftOutPanic, left)
		}
		for _, j := range jobs {
			close(j.done)
		}
	}()
	s.postP2PBatch(jobs)
}

// batchTimeout bounds a batch's transaction: its callers wait for it whatever their own
// contexts do (a transfer may commit after its client has gone, as one by one).
const batchTimeout = 30 * time.Second

// postP2PBatch posts what it can of jobs in one transaction, setting posted and res of
// each job it posted; the others are left to the one-by-one path.
func (s *Service) postP2PBatch(jobs []*p2pJob) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	start := time.Now()
	s.metrics.batch(&s.metrics.p2p, len(jobs))
	defer func() { s.metrics.took(&s.metrics.p2p, time.Since(start)) }()
	// A key twice in one batch: the second waits for the one-by-one path, which replays
	// the first.
	keys := make(map[idemKey]bool, len(jobs))
	batch := make([]*p2pJob, 0, len(jobs))
	for _, j := range jobs {
		if k := (idemKey{j.tenantID, j.p.Idem.Key}); k.key != "" {
			if keys[k] {
				s.metrics.leave(&s.metrics.p2p, leftOutDuplicateKey, 1)
				continue
			}
			keys[k] = true
		}
		batch = append(batch, j)
	}
	err := s.p2pBatchTx(ctx, batch)
	if baas.ErrorReason(err) == baas.ErrIdempotencyKeyTaken {
		// A client retrying a transfer that was posted (after a timeout, a lost
		// connection, a restart). The batch goes again without the recorded keys, which
		// the one-by-one path replays; so a wave of retries does not turn batching off.
		var rest []*p2pJob
		if rest, err = s.withoutRecordedKeys(ctx, batch); err == nil {
			s.metrics.leave(&s.metrics.p2p, leftOutRecordedKey, len(batch)-len(rest))
			batch = rest
			err = s.p2pBatchTx(ctx, batch)
		}
	}
	if err != nil {
		// Every transfer of the batch goes one by one (a key recorded since the look-up
		// fails the retried batch again).
		s.metrics.leave(&s.metrics.p2p, leftOutFailed, len(batch))
		if baas.ErrorReason(err) != baas.ErrIdempotencyKeyTaken {
			s.log.Warn("p2p batch failed; its transfers go one by one", "transfers", len(batch), "err", err)
		}
		return
	}
	for _, j := range batch {
		if !j.posted {
			s.metrics.leave(&s.metrics.p2p, leftOutRefused, 1)
		}
	}
}

// idemKey is an Idempotency-Key of a tenant.
type idemKey struct{ tenantID, key string }

// withoutRecordedKeys returns the jobs of batch whose Idempotency-Key no record holds.
func (s *Service) withoutRecordedKeys(ctx context.Context, batch []*p2pJob) ([]*p2pJob, error) {
	byTenant := map[string][]string{}
	for _, j := range batch {
		if j.p.Idem.Key != "" {
			byTenant[j.tenantID] = append(byTenant[j.tenantID], j.p.Idem.Key)
		}
	}
	recorded := map[idemKey]bool{}
	for tenantID, keys := range byTenant {
		got, err := s.store.Read().RecordedIdempotencyKeys(ctx, tenantID, keys)
		if err != nil {
			return nil, err
		}
		for _, k := range got {
			recorded[idemKey{tenantID, k}] = true
		}
	}
	return slices.DeleteFunc(slices.Clone(batch), func(j *p2pJob) bool {
		return recorded[idemKey{j.tenantID, j.p.Idem.Key}]
	}), nil
}

// p2pBatchTx posts the jobs of batch it can in one transaction and, once it has
// committed, marks them posted with their results; on error none is posted.
func (s *Service) p2pBatchTx(ctx context.Context, batch []*p2pJob) error {
	if len(batch) == 0 {
		return nil
	}
	var ids []int64
	var tenants []string
	for _, j := range batch {
		ids = append(ids, j.origin.ID, j.dest.ID)
		if !slices.Contains(tenants, j.tenantID) {
			tenants = append(tenants, j.tenantID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		for _, j := range batch {
			j.res = nil // InTx may run this again
		}
		now := s.now()
		// The transfers are written first, as one by one: on PostgreSQL the insert goes
		// with the lock's round trip, and so does the look-up of the tenants' webhook
		// endpoints, after which the events need no answer before the COMMIT (two round
		// trips in all). Transfers the batch then cannot post are discarded.
		ts := make([]*baas.Transfer, len(batch))
		for i, j := range batch {
			ts[i] = &baas.Transfer{TenantID: j.tenantID, Kind: baas.TransferP2P, Description: j.p.Message, CreatedAt: now}
		}
		if err := tx.InsertTransfers(ctx, ts); err != nil {
			return err
		}
		if err := tx.ExpectEvents(ctx, tenants); err != nil {
			return err
		}
		locked, err := tx.LockAccounts(ctx, ids) // in descending id order, as transfers lock
		if err != nil {
			return err
		}
		accts := make(map[int64]*baas.Account, len(locked))
		for _, a := range locked {
			accts[a.ID] = a
		}
		changed := make(map[int64]bool, len(locked))
		var discard []int64
		var postings []baas.Posting
		var events []*baas.Event
		var recs []*baas.IdempotencyRecord
		for i, j := range batch {
			t := ts[i]
			ps, ok := applyP2P(accts, j)
			if !ok {
				discard = append(discard, t.ID)
				continue
			}
			changed[j.origin.ID], changed[j.dest.ID] = true, true
			for k := range ps {
				ps[k].TransferID = t.ID
			}
			postings = append(postings, ps...)
			e, err := newEvent(j.tenantID, "transfer.p2p", j.origin.CustomerID, now, newP2PEvent(j.origin, j.dest, j.p.Amount, t.ID))
			if err != nil {
				return err
			}
			events = append(events, e)
			// The origin's balance after this transfer (its posting), not after the batch.
			oi := slices.IndexFunc(ps, func(p baas.Posting) bool { return p.AccountID == j.origin.ID })
			res := &P2PResult{TransferID: t.ID, OriginBalance: ps[oi].BalanceAfter, Currency: j.origin.Currency,
				Description: t.Description, CreatedAt: t.CreatedAt}
			if j.p.Idem.Key != "" {
				rec, err := s.idempotencyRecord(j.tenantID, j.p.Idem, now, res)
				if err != nil {
					return err
				}
				recs = append(recs, rec)
			}
			j.res = res
		}
		if err := tx.DiscardTransfers(ctx, discard); err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		if err := tx.RecordEvents(ctx, events); err != nil {
			return err
		}
		if err := tx.InsertAllPostings(ctx, postings); err != nil {
			return err
		}
		save := make([]*baas.Account, 0, len(changed))
		for _, a := range locked {
			if changed[a.ID] {
				save = append(save, a)
			}
		}
		if err := tx.SaveBalances(ctx, save); err != nil {
			return err
		}
		return tx.PutIdempotencies(ctx, recs)
	})
	for _, j := range batch {
		j.posted = err == nil && j.res != nil
	}
	return err
}

// applyP2P applies j's transfer to the locked accounts and returns its postings, or false
// when the batch cannot post it (it goes one by one, which gives the exact answer).
func applyP2P(accts map[int64]*baas.Account, j *p2pJob) ([]baas.Posting, bool) {
	o, d := accts[j.origin.ID], accts[j.dest.ID]
	if o == nil || d == nil || o.TenantID != j.tenantID || d.TenantID != j.tenantID || p2pInactive(o, d) != nil {
		return nil, false
	}
	oc, dc := *o, *d
	postings, err := ledger.Apply(map[int64]*baas.Account{o.ID: &oc, d.ID: &dc}, ledger.Move(o.ID, d.ID, j.p.Amount))
	if err != nil {
		return nil, false
	}
	o.Balance, d.Balance = oc.Balance, dc.Balance
	return postings, true
}
