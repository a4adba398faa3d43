package core

import (
	"context"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/money"
)

// Loads of prepaid cards. A load moves money from the tenant's float (its master account
// in the card's currency, EUR) to the card's own account in two steps: accepted (the
// amount held on the float, a card_loads row pending) and, after Config.CardLoadDelay,
// settled (the hold captured into a card_load transfer, card.load.completed) or failed
// (the hold released, card.load.failed) when the card can no longer take it. Nothing
// moves until then; the float, the card accounts and the customers' accounts stay
// balanced in the ledger at every step.

// Default load limits of a tenant that set none: 5,000.00 a card a day, in 10 loads.
const (
	DefaultDailyLoadAmount = 500_000
	DefaultDailyLoadCount  = 10
	// MaxDailyLoadCount bounds a tenant's DailyCount.
	MaxDailyLoadCount = 1000
)

// CardLoadLimits are a tenant's effective load limits.
type CardLoadLimits struct {
	TenantID    string `json:"tenant_id"`
	DailyAmount int64  `json:"daily_load_limit"`
	DailyCount  int    `json:"daily_load_frequency_limit"`
	Default     bool   `json:"default"` // the defaults: the tenant set nothing
}

func loadLimits(ctx context.Context, tx baas.Tx, tenantID string) (*CardLoadLimits, error) {
	l, err := tx.GetCardLoadLimits(ctx, tenantID)
	if baas.IsCode(err, baas.ENotFound) {
		return &CardLoadLimits{TenantID: tenantID, DailyAmount: DefaultDailyLoadAmount, DailyCount: DefaultDailyLoadCount,
			Default: true}, nil
	}
	if err != nil {
		return nil, err
	}
	return &CardLoadLimits{TenantID: tenantID, DailyAmount: l.DailyAmount, DailyCount: l.DailyCount}, nil
}

// GetCardLoadLimits returns a tenant's load limits (the defaults when it set none).
func (s *Service) GetCardLoadLimits(ctx context.Context, tenantID string) (*CardLoadLimits, error) {
	var out *CardLoadLimits
	err := s.store.View(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		var err error
		out, err = loadLimits(ctx, tx, tenantID)
		return err
	})
	return out, err
}

// SetCardLoadLimits sets a tenant's load limits: the most loaded on one card in a day
// (minor units, a valid amount) and the most loads (1 to MaxDailyLoadCount).
func (s *Service) SetCardLoadLimits(ctx context.Context, tenantID string, dailyAmount int64, dailyCount int) (*CardLoadLimits, error) {
	if err := ledger.CheckAmount(dailyAmount); err != nil {
		return nil, baas.Invalid("daily_load_limit must be a positive amount in minor units")
	}
	if dailyCount < 1 || dailyCount > MaxDailyLoadCount {
		return nil, baas.Invalid("daily_load_frequency_limit must be between 1 and 1000")
	}
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		now := s.now()
		if err := tx.PutCardLoadLimits(ctx, &baas.CardLoadLimits{TenantID: tenantID, DailyAmount: dailyAmount,
			DailyCount: dailyCount, UpdatedAt: now}); err != nil {
			return err
		}
		return audit(ctx, tx, now, AuditRecord{Action: baas.AuditCardLoadLimitsSet, TenantID: tenantID, TargetType: "tenant",
			TargetID: tenantID, Details: map[string]any{"daily_load_limit": dailyAmount, "daily_load_frequency_limit": dailyCount}})
	})
	if err != nil {
		return nil, err
	}
	return &CardLoadLimits{TenantID: tenantID, DailyAmount: dailyAmount, DailyCount: dailyCount}, nil
}

