package core

import (
	"context"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/money"
	"github.com/baas-oss/baas/rules"
	"github.com/google/uuid"
)

// The one card authorization path. Every card payment of every dialect (the Girasol
// simulator, the sandbox card network, the Codego cards, later gift cards and a network
// listener) goes through Authorize, and what follows an authorization through
// SettleCardTransaction (capture, reversal, refund) and the expiry sweep. Each attempt is
// recorded (baas.CardTransaction) with its decision and reason; declines move no money.
//
// Authorize decides in this order, the first refusal winning:
//  1. the card: active, and not past its expiry month (card_inactive);
//  2. the currency: the card account's (currency_not_supported);
//  3. the spending controls (checkControls: spending_control:<ruleId>);
//  4. the available balance, balance less holds (insufficient_funds);
//  5. the tenant's real-time authorization URL, outside any database transaction
//     (RequestAuthorization: webhook_declined, or stand_in when the tenant's stand-in
//     decision declined);
//  6. in one transaction: the card again under its row lock (card_inactive), the
//     spending controls again under that lock (so that concurrent payments of one card
//     cannot both pass an amount limit), the hold on the spending account or, for a
//     purchase, the transfer to the network settlement account (insufficient_funds when
//     another payment took the money meanwhile), the record and its events.

// Decline reasons besides the spending controls' (rules.ReasonPrefix + rule id).
const (
	ReasonApproved        = "approved"
	ReasonApprovedStandIn = "approved_stand_in"
	ReasonCardInactive    = "card_inactive"
	ReasonCurrency        = "currency_not_supported"
	ReasonInsufficient    = "insufficient_funds"
	ReasonAccountInactive = "account_inactive"
	ReasonWebhookDeclined = "webhook_declined"
	ReasonStandIn         = "stand_in"
)

// DefaultCardAuthorizationTTL is how long an uncaptured authorization holds its money
// unless configured otherwise (Config.CardAuthorizationTTL).
const (
	DefaultCardAuthorizationTTL = 7 * 24 * time.Hour
	MaxCardAuthorizationTTL     = 90 * 24 * time.Hour
)

// Card transaction events.
const (
	EventCardAuthorization = "card.authorization"
	EventCardDeclined      = "card.declined"
	EventCardCapture       = "card.capture"
	EventCardReversal      = "card.reversal"
	EventCardRefund        = "card.refund"
)

// Bounds of the merchant fields of a card transaction.
const (
	maxMerchantName = 100
	maxMerchantCity = 60
)

// EntryModes are the entry modes a card transaction may carry.
var EntryModes = []string{rules.ModeChip, rules.ModeContactless, rules.ModeEcommerce, rules.ModeMagstripe, rules.ModeManual}

// AuthorizeParams are the inputs of Authorize.
type AuthorizeParams struct {
	TenantID        string // the tenant acting; "" for the operator (any tenant's card)
	CardID          string
	Type            string // baas.CardTxnAuthorization or baas.CardTxnPurchase
	Amount          int64  // minor units of Currency, positive
	Currency        string // ISO 4217; "" is the card account's
	MerchantName    string
	MerchantCity    string
	MerchantCountry string // ISO 3166 alpha-2
	MCC             string // 4 digits
	EntryMode       string // one of EntryModes

	// extra is what else the payment's transaction does: set only inside the core, by
	// authorizeOnce (authorizeonce.go); nil for a plain payment.
	extra *paymentExtra
}

