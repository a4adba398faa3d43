package girasol

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/ledger"
)

// The "Top-up" collection: add top-up, reverse, validate reverse transaction; and the
// accounts' QR codes that name an account in a top-up. The rules are the core's
// (core/topup.go); this file decodes the spec's bodies (with its "ammount" spelling, and
// "amount" too) and words the answers as the spec does (docs/girasol.md "Top-ups").

// number reads a required integer field as class-validator's @IsNumber() @IsNotEmpty()
// pair reports it: missing, null or "" fails both, anything but a number the first.
func (b *body) number(name string, min int64) int64 {
	raw, _, ok := b.lookup(name)
	if !ok || string(raw) == `""` {
		b.fail("%s must be a number conforming to the specified constraints", name)
		b.fail("%s should not be empty", name)
		return 0
	}
	v, msg := jsonInt(raw)
	switch {
	case msg != "":
		b.fail("%s %s", name, msg)
	case v < min:
		b.fail("%s must not be less than %d", name, min)
	}
	return v
}

// topUpAmount reads "ammount" (the spec's spelling) or "amount": the same number when
// both are sent, in the one amount range.
func (b *body) topUpAmount() int64 {
	_, misspelt := b.fields["ammount"]
	_, spelt := b.fields["amount"]
	if !spelt {
		return b.positive("ammount")
	}
	if !misspelt {
		return b.positive("amount")
	}
	n := len(b.errs)
	a, c := b.positive("ammount"), b.positive("amount")
	if len(b.errs) == n && a != c {
		b.fail("ammount and amount must be equal when both are sent")
	}
	return a
}

// positive reads a required amount in integer minor units.
func (b *body) positive(name string) int64 {
	n := len(b.errs)
	v := b.number(name, 0)
	if len(b.errs) == n && ledger.CheckAmount(v) != nil {
		b.fail("%s must be a positive number not greater than %d", name, ledger.MaxAmount)
	}
	return v
}

// transactionDate reads TransactionDate: the spec's "2024-08-21 08:50:48", or RFC 3339.
func (b *body) transactionDate(optional bool) string {
	s := b.str(strOpt{optional: optional, max: 40}, "TransactionDate")
	if s == "" {
		return s
	}
	if _, err := time.Parse(time.DateTime, s); err != nil {
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			b.fail("TransactionDate must be a date such as 2024-08-21 08:50:48")
		}
	}
	return s
}

