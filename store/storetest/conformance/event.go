package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

// baas.EventTx: events, webhook endpoints, the delivery outbox and its log, and the
// event log.

func testEvents(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	var evs []*baas.Event
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		for i := 0; i < 3; i++ {
			e := &baas.Event{TenantID: tn.ID, Type: "thing.happened", ObjectID: fmt.Sprint(i),
				Payload: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)), CreatedAt: now()}
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
			evs = append(evs, e)
		}
		return nil
	})
	for i, e := range evs {
		if e.ID <= 0 || (i > 0 && e.ID <= evs[i-1].ID) {
			t.Fatalf("event ids not set or not increasing: %d", e.ID)
		}
	}
}

// testRecordEvent: without a live endpoint an event is written with no delivery; with
// one, it gets its delivery; a deleted endpoint gets none.
func testRecordEvent(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	e := emit(t, s, tn.ID, "transfer.p2p", uniq("obj_"), now())
	if e.ID <= 0 {
		t.Fatalf("RecordEvent set id %d", e.ID)
	}
	if ds := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID}); len(ds) != 0 {
		t.Fatalf("deliveries without an endpoint: %+v", ds)
	}
	ep := newEndpoint(t, s, tn.ID)
	e = emit(t, s, tn.ID, "transfer.p2p", uniq("obj_"), now())
	if ds := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, EventID: e.ID}); len(ds) != 1 || ds[0].EndpointID != ep.ID {
		t.Fatalf("deliveries with one endpoint: %+v", ds)
	}
	// The event followed by other statements (a store may send it with the next one) and
	// two events in one transaction: the second waits behind the first.
	a := newAccount(t, s, tn.ID, accountOpts{})
	obj := uniq("obj_")
	e1 := &baas.Event{TenantID: tn.ID, Type: "transfer.p2p", ObjectID: obj, Payload: json.RawMessage(`{"n":1}`), CreatedAt: now()}
	e2 := &baas.Event{TenantID: tn.ID, Type: "transfer.p2p", ObjectID: obj, Payload: json.RawMessage(`{"n":2}`), CreatedAt: now()}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.RecordEvent(ctx, e1); err != nil {
			return err
		}
		if _, err := tx.AddToBalance(ctx, a.ID, 0); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, e2)
	})
	if e1.ID <= 0 || e2.ID <= e1.ID {
		t.Fatalf("event ids %d, %d", e1.ID, e2.ID)
	}
	ds := append(deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, EventID: e1.ID}),
		deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, EventID: e2.ID})...)
	if len(ds) != 2 {
		t.Fatalf("deliveries of two events in one transaction: %+v", ds)
	}
	for _, d := range ds {
		want := baas.DeliveryPending
		if d.EventID == e2.ID {
			want = baas.DeliveryWaiting
		}
		if d.Status != want {
			t.Fatalf("delivery of event %d is %s, want %s", d.EventID, d.Status, want)
		}
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.DeleteWebhookEndpoint(ctx, tn.ID, ep.ID, now()) })
	e = emit(t, s, tn.ID, "transfer.p2p", uniq("obj_"), now())
	if ds := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, EventID: e.ID}); len(ds) != 0 {
		t.Fatalf("deliveries to a deleted endpoint: %+v", ds)
	}
}

// emit writes an event and enqueues its deliveries in one transaction, as the core does.
func emit(t *testing.T, s baas.Store, tenantID, typ, objectID string, at time.Time) *baas.Event {
	t.Helper()
	e := &baas.Event{TenantID: tenantID, Type: typ, ObjectID: objectID, Payload: json.RawMessage(`{"n":1}`), CreatedAt: at}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.RecordEvent(ctx, e) })
	return e
}

func claim(t *testing.T, s baas.Store, at time.Time, lease time.Duration, limit int) []*baas.ClaimedDelivery {
	t.Helper()
	var out []*baas.ClaimedDelivery
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		var err error
		out, err = tx.ClaimDeliveries(ctx, baas.ClaimDeliveriesParams{Now: at, LeaseUntil: at.Add(lease),
			LeaseToken: uniq("lease_"), Limit: limit})
		return err
	})
	return out
}

func record(t *testing.T, s baas.Store, r *baas.DeliveryResult) bool {
	t.Helper()
	var held bool
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		var err error
		held, err = tx.RecordDeliveryResult(ctx, r)
		return err
	})
	return held
}

