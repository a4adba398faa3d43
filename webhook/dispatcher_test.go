package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/webhook"
)

// TestDeliveredAfterCommitOnly: an event whose transaction commits is delivered, signed,
// with the envelope; one whose transaction rolls back is never sent — not even later,
// although the committed event after it (same object, so in order) is.
func TestDeliveredAfterCommitOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		rc := newReceiver(t, nil)
		e.endpoint(t, rc)
		dispatch(t, e.svc, fastConfig())

		number, customer := e.account(t)
		eventually(t, 10*time.Second, "account.created delivered", func() bool { return rc.count() >= 1 })
		first := rc.requests()[0]
		if first.Type != "account.created" || first.ObjectID != customer {
			t.Fatalf("first delivery: type %q object %q, want account.created %s", first.Type, first.ObjectID, customer)
		}
		var body map[string]any
		if err := json.Unmarshal(first.Body, &body); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "type", "created_at", "tenant_id", "object_id", "data"} {
			if _, ok := body[k]; !ok {
				t.Errorf("envelope lacks %q: %s", k, first.Body)
			}
		}
		if body["tenant_id"] != e.tenant || !strings.HasPrefix(first.ID, "evt_") {
			t.Errorf("envelope %s, webhook-id %q", first.Body, first.ID)
		}
		if _, err := time.Parse(time.RFC3339Nano, body["created_at"].(string)); err != nil {
			t.Errorf("created_at: %v", err)
		}
		var data struct {
			AccountNumber int64 `json:"account_number"`
		}
		if err := json.Unmarshal(first.Data, &data); err != nil || data.AccountNumber != number {
			t.Errorf("data %s, want account_number %d", first.Data, number)
		}

		// A rolled-back transaction that wrote an event the way core.event does.
		rollback := errors.New("roll back")
		err := e.store.InTx(context.Background(), func(tx baas.Tx) error {
			ev := &baas.Event{TenantID: e.tenant, Type: "account.created", ObjectID: customer,
				Payload: json.RawMessage(`{"rolled_back":true}`), CreatedAt: time.Now().UTC()}
			if err := tx.InsertEvent(context.Background(), ev); err != nil {
				return err
			}
			if err := tx.EnqueueDeliveries(context.Background(), ev); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("InTx: %v", err)
		}
		e.cashIn(t, number, 500) // same object: delivered only after anything before it
		eventually(t, 10*time.Second, "transfer.cash_in delivered", func() bool { return rc.count() >= 2 })
		time.Sleep(50 * time.Millisecond) // a few more polls: nothing else may arrive
		got := rc.requests()
		if len(got) != 2 || got[1].Type != "transfer.cash_in" {
			t.Fatalf("deliveries %v, want account.created then transfer.cash_in", types(got))
		}
		for _, r := range got {
			if strings.Contains(string(r.Body), "rolled_back") {
				t.Fatalf("the rolled-back event was delivered: %s", r.Body)
			}
		}
		if ds := e.deliveries(t, baas.DeliveryFilter{}); len(ds) != 2 {
			t.Fatalf("%d deliveries in the outbox, want 2", len(ds))
		}
	})
}

func types(rs []received) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Type)
	}
	return out
}

