// Package core holds the use cases of baas: tenants and their credentials, customer
// accounts, sessions and KYC, money movements through the double-entry ledger (P2P in
// batches), holds, idempotency, the event log with its webhook outbox, real-time
// authorization and the ledger check. It owns every transaction and every business
// rule; the HTTP dialects only translate to and from it, the webhook dispatcher sends
// what it queued, and the stores only run its queries. It knows no HTTP, no store
// package and no metrics library (internal/archtest checks it).
package core

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	"github.com/baas-oss/baas"
)

// Config holds the core's settings. The zero value is not valid: use DefaultConfig.
type Config struct {
	// SandboxMasterBalance is what a new tenant's master (float) account starts with, in
	// minor units of MasterCurrency.
	SandboxMasterBalance int64
	// MasterCurrency is the currency of the Girasol accounts and the master account.
	MasterCurrency string
	// IdempotencyTTL is how long an Idempotency-Key is remembered.
	IdempotencyTTL time.Duration
	// TransferBatch is the most P2P transfers, and the most card payments, one
	// transaction makes (p2pbatch.go, cardbatch.go); 0 makes each in its own transaction.
	TransferBatch int
	// CardLoadDelay is how long a prepaid card load stays pending before it settles
	// (cardload.go); 0 settles it right after it is accepted.
	CardLoadDelay time.Duration
	// ReversalCodeTTL is how long the one-time code of a top-up reversal is valid
	// (topup.go); at most MaxReversalCodeTTL.
	ReversalCodeTTL time.Duration
	// CardAuthorizationTTL is how long an uncaptured card authorization holds its money
	// before the expiry sweep releases it (authorize.go).
	CardAuthorizationTTL time.Duration
	// GiftcardDetailsDelay is how long after its issue a gift card's details become
	// available (giftcard.go); at most MaxGiftcardDetailsDelay.
	GiftcardDetailsDelay time.Duration
}

// DefaultTransferBatch is the default of Config.TransferBatch, and MaxTransferBatch its
// bound (a batch's statements have a few parameters per transfer).
const (
	DefaultTransferBatch = 64
	MaxTransferBatch     = 1000
)

// DefaultConfig returns the defaults: $500,000.00 of sandbox float, USD, keys kept 24 h,
// P2P transfers posted in batches of up to 64, top-up reversal codes valid 10 minutes.
func DefaultConfig() Config {
	return Config{SandboxMasterBalance: 50_000_000, MasterCurrency: "USD", IdempotencyTTL: 24 * time.Hour,
		TransferBatch: DefaultTransferBatch, ReversalCodeTTL: DefaultReversalCodeTTL,
		CardAuthorizationTTL: DefaultCardAuthorizationTTL}
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.SandboxMasterBalance < 0:
		return errors.New("sandbox master balance must not be negative")
	case len(c.MasterCurrency) != 3:
		return errors.New("master currency must be an ISO 4217 code")
	case c.IdempotencyTTL < 24*time.Hour:
		return errors.New("idempotency keys must live at least 24 hours")
	case c.CardLoadDelay < 0 || c.CardLoadDelay > time.Hour:
		return errors.New("card load delay must be between 0 and 1h")
	case c.TransferBatch < 0 || c.TransferBatch > MaxTransferBatch:
		return fmt.Errorf("transfer batch must be between 0 and %d", MaxTransferBatch)
	case c.ReversalCodeTTL <= 0 || c.ReversalCodeTTL > MaxReversalCodeTTL:
		return fmt.Errorf("top-up reversal codes must live more than 0 and at most %s", MaxReversalCodeTTL)
	case c.GiftcardDetailsDelay < 0 || c.GiftcardDetailsDelay > MaxGiftcardDetailsDelay:
		return errors.New("gift card details delay must be between 0 and 1h")
	case c.CardAuthorizationTTL < time.Minute || c.CardAuthorizationTTL > MaxCardAuthorizationTTL:
		return errors.New("card authorization expiry must be between 1 minute and 90 days")
	}
	return nil
}

