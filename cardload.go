package baas

import (
	"context"
	"time"
)

// CardLoadLimits are a tenant's limits on loading its prepaid cards, per card and
// calendar day (UTC): DailyAmount the most loaded, in minor units, and DailyCount the
// most loads. Failed loads do not count.
type CardLoadLimits struct {
	TenantID    string
	DailyAmount int64
	DailyCount  int
	UpdatedAt   time.Time
}

// Card load statuses.
const (
	CardLoadPending   = "pending"   // accepted: the amount is held on the float
	CardLoadCompleted = "completed" // settled: moved from the float to the card's account
	CardLoadFailed    = "failed"    // refused when settling: the hold released, nothing moved
)

// CardLoad is a load of a prepaid card from the tenant's float.
type CardLoad struct {
	ID         int64
	TenantID   string
	CardID     string
	AccountID  int64 // the card's account
	HoldID     int64 // the hold on the float
	Amount     int64
	Currency   string
	Status     string
	Reason     string // why a failed load failed
	TransferID int64  // the settling transfer, 0 until completed
	SettleAt   time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CardLoadTx holds the queries of prepaid card loads and their limits.
type CardLoadTx interface {
	// GetCardLoadLimits returns a tenant's limits, ENotFound when it set none.
	GetCardLoadLimits(ctx context.Context, tenantID string) (*CardLoadLimits, error)
	PutCardLoadLimits(ctx context.Context, l *CardLoadLimits) error
	InsertCardLoad(ctx context.Context, l *CardLoad) error
	// LockCardLoad returns a load of the tenant (of any tenant when tenantID is ""),
	// locking its row until the transaction ends.
	LockCardLoad(ctx context.Context, tenantID string, id int64) (*CardLoad, error)
	UpdateCardLoad(ctx context.Context, l *CardLoad) error
	// CardLoadsSince sums the pending and completed loads of a card created at or after
	// since: their count and amount.
	CardLoadsSince(ctx context.Context, cardID string, since time.Time) (count int, amount int64, err error)
	// DueCardLoads returns the ids of pending loads whose settle time is at or before now
	// (of one tenant, or of all when tenantID is ""), oldest first, at most limit.
	DueCardLoads(ctx context.Context, tenantID string, now time.Time, limit int) ([]int64, error)
}