// TestRetriesAfter500: a receiver answering 500 twice gets the event a third time; the
// delivery log shows every attempt with its status code, latency and error.
func TestRetriesAfter500(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		rc := newReceiver(t, func(n int, _ *received, w http.ResponseWriter, _ *http.Request) int {
			if n <= 2 {
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte("try later"))
				return -http.StatusInternalServerError
			}
			return http.StatusNoContent
		})
		ep := e.endpoint(t, rc)
		dispatch(t, e.svc, fastConfig())
		e.account(t)
		var d *baas.WebhookDelivery
		eventually(t, 10*time.Second, "delivery succeeded after two 500s", func() bool {
			ds := e.deliveries(t, baas.DeliveryFilter{EndpointID: ep.EndpointID})
			if len(ds) == 1 && ds[0].Status == baas.DeliverySucceeded {
				d = ds[0]
				return true
			}
			return false
		})
		if d.Attempts != 3 || d.LastStatusCode != 204 || d.LastError != "" || d.CompletedAt.IsZero() || d.EventType != "account.created" {
			t.Errorf("delivery %+v, want 3 attempts ending 204", d)
		}
		got := rc.requests()
		if len(got) != 3 || got[0].ID != got[2].ID {
			t.Fatalf("%d requests, want 3 with one webhook-id", len(got))
		}
		_, attempts, err := e.svc.DeliveryLog(context.Background(), e.tenant, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(attempts) != 3 {
			t.Fatalf("%d attempts in the log, want 3", len(attempts))
		}
		for i, a := range attempts {
			wantStatus, wantErr := 500, "HTTP 500"
			if i == 2 {
				wantStatus, wantErr = 204, ""
			}
			if a.Attempt != i+1 || a.StatusCode != wantStatus || a.Error != wantErr || a.Latency <= 0 {
				t.Errorf("attempt %d: %+v, want status %d error %q", i+1, a, wantStatus, wantErr)
			}
		}
		if attempts[0].Response != "try later" {
			t.Errorf("attempt 1 response %q, want the receiver's body", attempts[0].Response)
		}
		// Another tenant does not see the log.
		other, err := e.svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.DeliveryLog(context.Background(), other.TenantID, d.ID); !baas.IsCode(err, baas.ENotFound) {
			t.Errorf("another tenant's delivery log: %v, want not found", err)
		}
	})
}

// TestRetriesWhileReceiverDown: nothing listens at the endpoint's address at first; once
// a receiver comes up there, the event arrives.
func TestRetriesWhileReceiverDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		ep := e.endpointURL(t, nil, "http://"+addr+"/hook")
		cfg := fastConfig()
		cfg.Schedule = slices.Repeat([]time.Duration{30 * time.Millisecond}, 1000)
		dispatch(t, e.svc, cfg)
		e.account(t)
		eventually(t, 10*time.Second, "two refused attempts", func() bool {
			ds := e.deliveries(t, baas.DeliveryFilter{})
			return len(ds) == 1 && ds[0].Attempts >= 2
		})
		d := e.deliveries(t, baas.DeliveryFilter{})[0]
		if d.Status != baas.DeliveryPending || d.LastStatusCode != 0 || !strings.Contains(d.LastError, "refused") {
			t.Fatalf("delivery while down: %+v", d)
		}
		rc := newReceiverAt(t, addr, nil)
		rc.setSecrets(ep.SigningSecret, ep.EventRequestKey)
		eventually(t, 10*time.Second, "delivered once the receiver is up", func() bool { return len(rc.succeeded()) == 1 })
		eventually(t, 5*time.Second, "delivery recorded as succeeded", func() bool {
			return e.deliveries(t, baas.DeliveryFilter{})[0].Status == baas.DeliverySucceeded
		})
	})
}

// TestFailsAfterScheduleThenResendFailed: a delivery that never succeeds fails once the
// schedule is exhausted; re-sending the failed deliveries since a time sends it again,
// with the same webhook-id, and it succeeds.
func TestFailsAfterScheduleThenResendFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		var healthy atomic.Bool
		rc := newReceiver(t, func(int, *received, http.ResponseWriter, *http.Request) int {
			if healthy.Load() {
				return 200
			}
			return http.StatusServiceUnavailable
		})
		ep := e.endpoint(t, rc)
		cfg := fastConfig()
		cfg.Schedule = []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}
		dispatch(t, e.svc, cfg)
		before := time.Now().Add(-time.Second)
		e.account(t)
		eventually(t, 10*time.Second, "delivery failed after 3 attempts", func() bool {
			ds := e.deliveries(t, baas.DeliveryFilter{Status: baas.DeliveryFailed})
			return len(ds) == 1
		})
		d := e.deliveries(t, baas.DeliveryFilter{})[0]
		if d.Attempts != 3 || d.LastStatusCode != 503 || d.CompletedAt.IsZero() {
			t.Fatalf("failed delivery %+v, want 3 attempts ending 503", d)
		}
		if rc.count() != 3 {
			t.Fatalf("%d requests, want 3", rc.count())
		}

		// Nothing failed after now; then everything since before.
		if n, err := e.svc.ResendFailed(context.Background(), e.tenant, time.Now().Add(time.Hour), ""); err != nil || n != 0 {
			t.Fatalf("ResendFailed(future) = %d, %v; want 0", n, err)
		}
		healthy.Store(true)
		n, err := e.svc.ResendFailed(context.Background(), e.tenant, before, ep.EndpointID)
		if err != nil || n != 1 {
			t.Fatalf("ResendFailed = %d, %v; want 1", n, err)
		}
		eventually(t, 10*time.Second, "re-sent delivery succeeded", func() bool {
			return e.deliveries(t, baas.DeliveryFilter{})[0].Status == baas.DeliverySucceeded
		})
		d = e.deliveries(t, baas.DeliveryFilter{})[0]
		if d.Attempts != 4 || d.RoundAttempts != 1 {
			t.Errorf("after re-send: attempts %d round %d, want 4 and 1", d.Attempts, d.RoundAttempts)
		}
		got := rc.requests()
		if len(got) != 4 || got[3].ID != got[0].ID {
			t.Errorf("re-sent request has webhook-id %q, want %q", got[len(got)-1].ID, got[0].ID)
		}
		if _, err := e.svc.ResendFailed(context.Background(), e.tenant, time.Time{}, ""); !baas.IsCode(err, baas.EInvalid) {
			t.Errorf("ResendFailed without since: %v, want invalid", err)
		}
	})
}

