package baas

import (
	"context"
)

// Store is a transactional store. Every store passes the conformance suite in
// store/storetest.
type Store interface {
	// InTx runs fn in one read-write transaction and commits when fn returns nil. It may
	// run fn again when the database reports a serialization failure or deadlock, so fn
	// must not have effects outside tx.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction that sees one consistent snapshot.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Read returns queries that run outside any transaction, for single reads.
	Read() Tx
	Ping(ctx context.Context) error
	// Engine names the database engine: "sqlite" or "postgres".
	Engine() string
	Close() error
}

// SettingTx holds the process-wide settings.
type SettingTx interface {
	GetSetting(ctx context.Context, key string) (string, error)
	// GetSettingForUpdate is GetSetting that locks the key's row until the transaction
	// ends, for a read-modify-write of its value: a concurrent transaction doing the same
	// waits, then reads the value this one wrote (a no-op where writers are serialized).
	GetSettingForUpdate(ctx context.Context, key string) (string, error)
	// PutSetting writes value, replacing the key's value if it has one (the last writer
	// wins).
	PutSetting(ctx context.Context, key, value string) error
	// InitSetting writes value when the key has none and returns the value the key then
	// holds: value, or the one another transaction wrote first (the first writer wins).
	// Transactions that race to write the same key all return the first's value, and
	// none of them fails on the key being taken.
	InitSetting(ctx context.Context, key, value string) (string, error)
}

// Tx holds every query of the core, one small interface per area, each beside the
// domain types of its area. Methods that find one object return an *Error with ENotFound
// when there is none, never a nil object and nil error.
type Tx interface {
	SettingTx         // store.go
	TenantTx          // tenant.go
	CustomerTx        // customer.go
	SessionTx         // session.go
	KYCTx             // kyc.go
	LedgerTx          // ledger.go
	IdempotencyTx     // idempotency.go
	EventTx           // event.go
	AuthorizationTx   // authorization.go
	AuditTx           // audit.go
	CardTx            // card.go
	TopUpTx           // topup.go
	SpendingControlTx // spendingcontrol.go
	CardTxnTx         // cardtxn.go
	CardLoadTx        // cardload.go
	WalletTx          // wallet.go
	GiftcardTx        // giftcard.go
}