// startOfDay is the start of t's calendar day, UTC.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// LoadPrepaidCard accepts a load of amount (minor units of the card's currency) on an
// active prepaid card of the customer: it holds the amount on the tenant's float and
// records a pending load, settled after Config.CardLoadDelay (at once, in its own
// transaction, when the delay is 0). Refusals move nothing: a card of another customer
// is CARD_NOT_FOUND; a card that is not active (locked, stolen, expired, not yet
// activated) EConflict INVALID_CARD_STATUS; beyond the tenant's limits EConflict
// DAILY_LOAD_LIMIT or DAILY_LOAD_FREQUENCY_LIMIT; beyond the float EInsufficientFunds
// INSUFFICIENT_FLOAT.
func (s *Service) LoadPrepaidCard(ctx context.Context, k baas.CustomerKey, cardID string, amount int64) (*baas.CardLoad, error) {
	if err := ledger.CheckAmount(amount); err != nil {
		return nil, err
	}
	var load *baas.CardLoad
	_, err := s.customerCard(ctx, k, ProductCodegoPrepaid, cardID, func(tx baas.Tx, c *baas.Card, now time.Time) error {
		if c.Status != baas.CardActive {
			return baas.Reasonf(baas.EConflict, "INVALID_CARD_STATUS", "a %s card cannot be loaded", c.Status)
		}
		limits, err := loadLimits(ctx, tx, c.TenantID)
		if err != nil {
			return err
		}
		n, sum, err := tx.CardLoadsSince(ctx, c.ID, startOfDay(now))
		if err != nil {
			return err
		}
		switch {
		case n+1 > limits.DailyCount:
			return baas.Reasonf(baas.EConflict, "DAILY_LOAD_FREQUENCY_LIMIT", "the card's daily load frequency limit (%d) is reached", limits.DailyCount)
		case sum+amount > limits.DailyAmount:
			return baas.Reasonf(baas.EConflict, "DAILY_LOAD_LIMIT", "the load is beyond the card's daily load limit")
		}
		id := c.AccountID
		acct, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: c.TenantID, ID: &id})
		if err != nil {
			return err
		}
		kind := baas.AccountMaster
		float, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: c.TenantID, Kind: &kind, Currency: &acct.Currency})
		if baas.IsCode(err, baas.ENotFound) {
			return errFloat(acct.Currency)
		}
		if err != nil {
			return err
		}
		hold, err := placeHold(ctx, tx, c.TenantID, now, HoldParams{AccountID: float.ID, Amount: amount, Reference: "card_load:" + c.ID})
		if baas.IsCode(err, baas.EInsufficientFunds) {
			return errFloat(acct.Currency)
		}
		if err != nil {
			return err
		}
		load = &baas.CardLoad{TenantID: c.TenantID, CardID: c.ID, AccountID: acct.ID, HoldID: hold.ID, Amount: amount,
			Currency: acct.Currency, Status: baas.CardLoadPending, SettleAt: now.Add(s.cfg.CardLoadDelay), CreatedAt: now,
			UpdatedAt: now}
		return tx.InsertCardLoad(ctx, load)
	})
	if err != nil {
		return nil, err
	}
	if s.cfg.CardLoadDelay == 0 {
		if err := s.settleCardLoad(ctx, load.ID); err != nil {
			// The load stays pending; the sweep (SettleDueCardLoads) settles it.
			s.log.WarnContext(ctx, "settling a card load", "load_id", load.ID, "err", err)
		}
	}
	return load, nil
}

func errFloat(currency string) error {
	return baas.Reasonf(baas.EInsufficientFunds, "INSUFFICIENT_FLOAT", "the whitelabel's %s float cannot cover the load", currency)
}

// SettleDueCardLoads settles every pending load whose delay is over and returns how many
// it settled (completed or failed).
func (s *Service) SettleDueCardLoads(ctx context.Context) (int, error) {
	n := 0
	for {
		ids, err := s.store.Read().DueCardLoads(ctx, "", s.now(), 100)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		for _, id := range ids {
			if err := s.settleCardLoad(ctx, id); err != nil {
				return n, err
			}
			n++
		}
	}
}

