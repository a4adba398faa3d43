package core

// The event log and its webhook outbox, as the tenant and the dispatcher see them:
// tenants' webhook endpoints (where events go, with sealed secrets), the events and
// deliveries they list and re-send, and the claim/record cycle the dispatcher (package
// webhook, which owns HTTP) runs on due deliveries. Events themselves are written by
// core.event in the transaction of the change they report (service.go).

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/baas-oss/baas"
	"github.com/google/uuid"
)

// outboundState is what the Service needs to call tenants' URLs: the caller of real-time
// authorizations (set by the binary, which owns HTTP). The secrets of webhook endpoints
// and authorization URLs are sealed under purposeWebhookSeal, through the keyring.
type outboundState struct {
	mu     sync.RWMutex
	caller baas.AuthorizationCaller
}

// purposeWebhookSeal names the key, derived from a data key, that seals webhook and
// authorization secrets.
const purposeWebhookSeal = "webhook-secret-seal"

// Limits of webhook configuration.
const (
	MaxWebhookURL          = 2048 // characters of an endpoint or authorization URL
	MaxEndpointsPerTenant  = 20
	maxEventTypes          = 64
	maxEventTypeLen        = 100
	maxDeliveryLogText     = 1024 // bytes of an attempt's error and response kept in the log
	requeueBatch           = 500  // failed deliveries re-queued per transaction
	signingSecretPrefix    = "whsec_"
	eventRequestKeyPrefix  = "erk_"
	signingSecretBytes     = 32
	eventRequestKeyLen     = 40
	authorizationRequestID = "authz_"
)

