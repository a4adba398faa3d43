package baas

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Event is a notifiable change, written in the same transaction as the change.
type Event struct {
	ID        int64
	TenantID  string
	Type      string
	ObjectID  string
	Payload   json.RawMessage
	CreatedAt time.Time
}

// Webhook delivery statuses. A delivery is waiting while an earlier delivery of the same
// endpoint and object is undelivered (so one object's events arrive in order), pending
// while it is due or being retried, and ends succeeded or failed.
const (
	DeliveryWaiting   = "waiting"
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// Webhook body formats.
const (
	// WebhookEnvelope sends {"id","type","created_at","tenant_id","object_id","data"}.
	WebhookEnvelope = "envelope"
	// WebhookPayload sends the event's payload alone, for receivers written against a
	// vendor document that shows bare bodies (Codego's webhooks).
	WebhookPayload = "payload"
)

// WebhookEndpoint is a URL of a tenant that receives events. The event request key and
// the signing secret are kept sealed (AES-GCM under a key derived from the master key);
// only the core opens them, to sign deliveries.
type WebhookEndpoint struct {
	ID         string
	TenantID   string
	URL        string
	EventTypes []string // empty: every event; "kind.*" matches every type under "kind."
	Format     string   // WebhookEnvelope or WebhookPayload
	// EventRequestKeySealed and SigningSecretSealed are the sealed secrets.
	EventRequestKeySealed []byte
	SigningSecretSealed   []byte
	CreatedAt             time.Time
	DeletedAt             time.Time // zero while the endpoint is live
}

// Wants reports whether the endpoint subscribes to events of type typ.
func (e *WebhookEndpoint) Wants(typ string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, f := range e.EventTypes {
		if f == "*" || f == typ {
			return true
		}
		if prefix, ok := strings.CutSuffix(f, "*"); ok && strings.HasPrefix(typ, prefix) {
			return true
		}
	}
	return false
}

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID         int64
	TenantID   string
	EndpointID string
	EventID    int64
	EventType  string // filled in by listings
	ObjectID   string
	Status     string
	// Attempts counts every attempt ever made; RoundAttempts those since the delivery was
	// created or last re-sent, which is what the retry schedule is indexed by.
	Attempts       int
	RoundAttempts  int
	NextAttemptAt  time.Time
	LastStatusCode int
	LastError      string
	LastLatency    time.Duration
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CompletedAt    time.Time // when it succeeded or failed for good; zero before
}

// WebhookAttempt is one HTTP request of a delivery, kept in the delivery log.
type WebhookAttempt struct {
	ID         int64
	DeliveryID int64
	Attempt    int
	StatusCode int    // 0 when no response came
	Error      string // "" on success
	Latency    time.Duration
	Response   string // the start of the response body, for diagnosis
	CreatedAt  time.Time
}

// ClaimedDelivery is a delivery leased to one dispatcher, with what it needs to send it.
type ClaimedDelivery struct {
	Delivery   WebhookDelivery
	Event      Event
	Endpoint   WebhookEndpoint
	LeaseToken string
}

// DeliveryBacklog is what the dispatcher has yet to send: Pending deliveries (due or
// retrying later; a leased one is due again when its lease ends), Due those whose next
// attempt time has come and that no dispatcher holds, and OldestDue the earliest such
// time (zero when none is due): how far behind the dispatcher is.
type DeliveryBacklog struct {
	Pending   int64
	Due       int64
	OldestDue time.Time
}

// ClaimDeliveriesParams select and lease due deliveries.
type ClaimDeliveriesParams struct {
	Now        time.Time
	LeaseUntil time.Time // the deliveries become due again then, unless their result is recorded
	LeaseToken string
	Limit      int
}

// DeliveryResult is the outcome of one attempt. Status is DeliveryPending (retry at
// NextAttemptAt), DeliverySucceeded or DeliveryFailed.
type DeliveryResult struct {
	DeliveryID    int64
	LeaseToken    string
	Attempt       int
	Status        string
	NextAttemptAt time.Time
	StatusCode    int
	Error         string
	Latency       time.Duration
	Response      string
	At            time.Time
}

// DeliveryFilter selects deliveries of one tenant, newest first (oldest first when
// Oldest is set); empty fields do not filter. BeforeID is the keyset cursor newest
// first, AfterID oldest first.
type DeliveryFilter struct {
	TenantID   string
	EndpointID string
	EventID    int64
	Status     string
	Oldest     bool
	BeforeID   int64
	AfterID    int64
	Limit      int
}