// settleCardLoad settles a pending load: the hold captured into the card's account when
// the card is still active, released otherwise; either way with its event (the Load Card
// webhook). A load already settled is left alone.
func (s *Service) settleCardLoad(ctx context.Context, id int64) error {
	return s.store.InTx(ctx, func(tx baas.Tx) error {
		l, err := tx.LockCardLoad(ctx, "", id)
		if err != nil || l.Status != baas.CardLoadPending {
			return err
		}
		now := s.now()
		c, err := tx.GetCard(ctx, l.TenantID, l.CardID)
		if err != nil {
			return err
		}
		if c.Status == baas.CardActive {
			res, err := captureHold(ctx, tx, l.TenantID, now, l.HoldID, l.AccountID, l.Amount, transferSpec{Kind: TransferCardLoad,
				Description: "prepaid card load", Metadata: map[string]any{"card_id": c.ID, "load_id": l.ID}})
			if err != nil {
				return err
			}
			l.Status, l.TransferID = baas.CardLoadCompleted, res.Transfer.ID
		} else {
			if _, _, err := releaseHold(ctx, tx, l.TenantID, now, l.HoldID); err != nil {
				return err
			}
			l.Status, l.Reason = baas.CardLoadFailed, "the card is "+string(c.Status)
		}
		l.UpdatedAt = now
		if err := tx.UpdateCardLoad(ctx, l); err != nil {
			return err
		}
		cust, err := findCustomer(ctx, tx, l.TenantID, baas.CustomerKey{ID: c.CustomerID})
		if err != nil {
			return err
		}
		return event(ctx, tx, l.TenantID, "card.load."+l.Status, c.ID, now, map[string]any{"load_id": l.ID,
			"card_id": c.ID, "customer_id": c.CustomerID, "customer_ref": cust.Ref, "product": c.Product,
			"masked_pan": c.MaskedPAN, "last4": c.Last4, "amount": l.Amount, "currency": l.Currency, "status": l.Status,
			"reason": l.Reason, "transfer_id": l.TransferID, "created_at": l.CreatedAt})
	})
}

// IncomingTransferParams are the inputs of IncomingTransfer.
type IncomingTransferParams struct {
	TenantID  string
	Customer  baas.CustomerKey
	Amount    int64
	Currency  string
	Reference string
}

// IncomingTransferResult is the outcome of IncomingTransfer.
type IncomingTransferResult struct {
	TransferID    int64  `json:"transfer_id"`
	AccountNumber int64  `json:"account_number"`
	Balance       int64  `json:"balance"`
	Currency      string `json:"currency"`
}

// IncomingTransfer is a bank transfer from outside reaching a customer's account in the
// currency, in a sandbox tenant: one balanced transfer from the tenant's funding account
// (the outside world), with its event (account.credited). A live tenant is EForbidden
// SANDBOX_ONLY; a customer without an account in the currency ENotFound.
func (s *Service) IncomingTransfer(ctx context.Context, p IncomingTransferParams) (*IncomingTransferResult, error) {
	if err := ledger.CheckAmount(p.Amount); err != nil {
		return nil, err
	}
	if _, known := money.Lookup(p.Currency); !known {
		return nil, baas.Invalid("currency must be an ISO 4217 code")
	}
	if len(p.Reference) > 200 {
		return nil, baas.Invalid("reference must be at most 200 characters")
	}
	if !validKey(p.Customer) {
		return nil, notFoundCustomer(baas.Errorf(baas.ENotFound, ""))
	}
	var out *IncomingTransferResult
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		t, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		if !t.Sandbox {
			return baas.Reasonf(baas.EForbidden, ReasonSandboxOnly, "incoming transfers are simulated for sandbox tenants only")
		}
		cust, err := findCustomer(ctx, tx, p.TenantID, p.Customer)
		if err != nil {
			return err
		}
		acct, err := customerMainAccount(ctx, tx, p.TenantID, cust.ID, p.Currency)
		if err != nil {
			return err
		}
		now := s.now()
		funding, err := systemAccount(ctx, tx, p.TenantID, baas.AccountFunding, p.Currency, now)
		if err != nil {
			return err
		}
		res, err := post(ctx, tx, p.TenantID, now, transferSpec{Kind: TransferIncoming, Description: "incoming bank transfer",
			Metadata: map[string]any{"reference": p.Reference}, Legs: ledger.Move(funding.ID, acct.ID, p.Amount)})
		if err != nil {
			return err
		}
		out = &IncomingTransferResult{TransferID: res.Transfer.ID, AccountNumber: acct.Number,
			Balance: res.Accounts[acct.ID].Balance, Currency: acct.Currency}
		if err := event(ctx, tx, p.TenantID, "account.credited", cust.ID, now, map[string]any{"transfer_id": res.Transfer.ID,
			"customer_id": cust.ID, "customer_ref": cust.Ref, "account_number": acct.Number, "amount": p.Amount,
			"currency": acct.Currency, "reference": p.Reference, "kind": TransferIncoming}); err != nil {
			return err
		}
		return audit(ctx, tx, now, AuditRecord{Action: baas.AuditIncomingTransfer, TenantID: p.TenantID, TargetType: "transfer",
			TargetID: auditID(res.Transfer.ID), Details: map[string]any{"amount": p.Amount, "currency": acct.Currency,
				"reference": p.Reference}})
	})
	return out, err
}
