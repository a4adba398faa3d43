package codego

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
)

// The "Giftcard - …", "HS Giftcard - …" and "US Giftcard - …" APIs, and the body of the
// gift-card webhooks. A gift card is a card of the core (card_id is its id); the
// answers follow the spec's examples, which are real JSON: "status":"1" for the fees,
// generate, details, transactions and block answers, "status":1 for the lists.
// docs/codego.md, "Gift cards".

func init() {
	maps.Copy(messages, giftcardMessages)
	maps.Copy(endpoints, giftcardEndpoints)
}

// giftcardEndpoints are the gift-card APIs of the dispatch table.
var giftcardEndpoints = map[string]endpoint{
	"virtual_giftcard_fee":     {authToken, false, giftcardFee(core.GiftcardStandard)},
	"hs_virtual_giftcard_fee":  {authToken, false, giftcardFee(core.GiftcardHS)},
	"us_virtual_giftcard_fee":  {authToken, false, giftcardFee(core.GiftcardUS)},
	"generate_virtual_card":    {authToken, false, giftcardGenerate(core.GiftcardStandard)},
	"hs_generate_virtual_card": {authToken, false, giftcardGenerate(core.GiftcardHS)},
	"us_generate_virtual_card": {authToken, false, giftcardGenerate(core.GiftcardUS)},
	"get_giftcard_detail":      {authToken, false, giftcardDetail(core.GiftcardStandard)},
	"hs_get_giftcard_detail":   {authToken, false, giftcardDetail(core.GiftcardHS)},
	"us_get_giftcard_detail":   {authToken, false, giftcardDetail(core.GiftcardUS)},
	"get_giftcard_transaction": {authToken, false, (*Handler).giftcardTransactions},
	"block_gift_card":          {authToken, false, giftcardBlock(core.GiftcardStandard, true, "card blocked.")},
	"hs_block_gift_card":       {authToken, false, giftcardBlock(core.GiftcardHS, true, "Card is blocked successfully.")},
	"hs_unblock_gift_card":     {authToken, false, giftcardBlock(core.GiftcardHS, false, "Card is active successfully.")},
	"us_block_gift_card":       {authToken, false, giftcardBlock(core.GiftcardUS, true, "Card is blocked successfully.")},
	"getAllGiftcard":           {authToken, false, (*Handler).giftcardsAll},
	"getByUserGiftcard":        {authToken, false, (*Handler).giftcardsByUser},
}

// giftcardMessages words the core's gift-card refusals as the spec's error table does.
var giftcardMessages = map[string]string{
	core.ReasonGiftcardAccessCode: "(access_code) cannot be blank or invalid",
}

// Messages of the details answers.
const (
	giftcardNotReady  = "You will get detail of card after one minute"
	giftcardDelivered = "Store the card details: they are delivered once."
	giftcardRead      = "The card details were delivered already."
	giftcardIssued    = "Giftcard issued successfully. After 1 minute you will get details of card."
)

type apiFunc = func(h *Handler, ctx context.Context, req *request, s *session) (any, error)

// giftcardMask is how the gift-card answers mask a number, as the spec's examples do.
func giftcardMask(last4 string) string { return "XXXX XXXX XXXX " + last4 }

// feeText writes a fee as the product's fee API shows it: "€10.00" or "5.00 EUR".
func feeText(k core.GiftcardKind, cents int64) string {
	if k.SymbolFees {
		return "€" + money.Format(cents, core.GiftcardCurrency)
	}
	return money.Format(cents, core.GiftcardCurrency) + " " + core.GiftcardCurrency
}

// percentText writes hundredths of a percent as "0.65%".
func percentText(bp int64) string { return fmt.Sprintf("%d.%02d%%", bp/100, bp%100) }

// giftcardFee: POST /api/virtual_giftcard_fee, hs_virtual_giftcard_fee,
// us_virtual_giftcard_fee. user_id must name a user of the whitelabel; type is "order".
func giftcardFee(kind string) apiFunc {
	return func(h *Handler, ctx context.Context, req *request, s *session) (any, error) {
		userID := req.str(strOpt{max: 200}, "user_id")
		orderType(req)
		if err := req.finish(); err != nil {
			return nil, err
		}
		if _, err := h.core.Customer(ctx, user(userID)); err != nil {
			return nil, err
		}
		f, err := h.core.GiftcardFees(ctx, kind)
		if err != nil {
			return nil, err
		}
		k, _ := core.LookupGiftcardKind(kind)
		return struct {
			Status      string `json:"status"`
			IssueFee    string `json:"issue_virtual_gift_card_fee"`
			LoadFixed   string `json:"loadcard_fee_fixed"`
			LoadPercent string `json:"loadcard_fee_percentage"`
		}{"1", feeText(k, f.IssueFee), feeText(k, f.LoadFeeFixed), percentText(f.LoadFeePercentBP)}, nil
	}
}

