package core

import (
	"context"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/rules"
)

// The sandbox card network: what a card network would send, made up for sandbox tenants
// (the operator's sandbox API, the Girasol simulator), through the one authorization path.

// SandboxTxnParams are the inputs of SandboxCardTransaction: a network message for a
// card. Every field but Type may be left empty: the network fills in realistic random
// values (an amount from 1.00 to 150.00, a merchant of its list), and a capture,
// reversal or refund without OriginalID acts on the card's latest transaction it can act
// on.
type SandboxTxnParams struct {
	TenantID        string // the tenant acting; "" for the operator
	CardID          string
	Type            string // purchase, authorization, capture, reversal or refund
	Amount          int64
	Currency        string
	MerchantName    string
	MerchantCity    string
	MerchantCountry string
	MCC             string
	EntryMode       string
	OriginalID      string
}

// sandboxMerchant is a made-up merchant of the sandbox network.
type sandboxMerchant struct{ Name, City, Country, MCC string }

var sandboxMerchants = []sandboxMerchant{
	{"CHIP ISTP TESTING", "NEW YORK", "US", "5999"},
	{"CORNER GROCERY", "AUSTIN", "US", "5411"},
	{"BLUE BOTTLE CAFE", "SAN FRANCISCO", "US", "5814"},
	{"CITY FUEL 24", "CHICAGO", "US", "5541"},
	{"BOOKS & MORE", "BOSTON", "US", "5942"},
	{"SKYLINE AIRWAYS", "LONDON", "GB", "4511"},
	{"LA PETITE PHARMACIE", "PARIS", "FR", "5912"},
	{"ONLINE MARKET", "DUBLIN", "IE", "5969"},
}

// SandboxCardTransaction runs a sandbox network message for a card of a sandbox tenant:
// a purchase or authorization through Authorize, a capture, reversal or refund through
// SettleCardTransaction. A live tenant's card is EForbidden SANDBOX_ONLY.
func (s *Service) SandboxCardTransaction(ctx context.Context, p SandboxTxnParams) (*baas.CardTransaction, error) {
	p.Type = strings.ToLower(strings.TrimSpace(p.Type))
	switch p.Type {
	case baas.CardTxnPurchase, baas.CardTxnAuthorization, baas.CardTxnCapture, baas.CardTxnReversal, baas.CardTxnRefund:
	default:
		return nil, baas.InvalidFields(baas.FieldError{Field: "type", Reason: "invalid",
			Message: "type must be purchase, authorization, capture, reversal or refund"})
	}
	if p.Amount < 0 {
		return nil, baas.InvalidFields(baas.FieldError{Field: "amount", Reason: "out_of_range",
			Message: "amount must be a positive number of minor units"})
	}
	pay := p.Type == baas.CardTxnPurchase || p.Type == baas.CardTxnAuthorization
	var card *baas.Card
	var cached bool
	var err error
	if pay {
		card, cached, err = s.paymentCard(ctx, p.TenantID, p.CardID) // as Authorize
	} else {
		card, err = s.readCard(ctx, p.TenantID, p.CardID)
	}
	if err != nil {
		return nil, err
	}
	if err := s.sandboxOnly(ctx, card.TenantID); err != nil {
		return nil, err
	}
	if pay {
		m := sandboxMerchants[randomInt(0, int64(len(sandboxMerchants)-1))]
		if p.Amount == 0 {
			p.Amount = randomInt(100, 15_000)
		}
		if p.MerchantName == "" {
			p.MerchantName, p.MerchantCity = m.Name, m.City
			if p.MerchantCountry == "" {
				p.MerchantCountry = m.Country
			}
			if p.MCC == "" {
				p.MCC = m.MCC
			}
		}
		if p.MerchantCountry == "" {
			p.MerchantCountry = m.Country
		}
		if p.MCC == "" {
			p.MCC = m.MCC
		}
		if p.EntryMode == "" {
			p.EntryMode = EntryModes[randomInt(0, int64(len(EntryModes)-1))]
		}
		ap := AuthorizeParams{TenantID: p.TenantID, CardID: card.ID, Type: p.Type, Amount: p.Amount,
			Currency: p.Currency, MerchantName: p.MerchantName, MerchantCity: p.MerchantCity,
			MerchantCountry: p.MerchantCountry, MCC: p.MCC, EntryMode: p.EntryMode}
		if err := ap.validate(); err != nil {
			return nil, err
		}
		return s.authorizeCard(ctx, ap, card, cached, authorizeRetries) // Authorize, with the card read above
	}
	if p.OriginalID == "" {
		o, err := s.latestSettleable(ctx, card, p.Type)
		if err != nil {
			return nil, err
		}
		p.OriginalID = o.ID
	}
	return s.SettleCardTransaction(ctx, SettleParams{TenantID: p.TenantID, CardID: card.ID, Type: p.Type,
		OriginalID: p.OriginalID, Amount: p.Amount})
}