func testWebhookEndpoints(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn, other := newTenant(t, s), newTenant(t, s)
	a := newEndpoint(t, s, tn.ID)
	b := newEndpoint(t, s, tn.ID, "account.created", "transfer.*")
	got, err := s.Read().GetWebhookEndpoint(ctx, tn.ID, b.ID)
	if err != nil {
		t.Fatalf("GetWebhookEndpoint: %v", err)
	}
	if got.URL != b.URL || !slices.Equal(got.EventTypes, b.EventTypes) || got.Format != b.Format ||
		!bytes.Equal(got.EventRequestKeySealed, b.EventRequestKeySealed) || !bytes.Equal(got.SigningSecretSealed, b.SigningSecretSealed) ||
		!got.CreatedAt.Equal(b.CreatedAt) || !got.DeletedAt.IsZero() {
		t.Fatalf("GetWebhookEndpoint = %+v, want %+v", got, b)
	}
	if !got.Wants("transfer.p2p") || !got.Wants("account.created") || got.Wants("account.status_changed") {
		t.Error("Wants does not follow the filter")
	}
	_, err = s.Read().GetWebhookEndpoint(ctx, other.ID, b.ID)
	wantCode(t, err, baas.ENotFound)
	list, err := s.Read().ListWebhookEndpoints(ctx, tn.ID)
	if err != nil || len(list) != 2 || list[0].ID != a.ID || len(list[0].EventTypes) != 0 {
		t.Fatalf("ListWebhookEndpoints = %+v, %v", list, err)
	}
	dup := *a
	err = s.InTx(ctx, func(tx baas.Tx) error { return tx.CreateWebhookEndpoint(ctx, &dup) })
	wantCode(t, err, baas.EConflict)

	err = s.InTx(ctx, func(tx baas.Tx) error { return tx.DeleteWebhookEndpoint(ctx, other.ID, a.ID, now()) })
	wantCode(t, err, baas.ENotFound)
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.DeleteWebhookEndpoint(ctx, tn.ID, a.ID, now()) })
	err = s.InTx(ctx, func(tx baas.Tx) error { return tx.DeleteWebhookEndpoint(ctx, tn.ID, a.ID, now()) })
	wantCode(t, err, baas.ENotFound)
	_, err = s.Read().GetWebhookEndpoint(ctx, tn.ID, a.ID)
	wantCode(t, err, baas.ENotFound)
	if got, err := s.Read().GetWebhookEndpointIncludingDeleted(ctx, tn.ID, a.ID); err != nil || got.ID != a.ID || got.DeletedAt.IsZero() {
		t.Fatalf("GetWebhookEndpointIncludingDeleted(deleted) = %+v, %v", got, err)
	}
	if got, err := s.Read().GetWebhookEndpointIncludingDeleted(ctx, tn.ID, b.ID); err != nil || !got.DeletedAt.IsZero() {
		t.Fatalf("GetWebhookEndpointIncludingDeleted(live) = %+v, %v", got, err)
	}
	_, err = s.Read().GetWebhookEndpointIncludingDeleted(ctx, other.ID, a.ID)
	wantCode(t, err, baas.ENotFound)
	if list, _ := s.Read().ListWebhookEndpoints(ctx, tn.ID); len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("after deleting: %+v", list)
	}
}

