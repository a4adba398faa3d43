package codego

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
	"github.com/baas-oss/baas/vault"
)

// The debit and prepaid card APIs. The card_id is the core's card id (a UUID); card
// numbers are shown masked ("xxxx xxxx xxxx 1234"); amounts as decimals in EUR.

// orderType reads the optional type of an order, which can only be "order".
func orderType(req *request) {
	if t := req.str(strOpt{optional: true, max: 32}, "type"); t != "" && !strings.EqualFold(t, "order") {
		req.fail("type must be order")
	}
}

// debitCardOrder: POST /api/debitcard_card_order.
func (h *Handler) debitCardOrder(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	orderType(req)
	material := -1
	if i := req.choice(false, core.CodegoDebitMaterials, "card_type"); i >= 0 {
		material = i
	}
	if err := req.finish(); err != nil {
		return nil, err
	}
	return h.order(ctx, userID, core.CardDebit, core.CodegoDebitMaterials[material])
}

// prepaidCardOrder: POST /api/prepaid_card_order.
func (h *Handler) prepaidCardOrder(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	orderType(req)
	if err := req.finish(); err != nil {
		return nil, err
	}
	return h.order(ctx, userID, core.CardPrepaid, "")
}

func (h *Handler) order(ctx context.Context, userID, typ, variant string) (any, error) {
	c, err := h.core.OrderCodegoCard(ctx, core.OrderCodegoCardParams{Customer: user(userID), Type: typ, Variant: variant})
	if err != nil {
		return nil, err
	}
	return cardMessage{1, "Your order request has submitted successfully.", c.ID}, nil
}

// cardMessage is a message answer that adds the card_id of the card it made.
type cardMessage struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	CardID  string `json:"card_id"`
}

// cardRequest reads the fields of a request about one card: user_id and card_id.
func cardRequest(req *request) (userID, cardID string, err error) {
	userID = req.str(strOpt{max: 200}, "user_id")
	cardID = req.str(strOpt{max: 64}, "card_id")
	return userID, cardID, req.finish()
}

var digitsRe = regexp.MustCompile(`^[0-9]+$`)

// activate reads the card data of an activation.
func (h *Handler) activate(ctx context.Context, req *request, typ, message string) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	number := strings.ReplaceAll(req.str(strOpt{max: 32}, "card_number"), " ", "")
	cvv := req.str(strOpt{max: 4}, "cvv")
	mm, mmOK := req.integer(false, "mm")
	yy, yyOK := req.integer(false, "yy")
	if number != "" && (!digitsRe.MatchString(number) || len(number) < 12 || len(number) > 19) {
		req.fail("card_number must be 12 to 19 digits")
	}
	if cvv != "" && !digitsRe.MatchString(cvv) {
		req.fail("cvv must be digits")
	}
	if mmOK && (mm < 1 || mm > 12) {
		req.fail("mm must be a month, 01 to 12")
	}
	if yyOK && (yy < 0 || yy > 99 && (yy < 2000 || yy > 2099)) {
		req.fail("yy must be a year in two or four digits")
	}
	if err := req.finish(); err != nil {
		return nil, err
	}
	_, pin, err := h.core.ActivateCodegoCard(ctx, core.ActivateCodegoCardParams{Customer: user(userID), Type: typ, PAN: number,
		CVV: cvv, Month: int(mm), Year: int(yy)})
	if err != nil {
		return nil, err
	}
	return struct {
		Status  int    `json:"status"`
		CardPIN string `json:"card_pin"`
		Message string `json:"message"`
	}{1, pin, message}, nil
}

// debitCardActivate: POST /api/debitcard_activate (the message keeps the spec's trailing
// space).
func (h *Handler) debitCardActivate(ctx context.Context, req *request, s *session) (any, error) {
	return h.activate(ctx, req, core.CardDebit, "Your debit card has been successfully activated. ")
}

// prepaidCardActivate: POST /api/prepaid_card_activate.
func (h *Handler) prepaidCardActivate(ctx context.Context, req *request, s *session) (any, error) {
	return h.activate(ctx, req, core.CardPrepaid, "Your prepaid card has been successfully activated.")
}

type cardDetail struct {
	CardID                  string `json:"card_id"`
	CardNumber              string `json:"card_number"`
	ExpiryDate              string `json:"expiry_date"`
	CardStatus              string `json:"card_status"`
	DailyLoadLimit          string `json:"DailyLoadLimit"`
	DailyLoadFrequencyLimit string `json:"DailyLoadFrequencyLimit"`
	CardLock                string `json:"card_lock"`
	Balance                 string `json:"balance"`
	CardImage               string `json:"card_image"`
	CardType                string `json:"card_type,omitempty"`
	Currency                string `json:"currency"`
}

// details answers the card details of a type.
func (h *Handler) details(ctx context.Context, req *request, typ string) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	if err := req.finish(); err != nil {
		return nil, err
	}
	cards, err := h.core.CodegoCards(ctx, user(userID), typ)
	if err != nil {
		return nil, err
	}
	out := make([]cardDetail, 0, len(cards))
	for _, c := range cards {
		lock := "Unlock"
		if c.Status == baas.CardLocked {
			lock = "Lock"
		}
		out = append(out, cardDetail{CardID: c.ID, CardNumber: vault.Mask(c.Last4),
			ExpiryDate: fmt.Sprintf("%02d/%02d", c.ExpMonth, c.ExpYear%100), CardStatus: c.Word(),
			DailyLoadLimit:          money.Format(c.Limits.DailyAmount, c.Currency),
			DailyLoadFrequencyLimit: strconv.Itoa(c.Limits.DailyCount) + ".00",
			CardLock:                lock, Balance: money.Format(c.Balance, c.Currency), CardType: c.Variant, Currency: c.Currency})
	}
	return struct {
		Status      int          `json:"status"`
		CardDetails []cardDetail `json:"card_details"`
	}{1, out}, nil
}

