package girasol

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/vault"
)

// The "Manage cards" collection. The rules are the core's (core/card.go); this file
// decodes, words the answers as the spec does, and maps the core's card errors to the
// spec's messages per endpoint (cardErr).

func (h *Handler) registerCards(mux httpx.Mux) {
	mux.Handle("POST /v1/cards/create-card", h.authed(h.createCard))
	mux.Handle("POST /v1/cards/create-virtual-card", h.authed(h.createVirtualCard))
	mux.Handle("POST /v1/cards/change-pin", h.authed(h.changePIN))
	mux.Handle("PATCH /v1/cards/activate", h.authed(h.activateCard))
	mux.Handle("PATCH /v1/cards/{cardId}/freeze", h.authed(h.cardAction(baas.CardFreeze, "card freezed")))
	mux.Handle("PATCH /v1/cards/{cardId}/unfreeze", h.authed(h.cardAction(baas.CardUnfreeze, "card unfreezed")))
	mux.Handle("PATCH /v1/cards/{cardId}/block", h.authed(h.cardAction(baas.CardBlock, "card blocked")))
	// info-by-account/{n}, info-by-card-id/{id}, {id}/card-info and {id}/virtual-card-info
	// overlap as patterns (/v1/cards/info-by-card-id/card-info matches two of them), so
	// one route takes the two segments and picks.
	mux.Handle("GET /v1/cards/{first}/{second}", h.authed(h.cardGet))
}

// Card types in the answers: 1 physical, 2 virtual (the spec's virtual card is type 2).
const (
	cardTypePhysical = 1
	cardTypeVirtual  = 2
)

func cardType(c *core.CardInfo) int {
	if c.FormFactor == baas.CardVirtual {
		return cardTypeVirtual
	}
	return cardTypePhysical
}

// Numeric card statuses of the info endpoints (docs/girasol.md).
var cardStatusNumbers = map[baas.CardStatus]int{
	baas.CardActive: 1, baas.CardFrozen: 2, baas.CardOrdered: 3, baas.CardAccepted: 4, baas.CardShipped: 5,
	baas.CardLocked: 6, baas.CardBlocked: 7, baas.CardLost: 8, baas.CardStolen: 9, baas.CardExpired: 10,
	baas.CardReplaced: 11,
}

// Messages the spec shows for card errors.
const (
	msgCardNotFoundOrStatus = "card not found or invalid status"
	msgCardNotFoundDef      = " errorDefinitions.CARD_NOT_FOUND "
	msgCardNotFoundPIN      = "Card not found."
	msgActiveCard           = " this user has a active card "
	msgCardIDUUID           = "cardId must be a UUID"
)

// cardErr words the core's card errors for one endpoint: an unknown or foreign card is a
// 404 with the endpoint's message (with statusToo, so is a state that does not allow the
// action, as the freeze example shows), a second live card the 409 of the spec.
func cardErr(err error, notFound string, statusToo bool) error {
	switch baas.ErrorReason(err) {
	case "CARD_NOT_FOUND":
		return baas.Errorf(baas.ENotFound, "%s", notFound)
	case "INVALID_CARD_STATUS":
		if statusToo {
			return baas.Errorf(baas.ENotFound, "%s", notFound)
		}
	case "CARD_ALREADY_ACTIVE":
		return baas.Errorf(baas.EConflict, "%s", msgActiveCard)
	case "ACCOUNT_NOT_FOUND":
		return baas.Errorf(baas.ENotFound, " errorDefinitions.ACCOUNT_NOT_FOUND ")
	}
	return err
}

// pathCardID reads a card id from the path: 400 "cardId must be a UUID" otherwise.
func pathCardID(id string) (string, error) {
	if !uuidRe.MatchString(id) {
		return "", baas.Invalid(msgCardIDUUID)
	}
	return strings.ToLower(id), nil
}

// bodyCardID reads the cardId of a body.
func (b *body) cardID() string {
	raw, _, ok := b.lookup("cardId")
	if !ok {
		b.fail("cardId should not be empty")
		b.fail(msgCardIDUUID)
		return ""
	}
	s, ok := field.JSONString(raw)
	if !ok || !uuidRe.MatchString(s) {
		b.fail(msgCardIDUUID)
		return ""
	}
	return strings.ToLower(s)
}

// digits reads a string field of exactly n ASCII digits.
func (b *body) digits(name string, n int) string {
	s := b.str(strOpt{max: 64}, name)
	if s != "" && (len(s) != n || strings.Trim(s, "0123456789") != "") {
		b.fail("%s must be %d digits", name, n)
		return ""
	}
	return s
}

// pin reads a PIN field: the core's rule (vault.ValidPIN), worded for the field.
func (b *body) pin(name string) string {
	s := b.str(strOpt{max: 64}, name)
	if s != "" && !vault.ValidPIN(s) {
		b.fail("%s must be 4 digits", name)
		return ""
	}
	return s
}

