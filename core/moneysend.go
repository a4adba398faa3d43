package core

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/money"
	"github.com/baas-oss/baas/rules"
	"github.com/baas-oss/baas/vault"
)

// Money send (Girasol "Money send"): a push payment from a card's account to a card
// outside baas. It is a purchase of the card through Authorize (the one authorization
// path), whose transfer from the card's account to the tenant's network settlement
// account (the network pays the receiving card) is of kind money_send, with its event
// and an entry in the account's transactions. The receiver's card
// number is never stored nor logged: the transfer keeps its masked form and a keyed
// hash (purposeReceiverPAN), which lets the operator see that two sends went to one
// card without being able to read it.

// Purposes of keys derived from a data key for money sends. Part of the stored format.
const (
	purposeReceiverPAN     = "money-send-receiver-pan"
	purposeSendFingerprint = "money-send-fingerprint"
)

// MoneySendReceiver is the outside card and its holder.
type MoneySendReceiver struct {
	CardNumber string
	FirstName  string
	LastName   string
	ExpMonth   int
	ExpYear    int
	Street     string
	CountryID  string
}

// MoneySendParams are the inputs of MoneySend. Amount is a decimal string in the
// currency of the card's account ("1.00"), read exactly by money.Parse.
type MoneySendParams struct {
	CardID   string
	Amount   string
	Receiver MoneySendReceiver
	Idem     Idempotency
}

// MoneySendResult is the outcome of MoneySend: never the receiver's full number.
type MoneySendResult struct {
	TransferID        int64     `json:"transfer_id"`
	CardID            string    `json:"card_id"`
	AccountNumber     int64     `json:"account_number"`
	Amount            int64     `json:"amount"`
	Currency          string    `json:"currency"`
	Balance           int64     `json:"balance"`
	ReceiverMaskedPAN string    `json:"receiver_masked_pan"`
	ReceiverName      string    `json:"receiver_name"`
	CreatedAt         time.Time `json:"created_at"`
}

// ValidReceiverCardNumber reports whether s can be a card number: 12 to 19 digits that
// pass the Luhn check.
func ValidReceiverCardNumber(s string) bool {
	return len(s) >= 12 && len(s) <= 19 && vault.Luhn(s)
}

// ReceiverCardExpired reports whether a card valid through month/year is expired at now
// (or the month is not one).
func ReceiverCardExpired(month, year int, now time.Time) bool {
	return month < 1 || month > 12 || vault.Expired(month, year, now)
}

// Field errors of a money send, named as the core's params do.
func moneySendFields(p MoneySendParams, now time.Time) []baas.FieldError {
	var out []baas.FieldError
	add := func(field, reason, msg string) {
		out = append(out, baas.FieldError{Field: field, Reason: reason, Message: msg})
	}
	if !money.Decimal(p.Amount) {
		add("amount", "NOT_DECIMAL", "amount must be a decimal number string such as \"1.00\"")
	}
	if !ValidReceiverCardNumber(p.Receiver.CardNumber) {
		add("receiver.card_number", "INVALID_CARD_NUMBER", "receiver.cardNumber must be a valid card number")
	}
	if ReceiverCardExpired(p.Receiver.ExpMonth, p.Receiver.ExpYear, now) {
		add("receiver.expiration_date", "CARD_EXPIRED", "receiver.expirationDate must not be in the past")
	}
	if strings.TrimSpace(p.Receiver.FirstName) == "" {
		add("receiver.first_name", "EMPTY", "receiver.firstName should not be empty")
	}
	if strings.TrimSpace(p.Receiver.LastName) == "" {
		add("receiver.last_name", "EMPTY", "receiver.lastName should not be empty")
	}
	return out
}

// MCCMoneyTransfer is the merchant category code of a money send: money transfer
// (funds transfer).
const MCCMoneyTransfer = "4829"

