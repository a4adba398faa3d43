package girasol

import (
	"context"
	"net/http"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/money"
)

// The "Simulator" collection: a card transaction made up for a card of the company,
// through the core's one authorization path (the sandbox card network).

const (
	// msgSimulatorCard is the spec's answer (spelling included) for a card that is not
	// active or not the company's.
	msgSimulatorCard = "this card does not have an avtive status or does not exist"
	// msgNothingToReverse answers a reversal on a card without an approved purchase left
	// to reverse (docs/girasol.md).
	msgNothingToReverse = "this card does not have an approved purchase to reverse"
)

func (h *Handler) registerSimulator(mux httpx.Mux) {
	mux.Handle("POST /v1/simulator/transaction", h.authed(h.simulateTransaction))
}

// simulateTransaction: POST /v1/simulator/transaction {"cardId","transactionType"} with
// transactionType purchase or reversal (the spec's "reseversal" too). 201 "transaction
// completed" with the transaction; 409 with the spec's message for a card that is not
// active or not the company's; 409 "transaction declined: <reason>" for a purchase the
// authorization declines (docs/girasol.md).
func (h *Handler) simulateTransaction(ctx context.Context, _ *http.Request, b *body) (*response, error) {
	id := b.cardID()
	typ := b.str(strOpt{max: 64}, "transactionType")
	if typ != "" && typ != "purchase" && typ != "reversal" && typ != "reseversal" {
		b.fail("transactionType must be one of the following values: purchase, reversal, reseversal")
	}
	if err := invalid(b.finish()); err != nil {
		return nil, err
	}
	t, err := h.core.SimulatorTransaction(ctx, id, typ != "purchase")
	switch baas.ErrorReason(err) {
	case "":
	case "CARD_NOT_FOUND":
		return nil, baas.Errorf(baas.EConflict, "%s", msgSimulatorCard)
	case "NOTHING_TO_REVERSE":
		return nil, baas.Errorf(baas.EConflict, "%s", msgNothingToReverse)
	}
	if err != nil {
		return nil, err
	}
	if t.Status == baas.CardTxnDeclined {
		if t.Reason == "card_inactive" {
			return nil, baas.Errorf(baas.EConflict, "%s", msgSimulatorCard)
		}
		return nil, baas.Errorf(baas.EConflict, "transaction declined: %s", t.Reason)
	}
	return &response{status: http.StatusCreated, data: map[string]any{
		"message": "transaction completed",
		"data": simulatorView{TransactionID: t.ID, CardID: t.CardID, Amount: money.Format(t.Amount, t.Currency),
			Merchant: t.MerchantName, Currency: t.Currency, TransactionType: typ, TransactionAt: timestamp(t.CreatedAt)}}}, nil
}

// simulatorView is the spec's transaction, keys in its order.
type simulatorView struct {
	TransactionID   string `json:"transactionId"`
	CardID          string `json:"cardId"`
	Amount          string `json:"amount"`
	Merchant        string `json:"merchant"`
	Currency        string `json:"currency"`
	TransactionType string `json:"transactionType"`
	TransactionAt   string `json:"transactionAt"`
}