// ValidateWebhookURL checks a URL that baas will POST to: http or https, a host, at most
// MaxWebhookURL characters. It returns an EInvalid error naming field.
func ValidateWebhookURL(field, raw string) error {
	if raw == "" {
		return baas.Invalid(field + " should not be empty")
	}
	if len(raw) > MaxWebhookURL {
		return baas.Invalid(field + " must be at most 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return baas.Invalid(field + " must be an absolute http or https URL")
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return baas.Invalid(field + " must use http or https")
	}
	if u.Hostname() == "" || u.Opaque != "" {
		return baas.Invalid(field + " must name a host")
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return baas.Invalid(field + " must not contain spaces")
	}
	return nil
}

var eventTypeRe = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$`)

// normalizeEventTypes checks an event-type filter and returns it sorted without
// duplicates; nil means every event ("*" anywhere in the list, or an empty list).
func normalizeEventTypes(types []string) ([]string, error) {
	if len(types) > maxEventTypes {
		return nil, baas.Invalid("events must list at most 64 event types")
	}
	var out []string
	for _, t := range types {
		t = strings.TrimSpace(t)
		if t == "*" {
			return nil, nil
		}
		if len(t) > maxEventTypeLen || !eventTypeRe.MatchString(t) {
			return nil, baas.Invalid("events must be event types such as account.created or transfer.*")
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// CreateWebhookEndpointParams are the inputs of CreateWebhookEndpoint.
type CreateWebhookEndpointParams struct {
	TenantID   string
	URL        string
	EventTypes []string // empty or "*": every event
	Format     string   // baas.WebhookEnvelope (default) or baas.WebhookPayload
}

// WebhookEndpointSecrets are a new endpoint's id and secrets, shown once.
type WebhookEndpointSecrets struct {
	EndpointID      string `json:"endpoint_id"`
	EventRequestKey string `json:"event_request_key"`
	SigningSecret   string `json:"signing_secret"`
}

// CreateWebhookEndpoint registers a URL of a tenant for the events it names. Events
// committed from then on are delivered to it, by every server sharing the store. The
// secrets are returned once; the store keeps them sealed.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, p CreateWebhookEndpointParams) (*WebhookEndpointSecrets, error) {
	if err := ValidateWebhookURL("url", p.URL); err != nil {
		return nil, err
	}
	types, err := normalizeEventTypes(p.EventTypes)
	if err != nil {
		return nil, err
	}
	switch p.Format {
	case "":
		p.Format = baas.WebhookEnvelope
	case baas.WebhookEnvelope, baas.WebhookPayload:
	default:
		return nil, baas.Invalid("format must be envelope or payload")
	}
	out := &WebhookEndpointSecrets{EndpointID: uuid.NewString(),
		EventRequestKey: eventRequestKeyPrefix + randomString(eventRequestKeyLen, alnum),
		SigningSecret:   NewSigningSecret()}
	e := &baas.WebhookEndpoint{ID: out.EndpointID, TenantID: p.TenantID, URL: p.URL, EventTypes: types, Format: p.Format}
	if e.EventRequestKeySealed, err = s.keys.seal(purposeWebhookSeal, []byte(out.EventRequestKey), "webhook-erk:"+e.ID); err != nil {
		return nil, err
	}
	if e.SigningSecretSealed, err = s.keys.seal(purposeWebhookSeal, []byte(out.SigningSecret), "webhook-secret:"+e.ID); err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, p.TenantID); err != nil {
			return err
		}
		existing, err := tx.ListWebhookEndpoints(ctx, p.TenantID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxEndpointsPerTenant {
			return baas.Reasonf(baas.EConflict, "TOO_MANY_ENDPOINTS", "a tenant has at most %d webhook endpoints", MaxEndpointsPerTenant)
		}
		e.CreatedAt = s.now()
		if err := audit(ctx, tx, e.CreatedAt, endpointRecord(baas.AuditEndpointCreated, e)); err != nil {
			return err
		}
		return tx.CreateWebhookEndpoint(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NewSigningSecret returns a random signing secret in the Standard Webhooks form:
// "whsec_" and the base64 of 32 random bytes.
func NewSigningSecret() string {
	b := make([]byte, signingSecretBytes)
	_, _ = rand.Read(b)
	return signingSecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// ListWebhookEndpoints returns a tenant's live endpoints, oldest first.
func (s *Service) ListWebhookEndpoints(ctx context.Context, tenantID string) ([]*baas.WebhookEndpoint, error) {
	r := s.store.Read()
	if _, err := r.GetTenant(ctx, tenantID); err != nil {
		return nil, err
	}
	return r.ListWebhookEndpoints(ctx, tenantID)
}

// DeleteWebhookEndpoint stops deliveries to an endpoint: it receives no new events, and
// the deliveries not yet made to it are marked failed.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, tenantID, endpointID string) error {
	return s.store.InTx(ctx, func(tx baas.Tx) error {
		deleted := &baas.WebhookEndpoint{ID: endpointID, TenantID: tenantID}
		if err := audit(ctx, tx, s.now(), endpointRecord(baas.AuditEndpointDeleted, deleted)); err != nil {
			return err
		}
		return tx.DeleteWebhookEndpoint(ctx, tenantID, endpointID, s.now())
	})
}

// ListDeliveries returns a page of a tenant's deliveries, newest first, filtered by
// endpoint, event and status. A tenant, event or endpoint (live or deleted) that is not
// the tenant's is ENotFound.
func (s *Service) ListDeliveries(ctx context.Context, f baas.DeliveryFilter) ([]*baas.WebhookDelivery, error) {
	switch f.Status {
	case "", baas.DeliveryWaiting, baas.DeliveryPending, baas.DeliverySucceeded, baas.DeliveryFailed:
	default:
		return nil, baas.Invalid("status must be waiting, pending, succeeded or failed")
	}
	f.Limit = Pages.limit(f.Limit)
	r := s.store.Read()
	if _, err := r.GetTenant(ctx, f.TenantID); err != nil {
		return nil, err
	}
	if f.EventID != 0 {
		if _, err := r.GetEvent(ctx, f.TenantID, f.EventID); err != nil {
			return nil, err
		}
	}
	if f.EndpointID != "" { // a deleted endpoint's deliveries stay listable
		if _, err := r.GetWebhookEndpointIncludingDeleted(ctx, f.TenantID, f.EndpointID); err != nil {
			return nil, err
		}
	}
	return r.ListDeliveries(ctx, f)
}

// DeliveryLog returns a delivery of the tenant with every attempt made, oldest first.
func (s *Service) DeliveryLog(ctx context.Context, tenantID string, deliveryID int64) (*baas.WebhookDelivery, []*baas.WebhookAttempt, error) {
	r := s.store.Read()
	d, err := r.GetDelivery(ctx, tenantID, deliveryID)
	if err != nil {
		return nil, nil, err
	}
	attempts, err := r.ListDeliveryAttempts(ctx, d.ID)
	return d, attempts, err
}

// ListEvents returns a page of a tenant's events, newest first.
func (s *Service) ListEvents(ctx context.Context, f baas.EventFilter) ([]*baas.Event, error) {
	f.Limit = Pages.limit(f.Limit)
	r := s.store.Read()
	if _, err := r.GetTenant(ctx, f.TenantID); err != nil {
		return nil, err
	}
	return r.ListEvents(ctx, f)
}

// ResendEvent sends an event again: to one endpoint of the tenant when endpointID is set
// (whatever its filter), else to every live endpoint that wants the event's type. The
// deliveries become pending at once with a fresh retry schedule; a re-sent delivery does
// not wait for earlier deliveries of its object. It returns how many were queued.
func (s *Service) ResendEvent(ctx context.Context, tenantID string, eventID int64, endpointID string) (int, error) {
	n := 0
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		n = 0
		e, err := tx.GetEvent(ctx, tenantID, eventID)
		if err != nil {
			return err
		}
		var targets []*baas.WebhookEndpoint
		if endpointID != "" {
			ep, err := tx.GetWebhookEndpoint(ctx, tenantID, endpointID)
			if err != nil {
				return err
			}
			targets = append(targets, ep)
		} else {
			all, err := tx.ListWebhookEndpoints(ctx, tenantID)
			if err != nil {
				return err
			}
			for _, ep := range all {
				if ep.Wants(e.Type) {
					targets = append(targets, ep)
				}
			}
		}
		now := s.now()
		for _, ep := range targets {
			if err := tx.RequeueDelivery(ctx, e, ep.ID, now); err != nil {
				return err
			}
			n++
		}
		if err := audit(ctx, tx, now, AuditRecord{Action: baas.AuditEventResent, TenantID: tenantID, TargetType: "event",
			TargetID: auditID(eventID), Details: map[string]any{"endpoint_id": endpointID, "queued": n}}); err != nil {
			return err
		}
		return nil
	})
	return n, err
}

// ResendFailed makes the tenant's failed deliveries created since a time pending again
// (to one endpoint when endpointID is set), with a fresh retry schedule. It works in
// small transactions so that it never holds the store for long, and returns how many it
// queued.
func (s *Service) ResendFailed(ctx context.Context, tenantID string, since time.Time, endpointID string) (int64, error) {
	if since.IsZero() {
		return 0, baas.Invalid("since should not be empty")
	}
	r := s.store.Read()
	if _, err := r.GetTenant(ctx, tenantID); err != nil {
		return 0, err
	}
	if endpointID != "" {
		if _, err := r.GetWebhookEndpoint(ctx, tenantID, endpointID); err != nil {
			return 0, err
		}
	}
	var total int64
	for {
		var n int64
		err := s.store.InTx(ctx, func(tx baas.Tx) error {
			if err := resendFailedAudit(ctx, tx, s.now(), total, tenantID, since, endpointID); err != nil {
				return err
			}
			var err error
			n, err = tx.RequeueFailedDeliveries(ctx, baas.RequeueFilter{TenantID: tenantID, EndpointID: endpointID,
				Since: since, Now: s.now(), Limit: requeueBatch})
			return err
		})
		total += n
		if err != nil || n < requeueBatch {
			return total, err
		}
	}
}

// OutgoingDelivery is a claimed delivery with its endpoint's secrets opened.
type OutgoingDelivery struct {
	baas.ClaimedDelivery
	EventRequestKey string
	SigningSecret   string
}

// Now returns the service clock's current time.
func (s *Service) Now() time.Time { return s.now() }

// ClaimDeliveries leases up to limit due deliveries for lease, for the dispatcher to send
// outside any transaction and then record with RecordDelivery. Deliveries to an endpoint
// deleted meanwhile are marked failed here and not returned.
func (s *Service) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*OutgoingDelivery, error) {
	tok := make([]byte, 12)
	_, _ = rand.Read(tok)
	token := hex.EncodeToString(tok)
	var out []*OutgoingDelivery
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		out = out[:0]
		now := s.now()
		claimed, err := tx.ClaimDeliveries(ctx, baas.ClaimDeliveriesParams{Now: now, LeaseUntil: now.Add(lease),
			LeaseToken: token, Limit: limit})
		if err != nil {
			return err
		}
		for _, c := range claimed {
			if !c.Endpoint.DeletedAt.IsZero() {
				if _, err := tx.RecordDeliveryResult(ctx, &baas.DeliveryResult{DeliveryID: c.Delivery.ID, LeaseToken: token,
					Attempt: c.Delivery.Attempts, Status: baas.DeliveryFailed, Error: "endpoint deleted", At: now}); err != nil {
					return err
				}
				continue
			}
			out = append(out, &OutgoingDelivery{ClaimedDelivery: *c})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, o := range out {
		erk, err1 := s.keys.unseal(purposeWebhookSeal, o.Endpoint.EventRequestKeySealed, "webhook-erk:"+o.Endpoint.ID)
		secret, err2 := s.keys.unseal(purposeWebhookSeal, o.Endpoint.SigningSecretSealed, "webhook-secret:"+o.Endpoint.ID)
		if err1 != nil || err2 != nil {
			// Sending unsigned would be worse than not sending: leave both empty and let
			// the dispatcher record the failure (the master key changed?).
			s.log.ErrorContext(ctx, "cannot open a webhook endpoint's secrets: was the master key changed?",
				"endpoint_id", o.Endpoint.ID)
			continue
		}
		o.EventRequestKey, o.SigningSecret = string(erk), string(secret)
	}
	return out, nil
}

// RecordDelivery stores the outcome of one attempt: the attempt goes to the delivery log,
// and, when the dispatcher still holds the lease, the delivery takes its new state. It
// reports whether the lease was still held.
func (s *Service) RecordDelivery(ctx context.Context, r baas.DeliveryResult) (bool, error) {
	r.Error = logText(r.Error)
	r.Response = logText(r.Response)
	if r.At.IsZero() {
		r.At = s.now()
	}
	var held bool
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		var err error
		held, err = tx.RecordDeliveryResult(ctx, &r)
		return err
	})
	return held, err
}

// DeliveryBacklog counts the webhook deliveries waiting to be sent, now.
func (s *Service) DeliveryBacklog(ctx context.Context) (baas.DeliveryBacklog, error) {
	return s.store.Read().DeliveryBacklog(ctx, s.now())
}

// NextDeliveryDue returns when the earliest pending delivery is due (ok false: none is).
func (s *Service) NextDeliveryDue(ctx context.Context) (time.Time, bool, error) {
	return s.store.Read().NextDeliveryDue(ctx)
}

// logText makes s fit the delivery log: valid UTF-8 without NUL bytes, at most
// maxDeliveryLogText bytes.
func logText(s string) string {
	if len(s) > maxDeliveryLogText {
		s = s[:maxDeliveryLogText]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	for len(s) > maxDeliveryLogText {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