// TestResendEvent: an event already delivered is sent again on request — to the
// endpoints that want it, or to one named endpoint even if it was created later.
func TestResendEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		rc := newReceiver(t, nil)
		e.endpoint(t, rc)
		dispatch(t, e.svc, fastConfig())
		e.account(t)
		eventually(t, 10*time.Second, "first delivery", func() bool { return len(rc.succeeded()) == 1 })
		evs, err := e.svc.ListEvents(context.Background(), baas.EventFilter{TenantID: e.tenant, Type: "account.created"})
		if err != nil || len(evs) != 1 {
			t.Fatalf("ListEvents: %v, %v", evs, err)
		}
		ev := evs[0]
		eventually(t, 5*time.Second, "delivery recorded", func() bool {
			return e.deliveries(t, baas.DeliveryFilter{EventID: ev.ID})[0].Status == baas.DeliverySucceeded
		})
		n, err := e.svc.ResendEvent(context.Background(), e.tenant, ev.ID, "")
		if err != nil || n != 1 {
			t.Fatalf("ResendEvent = %d, %v", n, err)
		}
		eventually(t, 10*time.Second, "re-sent", func() bool { return len(rc.succeeded()) == 2 })
		ids := rc.succeeded()
		if ids[0] != ids[1] || ids[0] != webhook.EventID(ev.ID) {
			t.Errorf("webhook-ids %v, want both %s", ids, webhook.EventID(ev.ID))
		}

		late := newReceiver(t, nil)
		lateEP := e.endpoint(t, late, "transfer.*") // does not want account.created
		if n, err := e.svc.ResendEvent(context.Background(), e.tenant, ev.ID, lateEP.EndpointID); err != nil || n != 1 {
			t.Fatalf("ResendEvent to one endpoint = %d, %v", n, err)
		}
		eventually(t, 10*time.Second, "re-sent to the new endpoint", func() bool { return len(late.succeeded()) == 1 })
		if got := e.deliveries(t, baas.DeliveryFilter{EventID: ev.ID}); len(got) != 2 {
			t.Errorf("deliveries of the event: %d, want 2", len(got))
		}
		if _, err := e.svc.ResendEvent(context.Background(), e.tenant, ev.ID+1000, ""); !baas.IsCode(err, baas.ENotFound) {
			t.Errorf("ResendEvent of an unknown event: %v", err)
		}
	})
}