// sandboxOnly refuses a live tenant: EForbidden SANDBOX_ONLY.
func (s *Service) sandboxOnly(ctx context.Context, tenantID string) error {
	t, err := s.tenantFacts(ctx, tenantID)
	if err != nil {
		return err
	}
	if !t.sandbox {
		return baas.Reasonf(baas.EForbidden, ReasonSandboxOnly, "the sandbox card network is for sandbox tenants only")
	}
	return nil
}

// latestSettleable is the card's latest approved authorization or purchase that a
// message of type typ can act on: an open one to capture; one with money held or captured
// to reverse; one with money captured to refund. None is EConflict of the type's reason.
func (s *Service) latestSettleable(ctx context.Context, card *baas.Card, typ string) (*baas.CardTransaction, error) {
	f := baas.CardTxnFilter{TenantID: card.TenantID, CardID: card.ID, Status: baas.CardTxnApproved,
		Types: []string{baas.CardTxnAuthorization, baas.CardTxnPurchase}, Limit: 1}
	var reason, msg string
	switch typ {
	case baas.CardTxnCapture:
		f.States = []string{baas.CardTxnPending, baas.CardTxnPartiallyCaptured}
		reason, msg = "CAPTURE_EXCEEDS_AUTHORIZATION", "the card has no authorization left to capture"
	case baas.CardTxnReversal:
		f.States = []string{baas.CardTxnPending, baas.CardTxnPartiallyCaptured, baas.CardTxnCaptured, baas.CardTxnPartiallyRefunded}
		reason, msg = "NOTHING_TO_REVERSE", "the card has no transaction to reverse"
	default:
		f.States = []string{baas.CardTxnPartiallyCaptured, baas.CardTxnCaptured, baas.CardTxnPartiallyRefunded}
		reason, msg = "REFUND_EXCEEDS_CAPTURE", "the card has no captured transaction to refund"
	}
	list, err := s.store.Read().ListCardTransactions(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errExceeds(reason, msg)
	}
	return list[0], nil
}

// SimulatorTransaction is the Girasol simulator's transaction on a card of the tenant in
// ctx: a purchase (random amount and merchant, the card's currency, chip) or a reversal
// of the card's latest approved purchase (its hold released, or its money given back).
// A card that is not the tenant's is CARD_NOT_FOUND; a card that cannot pay is declined
// card_inactive (recorded); a reversal with nothing to reverse is NOTHING_TO_REVERSE.
func (s *Service) SimulatorTransaction(ctx context.Context, cardID string, reversal bool) (*baas.CardTransaction, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if !reversal {
		return s.SandboxCardTransaction(ctx, SandboxTxnParams{TenantID: tenantID, CardID: cardID,
			Type: baas.CardTxnPurchase, EntryMode: rules.ModeChip})
	}
	card, err := s.readCard(ctx, tenantID, cardID)
	if err != nil {
		return nil, err
	}
	if err := s.sandboxOnly(ctx, tenantID); err != nil {
		return nil, err
	}
	f := baas.CardTxnFilter{TenantID: tenantID, CardID: card.ID, Status: baas.CardTxnApproved,
		Types: []string{baas.CardTxnPurchase}, Limit: 1}
	list, err := s.store.Read().ListCardTransactions(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errExceeds("NOTHING_TO_REVERSE", "the card has no purchase to reverse")
	}
	return s.SettleCardTransaction(ctx, SettleParams{TenantID: tenantID, CardID: card.ID, Type: baas.CardTxnReversal,
		OriginalID: list[0].ID})
}

// CardTxnView is a card transaction as shown.
func CardTxnView(t *baas.CardTransaction) *CardTxnInfo { return cardTxnInfo(t) }