// giftcardGenerate: POST /api/generate_virtual_card, hs_generate_virtual_card,
// us_generate_virtual_card. amount is required for all three (the HS and US examples
// send it); mobile_number for HS and US, as their tables say.
func giftcardGenerate(kind string) apiFunc {
	return func(h *Handler, ctx context.Context, req *request, s *session) (any, error) {
		userID := req.str(strOpt{max: 200}, "user_id")
		amount := req.amount("amount")
		mobile := req.str(strOpt{optional: kind == core.GiftcardStandard, max: 32}, "mobile_number")
		if mobile != "" && !core.ValidPhone(mobile) {
			req.fail("mobile_number must be a mobile number without space")
		}
		if err := req.finish(); err != nil {
			return nil, err
		}
		g, err := h.core.IssueGiftcard(ctx, core.IssueGiftcardParams{Customer: user(userID), Kind: kind, Amount: amount,
			Mobile: mobile})
		if err != nil {
			return nil, err
		}
		return struct {
			Status     string `json:"status"`
			AccessCode string `json:"access_code"`
			CardID     string `json:"card_id"`
			Message    string `json:"message"`
		}{"1", g.AccessCode, g.Card.ID, giftcardIssued}, nil
	}
}

// giftcardDetail: POST /api/get_giftcard_detail, hs_get_giftcard_detail,
// us_get_giftcard_detail. Before the details are ready: the masked number, balance "0"
// and the spec's message; on the one delivery: number, expiry (MM/YY), CVV and balance;
// after it: the masked number and the balance.
func giftcardDetail(kind string) apiFunc {
	return func(h *Handler, ctx context.Context, req *request, s *session) (any, error) {
		userID := req.str(strOpt{max: 200}, "user_id")
		code := req.str(strOpt{max: 64}, "access_code")
		cardID := req.str(strOpt{max: 64}, "card_id")
		if err := req.finish(); err != nil {
			return nil, err
		}
		d, err := h.core.GiftcardDetails(ctx, user(userID), kind, cardID, code)
		if err != nil {
			return nil, err
		}
		v := d.View
		type answer struct {
			Status     string `json:"status"`
			CardNumber string `json:"card_number"`
			ExpiryDate string `json:"expiry_date,omitempty"`
			CVV        string `json:"cvv,omitempty"`
			Balance    string `json:"balance"`
			Message    string `json:"message"`
		}
		switch {
		case d.Data != nil:
			return answer{"1", d.Data.PAN, fmt.Sprintf("%02d/%02d", d.Data.ExpMonth, d.Data.ExpYear%100), d.Data.CVV,
				money.Format(v.Balance, v.Currency), giftcardDelivered}, nil
		case !v.Delivered():
			return answer{Status: "1", CardNumber: giftcardMask(v.Last4), Balance: "0", Message: giftcardNotReady}, nil
		}
		return answer{Status: "1", CardNumber: giftcardMask(v.Last4), Balance: money.Format(v.Balance, v.Currency),
			Message: giftcardRead}, nil
	}
}

type giftcardTrxEntry struct {
	ID              string `json:"id"`
	TransactionDate string `json:"transaction_date"`
	Amount          string `json:"amount"`
	Currency        string `json:"currency"`
	Description     string `json:"description"`
}

func giftcardTrxEntries(trx []core.GiftcardTrx) []giftcardTrxEntry {
	out := make([]giftcardTrxEntry, 0, len(trx))
	for _, t := range trx {
		out = append(out, giftcardTrxEntry{ID: strconv.FormatInt(t.ID, 10), TransactionDate: datetime(t.CreatedAt),
			Amount: money.Format(t.Amount, t.Currency), Currency: t.Currency, Description: t.Description})
	}
	return out
}