// debitCardDetails: POST /api/debitcard_details.
func (h *Handler) debitCardDetails(ctx context.Context, req *request, s *session) (any, error) {
	return h.details(ctx, req, core.CardDebit)
}

// prepaidCardDetails: POST /api/prepaid_card_details.
func (h *Handler) prepaidCardDetails(ctx context.Context, req *request, s *session) (any, error) {
	return h.details(ctx, req, core.CardPrepaid)
}

// settings changes a card's lock: setting_name card_lock, setting_value 1 unlocks, 0
// locks.
func (h *Handler) settings(ctx context.Context, req *request, typ string) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	cardID := req.str(strOpt{max: 64}, "card_id")
	if name := req.str(strOpt{max: 64}, "setting_name"); name != "" && name != "card_lock" {
		req.fail("setting_name must be card_lock")
	}
	value := req.str(strOpt{max: 8}, "setting_value")
	if value != "" && value != "0" && value != "1" {
		req.fail("setting_value must be 0 or 1")
	}
	if err := req.finish(); err != nil {
		return nil, err
	}
	if _, err := h.core.SetCodegoCardLock(ctx, user(userID), typ, cardID, value == "0"); err != nil {
		return nil, err
	}
	return messageResponse{1, "Successfully updated"}, nil
}

// debitCardSettings: POST /api/debitcard_settings.
func (h *Handler) debitCardSettings(ctx context.Context, req *request, s *session) (any, error) {
	return h.settings(ctx, req, core.CardDebit)
}

// prepaidCardSettings: POST /api/prepaid_card_settings.
func (h *Handler) prepaidCardSettings(ctx context.Context, req *request, s *session) (any, error) {
	return h.settings(ctx, req, core.CardPrepaid)
}

// resetCardPIN: POST /api/reset_card_pin, for a debit or a prepaid card. card_pin is a
// number, as the example shows (the core draws PINs without a leading zero).
func (h *Handler) resetCardPIN(ctx context.Context, req *request, s *session) (any, error) {
	userID, cardID, err := cardRequest(req)
	if err != nil {
		return nil, err
	}
	_, pin, err := h.core.ResetCodegoCardPIN(ctx, user(userID), cardID)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(pin)
	if err != nil {
		return nil, err
	}
	return struct {
		Status  int    `json:"status"`
		CardPIN int    `json:"card_pin"`
		Message string `json:"message"`
	}{1, n, "Card pin reset successfully"}, nil
}

// replaceStolenCard: POST /api/replace_stolen_card. Adds card_id, the replacement's.
func (h *Handler) replaceStolenCard(ctx context.Context, req *request, s *session) (any, error) {
	userID, cardID, err := cardRequest(req)
	if err != nil {
		return nil, err
	}
	c, err := h.core.ReplaceCodegoCard(ctx, user(userID), cardID)
	if err != nil {
		return nil, err
	}
	return cardMessage{1, "Your card pin will be sent to your registered email address", c.ID}, nil
}

var amountRe = regexp.MustCompile(`^[0-9]{1,13}(\.[0-9]{1,2})?$`)

// amount reads an amount in EUR (a JSON number or a string: "10", 10.5, "10.50") as
// minor units; the core refuses zero and amounts over its bound.
func (req *request) amount(name string) int64 {
	f, ok := req.lookup(name)
	if !ok {
		req.fail("%s cannot be blank", name)
		return 0
	}
	s := f.text
	if !f.form {
		s = strings.Trim(string(f.raw), `"`)
	}
	s = strings.TrimSpace(s)
	if !amountRe.MatchString(s) {
		req.fail("%s must be a positive amount in EUR with at most 2 decimals", name)
		return 0
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	f2, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	return w*100 + f2
}

// prepaidLoad: POST /api/prepaid_load_balance_card. The answer is real JSON in the spec:
// "status":"1" and the load id as a string.
func (h *Handler) prepaidLoad(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	cardID := req.str(strOpt{max: 64}, "card_id")
	amount := req.amount("amount")
	if err := req.finish(); err != nil {
		return nil, err
	}
	l, err := h.core.LoadPrepaidCard(ctx, user(userID), cardID, amount)
	if err != nil {
		return nil, err
	}
	return struct {
		Status  string `json:"status"`
		ID      string `json:"id"`
		Message string `json:"message"`
	}{"1", strconv.FormatInt(l.ID, 10), "Load card request accepted. Final status updates you via webhook."}, nil
}

// renderCardLoad renders card.load.completed and card.load.failed as the Load Card
// webhook (docs/webhooks.md): the load id prepaid_load_balance_card answered, its final
// status and the card.
func renderCardLoad(e *baas.Event) ([]byte, error) {
	var p struct {
		LoadID      int64  `json:"load_id"`
		CardID      string `json:"card_id"`
		CustomerRef string `json:"customer_ref"`
		Last4       string `json:"last4"`
		Amount      int64  `json:"amount"`
		Currency    string `json:"currency"`
		Status      string `json:"status"`
		Reason      string `json:"reason"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, err
	}
	status := "Success"
	if p.Status == baas.CardLoadFailed {
		status = "Failed"
	}
	return json.Marshal(map[string]any{
		"status":      1,
		"event":       "load_card",
		"id":          strconv.FormatInt(p.LoadID, 10),
		"user_id":     p.CustomerRef,
		"card_id":     p.CardID,
		"card_number": vault.Mask(p.Last4),
		"amount":      money.Format(p.Amount, p.Currency),
		"currency":    p.Currency,
		"load_status": status,
		"reason":      p.Reason,
		"datetime":    datetime(e.CreatedAt),
	})
}