// Service is the domain core.
type Service struct {
	store     baas.Store
	cfg       Config
	now       baas.Clock
	log       *slog.Logger
	keys      *Keyring // keys.go: the data keys that hash API secrets and seal stored secrets
	creds     *cache[string, *baas.Credential]
	tokens    *cache[string, *baas.SessionToken]
	refs      *cache[accountKey, accountRef] // account.go
	hooks     *outboundState                 // event.go
	p2p       *p2pBatcher                    // p2pbatch.go; nil when transfers go one by one
	cardBatch *cardBatcher                   // cardbatch.go; nil when card payments go one by one
	metrics   *metrics                       // metrics.go
	network   sync.Map                       // authorize.go: tenant and currency → network account id
	controls  *controlsCache                 // controls.go: the rules and region of a card
	facts     *cache[string, tenantFacts]    // authorize.go: what never changes about a tenant
	currency  *cache[int64, string]          // authorize.go: an account's currency
	cards     *cache[string, *baas.Card]     // authorize.go: cards as last read for a payment
}

// New returns a Service over store whose only data key is masterKey (32 bytes) itself, as
// in a database made before data keys: for tests and tools. The binary opens the
// database's data keys with OpenKeyring and calls NewWithKeys.
func New(store baas.Store, cfg Config, masterKey []byte, now baas.Clock, log *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	keys, err := LegacyKeyring(masterKey)
	if err != nil {
		return nil, err
	}
	return NewWithKeys(store, cfg, keys, now, log)
}

// NewWithKeys returns a Service over store. keys hash API secrets and seal stored secrets
// (and, later, card data).
func NewWithKeys(store baas.Store, cfg Config, keys *Keyring, now baas.Clock, log *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if keys == nil {
		return nil, errors.New("no data keys")
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, cfg: cfg, now: func() time.Time { return now().UTC() }, log: log,
		keys: keys, creds: newCache[string, *baas.Credential](30*time.Second, 10_000),
		tokens: newCache[string, *baas.SessionToken](30*time.Second, 100_000),
		refs:   newCache[accountKey, accountRef](10*time.Minute, 100_000),
		hooks:  &outboundState{}, metrics: newMetrics(), controls: newControlsCache(),
		facts: newCache[string, tenantFacts](10*time.Minute, 10_000), currency: newCache[int64, string](10*time.Minute, 100_000),
		cards: newCache[string, *baas.Card](cardsTTL, 100_000).spread()}
	if cfg.TransferBatch > 0 {
		s.p2p = newP2PBatcher(s, cfg.TransferBatch)
		s.cardBatch = newCardBatcher(s, cfg.TransferBatch)
	}
	return s, nil
}

// Ping reports whether the store answers (for readiness checks).
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// Engine names the store's database engine: "sqlite" or "postgres".
func (s *Service) Engine() string { return s.store.Engine() }

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// tenant returns the tenant id that ctx acts for, or an unauthorized error.
func tenant(ctx context.Context) (string, error) {
	id := baas.TenantFrom(ctx)
	if id == "" {
		return "", baas.Errorf(baas.EUnauthorized, "no tenant")
	}
	return id, nil
}

// event writes an event row in tx, with a webhook delivery for every endpoint of the
// tenant that wants it. Every event goes through here or, for a batch, newEvent and
// Tx.RecordEvents.
func event(ctx context.Context, tx baas.Tx, tenantID, typ, objectID string, now time.Time, payload any) error {
	e, err := newEvent(tenantID, typ, objectID, now, payload)
	if err != nil {
		return err
	}
	// The event and its webhook deliveries (the outbox), in the same transaction.
	return tx.RecordEvent(ctx, e)
}

// newEvent builds an event with payload as its JSON.
func newEvent(tenantID, typ, objectID string, now time.Time, payload any) (*baas.Event, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return &baas.Event{TenantID: tenantID, Type: typ, ObjectID: objectID, Payload: b, CreatedAt: now}, nil
}

// randomInt returns a uniform random integer in [lo, hi].
func randomInt(lo, hi int64) int64 {
	n, err := rand.Int(rand.Reader, big.NewInt(hi-lo+1))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return lo + n.Int64()
}

// ReasonSandboxOnly is the reason of the EForbidden error of what only a sandbox tenant may
// do (card data in clear, auto-ship, the sandbox card network, simulated transfers and
// deposits).
const ReasonSandboxOnly = "SANDBOX_ONLY"
