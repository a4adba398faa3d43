package codego

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
	"github.com/baas-oss/baas/vault"
)

// The card statements, debitcard_trx and prepaid_card_transaction, and the debit-card
// transaction webhook: what the one authorization path recorded for a customer's Codego
// cards, in the examples' fields. docs/codego.md, "Card transactions".

func init() { maps.Copy(messages, cardTrxMessages) }

// cardTrxMessages words the statement filters' refusals in the manner of the float's.
var cardTrxMessages = map[string]string{
	core.ReasonCardTrxType:  "type possible values : debit or refund or credit",
	core.ReasonCardTrxMonth: "month of transactions should be MM",
	core.ReasonCardTrxYear:  "year of transactions should be YY or YYYY",
}

// cardTrx is one line of a statement, and the heart of the webhook: the example's fields
// (every value a string), then card_id, currency and datetime, which the spec's line
// lacks.
type cardTrx struct {
	TrxType     string `json:"trx_type"`
	Fee         string `json:"fee"`
	TxID        string `json:"TxId"`
	TransLink   string `json:"TransLink"`
	TotalAmount string `json:"total_amount"`
	TxAmount    string `json:"TxAmount"`
	De043       string `json:"De043"`
	CardID      string `json:"card_id"`
	Currency    string `json:"currency"`
	Datetime    string `json:"datetime"`
}

// txnLine is the line of a card transaction: TransLink is the authorization or purchase
// it acts on (itself for an authorization or purchase); baas charges no card fee.
func txnLine(typ, id, originalID string, amount int64, currency, merchant, city, cardID string, at time.Time) cardTrx {
	link := originalID
	if link == "" {
		link = id
	}
	a := money.Format(amount, currency)
	return cardTrx{TrxType: core.CodegoTrxType(typ), Fee: money.Format(0, currency), TxID: id, TransLink: link,
		TotalAmount: a, TxAmount: a, De043: de043(merchant, city), CardID: cardID, Currency: currency,
		Datetime: datetime(at)}
}

// de043 is ISO 8583's data element 43, the card acceptor's name and location, as the
// merchant's name and city: "CORNER GROCERY, AUSTIN".
func de043(name, city string) string {
	if name == "" || city == "" {
		return name + city
	}
	return name + ", " + city
}

func statementLines(st *core.CodegoStatement) []cardTrx {
	out := make([]cardTrx, 0, len(st.Transactions))
	for _, t := range st.Transactions {
		out = append(out, txnLine(t.Type, t.ID, t.OriginalID, t.Amount, t.Currency, t.MerchantName, t.MerchantCity,
			t.CardID, t.CreatedAt))
	}
	return out
}

// page reads the optional page: a number or a string of digits; 0 and 1 are the first
// page (the example sends 0 and answers page_number "1"). The core bounds it.
func page(req *request) int {
	n, _ := req.integer(true, "page")
	return int(n)
}

// debitCardTrx: POST /api/debitcard_trx. The answer is the example's: page_number,
// per_page and num_rows (every line of every page) as strings, the lines in data.
func (h *Handler) debitCardTrx(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	p := page(req)
	typ := req.str(strOpt{optional: true, max: 16}, "type")
	if err := req.finish(); err != nil {
		return nil, err
	}
	st, err := h.core.CodegoCardStatement(ctx, core.CodegoStatementParams{Customer: user(userID), Type: core.CardDebit,
		TrxType: typ, Page: p})
	if err != nil {
		return nil, err
	}
	return struct {
		Status     int       `json:"status"`
		PageNumber string    `json:"page_number"`
		PerPage    string    `json:"per_page"`
		NumRows    string    `json:"num_rows"`
		Data       []cardTrx `json:"data"`
	}{1, strconv.Itoa(st.Page), strconv.Itoa(st.PerPage), strconv.Itoa(st.Total), statementLines(st)}, nil
}

// prepaidCardTransaction: POST /api/prepaid_card_transaction. month and year filter
// (the example sends "12" and "21"); page, which the table lacks though the answer pages,
// is read as debitcard_trx reads it. previous_page and next_page stay within the pages, as
// the example's first page answers previous_page "1".
func (h *Handler) prepaidCardTransaction(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	month := req.str(strOpt{optional: true, max: 2}, "month")
	year := req.str(strOpt{optional: true, max: 4}, "year")
	p := page(req)
	if err := req.finish(); err != nil {
		return nil, err
	}
	from, to, err := core.CodegoStatementMonth(month, year)
	if err != nil {
		return nil, err
	}
	st, err := h.core.CodegoCardStatement(ctx, core.CodegoStatementParams{Customer: user(userID), Type: core.CardPrepaid,
		From: from, To: to, Page: p})
	if err != nil {
		return nil, err
	}
	return struct {
		Status             int       `json:"status"`
		TotalPage          string    `json:"total_page"`
		PreviousPage       string    `json:"previous_page"`
		NextPage           string    `json:"next_page"`
		TransactionHistory []cardTrx `json:"transaction_history"`
	}{1, strconv.Itoa(st.Pages()), strconv.Itoa(max(st.Page-1, 1)), strconv.Itoa(min(st.Page+1, max(st.Pages(), 1))),
		statementLines(st)}, nil
}

// cardTrxEvents are the events the debit-card transaction webhook renders: a purchase or
// authorization (approved or declined), a reversal or expiry, a refund. A capture is not
// rendered (it books what its authorization's webhook announced).
var cardTrxEvents = map[string]bool{core.EventCardAuthorization: true, core.EventCardDeclined: true,
	core.EventCardReversal: true, core.EventCardRefund: true}

// renderCardTrx renders a card transaction event of a Codego card as the debit-card
// transaction webhook (docs/webhooks.md), for debit and prepaid cards alike; nil for
// another card's.
func renderCardTrx(e *baas.Event) ([]byte, error) {
	var p struct {
		TransactionID string    `json:"transaction_id"`
		OriginalID    string    `json:"original_transaction_id"`
		CardID        string    `json:"card_id"`
		MaskedPAN     string    `json:"masked_pan"`
		Product       string    `json:"product"`
		Type          string    `json:"type"`
		Status        string    `json:"status"`
		Reason        string    `json:"reason"`
		Amount        int64     `json:"amount"`
		Currency      string    `json:"currency"`
		MerchantName  string    `json:"merchant_name"`
		MerchantCity  string    `json:"merchant_city"`
		CreatedAt     time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, err
	}
	cardType := ""
	switch p.Product {
	case core.ProductCodegoDebit:
		cardType = "debit"
	case core.ProductCodegoPrepaid:
		cardType = "prepaid"
	default:
		return nil, nil
	}
	status := "Approved"
	if p.Status == baas.CardTxnDeclined {
		status = "Declined"
	}
	return json.Marshal(struct {
		Status     int    `json:"status"`
		Event      string `json:"event"`
		CardType   string `json:"card_type"`
		CardNumber string `json:"card_number"`
		TrxStatus  string `json:"trx_status"`
		Reason     string `json:"reason"`
		cardTrx
	}{1, "card_transaction", cardType, vault.Mask(p.MaskedPAN), status, p.Reason,
		txnLine(p.Type, p.TransactionID, p.OriginalID, p.Amount, p.Currency, p.MerchantName, p.MerchantCity, p.CardID,
			e.CreatedAt)})
}