// TestOrderPerObject: while the first event of an object is being retried, the next
// events of that object wait; another object's events do not.
func TestOrderPerObject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		var failFirst atomic.Bool
		failFirst.Store(true)
		rc := newReceiver(t, func(n int, r *received, w http.ResponseWriter, req *http.Request) int {
			if r.Type == "transfer.cash_in" && failFirst.Load() {
				return 500
			}
			return 200
		})
		ep := e.endpoint(t, rc, "transfer.*")
		cfg := fastConfig()
		cfg.Schedule = slices.Repeat([]time.Duration{20 * time.Millisecond}, 1000)
		dispatch(t, e.svc, cfg)

		a, objA := e.account(t)
		b, objB := e.account(t)
		for _, amount := range []int64{1, 2, 3} {
			e.cashIn(t, a, amount)
		}
		e.cashIn(t, b, 9)
		eventually(t, 10*time.Second, "the first cash-in of A failing repeatedly", func() bool {
			ds := e.deliveries(t, baas.DeliveryFilter{EndpointID: ep.EndpointID})
			for _, d := range ds {
				if d.ObjectID == objA && d.Attempts >= 3 {
					return true
				}
			}
			return false
		})
		var waiting int
		for _, d := range e.deliveries(t, baas.DeliveryFilter{EndpointID: ep.EndpointID}) {
			if d.ObjectID == objA && d.Status == baas.DeliveryWaiting {
				waiting++
			}
		}
		if waiting != 2 {
			t.Errorf("%d deliveries of A waiting, want 2", waiting)
		}
		for _, r := range rc.requests() {
			if r.ObjectID == objA && !strings.Contains(string(r.Data), `"amount":1`) {
				t.Fatalf("a later event of A was sent before the first succeeded: %s", r.Data)
			}
		}
		// B's cash-in also fails (same rule) but A's chain does not hold it back.
		if !slices.ContainsFunc(rc.requests(), func(r received) bool { return r.ObjectID == objB }) {
			t.Error("B's event waited for A's")
		}
		failFirst.Store(false)
		eventually(t, 10*time.Second, "all four cash-ins delivered", func() bool { return len(rc.succeeded()) == 4 })
		var amounts []string
		for _, r := range rc.requests() {
			if r.ObjectID == objA && r.Status == 200 {
				var d struct {
					Amount int64 `json:"amount"`
				}
				_ = json.Unmarshal(r.Data, &d)
				amounts = append(amounts, fmt.Sprint(d.Amount))
			}
		}
		if strings.Join(amounts, ",") != "1,2,3" {
			t.Errorf("A's events arrived in the order %v, want 1,2,3", amounts)
		}
	})
}

// TestHangingReceiverIsCutOff: a receiver that never answers is cut off at the attempt
// timeout, the attempt is logged as a timeout, and the delivery is retried.
func TestHangingReceiverIsCutOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		rc := newReceiver(t, func(n int, _ *received, _ http.ResponseWriter, req *http.Request) int {
			if n == 1 {
				select {
				case <-release:
				case <-req.Context().Done():
				}
			}
			return 200
		})
		e.endpoint(t, rc)
		cfg := fastConfig()
		cfg.Timeout, cfg.Lease = 300*time.Millisecond, 2*time.Second
		dispatch(t, e.svc, cfg)
		start := time.Now()
		e.account(t)
		eventually(t, 10*time.Second, "delivered on the second attempt", func() bool {
			ds := e.deliveries(t, baas.DeliveryFilter{})
			return len(ds) == 1 && ds[0].Status == baas.DeliverySucceeded
		})
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("took %s", el)
		}
		d := e.deliveries(t, baas.DeliveryFilter{})[0]
		_, attempts, err := e.svc.DeliveryLog(context.Background(), e.tenant, d.ID)
		if err != nil || len(attempts) != 2 {
			t.Fatalf("log: %v %v", attempts, err)
		}
		a := attempts[0]
		if a.StatusCode != 0 || a.Error != "timeout after 300ms" || a.Latency < 300*time.Millisecond || a.Latency > 3*time.Second {
			t.Errorf("first attempt %+v, want a timeout after 300ms", a)
		}
	})
}

