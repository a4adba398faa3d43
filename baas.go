// Package baas holds the domain types of the baas core: tenants, credentials, customers,
// sessions and KYC, ledger accounts, transfers, holds, events with their webhook
// endpoints and deliveries, real-time authorization settings and idempotency records;
// the one error type; and the storage interfaces every store implements (Store, and Tx
// composed of one small interface per area, each beside its domain types). It imports
// only the standard library; storage, HTTP dialects and the CLI depend on it, never the
// reverse.
package baas

import (
	"context"
	"time"
)

type ctxKey int

const (
	tenantKey ctxKey = iota
	requestIDKey
)

// WithTenant returns a context that carries the id of the tenant a request acts for.
func WithTenant(ctx context.Context, tenantID string) context.Context {
	return context.WithValue(ctx, tenantKey, tenantID)
}

// TenantFrom returns the tenant id carried by ctx, or "" when there is none.
func TenantFrom(ctx context.Context) string {
	id, _ := ctx.Value(tenantKey).(string)
	return id
}

// WithRequestID returns a context that carries the request id used in logs and responses.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFrom returns the request id carried by ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Clock returns the current time; injected so tests can move time.
type Clock func() time.Time

// Micros converts t to Unix microseconds, the form every store keeps times in.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros converts Unix microseconds back to a UTC time.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
