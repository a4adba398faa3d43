package core

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/rules"
)

// The transaction of the one authorization path (step 6 of Authorize) is made for
// several payments at once: concurrent payments, once past their checks before the
// transaction (and the tenant's URL), are gathered (batcher.go) and one transaction
// makes them all, with one statement per table where it can — the cards locked, the
// accounts locked, the transfers, their postings, the balances, the card transactions
// and their events — instead of about nine per payment: on SQLite the one writer runs
// fewer statements per payment, on PostgreSQL a payment costs a share of a few round
// trips and of one commit, and the tenant's network settlement account, which every
// purchase credits, is locked and updated once per batch instead of once per purchase.
//
// A payment alone (no batching configured, or one that its batch left out) goes through
// the same code as a batch of one, in its caller's goroutine: there is one
// implementation of the checks under the lock. Each payment is checked in Go, in turn,
// as it would be alone: its card under the lock (card_inactive), the spending controls
// under that lock, then its money against the locked balances as the payments before it
// in the batch left them (insufficient_funds). A decline does not stop the others; it is
// recorded by its caller once the batch has committed, as alone. A batch takes at most
// one payment per card (the controls' totals of a card must count the payments of the
// card approved before it): a second payment of a card goes first in the next batch. The
// payments of a batch whose transaction fails go the one-by-one path. No caller is
// answered before its batch has committed.

// cardPayment is a payment past its checks before the transaction, waiting for the
// transaction that makes it.
type cardPayment struct {
	t     *baas.CardTransaction // approved so far; the transaction fills in its state
	card  *baas.Card            // as read before the transaction
	txn   rules.Txn
	auth  *baas.AuthorizationSettings // the tenant's, as the steps before the transaction used them
	extra *paymentExtra               // what else its transaction does (authorizeonce.go); nil for most

	stale bool // set by the transaction: the tenant's settings are no longer auth

	declined *declined     // set by the transaction: refused under the lock
	made     bool          // a batch committed with this payment in it (approved or declined)
	done     chan struct{} // closed once its batch is over
}

// cardBatcher gathers card payments into batches.
type cardBatcher = batcher[*cardPayment]

// Card payment batches run two at once on PostgreSQL, one at a time elsewhere. Two
// batches share the tenant's network settlement account, which every purchase credits,
// but lock it only after their cards, the totals of their cards' spending controls and
// their transfers: the second does all that, on another backend, while the first
// finishes and commits, then waits for its lock. With a single writer (SQLite) the second
// only waits, and the batches are smaller. Eighth session, 32 clients, 20 s (quiet host,
// docs/benchmarks.md): PostgreSQL 2,390/s with one, 2,612/s with two; SQLite 3,982/s
// with one, 3,316/s with two.
func newCardBatcher(s *Service, size int) *cardBatcher {
	flight := 1
	if s.store.Engine() == "postgres" {
		flight = 2
	}
	return &cardBatcher{size: size, flight: flight, do: s.makeCardBatch}
}

