package baas

import (
	"context"
	"encoding/json"
	"time"
)

// Actor is who performs an operator action, and from where. The admin API's
// authentication sets it for each request and the CLI for each command (WithActor); the
// core reads it (ActorFrom) when it records the action in the audit log.
type Actor struct {
	// ID names the operator: "operator" for the operator token (there is one today; a
	// fingerprint would let a guessable token be tested offline, so none is kept),
	// "cli:<os user>" for the command line.
	ID string
	// Source is the door the action came through: ActorSourceAPI, ActorSourceCLI, or
	// ActorSourceConsole.
	Source string
	// Address is where the action came from: the remote address of the HTTP request, or
	// "cli".
	Address string
}

// Actor sources.
const (
	ActorSourceAPI      = "admin_api"
	ActorSourceCLI      = "cli"
	ActorSourceConsole  = "console"
	ActorSourceInternal = "internal" // baas itself, when no operator is named
)

// SystemActor is the actor recorded when the context names none: an action baas takes by
// itself, or a caller (a test, a tool) that set no actor.
var SystemActor = Actor{ID: "system", Source: ActorSourceInternal, Address: "local"}

type actorKey struct{}

// WithActor returns a context that carries the actor of an operator action.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, and whether there is one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// Audit actions: what an operator did. Each names its target type.
const (
	AuditTenantCreated        = "tenant.created"           // target: tenant
	AuditTenantFunded         = "tenant.funded"            // target: transfer
	AuditKYCVerified          = "kyc.verified"             // target: kyc_document
	AuditKYCRejected          = "kyc.rejected"             // target: kyc_document
	AuditKYCSettingsChanged   = "kyc.settings_changed"     // target: tenant
	AuditAuthorizationChanged = "authorization.changed"    // target: tenant
	AuditEndpointCreated      = "webhook_endpoint.created" // target: webhook_endpoint
	AuditEndpointDeleted      = "webhook_endpoint.deleted" // target: webhook_endpoint
	AuditEventResent          = "event.resent"             // target: event
	AuditDeliveriesResent     = "deliveries.resent"        // target: tenant
	AuditKeysRotated          = "keys.rotated"             // target: data_key
	AuditCardAccepted         = "card.accepted"            // target: card
	AuditCardShipped          = "card.shipped"             // target: card
	AuditCardBlocked          = "card.blocked"             // target: card
	AuditCardDataShown        = "card.sandbox_data_shown"  // target: card
	AuditCardProductChanged   = "card_product.changed"     // target: tenant
	AuditCardSettingsChanged  = "card_settings.changed"    // target: tenant
	AuditCardDataKeySet       = "card_data_key.set"        // target: tenant
	AuditCardLoadLimitsSet    = "card_load_limits.set"     // target: tenant
	AuditIncomingTransfer     = "transfer.incoming"        // target: transfer (sandbox)
	AuditConsoleSignedIn      = "console.signed_in"        // target: operator
)

// AuditEntry is one operator action: who (the actor), what (the action, its target and
// a few details), when and from where. Entries are append-only: no store query changes
// or removes one. They never hold a secret — no token, key, secret or card number, in
// the details either.
type AuditEntry struct {
	ID         int64
	Actor      string // Actor.ID
	Source     string // Actor.Source
	Address    string // Actor.Address
	RequestID  string // the HTTP request id, "" for the CLI
	Action     string // one of the Audit* actions
	TenantID   string // the tenant the action concerns, "" for none
	TargetType string
	TargetID   string
	Details    json.RawMessage // a small JSON object; "{}" when there is nothing to add
	CreatedAt  time.Time
}

// AuditFilter selects audit entries, newest first: those of a tenant and of an action
// when set, with an id below BeforeID when set (keyset paging), at most Limit (100 when
// zero).
type AuditFilter struct {
	TenantID string
	Action   string
	BeforeID int64
	Limit    int
}

// AuditTx holds the queries of the audit log. There is none that updates or deletes an
// entry; the migration also makes the database refuse both.
type AuditTx interface {
	// InsertAuditEntry appends e. The store may hold the write back until the commit
	// (PostgreSQL pipelines it): its error then comes from InTx. It does not set e.ID.
	InsertAuditEntry(ctx context.Context, e *AuditEntry) error
	ListAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
}
