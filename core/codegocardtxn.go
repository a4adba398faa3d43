package core

import (
	"context"
	"strings"
	"time"

	"github.com/baas-oss/baas"
)

// Codego card statements: the approved card transactions of a customer's Codego cards of
// one type (every card of the type the customer ever had, replacements included), as
// debitcard_trx and prepaid_card_transaction list them, and the debit-card transaction
// webhook's trx_type. They read what the one authorization path recorded (Authorize,
// SettleCardTransaction, the expiry sweep); nothing here moves money.

// The trx_type of a Codego card transaction.
const (
	CodegoTrxDebit  = "debit"  // an authorization or purchase: money taken or reserved
	CodegoTrxRefund = "refund" // a refund: money the merchant gave back
	CodegoTrxCredit = "credit" // a reversal or an expiry: money the network released or returned
)

// codegoTrxTypes are the card transaction types of each trx_type. A capture is no line of
// its own: it books money its authorization already took.
var codegoTrxTypes = map[string][]string{
	CodegoTrxDebit:  {baas.CardTxnAuthorization, baas.CardTxnPurchase},
	CodegoTrxRefund: {baas.CardTxnRefund},
	CodegoTrxCredit: {baas.CardTxnReversal, baas.CardTxnExpiry},
}

// CodegoTrxType returns the trx_type of a card transaction type, "" for a capture.
func CodegoTrxType(typ string) string {
	for trx, types := range codegoTrxTypes {
		for _, t := range types {
			if t == typ {
				return trx
			}
		}
	}
	return ""
}

// Reasons of the statement filters' refusals (EInvalid).
const (
	ReasonCardTrxType  = "CARD_TRX_TYPE"
	ReasonCardTrxMonth = "CARD_TRX_MONTH"
	ReasonCardTrxYear  = "CARD_TRX_YEAR"
)

// CodegoStatementPageSize is the number of transactions of a statement page (the
// example's per_page).
const CodegoStatementPageSize = 10

// MaxCodegoStatementPage bounds the page number a client may ask for.
const MaxCodegoStatementPage = 1_000_000

// CodegoStatementParams are the inputs of CodegoCardStatement.
type CodegoStatementParams struct {
	Customer baas.CustomerKey
	Type     string // CardDebit or CardPrepaid
	TrxType  string // "" for every line, or CodegoTrxDebit, CodegoTrxRefund, CodegoTrxCredit
	// From and To, when set, keep the transactions created in [From, To)
	// (CodegoStatementMonth reads them).
	From, To time.Time
	Page     int // 1 is the first page; 0 is the first page too
}

// CodegoTrxFilter reads a statement's type filter: blank or "all" for every line, or a
// trx_type, ignoring case; anything else is EInvalid CARD_TRX_TYPE.
func CodegoTrxFilter(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, ok := codegoTrxTypes[s]; ok || s == "" {
		return s, nil
	}
	if s == "all" {
		return "", nil
	}
	return "", baas.Reasonf(baas.EInvalid, ReasonCardTrxType, "type must be debit, refund or credit")
}

// CodegoStatementMonth reads a statement's month filter as a period: month 1 to 12 ("03"
// or "3") and its year in two or four digits ("21" is 2021); both blank, no period; a year
// alone, that year; a month needs its year (EInvalid CARD_TRX_MONTH, CARD_TRX_YEAR).
func CodegoStatementMonth(month, year string) (from, to time.Time, err error) {
	return monthPeriod(month, year, true,
		baas.Reasonf(baas.EInvalid, ReasonCardTrxMonth, "month must be a month from 01 to 12 (MM)"),
		baas.Reasonf(baas.EInvalid, ReasonCardTrxYear, "year must be a year of two or four digits (YY or YYYY)"))
}

// CodegoStatement is one page of a Codego card statement.
type CodegoStatement struct {
	Page         int // 1-based
	PerPage      int
	Total        int // the lines of every page
	Transactions []*baas.CardTransaction
}

// Pages is the number of pages of the statement (0 when it has no line).
func (s *CodegoStatement) Pages() int { return (s.Total + s.PerPage - 1) / s.PerPage }

// CodegoCardStatement returns a page of the approved transactions of the customer's
// cards of a type, newest first, after releasing their expired authorizations. A
// customer of another tenant is ENotFound, as an unknown one; a customer without a card
// of the type has an empty statement.
func (s *Service) CodegoCardStatement(ctx context.Context, p CodegoStatementParams) (*CodegoStatement, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	product, err := codegoProduct(p.Type)
	if err != nil {
		return nil, err
	}
	trx, err := CodegoTrxFilter(p.TrxType)
	if err != nil {
		return nil, err
	}
	if p.Page < 0 || p.Page > MaxCodegoStatementPage {
		return nil, baas.Invalid("page must be a page number from 0 to 1000000")
	}
	out := &CodegoStatement{Page: max(p.Page, 1), PerPage: CodegoStatementPageSize}
	var cardIDs []string
	err = s.store.View(ctx, func(tx baas.Tx) error {
		cust, err := findCustomer(ctx, tx, tenantID, p.Customer)
		if err != nil {
			return err
		}
		cards, err := codegoCards(ctx, tx, tenantID, cust.ID, product)
		for _, c := range cards {
			cardIDs = append(cardIDs, c.ID)
		}
		return err
	})
	if err != nil || len(cardIDs) == 0 {
		return out, err
	}
	for _, id := range cardIDs {
		if _, err := s.ExpireCardAuthorizations(ctx, id); err != nil {
			return nil, err
		}
	}
	types := codegoTrxTypes[trx]
	if trx == "" {
		for _, t := range []string{CodegoTrxDebit, CodegoTrxRefund, CodegoTrxCredit} {
			types = append(types, codegoTrxTypes[t]...)
		}
	}
	f := baas.CardTxnFilter{TenantID: tenantID, CardIDs: cardIDs, Types: types, Status: baas.CardTxnApproved,
		CreatedFrom: p.From, CreatedBefore: p.To}
	err = s.store.View(ctx, func(tx baas.Tx) error {
		var err error
		if out.Total, err = tx.CountCardTransactions(ctx, f); err != nil || out.Total == 0 {
			return err
		}
		f.Offset, f.Limit = (out.Page-1)*out.PerPage, out.PerPage
		out.Transactions, err = tx.ListCardTransactions(ctx, f)
		return err
	})
	return out, err
}
