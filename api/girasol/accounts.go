package girasol

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
)

// createAccount: POST /v1/accounts/create-account.
func (h *Handler) createAccount(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.CreateAccountParams{
		FirstName:    b.str(strOpt{max: 100}, "firstName"),
		LastName:     b.str(strOpt{max: 100}, "lastName"),
		AddressLine1: b.str(strOpt{}, "addressLine1"),
		AddressLine2: b.str(strOpt{empty: true}, "addressLine2"),
		City:         b.str(strOpt{max: 100}, "city"),
		ZipCode:      b.str(strOpt{max: 20}, "zipCode"),
		Phone:        b.str(strOpt{}, "phone"), // the core's rule bounds it: 6 to 15 digits
		Email:        b.str(strOpt{max: 254}, "email"),
		Handle:       b.str(strOpt{max: 64}, "handle"),
	}
	b.email("email", p.Email)
	b.phone(p.Phone)
	var err error
	if p.Idem, err = b.done(ctx, r); err != nil {
		return nil, err
	}
	info, replayed, err := h.core.CreateAccount(ctx, p)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, replayed: replayed, data: map[string]any{
		"email": info.Customer.Email, "accountNumber": info.Account.Number}}, nil
}

// RenderEvent returns the body a Girasol receiver gets for an event: account.created
// without the currency (the Girasol accounts' currency is the company's). It returns nil
// for the events it does not render, and for the customers opened through another
// dialect (who have a reference).
func RenderEvent(e *baas.Event) ([]byte, error) {
	if e.Type != "account.created" {
		return nil, nil
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, err
	}
	if _, ok := p["customer_ref"]; ok {
		return nil, nil
	}
	delete(p, "currency")
	return json.Marshal(p)
}

// changeAccountStatus: PATCH /v1/accounts/change-account-status.
func (h *Handler) changeAccountStatus(ctx context.Context, r *http.Request, b *body) (*response, error) {
	number := b.int(intOpt{positive: true}, "accountNumber")
	st := b.int(intOpt{}, "status")
	if _, present := b.fields["status"]; present && st != statusActive && st != statusInactive {
		b.fail("status must be one of the following values: %d, %d", statusActive, statusInactive)
	}
	if err := invalid(b.finish()); err != nil {
		return nil, err
	}
	status := baas.AccountActive
	if st == statusInactive {
		status = baas.AccountInactive
	}
	a, err := h.core.ChangeAccountStatus(ctx, number, status)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusOK, data: map[string]any{
		"accountNumber": a.Number, "status": statusNumber(a.Status), "message": "account status updated"}}, nil
}

// cashIn: POST /v1/accounts/cash-in.
func (h *Handler) cashIn(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.CashInParams{
		AccountNumber: b.int(intOpt{positive: true}, "accountNumber"),
		Amount:        b.amount("amount"),
		Message:       b.str(strOpt{optional: true}, "message"),
	}
	var err error
	if p.Idem, err = b.done(ctx, r); err != nil {
		return nil, err
	}
	res, replayed, err := h.core.CashIn(ctx, p)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, replayed: replayed, data: map[string]any{
		"transactionId":        res.TransferID,
		"userBalance":          res.Balance,
		"currency":             res.Currency,
		"description":          res.Description,
		"createdAt":            timestamp(res.CreatedAt),
		"MasterAccountBalance": res.MasterBalance,
	}}, nil
}

// p2p: POST /v1/accounts/p2p-transaction.
func (h *Handler) p2p(ctx context.Context, r *http.Request, b *body) (*response, error) {
	p := core.P2PParams{
		OriginNumber:      b.int(intOpt{positive: true}, "originAccountNumber"),
		DestinationNumber: b.int(intOpt{positive: true}, "destinarionAccountNumber", "destinationAccountNumber"),
		Amount:            b.amount("amount"),
		Message:           b.str(strOpt{optional: true}, "message"),
	}
	var err error
	if p.Idem, err = b.done(ctx, r); err != nil {
		return nil, err
	}
	res, replayed, err := h.core.P2P(ctx, p)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, replayed: replayed, data: map[string]any{
		"message":       "transaction successful",
		"transactionId": res.TransferID,
		"originBalance": res.OriginBalance,
		"currency":      res.Currency,
		"description":   res.Description,
		"createdAt":     timestamp(res.CreatedAt),
	}}, nil
}