// TestHugeResponseIsNotRead: a receiver that answers 200 with an endless body costs at
// most MaxResponseBody of reading; one that dribbles its body is cut off by the timeout.
func TestHugeResponseIsNotRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		var written atomic.Int64
		handlerDone := make(chan struct{}, 2)
		rc := newReceiver(t, func(n int, _ *received, w http.ResponseWriter, req *http.Request) int {
			defer func() { handlerDone <- struct{}{} }()
			w.WriteHeader(200)
			chunk := make([]byte, 32<<10)
			if n == 1 { // endless: up to 1 GiB
				for written.Load() < 1<<30 {
					k, err := w.Write(chunk)
					written.Add(int64(k))
					if err != nil {
						return -200
					}
				}
				return -200
			}
			for i := 0; i < 1000; i++ { // dribbling, one byte per 50ms
				if _, err := w.Write([]byte("x")); err != nil {
					return -200
				}
				w.(http.Flusher).Flush()
				select {
				case <-req.Context().Done():
					return -200
				case <-time.After(50 * time.Millisecond):
				}
			}
			return -200
		})
		e.endpoint(t, rc)
		cfg := fastConfig()
		cfg.Timeout, cfg.Lease = 500*time.Millisecond, 3*time.Second
		dispatch(t, e.svc, cfg)
		number, _ := e.account(t)
		eventually(t, 10*time.Second, "huge answer recorded", func() bool {
			ds := e.deliveries(t, baas.DeliveryFilter{})
			return len(ds) == 1 && ds[0].Status == baas.DeliverySucceeded
		})
		select {
		case <-handlerDone:
		case <-time.After(10 * time.Second):
			t.Fatal("the endless handler never saw the connection close")
		}
		if w := written.Load(); w > 32<<20 {
			t.Errorf("the receiver could write %d bytes: the body was read far past the cap", w)
		}
		_, attempts, _ := e.svc.DeliveryLog(context.Background(), e.tenant, e.deliveries(t, baas.DeliveryFilter{})[0].ID)
		if len(attempts) != 1 || len(attempts[0].Response) > 1024 {
			t.Errorf("attempt log %+v: want one attempt with at most 1 KiB of response", attempts)
		}

		e.cashIn(t, number, 100)
		start := time.Now()
		eventually(t, 10*time.Second, "dribbling answer recorded", func() bool {
			ds := e.deliveries(t, baas.DeliveryFilter{Status: baas.DeliverySucceeded})
			return len(ds) == 2
		})
		if el := time.Since(start); el > 3*time.Second {
			t.Errorf("dribbling body held the attempt for %s", el)
		}
	})
}

// TestExpiredLeaseIsRetried: a dispatcher that claimed a delivery and died (it never
// records a result) loses it when the lease ends, and another dispatcher sends it.
func TestExpiredLeaseIsRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		rc := newReceiver(t, nil)
		e.endpoint(t, rc)
		e.account(t)
		claimed, err := e.svc.ClaimDeliveries(context.Background(), 10, 300*time.Millisecond)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v, %v", claimed, err)
		}
		if claimed[0].SigningSecret == "" || claimed[0].EventRequestKey == "" {
			t.Fatal("claimed delivery without its secrets")
		}
		if again, err := e.svc.ClaimDeliveries(context.Background(), 10, time.Minute); err != nil || len(again) != 0 {
			t.Fatalf("a leased delivery was claimed twice: %v, %v", again, err)
		}
		start := time.Now()
		dispatch(t, e.svc, fastConfig())
		eventually(t, 10*time.Second, "delivered after the lease", func() bool { return len(rc.succeeded()) == 1 })
		if el := time.Since(start); el < 200*time.Millisecond {
			t.Errorf("sent %s after start: before the lease ended", el)
		}
		eventually(t, 5*time.Second, "recorded", func() bool {
			return e.deliveries(t, baas.DeliveryFilter{})[0].Status == baas.DeliverySucceeded
		})
		d := e.deliveries(t, baas.DeliveryFilter{})[0]
		if d.Attempts != 2 {
			t.Errorf("attempts %d, want 2 (the lost one counts)", d.Attempts)
		}
		// The dead dispatcher's late result does not overwrite the outcome.
		held, err := e.svc.RecordDelivery(context.Background(), baas.DeliveryResult{DeliveryID: d.ID,
			LeaseToken: claimed[0].LeaseToken, Attempt: 1, Status: baas.DeliveryFailed, Error: "late"})
		if err != nil || held {
			t.Fatalf("late record: held %v, %v", held, err)
		}
		if d := e.deliveries(t, baas.DeliveryFilter{})[0]; d.Status != baas.DeliverySucceeded {
			t.Errorf("late record changed the delivery: %+v", d)
		}
	})
}

// TestReplicasShareTheOutbox: two dispatchers on one store deliver every event exactly
// once when nothing fails.
func TestReplicasShareTheOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		rc := newReceiver(t, nil)
		e.endpoint(t, rc)
		dispatch(t, e.svc, fastConfig())
		dispatch(t, e.svc, fastConfig())
		const n = 30
		for i := 0; i < n; i++ {
			e.account(t)
		}
		eventually(t, 20*time.Second, "all delivered", func() bool { return len(rc.succeeded()) >= n })
		time.Sleep(50 * time.Millisecond)
		ids := rc.succeeded()
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("%s delivered twice", id)
			}
			seen[id] = true
		}
		if len(ids) != n {
			t.Errorf("%d deliveries, want %d", len(ids), n)
		}
	})
}