// giftcardTransactions: POST /api/get_giftcard_transaction (deprecated in the spec, served
// all the same): the card's masked number, available balance and every movement of its
// balance, oldest first. It answers for a gift card of any of the three products.
func (h *Handler) giftcardTransactions(ctx context.Context, req *request, s *session) (any, error) {
	userID, cardID, err := cardRequest(req)
	if err != nil {
		return nil, err
	}
	v, trx, err := h.core.GiftcardStatement(ctx, user(userID), "", cardID)
	if err != nil {
		return nil, err
	}
	return struct {
		Status       string             `json:"status"`
		CardNumber   string             `json:"card_number"`
		BalanceAvail string             `json:"BalanceAvail"`
		Trx          []giftcardTrxEntry `json:"trx"`
	}{"1", giftcardMask(v.Last4), money.Format(v.Balance, v.Currency), giftcardTrxEntries(trx)}, nil
}

// giftcardBlock: POST /api/block_gift_card, hs_block_gift_card, hs_unblock_gift_card,
// us_block_gift_card.
func giftcardBlock(kind string, block bool, message string) apiFunc {
	return func(h *Handler, ctx context.Context, req *request, s *session) (any, error) {
		userID, cardID, err := cardRequest(req)
		if err != nil {
			return nil, err
		}
		if _, err := h.core.BlockGiftcard(ctx, user(userID), kind, cardID, block); err != nil {
			return nil, err
		}
		return struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		}{"1", message}, nil
	}
}

type giftcardEntry struct {
	UniqueID     string `json:"unique_id"`
	Name         string `json:"name"`
	LoadedAmount string `json:"loaded_amount"`
	Fee          string `json:"fee"`
	TotalPay     string `json:"total_pay"`
	Description  string `json:"description"`
	CardNumber   string `json:"card_number"`
	ExpiryDate   string `json:"expiry_date"`
	Balance      string `json:"balance"`
	CardStatus   string `json:"card_status"`
	Created      string `json:"created"`
}

// giftcardsAll: POST /api/getAllGiftcard — every gift card of the whitelabel. Its example
// sends a user_id that its table does not list: taken and ignored.
func (h *Handler) giftcardsAll(ctx context.Context, req *request, s *session) (any, error) {
	req.str(strOpt{optional: true, max: 200}, "user_id")
	if err := req.finish(); err != nil {
		return nil, err
	}
	return h.giftcardList(ctx, nil)
}

// giftcardsByUser: POST /api/getByUserGiftcard — a user's gift cards.
func (h *Handler) giftcardsByUser(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	if err := req.finish(); err != nil {
		return nil, err
	}
	k := user(userID)
	return h.giftcardList(ctx, &k)
}

// giftcardList answers gift cards, oldest first, in the lists' shape. The number is
// masked: the full number is delivered once, by the details API.
func (h *Handler) giftcardList(ctx context.Context, k *baas.CustomerKey) (any, error) {
	vs, err := h.core.ListGiftcards(ctx, k)
	if err != nil {
		return nil, err
	}
	out := make([]giftcardEntry, 0, len(vs))
	for _, v := range vs {
		g := v.Giftcard
		out = append(out, giftcardEntry{UniqueID: v.ID, Name: v.NameForPrint, LoadedAmount: money.Format(g.Amount, g.Currency),
			Fee: money.Format(g.Fee, g.Currency), TotalPay: money.Format(g.Amount+g.Fee, g.Currency),
			Description: g.Description, CardNumber: giftcardMask(v.Last4),
			ExpiryDate: fmt.Sprintf("%02d/%04d", v.ExpMonth, v.ExpYear), Balance: money.Format(v.Balance, v.Currency),
			CardStatus: v.Word(), Created: datetime(v.CreatedAt)})
	}
	return struct {
		Status int             `json:"status"`
		Cards  []giftcardEntry `json:"cards"`
	}{1, out}, nil
}

// renderGiftcard renders the gift-card balance events (giftcard.updated,
// hs_giftcard.updated, us_giftcard.updated) as the Giftcard and HS Giftcard webhooks:
// {"status":1,"card_id","balance","trx":[the latest five movements]}.
func renderGiftcard(e *baas.Event) ([]byte, error) {
	var p struct {
		CardID   string             `json:"card_id"`
		Balance  int64              `json:"balance"`
		Currency string             `json:"currency"`
		Trx      []core.GiftcardTrx `json:"trx"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Status  int                `json:"status"`
		CardID  string             `json:"card_id"`
		Balance string             `json:"balance"`
		Trx     []giftcardTrxEntry `json:"trx"`
	}{1, p.CardID, money.Format(p.Balance, p.Currency), giftcardTrxEntries(p.Trx)})
}
