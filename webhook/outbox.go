package webhook

import (
	"context"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
)

// Outbox is what a Dispatcher needs of the core: due deliveries to claim, each attempt's
// outcome to record, the backlog for the metrics and the clock. *core.Service implements
// it; the dispatcher sees nothing else of the core.
type Outbox interface {
	// Now returns the core's current time, the clock of every lease and retry.
	Now() time.Time
	// NextDeliveryDue returns when the earliest pending delivery is due (ok false: none is).
	NextDeliveryDue(ctx context.Context) (due time.Time, ok bool, err error)
	// ClaimDeliveries leases up to limit due deliveries for lease, their secrets opened.
	ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*core.OutgoingDelivery, error)
	// RecordDelivery stores one attempt's outcome and reports whether the lease was
	// still held.
	RecordDelivery(ctx context.Context, r baas.DeliveryResult) (held bool, err error)
	// DeliveryBacklog counts the deliveries waiting to be sent.
	DeliveryBacklog(ctx context.Context) (baas.DeliveryBacklog, error)
}

var _ Outbox = (*core.Service)(nil)