// TestEndpointFiltersAndDeletion: an endpoint gets the types it asked for; a deleted one
// gets nothing more and its pending deliveries fail; endpoints of another tenant are not
// found.
func TestEndpointFiltersAndDeletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		transfers := newReceiver(t, nil)
		accounts := newReceiver(t, nil)
		epT := e.endpoint(t, transfers, "transfer.*")
		epA := e.endpoint(t, accounts, "account.created", "account.created")
		list, err := e.svc.ListWebhookEndpoints(context.Background(), e.tenant)
		if err != nil || len(list) != 2 || !slices.Equal(list[1].EventTypes, []string{"account.created"}) {
			t.Fatalf("ListWebhookEndpoints: %+v, %v", list, err)
		}
		dispatch(t, e.svc, fastConfig())
		number, _ := e.account(t)
		e.cashIn(t, number, 100)
		eventually(t, 10*time.Second, "both delivered", func() bool {
			return len(transfers.succeeded()) == 1 && len(accounts.succeeded()) == 1
		})
		if transfers.requests()[0].Type != "transfer.cash_in" || accounts.requests()[0].Type != "account.created" {
			t.Fatalf("filters not applied: %v %v", types(transfers.requests()), types(accounts.requests()))
		}
		if err := e.svc.DeleteWebhookEndpoint(context.Background(), e.tenant, epA.EndpointID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteWebhookEndpoint(context.Background(), e.tenant, epA.EndpointID); !baas.IsCode(err, baas.ENotFound) {
			t.Fatalf("deleting twice: %v", err)
		}
		e.account(t)
		e.cashIn(t, number, 100)
		eventually(t, 10*time.Second, "the live endpoint still gets events", func() bool { return len(transfers.succeeded()) == 2 })
		if accounts.count() != 1 {
			t.Errorf("the deleted endpoint got %d requests, want 1", accounts.count())
		}
		other, _ := e.svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "other"})
		if err := e.svc.DeleteWebhookEndpoint(context.Background(), other.TenantID, epT.EndpointID); !baas.IsCode(err, baas.ENotFound) {
			t.Errorf("another tenant deleted the endpoint: %v", err)
		}

		// Undelivered deliveries of a deleted endpoint fail.
		down := e.endpointURL(t, nil, "http://127.0.0.1:1/never")
		e.account(t)
		if err := e.svc.DeleteWebhookEndpoint(context.Background(), e.tenant, down.EndpointID); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "deliveries of the deleted endpoint failed", func() bool {
			ds := e.deliveries(t, baas.DeliveryFilter{EndpointID: down.EndpointID})
			return len(ds) == 1 && ds[0].Status == baas.DeliveryFailed
		})
		if d := e.deliveries(t, baas.DeliveryFilter{EndpointID: down.EndpointID})[0]; d.LastError != "endpoint deleted" {
			t.Errorf("deleted endpoint's delivery: %+v", d)
		}
	})
}

// TestInvalidEndpoints: bad URLs, filters and formats are refused, nothing is stored.
func TestInvalidEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for _, c := range []struct {
			url    string
			types  []string
			format string
		}{
			{url: ""},
			{url: "not a url"},
			{url: "ftp://example.com/hook"},
			{url: "javascript:alert(1)"},
			{url: "http://"},
			{url: "/relative/path"},
			{url: "http://exa mple.com/"},
			{url: "https://example.com/" + strings.Repeat("a", 2048)},
			{url: "mailto:a@example.com"},
			{url: "https://example.com/hook", types: []string{"Bad Type"}},
			{url: "https://example.com/hook", types: []string{"account.*.x"}},
			{url: "https://example.com/hook", format: "xml"},
		} {
			_, err := e.svc.CreateWebhookEndpoint(context.Background(), core.CreateWebhookEndpointParams{TenantID: e.tenant,
				URL: c.url, EventTypes: c.types, Format: c.format})
			if !baas.IsCode(err, baas.EInvalid) {
				t.Errorf("%+v: %v, want invalid", c, err)
			}
		}
		_, err := e.svc.CreateWebhookEndpoint(context.Background(), core.CreateWebhookEndpointParams{
			TenantID: "00000000-0000-4000-8000-000000000000", URL: "https://example.com/hook"})
		if !baas.IsCode(err, baas.ENotFound) {
			t.Errorf("unknown tenant: %v", err)
		}
		if list, _ := e.svc.ListWebhookEndpoints(context.Background(), e.tenant); len(list) != 0 {
			t.Errorf("%d endpoints stored", len(list))
		}
		for i := 0; i < core.MaxEndpointsPerTenant; i++ {
			e.endpointURL(t, nil, fmt.Sprintf("https://example.com/%d", i))
		}
		_, err = e.svc.CreateWebhookEndpoint(context.Background(), core.CreateWebhookEndpointParams{TenantID: e.tenant,
			URL: "https://example.com/one-too-many"})
		if !baas.IsCode(err, baas.EConflict) {
			t.Errorf("endpoint over the limit: %v", err)
		}
	})
}