// currencyCode reads the ISO 4217 numeric code as a number (532), as three digits.
func (b *body) currencyCode() string {
	n := len(b.errs)
	v := b.number("currencyCode", 1)
	if len(b.errs) > n {
		return ""
	}
	if v > 999 {
		b.fail("currencyCode must be an ISO 4217 numeric code")
		return ""
	}
	s := strconv.FormatInt(v, 10)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// topUpNew: POST /v1/top-up/new.
func (h *Handler) topUpNew(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.TopUpParams{
		Email:         b.str(strOpt{optional: true, max: 254}, "email"),
		AccountNumber: b.str(strOpt{optional: true, max: 20}, "account"),
		QRCode:        b.str(strOpt{optional: true, max: 64}, "qrCode"),
		Amount:        b.topUpAmount(),
		Tax:           b.number("tax", 0),
		Currency:      b.currencyCode(),
		Invoice:       b.str(strOpt{}, "id_invoice"),
	}
	p.Details = baas.TopUpDetails{Email: p.Email, AccountNumber: p.AccountNumber, QRCode: p.QRCode,
		Cashier: b.str(strOpt{}, "cashier"), Merchant: b.str(strOpt{}, "merchant"),
		TransactionDate: b.transactionDate(false), PaymentType: b.str(strOpt{max: 64}, "paymentType")}
	b.email("email", p.Email)
	if p.Email == "" && p.AccountNumber == "" && p.QRCode == "" {
		b.fail("account, email or qrCode should not be empty")
	}
	var err error
	if p.Idem, err = b.done(ctx, r); err != nil {
		return nil, err
	}
	res, replayed, err := h.core.TopUp(ctx, p)
	if err != nil {
		return nil, topUpErr(err)
	}
	currency, _ := strconv.Atoi(p.Currency)
	d := res.Details
	return &response{status: http.StatusCreated, replayed: replayed, data: map[string]any{
		"message":       "Top-up created successfully",
		"transactionId": res.ID,
		"createdAt":     timestamp(res.CreatedAt),
		"transaction": topUpEcho{Email: d.Email, Account: d.AccountNumber, QRCode: d.QRCode, Ammount: res.Amount,
			Tax: res.Tax, CurrencyCode: currency, Cashier: d.Cashier, Merchant: d.Merchant,
			TransactionDate: d.TransactionDate, PaymentType: d.PaymentType, Invoice: res.Invoice, Amount: res.Amount},
	}}, nil
}

// topUpEcho is the 201's transaction: the spec's fields in its order, then "amount".
type topUpEcho struct {
	Email           string `json:"email"`
	Account         string `json:"account"`
	QRCode          string `json:"qrCode"`
	Ammount         int64  `json:"ammount"`
	Tax             int64  `json:"tax"`
	CurrencyCode    int    `json:"currencyCode"`
	Cashier         string `json:"cashier"`
	Merchant        string `json:"merchant"`
	TransactionDate string `json:"TransactionDate"`
	PaymentType     string `json:"paymentType"`
	Invoice         string `json:"id_invoice"`
	Amount          int64  `json:"amount"`
}

// topUpErr words the core's top-up errors: an unknown top-up is a 404 with the spec's
// errorDefinitions style, like the unknown account.
func topUpErr(err error) error {
	switch r := baas.ErrorReason(err); r {
	case "TOP_UP_NOT_FOUND", "ACCOUNT_NOT_FOUND":
		return baas.Errorf(baas.ENotFound, " errorDefinitions.%s ", r)
	}
	return err
}

// transactionID reads the top-up's transaction_id: a UUID.
func (b *body) transactionID() string {
	s := b.str(strOpt{max: 36}, "transaction_id")
	if s != "" && !uuidRe.MatchString(s) {
		b.fail("transaction_id must be a UUID")
	}
	return s
}

// topUpReverse: PATCH /v1/top-up/reverse.
func (h *Handler) topUpReverse(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.ReverseTopUpParams{
		Amount:   b.topUpAmount(),
		Tax:      b.number("tax", 0),
		Currency: b.currencyCode(),
		Invoice:  b.str(strOpt{}, "id_invoice"),
		TopUpID:  b.transactionID(),
	}
	b.transactionDate(true)
	b.str(strOpt{optional: true, max: 64}, "paymentType")
	var err error
	if p.Idem, err = b.done(ctx, r); err != nil {
		return nil, err
	}
	res, replayed, err := h.core.ReverseTopUp(ctx, p)
	if err != nil {
		return nil, topUpErr(err)
	}
	return &response{status: http.StatusOK, replayed: replayed, data: map[string]any{
		"message":       "otp sended to the user",
		"transactionId": res.TopUpID,
		"createdAt":     timestamp(res.CreatedAt),
		"reversalId":    res.ReversalID,
		"expiresAt":     timestamp(res.ExpiresAt),
	}}, nil
}

// topUpValidate: PATCH /v1/top-up/validate.
func (h *Handler) topUpValidate(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.ValidateTopUpReversalParams{
		Invoice: b.str(strOpt{}, "id_invoice"),
		TopUpID: b.transactionID(),
		Code:    b.str(strOpt{max: 64}, "user_code"),
	}
	if err := invalid(b.finish()); err != nil {
		return nil, err
	}
	res, err := h.core.ValidateTopUpReversal(ctx, p)
	if err != nil {
		return nil, topUpErr(err)
	}
	return &response{status: http.StatusOK, data: map[string]any{
		"message":       "transaction validated",
		"transactionId": res.TopUpID,
		"reversalId":    res.ReversalID,
		"balance":       res.Balance,
	}}, nil
}

// qrCode: GET /v1/accounts/qr-code/{accountNumber}.
func (h *Handler) qrCode(ctx context.Context, r *http.Request, _ *body) (*response, error) {
	n, err := pathAccountNumber(r)
	if err != nil {
		return nil, err
	}
	code, err := h.core.AccountQRCode(ctx, n)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusOK, data: map[string]any{"accountNumber": n, "qrCode": code}}, nil
}