// expirationDate renders a card's expiry as MM/YY.
func expirationDate(c *core.CardInfo) string {
	return fmt.Sprintf("%02d/%02d", c.ExpMonth, c.ExpYear%100)
}

// createCard: POST /v1/cards/create-card — a physical card, ordered.
func (h *Handler) createCard(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.CreateCardParams{Product: core.ProductGirasolPhysical,
		Holder: baas.CardHolder{
			Address1:  b.str(strOpt{}, "address1"),
			Address2:  b.str(strOpt{optional: true}, "address2"),
			ZipCode:   b.str(strOpt{max: 20}, "zipCode"),
			State:     b.str(strOpt{optional: true, max: 100}, "state"),
			City:      b.str(strOpt{max: 100}, "city"),
			FirstName: b.str(strOpt{max: 100}, "firstName"),
			LastName:  b.str(strOpt{max: 100}, "lastName"),
			Phone:     b.str(strOpt{optional: true, max: 20}, "phone"),
		},
		NameForPrint:  b.str(strOpt{optional: true, max: 100}, "nameForPrint"),
		AccountNumber: b.int(intOpt{positive: true}, "accountNumber"),
	}
	return h.createCardOf(ctx, r, b, p, func(c *core.CardInfo) map[string]any {
		return map[string]any{"cardId": c.ID, "cardNumber": c.MaskedPAN, "expirationDate": expirationDate(c), "status": c.Word()}
	})
}

// createVirtualCard: POST /v1/cards/create-virtual-card — a virtual card, active at once.
func (h *Handler) createVirtualCard(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.CreateCardParams{Product: core.ProductGirasolVirtual,
		Holder: baas.CardHolder{
			FirstName: b.str(strOpt{optional: true, max: 100}, "firstName"),
			LastName:  b.str(strOpt{optional: true, max: 100}, "lastName"),
			Phone:     b.str(strOpt{optional: true, max: 20}, "phone"),
		},
		NameForPrint:  b.str(strOpt{optional: true, max: 100}, "nameForPrint"),
		AccountNumber: b.int(intOpt{positive: true}, "accountNumber"),
	}
	return h.createCardOf(ctx, r, b, p, func(c *core.CardInfo) map[string]any {
		return map[string]any{"message": "card created", "firstName": c.Holder.FirstName, "lastName": c.Holder.LastName,
			"cardStatus": "Active", "type": cardType(c), "cardId": c.ID}
	})
}

// createCardOf creates the card p describes and answers 201 with what render makes of it.
func (h *Handler) createCardOf(ctx context.Context, r *http.Request, b *body, p core.CreateCardParams,
	render func(*core.CardInfo) map[string]any) (*response, error) {
	b.phone(p.Holder.Phone)
	var err error
	if p.Idem, err = b.done(ctx, r); err != nil {
		return nil, err
	}
	c, replayed, err := h.core.CreateCard(ctx, p)
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundDef, false)
	}
	return &response{status: http.StatusCreated, replayed: replayed, data: render(c)}, nil
}

// changePIN: POST /v1/cards/change-pin. An unknown card is a 404 "Card not found." where
// the spec's example shows a 500 (docs/girasol.md).
func (h *Handler) changePIN(ctx context.Context, _ *http.Request, b *body) (*response, error) {
	id := b.cardID()
	oldPIN, newPIN := b.pin("old_pin"), b.pin("new_pin")
	if err := invalid(b.finish()); err != nil {
		return nil, err
	}
	c, err := h.core.ChangeCardPIN(ctx, id, oldPIN, newPIN)
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundPIN, false)
	}
	return &response{status: http.StatusCreated, data: map[string]any{
		"message": "pin changed", "firstName": c.Holder.FirstName, "lastName": c.Holder.LastName,
		"cardStatus": c.Word(), "type": cardType(c), "cardId": c.ID}}, nil
}

// activateCard: PATCH /v1/cards/activate.
func (h *Handler) activateCard(ctx context.Context, _ *http.Request, b *body) (*response, error) {
	p := core.ActivateCardParams{CardID: b.cardID(), PIN: b.pin("pin"), CVV: b.digits("cvv", 3),
		LastFour: b.digits("lastFour", 4)}
	if err := invalid(b.finish()); err != nil {
		return nil, err
	}
	c, err := h.core.ActivateCard(ctx, p)
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundOrStatus, true)
	}
	return &response{status: http.StatusOK, data: map[string]any{
		"message": "card activated", "cardId": c.ID, "cardStatus": c.Word()}}, nil
}

// cardAction: PATCH /v1/cards/{cardId}/freeze, …/unfreeze, …/block.
func (h *Handler) cardAction(action baas.CardAction, message string) handlerFunc {
	return func(ctx context.Context, r *http.Request, b *body) (*response, error) {
		id, err := pathCardID(r.PathValue("cardId"))
		if err != nil {
			return nil, err
		}
		if err := invalid(b.finish()); err != nil {
			return nil, err
		}
		c, err := h.core.ChangeCardStatus(ctx, id, action)
		if err != nil {
			return nil, cardErr(err, msgCardNotFoundOrStatus, true)
		}
		return &response{status: http.StatusOK, data: map[string]any{
			"message": message, "cardId": c.ID, "cardStatus": c.Word()}}, nil
	}
}