// TestAPINotBlockedByDeliveries: with every worker stuck on a hanging receiver, use cases
// still answer at once.
func TestAPINotBlockedByDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		release := make(chan struct{})
		rc := newReceiver(t, func(_ int, _ *received, _ http.ResponseWriter, req *http.Request) int {
			select {
			case <-release:
			case <-req.Context().Done():
			}
			return 200
		})
		e.endpoint(t, rc)
		cfg := fastConfig()
		cfg.Workers, cfg.Timeout, cfg.Lease = 2, 20*time.Second, time.Minute
		dispatch(t, e.svc, cfg)
		t.Cleanup(func() { close(release) }) // runs before the dispatcher's cleanup waits for its workers
		e.account(t)
		e.account(t)
		eventually(t, 10*time.Second, "both workers stuck", func() bool { return rc.count() == 2 })
		start := time.Now()
		for i := 0; i < 20; i++ {
			number, _ := e.account(t)
			e.cashIn(t, number, 100)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("40 use cases took %s while deliveries hang", el)
		}
	})
}

// TestPayloadFormat: an endpoint in "payload" format receives the bare event payload,
// still signed.
func TestPayloadFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		rc := newReceiver(t, nil)
		s, err := e.svc.CreateWebhookEndpoint(context.Background(), core.CreateWebhookEndpointParams{TenantID: e.tenant,
			URL: rc.URL(), Format: baas.WebhookPayload})
		if err != nil {
			t.Fatal(err)
		}
		rc.setSecrets(s.SigningSecret, s.EventRequestKey)
		dispatch(t, e.svc, fastConfig())
		number, _ := e.account(t)
		eventually(t, 10*time.Second, "delivered", func() bool { return len(rc.succeeded()) == 1 })
		var body map[string]any
		if err := json.Unmarshal(rc.requests()[0].Body, &body); err != nil {
			t.Fatal(err)
		}
		if _, ok := body["data"]; ok || body["account_number"] != float64(number) {
			t.Errorf("payload body %v, want the bare payload", body)
		}
	})
}

// TestShutdownFinishesInFlight: stopping the dispatcher waits for the attempt in flight
// and records it.
func TestShutdownFinishesInFlight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		arrived := make(chan struct{}, 1)
		rc := newReceiver(t, func(int, *received, http.ResponseWriter, *http.Request) int {
			arrived <- struct{}{}
			time.Sleep(200 * time.Millisecond)
			return 200
		})
		e.endpoint(t, rc)
		d, err := webhook.NewDispatcher(e.svc, fastConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { d.Run(ctx); close(stopped) }()
		e.account(t)
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("nothing arrived")
		}
		cancel()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return")
		}
		if ds := e.deliveries(t, baas.DeliveryFilter{}); ds[0].Status != baas.DeliverySucceeded {
			t.Errorf("after shutdown the in-flight delivery is %s, want succeeded", ds[0].Status)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []webhook.Config{
		{Timeout: time.Second, Lease: time.Second},
		{Jitter: 1},
		{Schedule: []time.Duration{time.Second, 0}},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: valid", c)
		}
	}
	if err := (webhook.Config{}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	var total time.Duration
	for _, d := range webhook.DefaultSchedule {
		total += d
	}
	if total < 66*time.Hour || total > 78*time.Hour {
		t.Errorf("default schedule spans %s, want about three days", total)
	}
}