func testWebhookOutbox(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn, other := newTenant(t, s), newTenant(t, s)
	all := newEndpoint(t, s, tn.ID)
	transfers := newEndpoint(t, s, tn.ID, "transfer.*")
	newEndpoint(t, s, other.ID) // another tenant's endpoint gets nothing of tn's

	t0 := now()
	e1 := emit(t, s, tn.ID, "account.created", "obj-1", t0)
	e2 := emit(t, s, tn.ID, "transfer.cash_in", "obj-1", t0.Add(time.Millisecond))
	e3 := emit(t, s, tn.ID, "transfer.cash_in", "obj-2", t0.Add(2*time.Millisecond))
	if ds := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: other.ID}); len(ds) != 0 {
		t.Fatalf("another tenant got %d deliveries", len(ds))
	}
	ds := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID})
	status := map[string]string{}
	for _, d := range ds {
		status[fmt.Sprintf("%s/%d", d.EndpointID, d.EventID)] = d.Status
		if d.Attempts != 0 || d.ObjectID == "" || d.EventType == "" || !d.NextAttemptAt.Equal(d.CreatedAt) {
			t.Errorf("new delivery %+v", d)
		}
	}
	want := map[string]string{
		fmt.Sprintf("%s/%d", all.ID, e1.ID):       baas.DeliveryPending,
		fmt.Sprintf("%s/%d", all.ID, e2.ID):       baas.DeliveryWaiting, // behind e1, same endpoint and object
		fmt.Sprintf("%s/%d", all.ID, e3.ID):       baas.DeliveryPending,
		fmt.Sprintf("%s/%d", transfers.ID, e2.ID): baas.DeliveryPending, // e1 is not a transfer: nothing before it
		fmt.Sprintf("%s/%d", transfers.ID, e3.ID): baas.DeliveryPending,
	}
	if fmt.Sprint(status) != fmt.Sprint(want) {
		t.Fatalf("deliveries %v, want %v", status, want)
	}
	due, ok, err := s.Read().NextDeliveryDue(ctx)
	if err != nil || !ok || !due.Equal(t0) {
		t.Fatalf("NextDeliveryDue = %v %v %v, want %v", due, ok, err, t0)
	}
	if b, err := s.Read().DeliveryBacklog(ctx, t0.Add(-time.Second)); err != nil || b != (baas.DeliveryBacklog{Pending: 4}) {
		t.Fatalf("DeliveryBacklog before they are due = %+v, %v; want 4 pending, none due", b, err)
	}
	if b, err := s.Read().DeliveryBacklog(ctx, t0.Add(time.Second)); err != nil || b.Pending != 4 || b.Due != 4 || !b.OldestDue.Equal(t0) {
		t.Fatalf("DeliveryBacklog once due = %+v, %v; want 4 pending, 4 due since %v", b, err, t0)
	}

	// Claim: oldest due first, at most the limit, counting an attempt; leased ones are
	// not claimed again until the lease ends.
	if c := claim(t, s, t0.Add(-time.Second), time.Minute, 10); len(c) != 0 {
		t.Fatalf("claimed %d deliveries not yet due", len(c))
	}
	at := t0.Add(time.Second)
	c1 := claim(t, s, at, time.Minute, 2)
	if len(c1) != 2 || c1[0].Delivery.EventID != e1.ID || c1[0].Delivery.Attempts != 1 || c1[0].Delivery.RoundAttempts != 1 {
		t.Fatalf("first claim %+v", c1)
	}
	first := c1[0]
	if first.Event.Type != "account.created" || string(first.Event.Payload) != `{"n":1}` || first.Event.ObjectID != "obj-1" ||
		first.Endpoint.URL != all.URL || !bytes.Equal(first.Endpoint.SigningSecretSealed, all.SigningSecretSealed) ||
		!first.Delivery.NextAttemptAt.Equal(at.Add(time.Minute)) {
		t.Fatalf("claimed delivery %+v", first)
	}
	c2 := claim(t, s, at, time.Minute, 10)
	if len(c2) != 2 {
		t.Fatalf("second claim got %d, want the 2 remaining pending deliveries", len(c2))
	}
	if c := claim(t, s, at, time.Minute, 10); len(c) != 0 {
		t.Fatalf("claimed %d leased deliveries", len(c))
	}
	if c := claim(t, s, at.Add(2*time.Minute), time.Minute, 10); len(c) != 4 {
		t.Fatalf("after the leases ended: claimed %d, want 4", len(c))
	}
	// Those four are now leased by the last claim; take e1's afresh for the rest.
	reclaimed := claim(t, s, at.Add(4*time.Minute), time.Minute, 10)
	var d1 *baas.ClaimedDelivery
	for _, c := range reclaimed {
		if c.Delivery.EventID == e1.ID && c.Endpoint.ID == all.ID {
			d1 = c
		}
	}
	if d1 == nil || d1.Delivery.Attempts != 3 {
		t.Fatalf("e1 not reclaimed with 3 attempts: %+v", d1)
	}

	// A stale lease token changes nothing but is logged.
	later := at.Add(5 * time.Minute)
	if record(t, s, &baas.DeliveryResult{DeliveryID: d1.Delivery.ID, LeaseToken: first.LeaseToken, Attempt: 1,
		Status: baas.DeliveryFailed, Error: "stale", At: later}) {
		t.Fatal("a stale lease was honoured")
	}
	// A retry keeps it pending until next; success lets e2 (waiting behind it) go.
	next := later.Add(30 * time.Second)
	if !record(t, s, &baas.DeliveryResult{DeliveryID: d1.Delivery.ID, LeaseToken: d1.LeaseToken, Attempt: 3,
		Status: baas.DeliveryPending, NextAttemptAt: next, StatusCode: 500, Error: "HTTP 500", Latency: 1500 * time.Microsecond,
		Response: "oops", At: later}) {
		t.Fatal("retry not recorded")
	}
	d, err := s.Read().GetDelivery(ctx, tn.ID, d1.Delivery.ID)
	if err != nil || d.Status != baas.DeliveryPending || !d.NextAttemptAt.Equal(next) || d.LastStatusCode != 500 ||
		d.LastError != "HTTP 500" || d.LastLatency != 1500*time.Microsecond || !d.CompletedAt.IsZero() || d.EventType != "account.created" {
		t.Fatalf("after a retry: %+v, %v", d, err)
	}
	_, err = s.Read().GetDelivery(ctx, other.ID, d1.Delivery.ID)
	wantCode(t, err, baas.ENotFound)
	waitingE2 := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, EndpointID: all.ID, EventID: e2.ID})[0]
	if waitingE2.Status != baas.DeliveryWaiting {
		t.Fatalf("e2 %s while e1 is retried", waitingE2.Status)
	}
	c := claim(t, s, next, time.Minute, 10)
	var again *baas.ClaimedDelivery
	for _, x := range c {
		if x.Delivery.ID == d1.Delivery.ID {
			again = x
		}
	}
	if again == nil {
		t.Fatalf("e1 not due again at its next attempt: %+v", c)
	}
	if !record(t, s, &baas.DeliveryResult{DeliveryID: again.Delivery.ID, LeaseToken: again.LeaseToken, Attempt: 4,
		Status: baas.DeliverySucceeded, StatusCode: 200, At: next}) {
		t.Fatal("success not recorded")
	}
	d, _ = s.Read().GetDelivery(ctx, tn.ID, again.Delivery.ID)
	if d.Status != baas.DeliverySucceeded || !d.CompletedAt.Equal(next) || d.LastError != "" {
		t.Fatalf("after success: %+v", d)
	}
	e2d, _ := s.Read().GetDelivery(ctx, tn.ID, waitingE2.ID)
	if e2d.Status != baas.DeliveryPending || !e2d.NextAttemptAt.Equal(next) {
		t.Fatalf("e2 after e1 succeeded: %+v", e2d)
	}
	attempts, err := s.Read().ListDeliveryAttempts(ctx, d1.Delivery.ID)
	if err != nil || len(attempts) != 3 {
		t.Fatalf("attempts %+v, %v; want the stale, the retry and the success", attempts, err)
	}
	if a := attempts[1]; a.Attempt != 3 || a.StatusCode != 500 || a.Error != "HTTP 500" || a.Response != "oops" ||
		a.Latency != 1500*time.Microsecond || !a.CreatedAt.Equal(later) {
		t.Errorf("retry attempt %+v", a)
	}

	// Failing for good also lets the next one go; listings filter and page.
	e4 := emit(t, s, tn.ID, "transfer.cash_in", "obj-2", next)
	dl := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, EndpointID: transfers.ID, EventID: e4.ID})
	if len(dl) != 1 || dl[0].Status != baas.DeliveryWaiting {
		t.Fatalf("e4 to transfers: %+v", dl)
	}
	page := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, Limit: 2})
	if len(page) != 2 || page[0].ID < page[1].ID {
		t.Fatalf("page %+v", page)
	}
	rest := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, BeforeID: page[1].ID})
	if len(rest) != 7-2 {
		t.Fatalf("rest of the pages: %d, want 5", len(rest))
	}
	if n := len(deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, Status: baas.DeliverySucceeded})); n != 1 {
		t.Fatalf("%d succeeded", n)
	}

	// Re-queue: an existing delivery becomes pending with a fresh round; a new one is made.
	late := newEndpoint(t, s, tn.ID, "nothing.matches")
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
		if err := tx.RequeueDelivery(ctx, e1, all.ID, next.Add(time.Second)); err != nil {
			return err
		}
		return tx.RequeueDelivery(ctx, e1, late.ID, next.Add(time.Second))
	})
	rq := deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, EventID: e1.ID})
	if len(rq) != 2 {
		t.Fatalf("deliveries of e1 after re-queueing: %d", len(rq))
	}
	for _, d := range rq {
		if d.Status != baas.DeliveryPending || d.RoundAttempts != 0 || !d.CompletedAt.IsZero() {
			t.Errorf("re-queued %+v", d)
		}
	}

	// Failed ones since a time come back, in batches; deleting an endpoint fails the rest.
	var failedIDs []int64
	for _, c := range claim(t, s, next.Add(time.Hour), time.Minute, 100) {
		if record(t, s, &baas.DeliveryResult{DeliveryID: c.Delivery.ID, LeaseToken: c.LeaseToken, Attempt: c.Delivery.Attempts,
			Status: baas.DeliveryFailed, Error: "gone", At: next.Add(time.Hour)}) {
			failedIDs = append(failedIDs, c.Delivery.ID)
		}
	}
	failed := len(deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, Status: baas.DeliveryFailed}))
	if failed < 4 {
		t.Fatalf("%d failed deliveries", failed)
	}
	requeue := func(f baas.RequeueFilter) int64 {
		var n int64
		inTx(t, s, func(ctx context.Context, tx baas.Tx) error {
			var err error
			f.TenantID, f.Now = tn.ID, next.Add(2*time.Hour)
			n, err = tx.RequeueFailedDeliveries(ctx, f)
			return err
		})
		return n
	}
	if n := requeue(baas.RequeueFilter{Since: next.Add(time.Hour)}); n != 0 {
		t.Fatalf("re-queued %d created after since", n)
	}
	if n := requeue(baas.RequeueFilter{Since: t0, Limit: 2}); n != 2 {
		t.Fatalf("re-queued %d with limit 2", n)
	}
	if n := requeue(baas.RequeueFilter{Since: t0, EndpointID: late.ID}); n > 1 {
		t.Fatalf("re-queued %d for one endpoint", n)
	}
	requeue(baas.RequeueFilter{Since: t0})
	if n := len(deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, Status: baas.DeliveryFailed})); n != 0 {
		t.Fatalf("%d failed left", n)
	}
	inTx(t, s, func(ctx context.Context, tx baas.Tx) error { return tx.DeleteWebhookEndpoint(ctx, tn.ID, all.ID, next) })
	for _, d := range deliveriesOf(t, s, baas.DeliveryFilter{TenantID: tn.ID, EndpointID: all.ID}) {
		if d.Status != baas.DeliverySucceeded && (d.Status != baas.DeliveryFailed || d.LastError != "endpoint deleted") {
			t.Errorf("after deleting the endpoint: %+v", d)
		}
	}
	if n := requeue(baas.RequeueFilter{Since: t0, EndpointID: all.ID}); n != 0 {
		t.Errorf("re-queued %d deliveries of a deleted endpoint", n)
	}
}

