package girasol

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
)

// Money send (POST /v1/cards/money-send): a push payment from a card's account to an
// outside card. The rules are the core's (core/moneysend.go: Luhn, expiry, and a card
// purchase through the one authorization path); this file decodes the spec's body and
// words the answer, which the spec does not show (docs/girasol.md "Money send").

// object reads a nested object field into a body of its own; its messages are prefixed
// with the field's name when merged back (merge), as class-validator does for nested
// objects. A missing or malformed object is reported, and an empty body returned.
func (b *body) object(optional bool, name string) *body {
	sub := &body{fields: map[string]json.RawMessage{}, used: map[string]bool{}}
	raw, _, ok := b.lookup(name)
	if !ok {
		if !optional {
			b.fail("%s should not be empty", name)
		}
		return sub
	}
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &sub.fields) != nil {
		b.fail("%s must be an object", name)
	}
	return sub
}

// merge adds sub's messages, unknown properties included, prefixed by name.
func (b *body) merge(name string, sub *body) {
	for _, m := range sub.finish() {
		b.errs = append(b.errs, name+"."+m)
	}
}

// moneySend: POST /v1/cards/money-send.
func (h *Handler) moneySend(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.MoneySendParams{
		Amount: b.str(strOpt{max: 32}, "amount"),
		CardID: b.str(strOpt{max: 36}, "cardId"),
	}
	if p.CardID != "" && !uuidRe.MatchString(p.CardID) {
		b.fail("%s", msgCardIDUUID)
	}
	rb := b.object(false, "receiver")
	rcv := &p.Receiver
	rcv.CardNumber = rb.str(strOpt{max: 19}, "cardNumber")
	rcv.FirstName = rb.str(strOpt{max: 100}, "firstName")
	rcv.LastName = rb.str(strOpt{max: 100}, "lastName")
	exp := rb.object(false, "expirationDate")
	rcv.ExpMonth = int(exp.int(intOpt{min: 1, max: 12}, "month"))
	rcv.ExpYear = int(exp.int(intOpt{min: 1000, max: 9999}, "year"))
	rb.merge("expirationDate", exp)
	addr := rb.object(true, "address")
	rcv.Street = addr.str(strOpt{optional: true}, "street")
	rcv.CountryID = addr.uuid("countryCodeId")
	rb.merge("address", addr)
	b.merge("receiver", rb)
	var err error
	if p.Idem, err = b.done(ctx, r); err != nil {
		return nil, err
	}
	res, replayed, err := h.core.MoneySend(ctx, p)
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundDef, false)
	}
	return &response{status: http.StatusCreated, replayed: replayed, data: map[string]any{
		"message":       "money sent",
		"transactionId": res.TransferID,
		"cardId":        res.CardID,
		"amount":        money.Format(res.Amount, res.Currency),
		"currency":      res.Currency,
		"balance":       res.Balance,
		"receiver": map[string]any{
			"cardNumber": res.ReceiverMaskedPAN,
			"name":       res.ReceiverName,
		},
		"createdAt": timestamp(res.CreatedAt),
	}}, nil
}