// cardGet dispatches the GET routes under /v1/cards/{first}/{second}.
func (h *Handler) cardGet(ctx context.Context, r *http.Request, _ *body) (*response, error) {
	first, second := r.PathValue("first"), r.PathValue("second")
	switch {
	case first == "info-by-account":
		return h.cardsByAccount(ctx, r)
	case first == "info-by-card-id":
		return h.cardByID(ctx, second)
	case second == "card-info":
		return h.devCardInfo(ctx, first)
	case second == "virtual-card-info":
		return h.virtualCardInfo(ctx, first)
	}
	return nil, baas.Errorf(baas.ENotFound, "Cannot %s %s", r.Method, r.URL.Path)
}

// cardView is one card in the info answers: the spec's fields in its order, then
// additions.
type cardView struct {
	ID             string `json:"id"`
	NameForPrint   string `json:"nameForPrint"`
	LastDigits     string `json:"lastDigits"`
	ContactNumber  string `json:"contactNumber"`
	Status         int    `json:"status"`
	CreatedAt      string `json:"createdAt"`
	CardStatus     string `json:"cardStatus"`
	Type           int    `json:"type"`
	MaskedNumber   string `json:"maskedNumber"`
	ExpirationDate string `json:"expirationDate"`
}

func viewCard(c *core.CardInfo) cardView {
	return cardView{ID: c.ID, NameForPrint: c.NameForPrint, LastDigits: c.Last4, ContactNumber: c.Holder.Phone,
		Status: cardStatusNumbers[c.Status], CreatedAt: timestamp(c.CreatedAt), CardStatus: c.Word(), Type: cardType(c),
		MaskedNumber: c.MaskedPAN, ExpirationDate: expirationDate(c)}
}

// cardsByAccount: GET /v1/cards/info-by-account/{accountNumber}.
func (h *Handler) cardsByAccount(ctx context.Context, r *http.Request) (*response, error) {
	r.SetPathValue("accountNumber", r.PathValue("second"))
	n, err := pathAccountNumber(r)
	if baas.IsCode(err, baas.ENotFound) {
		err = baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
	}
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundDef, false)
	}
	cards, err := h.core.AccountCards(ctx, n)
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundDef, false)
	}
	list := make([]cardView, len(cards))
	for i, c := range cards {
		list[i] = viewCard(c)
	}
	return &response{status: http.StatusOK, data: map[string]any{"card": list}}, nil
}

// cardByID: GET /v1/cards/info-by-card-id/{cardId}.
func (h *Handler) cardByID(ctx context.Context, raw string) (*response, error) {
	id, err := pathCardID(raw)
	if err != nil {
		return nil, err
	}
	c, err := h.core.GetCard(ctx, id)
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundDef, false)
	}
	return &response{status: http.StatusOK, data: map[string]any{"card": viewCard(c)}}, nil
}

// cardRequest is the card data in the dev endpoint's cardRequest string and in the
// virtual-card-info JWE, shaped as the spec's example.
type cardRequest struct {
	Pan            string `json:"Pan"`
	ExpirationDate struct {
		Month string `json:"month"`
		Year  string `json:"year"`
	} `json:"ExpirationDate"`
	Cvv  string `json:"Cvv"`
	Name string `json:"Name"`
}

func renderCardData(d *core.CardData) ([]byte, error) {
	var c cardRequest
	c.Pan, c.Cvv, c.Name = d.PAN, d.CVV, d.Name
	c.ExpirationDate.Month, c.ExpirationDate.Year = fmt.Sprintf("%02d", d.ExpMonth), fmt.Sprintf("%04d", d.ExpYear)
	return json.Marshal(c)
}

// devCardInfo: GET /v1/cards/{cardId}/card-info — the card's data in clear, for sandbox
// companies only (403 for live ones).
func (h *Handler) devCardInfo(ctx context.Context, raw string) (*response, error) {
	id, err := pathCardID(raw)
	if err != nil {
		return nil, err
	}
	d, err := h.core.SandboxCardData(ctx, id)
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundDef, false)
	}
	b, err := renderCardData(d)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusOK, data: map[string]any{"cardRequest": string(b)}}, nil
}

// virtualCardInfo: GET /v1/cards/{cardId}/virtual-card-info — the card's data as a JWE
// to the company's registered public key.
func (h *Handler) virtualCardInfo(ctx context.Context, raw string) (*response, error) {
	id, err := pathCardID(raw)
	if err != nil {
		return nil, err
	}
	jwe, err := h.core.EncryptedCardData(ctx, id, renderCardData)
	if err != nil {
		return nil, cardErr(err, msgCardNotFoundDef, false)
	}
	return &response{status: http.StatusOK, data: map[string]any{
		"message": "card information", "cardInfo": map[string]any{"encryptedData": jwe}}}, nil
}