// testWebhookClaimsConcurrent: concurrent claims never lease one delivery twice.
func testWebhookClaimsConcurrent(t *testing.T, s baas.Store) {
	tn := newTenant(t, s)
	newEndpoint(t, s, tn.ID)
	t0 := now()
	const events = 40
	for i := 0; i < events; i++ {
		emit(t, s, tn.ID, "thing.happened", fmt.Sprint("obj-", i), t0)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				var got []*baas.ClaimedDelivery
				err := s.InTx(context.Background(), func(tx baas.Tx) error {
					var err error
					got, err = tx.ClaimDeliveries(context.Background(), baas.ClaimDeliveriesParams{Now: t0.Add(time.Second),
						LeaseUntil: t0.Add(time.Hour), LeaseToken: uniq("l_"), Limit: 3})
					return err
				})
				if err != nil {
					t.Errorf("ClaimDeliveries: %v", err)
					return
				}
				mu.Lock()
				for _, c := range got {
					seen[c.Delivery.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != events {
		t.Errorf("%d distinct deliveries claimed, want %d", len(seen), events)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
}

func testEventLog(t *testing.T, s baas.Store) {
	ctx := context.Background()
	tn, other := newTenant(t, s), newTenant(t, s)
	var evs []*baas.Event
	for i := 0; i < 5; i++ {
		typ := "a.one"
		if i%2 == 1 {
			typ = "b.two"
		}
		evs = append(evs, emit(t, s, tn.ID, typ, "o", now()))
	}
	emit(t, s, other.ID, "a.one", "o", now())
	got, err := s.Read().GetEvent(ctx, tn.ID, evs[2].ID)
	if err != nil || got.Type != evs[2].Type || string(got.Payload) != `{"n":1}` || !got.CreatedAt.Equal(evs[2].CreatedAt) {
		t.Fatalf("GetEvent = %+v, %v", got, err)
	}
	_, err = s.Read().GetEvent(ctx, other.ID, evs[2].ID)
	wantCode(t, err, baas.ENotFound)
	list, err := s.Read().ListEvents(ctx, baas.EventFilter{TenantID: tn.ID, Type: "a.one"})
	if err != nil || len(list) != 3 || list[0].ID != evs[4].ID {
		t.Fatalf("ListEvents(type) = %d, %v", len(list), err)
	}
	list, _ = s.Read().ListEvents(ctx, baas.EventFilter{TenantID: tn.ID, BeforeID: evs[3].ID, Limit: 2})
	if len(list) != 2 || list[0].ID != evs[2].ID || list[1].ID != evs[1].ID {
		t.Fatalf("ListEvents(before, limit) = %+v", list)
	}
}