// MoneySend pushes money from the account of an active card of the tenant in ctx to an
// outside card. It is a card payment like any other, through the one authorization path
// (Authorize): a purchase of the card, MCC 4829, entry mode ecommerce, merchant
// "MONEY SEND " and the receiver's masked number, so the card's spending controls and
// the tenant's authorization URL decide it, it counts toward the card's totals and shows
// in its transactions. Its transfer (kind money_send), its event transfer.money_send and
// its idempotency record are written in the payment's transaction (authorizeOnce).
//
// The receiver's number must pass the Luhn check and its expiry must not be past; the
// amount must be a positive decimal in the account's currency with no more decimals than
// it has (EInvalid naming each field). An unknown or foreign card is ENotFound
// CARD_NOT_FOUND. A declined payment is recorded as such and moves nothing: a card that
// is not active is EConflict INVALID_CARD_STATUS, an inactive account EConflict
// ACCOUNT_INACTIVE, an amount the available balance does not cover
// EInsufficientFunds INSUFFICIENT_FUNDS, a spending control or the tenant's URL EDeclined
// "transaction declined: <reason>" (the Girasol simulator's words for a declined purchase).
func (s *Service) MoneySend(ctx context.Context, p MoneySendParams) (*MoneySendResult, bool, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, false, err
	}
	if fields := moneySendFields(p, s.now()); len(fields) > 0 {
		return nil, false, baas.InvalidFields(fields...)
	}
	card, _, err := s.paymentCard(ctx, tenantID, p.CardID)
	if err != nil {
		return nil, false, err
	}
	currency, err := s.cardCurrency(ctx, tenantID, card.AccountID)
	if err != nil {
		return nil, false, err
	}
	amount, err := money.Parse(p.Amount, currency)
	if err == nil {
		err = ledger.CheckAmount(amount)
	}
	if err != nil {
		msg := ledger.AmountMessage
		if errors.Is(err, money.ErrPrecision) {
			c, _ := money.Lookup(currency)
			msg = fmt.Sprintf("amount must have at most %d decimal places in %s", c.Exponent, currency)
		}
		return nil, false, baas.InvalidFields(baas.FieldError{Field: "amount", Reason: "INVALID_AMOUNT", Message: msg})
	}
	pan := p.Receiver.CardNumber
	masked := vault.MaskMiddle(pan)
	name := strings.TrimSpace(strings.TrimSpace(p.Receiver.FirstName) + " " + strings.TrimSpace(p.Receiver.LastName))
	panHash := hex.EncodeToString(s.keys.hash(purposeReceiverPAN, pan))
	// The dialect's fingerprint hashes the body, which holds the receiver's number: only
	// a keyed hash of it is stored with the idempotency record.
	if p.Idem.Fingerprint != "" {
		p.Idem.Fingerprint = hex.EncodeToString(s.keys.hash(purposeSendFingerprint, p.Idem.Fingerprint))
	}
	x := &paymentExtra{idem: p.Idem, transfer: func(t *baas.CardTransaction) transferSpec {
		return transferSpec{Kind: baas.TransferMoneySend, Description: "money send to " + masked, Metadata: map[string]any{
			"card_transaction_id": t.ID, "card_id": t.CardID, "receiver_masked_pan": masked, "receiver_name": name,
			"receiver_pan_hash": panHash, "receiver_country_id": p.Receiver.CountryID}}
	}}
	// The merchant country would be the receiver's, but Girasol's countryCodeId is a UUID
	// of a list baas does not have (docs/girasol.md): it stays unknown (domestic for the
	// spending controls' scope).
	t, res, replayed, err := authorizeOnce(ctx, s, AuthorizeParams{CardID: card.ID, Type: baas.CardTxnPurchase,
		Amount: amount, Currency: currency, MerchantName: "MONEY SEND " + masked, MCC: MCCMoneyTransfer,
		EntryMode: rules.ModeEcommerce}, x,
		func(ctx context.Context, tx baas.Tx, t *baas.CardTransaction, acct *baas.Account, now time.Time) (*MoneySendResult, error) {
			if err := event(ctx, tx, t.TenantID, "transfer.money_send", t.CardID, now, map[string]any{
				"transfer_id": t.TransferID, "card_id": t.CardID, "card_transaction_id": t.ID,
				"account_number": acct.Number, "amount": t.Amount, "currency": t.Currency,
				"receiver_masked_pan": masked, "receiver_name": name}); err != nil {
				return nil, err
			}
			return &MoneySendResult{TransferID: t.TransferID, CardID: t.CardID, AccountNumber: acct.Number,
				Amount: t.Amount, Currency: t.Currency, Balance: acct.Available(), ReceiverMaskedPAN: masked,
				ReceiverName: name, CreatedAt: now}, nil
		})
	if err != nil || replayed {
		return res, replayed, err
	}
	if t.Status == baas.CardTxnDeclined {
		return nil, false, moneySendDeclined(t)
	}
	return res, false, nil
}

// moneySendDeclined is the error of a declined money send.
func moneySendDeclined(t *baas.CardTransaction) error {
	switch t.Reason {
	case ReasonCardInactive:
		return baas.Reasonf(baas.EConflict, "INVALID_CARD_STATUS", "the card cannot send money: %s", t.Detail)
	case ReasonInsufficient:
		return baas.Reasonf(baas.EInsufficientFunds, "INSUFFICIENT_FUNDS", "insufficient funds")
	case ReasonAccountInactive:
		return baas.Reasonf(baas.EConflict, "ACCOUNT_INACTIVE", "account is inactive")
	}
	return baas.Errorf(baas.EDeclined, "transaction declined: %s", t.Reason)
}