// accountView is customer-info's data: the spec's fields in its order, then additions.
type accountView struct {
	AccountNumber    int64  `json:"accountNumber"`
	Balance          int64  `json:"balance"`
	Email            string `json:"email"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Phone            string `json:"phone"`
	AddressLine1     string `json:"addressLine1"`
	AddressLine2     string `json:"addressLine2"`
	City             string `json:"city"`
	Status           int    `json:"status"`
	CreatedAt        string `json:"createdAt"`
	AvailableBalance int64  `json:"availableBalance"`
	Currency         string `json:"currency"`
	Handle           string `json:"handle"`
	ZipCode          string `json:"zipCode"`
}

func accountInfo(info *core.AccountInfo) accountView {
	c, a := info.Customer, info.Account
	return accountView{AccountNumber: a.Number, Balance: a.Balance, Email: c.Email, FirstName: c.FirstName,
		LastName: c.LastName, Phone: c.Phone, AddressLine1: c.AddressLine1, AddressLine2: c.AddressLine2, City: c.City,
		Status: statusNumber(a.Status), CreatedAt: timestamp(a.CreatedAt), AvailableBalance: a.Available(),
		Currency: a.Currency, Handle: c.Handle, ZipCode: c.ZipCode}
}

// customerInfo: GET /v1/accounts/customer-info/{accountNumber}.
func (h *Handler) customerInfo(ctx context.Context, r *http.Request, _ *body) (*response, error) {
	n, err := pathAccountNumber(r)
	if err != nil {
		return nil, err
	}
	info, err := h.core.GetAccountInfo(ctx, n)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusOK, data: accountInfo(info)}, nil
}

// accountNotFound answers an account identifier that cannot name an account.
var accountNotFound = baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")

// customerInfoByEmail: GET /v1/accounts/customer-info-by-email/{email}.
func (h *Handler) customerInfoByEmail(ctx context.Context, r *http.Request, _ *body) (*response, error) {
	email, err := url.PathUnescape(r.PathValue("email"))
	if err != nil || email == "" || len(email) > 254 {
		return nil, baas.Invalid("email must be an email")
	}
	if !field.Storable(email) {
		return nil, accountNotFound // no account has it
	}
	info, err := h.core.GetAccountInfoByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusOK, data: accountInfo(info)}, nil
}

// Transaction types shown in the transactions list (docs/girasol.md).
const (
	txCashIn      = 1
	txPurchase    = 2
	txP2PSent     = 3
	txP2PReceived = 4
	txMoneySend   = 5
	txTopUp       = 6
	txTopUpRevert = 7
	txOther       = 9
)

func txType(s *baas.Statement) int {
	switch s.Kind {
	case baas.TransferCashIn:
		return txCashIn
	case baas.TransferCapture:
		return txPurchase
	case baas.TransferMoneySend:
		return txMoneySend
	case baas.TransferTopUp:
		return txTopUp
	case baas.TransferTopUpReversal:
		return txTopUpRevert
	case baas.TransferP2P:
		if s.Amount < 0 {
			return txP2PSent
		}
		return txP2PReceived
	}
	return txOther
}

// transactionView is one entry of the transactions list: the spec's fields in its order,
// then additions.
type transactionView struct {
	Amount              int64  `json:"amount"`
	Type                int    `json:"type"`
	TransactionID       string `json:"transactionId"`
	Merchant            string `json:"merchant"`
	Currency            string `json:"currency"`
	TransactionCurrency string `json:"transactionCurrency"`
	CreatedAt           string `json:"createdAt"`
	Direction           string `json:"direction"`
	Description         string `json:"description"`
	Balance             int64  `json:"balance"`
}

// transactions: GET /v1/accounts/transactions/{accountNumber}?limit=&cursor=.
func (h *Handler) transactions(ctx context.Context, r *http.Request, _ *body) (*response, error) {
	n, err := pathAccountNumber(r)
	if err != nil {
		return nil, err
	}
	var f baas.StatementFilter
	q := r.URL.Query()
	if f.Limit, err = core.Pages.Parse(q.Get("limit")); err != nil {
		return nil, err
	}
	if v := q.Get("cursor"); v != "" {
		c, err := strconv.ParseInt(v, 10, 64)
		if err != nil || c < 1 {
			return nil, baas.Invalid("cursor must be a positive integer")
		}
		f.BeforeID = c
	}
	sts, err := h.core.AccountStatements(ctx, n, f)
	if err != nil {
		return nil, err
	}
	list := make([]transactionView, 0, len(sts))
	for _, s := range sts {
		amount, direction := s.Amount, "credit"
		if amount < 0 {
			amount, direction = -amount, "debit"
		}
		list = append(list, transactionView{Amount: amount, Type: txType(s), TransactionID: strconv.FormatInt(s.TransferID, 10),
			Merchant: s.Merchant, Currency: s.Currency, TransactionCurrency: money.Numeric(s.Currency),
			CreatedAt: timestamp(s.CreatedAt), Direction: direction, Description: s.Description, Balance: s.BalanceAfter})
	}
	data := map[string]any{"transactions": list}
	if len(sts) == f.Limit {
		data["nextCursor"] = strconv.FormatInt(sts[len(sts)-1].PostingID, 10)
	}
	return &response{status: http.StatusOK, data: data}, nil
}