// RequeueFilter selects failed deliveries to send again.
type RequeueFilter struct {
	TenantID   string
	EndpointID string    // "" for every endpoint of the tenant
	Since      time.Time // deliveries created at or after
	Now        time.Time
	Limit      int // at most this many (all when 0)
}

// EventFilter pages through a tenant's events, newest first.
type EventFilter struct {
	TenantID string
	Type     string
	BeforeID int64
	Limit    int
}

// EventTx holds the queries of the event log (the outbox) and of webhook endpoints and
// deliveries.
type EventTx interface {
	InsertEvent(ctx context.Context, e *Event) error
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// GetWebhookEndpoint returns a live endpoint of the tenant.
	GetWebhookEndpoint(ctx context.Context, tenantID, id string) (*WebhookEndpoint, error)
	// GetWebhookEndpointIncludingDeleted returns an endpoint of the tenant, live or
	// deleted (DeletedAt set): deliveries outlive their endpoint.
	GetWebhookEndpointIncludingDeleted(ctx context.Context, tenantID, id string) (*WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, tenantID string) ([]*WebhookEndpoint, error)
	// DeleteWebhookEndpoint marks a live endpoint deleted and fails its undelivered
	// deliveries.
	DeleteWebhookEndpoint(ctx context.Context, tenantID, id string, at time.Time) error

	// EnqueueDeliveries creates one delivery of e (already inserted) for every live
	// endpoint of e's tenant that wants e's type: waiting when an earlier delivery of the
	// same endpoint and object is undelivered, else pending and due at e.CreatedAt.
	EnqueueDeliveries(ctx context.Context, e *Event) error
	// RecordEvent inserts e and its deliveries: InsertEvent then EnqueueDeliveries, in one
	// statement when the tenant has no live endpoint (the common case on the hot path).
	// The store may hold the writes back until the commit (PostgreSQL sends the insert
	// with the transaction's next statement): e.ID is set by the time InTx returns, and an
	// error may come from InTx.
	RecordEvent(ctx context.Context, e *Event) error
	// RecordEvents is RecordEvent for several events, in one insert where the store can;
	// their IDs increase in the order given.
	RecordEvents(ctx context.Context, es []*Event) error
	// ExpectEvents tells the store that the transaction will record events of these
	// tenants. A store that holds writes back (PostgreSQL) looks up their webhook
	// endpoints with its next round trip; events of tenants found without one then need
	// no answer before the COMMIT, and their insert goes with it.
	ExpectEvents(ctx context.Context, tenantIDs []string) error
	// ClaimDeliveries leases up to p.Limit due pending deliveries, oldest due first,
	// counting an attempt for each; deliveries leased by another transaction are skipped.
	ClaimDeliveries(ctx context.Context, p ClaimDeliveriesParams) ([]*ClaimedDelivery, error)
	// NextDeliveryDue returns when the earliest pending delivery is due; ok is false when
	// none is pending.
	NextDeliveryDue(ctx context.Context) (due time.Time, ok bool, err error)
	// DeliveryBacklog counts the pending deliveries and those of them due by now.
	DeliveryBacklog(ctx context.Context, now time.Time) (DeliveryBacklog, error)
	// RecordDeliveryResult logs the attempt and, when the lease is still held, stores the
	// delivery's new state; a delivery that ends succeeded or failed lets the next waiting
	// delivery of its endpoint and object become pending. It reports whether the lease was
	// still held.
	RecordDeliveryResult(ctx context.Context, r *DeliveryResult) (bool, error)
	GetDelivery(ctx context.Context, tenantID string, id int64) (*WebhookDelivery, error)
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]*WebhookDelivery, error)
	ListDeliveryAttempts(ctx context.Context, deliveryID int64) ([]*WebhookAttempt, error)
	// RequeueDelivery makes the delivery of an event to an endpoint pending and due at
	// now, with a fresh retry schedule, creating it when there is none.
	RequeueDelivery(ctx context.Context, e *Event, endpointID string, now time.Time) error
	// RequeueFailedDeliveries makes the failed deliveries that f selects pending again and
	// returns how many.
	RequeueFailedDeliveries(ctx context.Context, f RequeueFilter) (int64, error)

	GetEvent(ctx context.Context, tenantID string, id int64) (*Event, error)
	ListEvents(ctx context.Context, f EventFilter) ([]*Event, error)
}