// makeCardBatch makes one batch of payments and releases their callers. A panic (a bug)
// is logged and leaves the payments not yet made to the one-by-one path, where the
// request's recovery covers them.
func (s *Service) makeCardBatch(ps []*cardPayment) {
	start := time.Now()
	s.metrics.batch(&s.metrics.card, len(ps))
	var batch, next, requeued []*cardPayment
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("card payment batch panicked; its payments go one by one", "panic", r, "payments", len(ps))
			left := 0
			for _, p := range batch {
				if !p.made {
					left++
				}
			}
			s.metrics.leave(&s.metrics.card, leftOutPanic, left)
		}
		s.metrics.took(&s.metrics.card, time.Since(start))
		for _, p := range ps {
			if !slices.Contains(requeued, p) { // those are the next batch's to answer
				close(p.done)
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	batch = make([]*cardPayment, 0, len(ps))
	cards := make(map[string]bool, len(ps))
	for _, p := range ps {
		if !cards[p.card.ID] {
			cards[p.card.ID] = true
			batch = append(batch, p)
		} else {
			next = append(next, p)
		}
	}
	// A second payment of a card goes first in the next batch (it would otherwise wait
	// for this one, then for a transaction of its own: the slowest payments of a load).
	s.cardBatch.again(next)
	requeued = next
	s.metrics.leave(&s.metrics.card, leftOutSameCard, len(next))
	if err := s.cardPaymentsTx(ctx, batch); err != nil {
		s.log.Warn("card payment batch failed; its payments go one by one", "payments", len(batch), "err", err)
		s.metrics.leave(&s.metrics.card, leftOutFailed, len(batch))
		return
	}
	for _, p := range batch {
		p.made = true
	}
}

// cardPaymentsTx makes ps (at most one per card) in one transaction: each approved one
// gets its hold or, for a purchase, its transfer to the network settlement account, its
// record and its events; each refused one its reason in declined.
func (s *Service) cardPaymentsTx(ctx context.Context, ps []*cardPayment) error {
	return s.store.InTx(ctx, func(tx baas.Tx) error {
		return s.cardPaymentsIn(ctx, tx, ps, s.now())
	})
}

// cardPaymentsIn is the body of cardPaymentsTx, in tx: the transaction of idempotent for
// a payment with extras (authorizeonce.go), which must also hold its idempotency record.
func (s *Service) cardPaymentsIn(ctx context.Context, tx baas.Tx, ps []*cardPayment, now time.Time) error {
	ids := make([]string, len(ps))
	var tenants []string
	for i, p := range ps {
		ids[i] = p.card.ID
		if !slices.Contains(tenants, p.t.TenantID) {
			tenants = append(tenants, p.t.TenantID)
		}
	}
	if err := tx.ExpectEvents(ctx, tenants); err != nil {
		return err
	}
	// The tenants' authorization settings, which the steps before the transaction
	// may have taken from the cache (controls.go), as they are now: a payment decided
	// under others (another process changed them) is left out, to be decided again.
	auths := make(map[string]*baas.AuthorizationSettings, len(tenants))
	for _, id := range tenants {
		a, err := tx.GetAuthorizationSettings(ctx, id)
		if err != nil {
			return err
		}
		auths[id] = a
	}
	locked, err := tx.LockCards(ctx, ids)
	if err != nil {
		return err
	}
	cards := make(map[string]*baas.Card, len(locked))
	for _, c := range locked {
		cards[c.ID] = c
	}
	// The card and the controls, under the card's lock: the totals that the amount
	// rules read, of every card at once (the batch has one payment per card, so what
	// it reads counts every payment of the card approved before this one).
	var checked []*cardPayment
	var checks []controlCheck
	var queries []baas.CardTotalsQuery
	for _, p := range ps {
		t := p.t
		p.declined, p.stale = nil, false // InTx may run this again
		if p.extra != nil {
			p.extra.result = nil
		}
		if a := auths[t.TenantID]; p.auth == nil || !sameAuthorization(p.auth, a) {
			p.stale = true
			continue
		}
		t.CreatedAt, t.UpdatedAt, t.Authorized, t.Captured = now, now, t.Amount, 0
		t.HoldID, t.TransferID, t.ExpiresAt = 0, 0, time.Time{}
		c := cards[p.card.ID]
		if c == nil || c.TenantID != t.TenantID {
			return errCardNotFound()
		}
		p.card = c
		if !cardUsable(c, now) {
			p.declined = &declined{ReasonCardInactive, "the card is " + string(c.Status)}
			continue
		}
		check, err := s.prepareControls(ctx, tx, c, p.txn, now)
		if err != nil {
			return err
		}
		if check.query != nil {
			queries = append(queries, *check.query)
		}
		checked, checks = append(checked, p), append(checks, check)
	}
	var totals [][]baas.CardTotals
	if len(queries) > 0 {
		if totals, err = tx.ApprovedCardTotals(ctx, queries); err != nil {
			return err
		}
	}
	var live []*cardPayment
	var accountIDs []int64
	networks := map[string]int64{} // tenant and currency → network account id
	for i, p := range checked {
		t := p.t
		var sums []baas.CardTotals
		if checks[i].query != nil {
			sums, totals = totals[0], totals[1:]
		}
		if v := checks[i].decide(sums); !v.Approved {
			p.declined = &declined{v.Reason, v.Detail}
			continue
		}
		live = append(live, p)
		accountIDs = append(accountIDs, t.AccountID)
		if key := t.TenantID + "\x00" + t.Currency; t.Type == baas.CardTxnPurchase && networks[key] == 0 {
			n, err := s.networkAccount(ctx, tx, t.TenantID, t.Currency, now)
			if err != nil {
				return err
			}
			networks[key] = n.ID
			accountIDs = append(accountIDs, n.ID)
		}
	}
	if len(live) == 0 {
		return nil
	}
	// The transfers of the purchases go first, as a P2P batch's: on PostgreSQL their
	// insert goes with the accounts' lock, whose answer brings their ids. Those the
	// money then refuses are discarded.
	transfers := map[*cardPayment]*baas.Transfer{}
	var inserted []*baas.Transfer
	for _, p := range live {
		if p.t.Type == baas.CardTxnPurchase {
			spec := captureSpec(p.t)
			if p.extra != nil && p.extra.transfer != nil {
				spec = p.extra.transfer(p.t)
			}
			tr, err := newTransfer(p.t.TenantID, now, spec)
			if err != nil {
				return err
			}
			transfers[p], inserted = tr, append(inserted, tr)
		}
	}
	if err := tx.InsertTransfers(ctx, inserted); err != nil {
		return err
	}
	// The money, against the locked balances as the payments before left them.
	slices.Sort(accountIDs)
	lockedAccts, err := tx.LockAccounts(ctx, slices.Compact(accountIDs)) // in descending id order
	if err != nil {
		return err
	}
	accts := make(map[int64]*baas.Account, len(lockedAccts))
	for _, a := range lockedAccts {
		accts[a.ID] = a
	}
	changed := map[int64]bool{}
	var approved []*cardPayment
	var postings []baas.Posting
	var discard []int64
	for _, p := range live {
		t := p.t
		a := accts[t.AccountID]
		if a == nil || a.TenantID != t.TenantID {
			return baas.Errorf(baas.ENotFound, "account %d not found", t.AccountID)
		}
		if a.Status != baas.AccountActive { // an inactive account spends nothing (as P2P refuses it)
			p.declined = &declined{ReasonAccountInactive, "the card's account is inactive"}
			if tr := transfers[p]; tr != nil {
				discard = append(discard, tr.ID)
			}
			continue
		}
		if t.Type != baas.CardTxnPurchase {
			held := *a
			if err := ledger.PlaceHold(&held, t.Amount); baas.IsCode(err, baas.EInsufficientFunds) {
				p.declined = &declined{ReasonInsufficient, "the available balance is below the amount"}
				continue
			} else if err != nil {
				return err
			}
			a.Held, changed[a.ID] = held.Held, true
			t.State, t.ExpiresAt = baas.CardTxnPending, now.Add(s.cfg.CardAuthorizationTTL)
			approved = append(approved, p)
			continue
		}
		n := accts[networks[t.TenantID+"\x00"+t.Currency]]
		if n == nil || n.Status != baas.AccountActive {
			return &baas.Error{Code: baas.EConflict, Reason: baas.ErrCreditRefused, Message: "the network settlement account cannot be credited"}
		}
		from, to := *a, *n
		tr := transfers[p]
		ps, err := ledger.Apply(map[int64]*baas.Account{a.ID: &from, n.ID: &to}, ledger.Move(a.ID, n.ID, t.Amount))
		if baas.IsCode(err, baas.EInsufficientFunds) {
			p.declined = &declined{ReasonInsufficient, "the available balance is below the amount"}
			discard = append(discard, tr.ID)
			continue
		} else if err != nil {
			return err
		}
		a.Balance, n.Balance, changed[a.ID], changed[n.ID] = from.Balance, to.Balance, true, true
		for k := range ps {
			ps[k].TransferID = tr.ID
		}
		t.State, t.Captured, t.TransferID = baas.CardTxnCaptured, t.Amount, tr.ID
		approved, postings = append(approved, p), append(postings, ps...)
	}
	if err := tx.DiscardTransfers(ctx, discard); err != nil {
		return err
	}
	if len(approved) == 0 {
		return nil
	}
	if err := tx.InsertAllPostings(ctx, postings); err != nil {
		return err
	}
	save := make([]*baas.Account, 0, len(changed))
	for _, a := range lockedAccts {
		if changed[a.ID] {
			save = append(save, a)
		}
	}
	if err := tx.SaveBalances(ctx, save); err != nil {
		return err
	}
	ts := make([]*baas.CardTransaction, len(approved))
	var events []*baas.Event
	for i, p := range approved {
		t := p.t
		if t.Type != baas.CardTxnPurchase {
			h := &baas.Hold{TenantID: t.TenantID, AccountID: t.AccountID, Currency: accts[t.AccountID].Currency,
				Amount: t.Amount, Status: baas.HoldActive, Reference: t.ID, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertHold(ctx, h); err != nil {
				return err
			}
			t.HoldID = h.ID
		}
		ts[i] = t
		// A purchase records its capture too.
		payload := cardTxnPayload(t, p.card)
		e, err := newEvent(t.TenantID, EventCardAuthorization, t.ID, now, payload)
		if err != nil {
			return err
		}
		events = append(events, e)
		if t.Type == baas.CardTxnPurchase {
			captured := *payload
			captured.CapturedAmount = &t.Amount
			if e, err = newEvent(t.TenantID, EventCardCapture, t.ID, now, &captured); err != nil {
				return err
			}
			events = append(events, e)
		}
	}
	if err := tx.InsertCardTransactions(ctx, ts); err != nil {
		return err
	}
	if err := tx.RecordEvents(ctx, events); err != nil {
		return err
	}
	for _, p := range approved {
		if err := s.giftcardUpdated(ctx, tx, p.card, now); err != nil { // giftcard.go: a gift card's balance webhook
			return err
		}
		if x := p.extra; x != nil && x.inTx != nil { // the caller's own records (authorizeonce.go)
			r, err := x.inTx(ctx, tx, p.t, accts[p.t.AccountID], now)
			if err != nil {
				return err
			}
			x.result = r
		}
	}
	return nil
}

// sameAuthorization reports whether a and b are the same authorization settings.
func sameAuthorization(a, b *baas.AuthorizationSettings) bool {
	return a.URL == b.URL && a.Timeout == b.Timeout && a.StandIn == b.StandIn && bytes.Equal(a.SecretSealed, b.SecretSealed)
}