// CardTxnInfo is a card transaction as shown: amounts in minor units of its currency.
type CardTxnInfo struct {
	ID              string    `json:"transaction_id"`
	CardID          string    `json:"card_id"`
	TenantID        string    `json:"tenant_id"`
	Type            string    `json:"type"`
	Status          string    `json:"status"`
	DeclineReason   string    `json:"decline_reason"`
	Reason          string    `json:"reason"`
	Detail          string    `json:"detail,omitempty"`
	Amount          int64     `json:"amount"`
	Currency        string    `json:"currency"`
	State           string    `json:"state"`
	Authorized      int64     `json:"authorized_amount"`
	Captured        int64     `json:"captured_amount"`
	Reversed        int64     `json:"reversed_amount"`
	Refunded        int64     `json:"refunded_amount"`
	MerchantName    string    `json:"merchant_name"`
	MerchantCity    string    `json:"merchant_city"`
	MerchantCountry string    `json:"merchant_country"`
	MCC             string    `json:"mcc"`
	EntryMode       string    `json:"entry_mode"`
	OriginalID      string    `json:"original_transaction_id,omitempty"`
	TransferID      int64     `json:"transfer_id,omitempty"`
	ExpiresAt       time.Time `json:"expires_at,omitzero"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func cardTxnInfo(t *baas.CardTransaction) *CardTxnInfo {
	i := &CardTxnInfo{ID: t.ID, CardID: t.CardID, TenantID: t.TenantID, Type: t.Type, Status: t.Status, Reason: t.Reason,
		Detail: t.Detail, Amount: t.Amount, Currency: t.Currency, State: t.State, Authorized: t.Authorized,
		Captured: t.Captured, Reversed: t.Reversed, Refunded: t.Refunded, MerchantName: t.MerchantName,
		MerchantCity: t.MerchantCity, MerchantCountry: t.MerchantCountry, MCC: t.MCC, EntryMode: t.EntryMode,
		OriginalID: t.OriginalID, TransferID: t.TransferID, ExpiresAt: t.ExpiresAt, CreatedAt: t.CreatedAt,
		UpdatedAt: t.UpdatedAt}
	if t.Status == baas.CardTxnDeclined {
		i.DeclineReason = t.Reason
	}
	return i
}

// cardTxnEvent is the neutral payload of every card transaction event. Its fields are
// in the order of their names, so that it encodes as the map it once was (json sorts a
// map's keys) at a fraction of the cost: two events of every purchase encode it.
type cardTxnEvent struct {
	AccountID       int64          `json:"account_id"`
	Amount          int64          `json:"amount"`
	CapturedAmount  *int64         `json:"captured_amount,omitempty"` // a purchase's card.capture
	CardID          string         `json:"card_id"`
	CreatedAt       time.Time      `json:"created_at"`
	Currency        string         `json:"currency"`
	CustomerID      string         `json:"customer_id"`
	EntryMode       string         `json:"entry_mode"`
	MaskedPAN       string         `json:"masked_pan"`
	MCC             string         `json:"mcc"`
	MerchantCity    string         `json:"merchant_city"`
	MerchantCountry string         `json:"merchant_country"`
	MerchantName    string         `json:"merchant_name"`
	Original        map[string]any `json:"original,omitempty"` // what a capture, reversal or refund acted on
	OriginalID      string         `json:"original_transaction_id,omitempty"`
	Product         string         `json:"product"`
	Reason          string         `json:"reason"`
	State           string         `json:"state"`
	Status          string         `json:"status"`
	ID              string         `json:"transaction_id"`
	Type            string         `json:"type"`
}

// cardTxnPayload is the neutral payload of every card transaction event, of a
// transaction of card c: the card's product says which dialect renders it.
func cardTxnPayload(t *baas.CardTransaction, c *baas.Card) *cardTxnEvent {
	return &cardTxnEvent{ID: t.ID, CardID: t.CardID, MaskedPAN: c.MaskedPAN, Product: c.Product,
		CustomerID: t.CustomerID, AccountID: t.AccountID, Type: t.Type, Status: t.Status, Reason: t.Reason,
		State: t.State, Amount: t.Amount, Currency: t.Currency, MerchantName: t.MerchantName,
		MerchantCity: t.MerchantCity, MerchantCountry: t.MerchantCountry, MCC: t.MCC, EntryMode: t.EntryMode,
		CreatedAt: t.CreatedAt, OriginalID: t.OriginalID}
}

func errCardTxnNotFound() error {
	return baas.Reasonf(baas.ENotFound, "CARD_TRANSACTION_NOT_FOUND", "card transaction not found")
}

// validate checks the inputs and normalizes the codes (upper-case currency and country,
// lower-case entry mode).
func (p *AuthorizeParams) validate() error {
	var errs []baas.FieldError
	bad := func(field, reason, msg string) {
		errs = append(errs, baas.FieldError{Field: field, Reason: reason, Message: msg})
	}
	if p.Type != baas.CardTxnAuthorization && p.Type != baas.CardTxnPurchase {
		bad("type", "invalid", "type must be authorization or purchase")
	}
	if p.Amount <= 0 || p.Amount > ledger.MaxAmount {
		bad("amount", "out_of_range", "amount must be a positive number of minor units")
	}
	p.Currency = strings.ToUpper(p.Currency)
	if _, known := money.Lookup(p.Currency); p.Currency != "" && !known {
		bad("currency", "invalid", "currency must be an ISO 4217 code")
	}
	p.MerchantCountry = strings.ToUpper(p.MerchantCountry)
	if p.MerchantCountry != "" && (len(p.MerchantCountry) != 2 || strings.Trim(p.MerchantCountry, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		bad("merchant_country", "invalid", "merchant_country must be an ISO 3166 alpha-2 code")
	}
	if p.MCC != "" && (len(p.MCC) != 4 || strings.Trim(p.MCC, "0123456789") != "") {
		bad("mcc", "invalid", "mcc must be 4 digits")
	}
	p.EntryMode = strings.ToLower(p.EntryMode)
	if p.EntryMode != "" && !contains(EntryModes, p.EntryMode) {
		bad("entry_mode", "invalid", "entry_mode must be one of "+strings.Join(EntryModes, ", "))
	}
	if len([]rune(p.MerchantName)) > maxMerchantName {
		bad("merchant_name", "too_long", "merchant_name must be at most 100 characters")
	}
	if len([]rune(p.MerchantCity)) > maxMerchantCity {
		bad("merchant_city", "too_long", "merchant_city must be at most 60 characters")
	}
	if len(errs) > 0 {
		return baas.InvalidFields(errs...)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// cardUsable reports whether c may pay at now: active, and not past the end of its expiry
// month.
func cardUsable(c *baas.Card, now time.Time) bool {
	if c.Status != baas.CardActive {
		return false
	}
	end := time.Date(c.ExpYear, time.Month(c.ExpMonth)+1, 1, 0, 0, 0, 0, time.UTC)
	return now.Before(end)
}

// newCardTxnID returns a time-ordered UUID: a card's transactions list newest first by id.
func newCardTxnID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// declined is how the write transaction of Authorize reports a decline it found there
// (the card changed, the money went): the transaction rolls back and the decline is
// recorded in one of its own.
type declined struct{ reason, detail string }

func (d *declined) Error() string { return d.reason }

// Authorize decides a card payment (an authorization, or a purchase: an authorization
// captured at once) and records the attempt. It returns the recorded transaction,
// approved or declined; the error is for invalid input (EInvalid), a card unknown to the
// tenant (ENotFound CARD_NOT_FOUND) or a failure. It calls the tenant's authorization URL
// and so must not be called inside a transaction.
func (s *Service) Authorize(ctx context.Context, p AuthorizeParams) (*baas.CardTransaction, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	card, cached, err := s.paymentCard(ctx, p.TenantID, p.CardID)
	if err != nil {
		return nil, err
	}
	return s.authorizeCard(ctx, p, card, cached, authorizeRetries)
}

// authorizeRetries bounds how often a payment is decided again because its tenant's
// authorization settings changed meanwhile (authorizeCard).
const authorizeRetries = 3

// cardsTTL is how long a card read for a payment is kept (Service.cards).
const cardsTTL = time.Minute

// paymentCard returns the card cardID of the tenant (any tenant's for "") for a payment:
// as read by an earlier payment (within cardsTTL; cached is true) or from the store. A
// cached card is used only for what never changes about it (its tenant, account,
// customer, product, masked number): authorizeCard reads it again before it decides on
// anything that can change (its status) outside the card's lock, and under the lock the
// transaction reads it anyway. So a payment costs no card read before its transaction.
// The cache keeps no secret: not the sealed number, its hash, the PIN's or the holder.
func (s *Service) paymentCard(ctx context.Context, tenantID, cardID string) (card *baas.Card, cached bool, err error) {
	if c, ok := s.cards.lookup(cardID, s.now()); ok && (tenantID == "" || c.TenantID == tenantID) {
		cc := *c
		return &cc, true, nil
	}
	c, err := s.readCard(ctx, tenantID, cardID)
	if err != nil {
		return nil, false, err
	}
	s.cacheCard(c)
	return c, false, nil
}

// cacheCard keeps what a payment needs of c (paymentCard).
func (s *Service) cacheCard(c *baas.Card) {
	s.cards.put(c.ID, &baas.Card{ID: c.ID, TenantID: c.TenantID, CustomerID: c.CustomerID, AccountID: c.AccountID,
		Product: c.Product, Variant: c.Variant, FormFactor: c.FormFactor, Status: c.Status, MaskedPAN: c.MaskedPAN,
		Last4: c.Last4, ExpMonth: c.ExpMonth, ExpYear: c.ExpYear, CreatedAt: c.CreatedAt}, s.now())
}

// tenantFacts is what never changes about a tenant, cached (Service.facts).
type tenantFacts struct{ sandbox bool }

// tenantFacts returns what never changes about a tenant, from the cache or the store.
func (s *Service) tenantFacts(ctx context.Context, tenantID string) (tenantFacts, error) {
	return s.facts.get(tenantID, s.now(), func() (tenantFacts, error) {
		t, err := s.store.Read().GetTenant(ctx, tenantID)
		if err != nil {
			return tenantFacts{}, err
		}
		return tenantFacts{sandbox: t.Sandbox}, nil
	})
}

// cardCurrency is the currency of a card's account, which never changes, from the cache
// or the store.
func (s *Service) cardCurrency(ctx context.Context, tenantID string, accountID int64) (string, error) {
	return s.currency.get(accountID, s.now(), func() (string, error) {
		a, err := s.store.Read().FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, ID: &accountID})
		if err != nil {
			return "", err
		}
		return a.Currency, nil
	})
}

// authorizeCard is Authorize for p (validated) on card, read for p's tenant.
//
// Before the transaction it reads only the tenant's authorization settings (the card's
// currency is cached): when the tenant has an authorization URL, the controls and the
// available balance are checked first, so that the tenant is asked only about a payment
// the core would approve and is told the controls' verdict; when it has none, the
// transaction's own checks under the card's lock (the same ones, in the same order)
// decide alone, and a payment costs one transaction.
//
// The authorization settings may come from the cache: the transaction checks that they
// are still the tenant's, and when they are not (changed by another process, such as
// `baas webhook`) the payment is decided again from fresh ones, at most retries times.
func (s *Service) authorizeCard(ctx context.Context, p AuthorizeParams, card *baas.Card, cached bool, retries int) (*baas.CardTransaction, error) {
	r := s.store.Read()
	auth, err := s.controls.authorizationSettings(ctx, r, card.TenantID, s.now())
	if err != nil {
		return nil, err
	}
	currency, err := s.cardCurrency(ctx, card.TenantID, card.AccountID)
	if err != nil {
		return nil, err
	}
	// A card from the cache (paymentCard) decides nothing before the transaction: when
	// the tenant is asked about the payment, or the cached card would be declined here,
	// the card is read again, so that every decision before the lock is the one a fresh
	// read gives; otherwise the checks under the card's lock decide, on the card as it is.
	if cached && (auth.URL != "" || !cardUsable(card, s.now()) || (p.Currency != "" && p.Currency != currency)) {
		if card, err = s.readCard(ctx, card.TenantID, card.ID); err != nil {
			return nil, err
		}
		s.cacheCard(card)
	}
	id, err := newCardTxnID()
	if err != nil {
		return nil, err
	}
	now := s.now()
	t := &baas.CardTransaction{ID: id, TenantID: card.TenantID, CardID: card.ID, CustomerID: card.CustomerID,
		AccountID: card.AccountID, Type: p.Type, Amount: p.Amount, Currency: p.Currency, MerchantName: p.MerchantName,
		MerchantCity: p.MerchantCity, MerchantCountry: p.MerchantCountry, MCC: p.MCC, EntryMode: p.EntryMode,
		CreatedAt: now, UpdatedAt: now}
	if t.Currency == "" {
		t.Currency = currency
	}
	decline := func(reason, detail string) (*baas.CardTransaction, error) {
		if x := p.extra; x != nil && x.idem.Key != "" {
			// A request with the same key may have committed meanwhile: its answer is this
			// one's, and this one is not a payment of its own (authorizeOnce).
			raw, ok, err := s.recordedResult(ctx, t.TenantID, x.idem)
			if err != nil || ok {
				x.replay = raw
				return nil, err
			}
		}
		return t, s.recordDecline(ctx, t, card, reason, detail)
	}
	if !cardUsable(card, now) {
		return decline(ReasonCardInactive, "the card is "+string(card.Status))
	}
	if t.Currency != currency {
		return decline(ReasonCurrency, "the card spends "+currency)
	}
	txn := rules.Txn{Amount: t.Amount, Currency: t.Currency, MCC: t.MCC, EntryMode: t.EntryMode,
		MerchantCountry: t.MerchantCountry, Time: now}
	ap := AuthorizationParams{TenantID: card.TenantID, Reference: t.ID}
	if auth.URL != "" {
		verdict, err := s.checkControls(ctx, r, card, txn, now)
		if err != nil {
			return nil, err
		}
		if !verdict.Approved {
			return decline(verdict.Reason, verdict.Detail)
		}
		acct, err := r.FindAccount(ctx, baas.AccountFilter{TenantID: card.TenantID, ID: &card.AccountID})
		if err != nil {
			return nil, err
		}
		if acct.Status != baas.AccountActive {
			return decline(ReasonAccountInactive, "the card's account is inactive")
		}
		if !acct.AllowNegative && acct.Available() < t.Amount {
			return decline(ReasonInsufficient, "the available balance is below the amount")
		}
		ap.Data = authorizationData(t, card, verdict)
	}
	ad, err := s.askAuthorization(ctx, auth, ap)
	if err != nil {
		return nil, err
	}
	switch {
	case !ad.Approved && ad.StandIn:
		return decline(ReasonStandIn, logText(ad.Reason))
	case !ad.Approved:
		return decline(ReasonWebhookDeclined, logText(ad.Reason))
	case ad.StandIn:
		t.Reason, t.Detail = ReasonApprovedStandIn, logText(ad.Reason)
	default:
		t.Reason = ReasonApproved
	}
	t.Status = baas.CardTxnApproved
	if t.Type == baas.CardTxnPurchase {
		if err := s.ensureNetworkAccount(ctx, t.TenantID, t.Currency); err != nil {
			return nil, err
		}
	}
	// The transaction (cardbatch.go): with the payments of other cards that arrive
	// meanwhile, or alone.
	// A payment with extras (an in-transaction hook, an Idempotency-Key) goes alone, in
	// the transaction of its idempotency record: the same function as a batch of one.
	pay := &cardPayment{t: t, card: card, txn: txn, auth: auth, extra: p.extra, done: make(chan struct{})}
	switch {
	case p.extra != nil:
		if err = s.extraPaymentTx(ctx, pay); err == nil && p.extra.replay != nil {
			return nil, nil // answered by the key's record (authorizeOnce)
		}
	case s.cardBatch != nil:
		s.cardBatch.post(pay, pay.done)
	}
	if !pay.made && p.extra == nil {
		err = s.cardPaymentsTx(ctx, []*cardPayment{pay})
	}
	if err == nil && pay.stale { // the settings changed (the transaction checks): decide again on the new ones
		if retries == 0 {
			return nil, baas.Errorf(baas.EConflict, "the tenant's authorization settings keep changing; try again")
		}
		s.controls.invalidate(card.TenantID)
		return s.authorizeCard(ctx, p, card, cached, retries-1)
	}
	switch {
	case err != nil && baas.IsCode(err, baas.EInsufficientFunds):
		return decline(ReasonInsufficient, "the available balance is below the amount")
	case err != nil:
		return nil, err
	case pay.declined != nil:
		return decline(pay.declined.reason, pay.declined.detail)
	}
	return t, nil
}

// authorizationData is what the tenant's authorization URL is asked about: the card
// (masked), the payment, the merchant and the spending controls' verdict.
func authorizationData(t *baas.CardTransaction, c *baas.Card, v rules.Decision) map[string]any {
	controls := map[string]any{"approved": v.Approved}
	if v.RuleID != "" {
		controls["rule_id"], controls["reason"], controls["detail"] = v.RuleID, v.Reason, v.Detail
	}
	return map[string]any{"transaction_id": t.ID, "type": t.Type, "card_id": c.ID, "masked_pan": c.MaskedPAN,
		"last4": c.Last4, "customer_id": c.CustomerID, "amount": t.Amount, "currency": t.Currency,
		"merchant_name": t.MerchantName, "merchant_city": t.MerchantCity, "merchant_country": t.MerchantCountry,
		"mcc": t.MCC, "entry_mode": t.EntryMode, "controls": controls}
}

// recordDecline records t as declined for reason, with its card.declined event, in a
// transaction of its own.
func (s *Service) recordDecline(ctx context.Context, t *baas.CardTransaction, card *baas.Card, reason, detail string) error {
	t.Status, t.State, t.Reason, t.Detail = baas.CardTxnDeclined, baas.CardTxnDeclinedState, reason, detail
	t.Authorized, t.Captured, t.HoldID, t.TransferID, t.ExpiresAt = 0, 0, 0, 0, time.Time{}
	return s.store.InTx(ctx, func(tx baas.Tx) error {
		if err := tx.InsertCardTransaction(ctx, t); err != nil {
			return err
		}
		return event(ctx, tx, t.TenantID, EventCardDeclined, t.ID, t.UpdatedAt, cardTxnPayload(t, card))
	})
}

// toNetwork moves amount from the card's account to the tenant's network settlement
// account (a capture) in tx. The network account is credited at the commit, wherever it
// stands in the lock order (laterCredit.AnyOrder), so a tenant's card payments do not
// queue on it.
func (s *Service) toNetwork(ctx context.Context, tx baas.Tx, t *baas.CardTransaction, amount int64, now time.Time) (*posted, error) {
	network, err := s.networkAccount(ctx, tx, t.TenantID, t.Currency, now)
	if err != nil {
		return nil, err
	}
	tr, err := openTransfer(ctx, tx, t.TenantID, now, captureSpec(t))
	if err != nil {
		return nil, err
	}
	return applyTransfer(ctx, tx, tr, ledger.Move(t.AccountID, network.ID, amount),
		&laterCredit{AccountID: network.ID, Currency: t.Currency, Status: baas.AccountActive, AnyOrder: true})
}

// captureSpec is the transfer of a capture of t (to the network settlement account).
func captureSpec(t *baas.CardTransaction) transferSpec {
	return transferSpec{Kind: baas.TransferCapture, Description: "card payment", Merchant: t.MerchantName,
		Metadata: map[string]any{"card_transaction_id": t.ID, "card_id": t.CardID}}
}

// fromNetwork gives amount back from the network settlement account to the card's
// account (a refund, or the reversal of a completed purchase) in tx.
func (s *Service) fromNetwork(ctx context.Context, tx baas.Tx, o *baas.CardTransaction, amount int64, now time.Time) (*posted, error) {
	network, err := s.networkAccount(ctx, tx, o.TenantID, o.Currency, now)
	if err != nil {
		return nil, err
	}
	return post(ctx, tx, o.TenantID, now, transferSpec{Kind: baas.TransferCardRefund, Description: "card refund",
		Merchant: o.MerchantName, Metadata: map[string]any{"card_transaction_id": o.ID, "card_id": o.CardID},
		Legs: ledger.Move(network.ID, o.AccountID, amount)})
}

// networkAccount is the tenant's network settlement account in currency, created on first
// use. Its id is remembered once read from the store (never when this transaction created
// it, which may yet roll back): it never changes.
func (s *Service) networkAccount(ctx context.Context, tx baas.Tx, tenantID, currency string, now time.Time) (*baas.Account, error) {
	key := tenantID + "\x00" + currency
	if id, ok := s.network.Load(key); ok {
		return &baas.Account{ID: id.(int64), TenantID: tenantID, Kind: baas.AccountNetwork, Currency: currency}, nil
	}
	kind := baas.AccountNetwork
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, Kind: &kind, Currency: &currency})
	if err == nil {
		s.network.Store(key, a.ID)
		return a, nil
	}
	return systemAccount(ctx, tx, tenantID, baas.AccountNetwork, currency, now)
}

// ensureNetworkAccount creates the tenant's network settlement account in currency, in a
// transaction of its own, unless it exists: created inside a payment's transaction, the
// first payments of a tenant arriving together would all but one fail on the account's
// uniqueness.
func (s *Service) ensureNetworkAccount(ctx context.Context, tenantID, currency string) error {
	if _, ok := s.network.Load(tenantID + "\x00" + currency); ok {
		return nil
	}
	kind := baas.AccountNetwork
	_, err := s.store.Read().FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, Kind: &kind, Currency: &currency})
	if !baas.IsCode(err, baas.ENotFound) {
		return err
	}
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		_, err := systemAccount(ctx, tx, tenantID, baas.AccountNetwork, currency, s.now())
		return err
	})
	if baas.IsCode(err, baas.EConflict) {
		return nil // created meanwhile by another payment
	}
	return err
}
