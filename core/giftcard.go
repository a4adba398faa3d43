package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/money"
	"github.com/baas-oss/baas/vault"
)

// Gift cards: cards of the one card core with the gift-card products (rows of
// cardProducts, added below), virtual and active from the start. Issuing one debits the
// tenant's EUR float by the load amount plus the product's fees in one ledger transfer
// that credits the card's own account (baas.AccountGiftcard, one per card) and the fee
// revenue account; the card then pays through Authorize like any card, and every change
// of its balance writes the product's balance event (the Codego gift-card webhooks). Its
// number, expiry and CVV are shown once, to the holder of its access code, after
// Config.GiftcardDetailsDelay; masked afterwards. docs/codego.md, "Gift cards".

// Gift-card products.
const (
	ProductGiftcard   = "codego-giftcard"
	ProductHSGiftcard = "codego-hs-giftcard"
	ProductUSGiftcard = "codego-us-giftcard"
)

// Gift-card kinds: how the API names the products.
const (
	GiftcardStandard = "standard"
	GiftcardHS       = "hs"
	GiftcardUS       = "us"
)

// Reasons of the gift-card refusals.
const (
	ReasonGiftcardAmount     = "GIFTCARD_AMOUNT"
	ReasonGiftcardAccessCode = "GIFTCARD_ACCESS_CODE"
	ReasonGiftcardFee        = "GIFTCARD_FEE"
)

// MaxGiftcardDetailsDelay bounds Config.GiftcardDetailsDelay.
const MaxGiftcardDetailsDelay = time.Hour

// TransferGiftcardIssue is the kind of an issue's transfer: float → card and fees.
const TransferGiftcardIssue = "giftcard_issue"

// GiftcardCurrency is the currency of gift cards, their float and fees.
const GiftcardCurrency = FloatCurrency

// GiftcardKind is a gift-card product with its defaults.
type GiftcardKind struct {
	Kind    string
	Product string
	// Fees are the defaults of a tenant that set none.
	IssueFee, LoadFixed, LoadPercentBP int64
	// SymbolFees: the fee API shows "€10.00" (standard) rather than "5.00 EUR" (HS, US),
	// as the spec's examples do.
	SymbolFees bool
	// MinAmount and MaxAmount bound a load, in cents.
	MinAmount, MaxAmount int64
	// Unblockable: a block is a lock the unblock API lifts (HS); otherwise it ends the
	// card for good.
	Unblockable bool
	// Event is the type of the balance event (the gift-card webhook).
	Event string
}

// GiftcardKinds are the gift-card products, with the spec's fees as their defaults.
var GiftcardKinds = []GiftcardKind{
	{Kind: GiftcardStandard, Product: ProductGiftcard, IssueFee: 1000, LoadFixed: 100, LoadPercentBP: 65, SymbolFees: true,
		MinAmount: 100, MaxAmount: 500_000, Event: "giftcard.updated"},
	{Kind: GiftcardHS, Product: ProductHSGiftcard, IssueFee: 500, LoadFixed: 100, LoadPercentBP: 200,
		MinAmount: 100, MaxAmount: 5_000_000, Unblockable: true, Event: "hs_giftcard.updated"},
	{Kind: GiftcardUS, Product: ProductUSGiftcard, IssueFee: 500, LoadFixed: 100, LoadPercentBP: 200,
		MinAmount: 100, MaxAmount: 500_000, Event: "us_giftcard.updated"},
}

// giftcardWords are the card_status values of the gift-card lists.
var giftcardWords = map[baas.CardStatus]string{
	baas.CardActive:  "Active",
	baas.CardLocked:  "Blocked",
	baas.CardBlocked: "Blocked",
	baas.CardExpired: "Expired",
}

func init() {
	for _, k := range GiftcardKinds {
		cardProducts = append(cardProducts, CardProduct{Name: k.Product, Dialect: "codego", FormFactor: baas.CardVirtual,
			BINRange: vault.SandboxMastercardRange, ExpiryYears: 3, Words: giftcardWords, Type: "giftcard-" + k.Kind,
			AccountKind: baas.AccountGiftcard})
	}
}

// LookupGiftcardKind returns the gift-card product of a kind (GiftcardStandard, …) or of
// a product name.
func LookupGiftcardKind(kindOrProduct string) (GiftcardKind, bool) {
	for _, k := range GiftcardKinds {
		if k.Kind == kindOrProduct || k.Product == kindOrProduct {
			return k, true
		}
	}
	return GiftcardKind{}, false
}

// isGiftcard reports whether c is a gift card: the debit and prepaid card APIs do not
// serve it.
func isGiftcard(c *baas.Card) bool {
	_, ok := LookupGiftcardKind(c.Product)
	return ok
}

// GiftcardFeeConfig is a tenant's effective fees of a gift-card product.
type GiftcardFeeConfig struct {
	TenantID         string `json:"tenant_id"`
	Product          string `json:"product"`
	Kind             string `json:"kind"`
	IssueFee         int64  `json:"issue_fee"`
	LoadFeeFixed     int64  `json:"load_fee_fixed"`
	LoadFeePercentBP int64  `json:"load_fee_percent_bp"`
	Currency         string `json:"currency"`
	Default          bool   `json:"default"` // the product's defaults: the tenant set nothing
}

// MaxGiftcardPercentBP bounds the percentage load fee: 100 %.
const MaxGiftcardPercentBP = 10_000

// Fee is the total fee of loading amount: issue fee + fixed load fee + the percentage
// of the amount, rounded half up to the cent.
func (f GiftcardFeeConfig) Fee(amount int64) int64 {
	return f.IssueFee + f.LoadFeeFixed + (amount*f.LoadFeePercentBP+5_000)/10_000
}

func giftcardFees(ctx context.Context, tx baas.Tx, tenantID string, k GiftcardKind) (*GiftcardFeeConfig, error) {
	out := &GiftcardFeeConfig{TenantID: tenantID, Product: k.Product, Kind: k.Kind, Currency: GiftcardCurrency}
	f, err := tx.GetGiftcardFees(ctx, tenantID, k.Product)
	switch {
	case baas.IsCode(err, baas.ENotFound):
		out.IssueFee, out.LoadFeeFixed, out.LoadFeePercentBP, out.Default = k.IssueFee, k.LoadFixed, k.LoadPercentBP, true
	case err != nil:
		return nil, err
	default:
		out.IssueFee, out.LoadFeeFixed, out.LoadFeePercentBP = f.IssueFee, f.LoadFixed, f.LoadPercentBP
	}
	return out, nil
}

// GiftcardFees returns the fees of a gift-card kind for the tenant in ctx.
func (s *Service) GiftcardFees(ctx context.Context, kind string) (*GiftcardFeeConfig, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	k, ok := LookupGiftcardKind(kind)
	if !ok {
		return nil, baas.Invalid("unknown gift card kind " + kind)
	}
	return giftcardFees(ctx, s.store.Read(), tenantID, k)
}

// TenantGiftcardFees returns a tenant's fees of every gift-card product (the operator).
func (s *Service) TenantGiftcardFees(ctx context.Context, tenantID string) ([]*GiftcardFeeConfig, error) {
	var out []*GiftcardFeeConfig
	err := s.store.View(ctx, func(tx baas.Tx) error {
		out = nil
		if _, err := tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		for _, k := range GiftcardKinds {
			f, err := giftcardFees(ctx, tx, tenantID, k)
			if err != nil {
				return err
			}
			out = append(out, f)
		}
		return nil
	})
	return out, err
}

// PutGiftcardFees sets a tenant's fees of a gift-card product (a product name or kind):
// the issue fee and fixed load fee in cents of EUR (0 to ledger.MaxAmount), the
// percentage load fee in hundredths of a percent (0 to MaxGiftcardPercentBP). Gift cards
// issued before keep what they cost.
func (s *Service) PutGiftcardFees(ctx context.Context, tenantID, product string, issueFee, loadFixed, percentBP int64) (*GiftcardFeeConfig, error) {
	k, ok := LookupGiftcardKind(product)
	if !ok {
		return nil, baas.Errorf(baas.ENotFound, "unknown gift card product %s", product)
	}
	switch {
	case issueFee < 0 || issueFee > ledger.MaxAmount:
		return nil, baas.Invalid(fmt.Sprintf("issue_fee must be between 0 and %d cents", ledger.MaxAmount))
	case loadFixed < 0 || loadFixed > ledger.MaxAmount:
		return nil, baas.Invalid(fmt.Sprintf("load_fee_fixed must be between 0 and %d cents", ledger.MaxAmount))
	case percentBP < 0 || percentBP > MaxGiftcardPercentBP:
		return nil, baas.Invalid(fmt.Sprintf("load_fee_percent_bp must be between 0 and %d (hundredths of a percent)", MaxGiftcardPercentBP))
	}
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		now := s.now()
		if err := tx.PutGiftcardFees(ctx, &baas.GiftcardFees{TenantID: tenantID, Product: k.Product, IssueFee: issueFee,
			LoadFixed: loadFixed, LoadPercentBP: percentBP, UpdatedAt: now}); err != nil {
			return err
		}
		return audit(ctx, tx, now, AuditRecord{Action: baas.AuditGiftcardFeesSet, TenantID: tenantID, TargetType: "tenant",
			TargetID: tenantID, Details: map[string]any{"product": k.Product, "issue_fee": issueFee,
				"load_fee_fixed": loadFixed, "load_fee_percent_bp": percentBP}})
	})
	if err != nil {
		return nil, err
	}
	return &GiftcardFeeConfig{TenantID: tenantID, Product: k.Product, Kind: k.Kind, IssueFee: issueFee,
		LoadFeeFixed: loadFixed, LoadFeePercentBP: percentBP, Currency: GiftcardCurrency}, nil
}

// GiftcardDescription is the float movement's description of an issue, as the spec words
// it: "Generate virtual gift card costs is €10.00 and Load amount is €100.00. The total
// fee is €11.65".
func GiftcardDescription(issueFee, amount, fee int64) string {
	f := func(v int64) string { return "€" + money.Format(v, GiftcardCurrency) }
	return fmt.Sprintf("Generate virtual gift card costs is %s and Load amount is %s. The total fee is %s",
		f(issueFee), f(amount), f(fee))
}

// IssueGiftcardParams are the inputs of IssueGiftcard.
type IssueGiftcardParams struct {
	Customer baas.CustomerKey
	Kind     string // GiftcardStandard, GiftcardHS or GiftcardUS
	Amount   int64  // cents of EUR
	Mobile   string // optional; a valid phone number when given
}

// IssuedGiftcard is what an issue answers: the card and the access code that opens its
// details (shown here only; kept as a keyed hash).
type IssuedGiftcard struct {
	Card       *CardInfo
	AccessCode string
	Amount     int64
	Fee        int64
}

// IssueGiftcard issues a gift card of a kind to a customer of the tenant in ctx, loaded
// with amount: one transfer takes amount + the product's fee (the tenant's, else the
// defaults) from the tenant's EUR float and credits the card's new account with amount
// and the fee revenue account with the fee. An amount outside the product's bounds is
// EInvalid GIFTCARD_AMOUNT; a float that cannot cover it EInsufficientFunds
// INSUFFICIENT_FLOAT, and nothing is written.
func (s *Service) IssueGiftcard(ctx context.Context, p IssueGiftcardParams) (*IssuedGiftcard, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	k, ok := LookupGiftcardKind(p.Kind)
	if !ok {
		return nil, baas.Invalid("unknown gift card kind " + p.Kind)
	}
	if p.Amount < k.MinAmount || p.Amount > k.MaxAmount {
		return nil, baas.Reasonf(baas.EInvalid, ReasonGiftcardAmount, "amount must be between %s and %s EUR",
			money.Format(k.MinAmount, GiftcardCurrency), money.Format(k.MaxAmount, GiftcardCurrency))
	}
	if p.Mobile != "" && !ValidPhone(p.Mobile) {
		return nil, baas.Invalid("mobile_number must be a valid phone number")
	}
	product, _ := LookupCardProduct(k.Product)
	code, err := accessCode()
	if err != nil {
		return nil, err
	}
	var out *IssuedGiftcard
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		cust, err := findCustomer(ctx, tx, tenantID, p.Customer)
		if err != nil {
			return err
		}
		fees, err := giftcardFees(ctx, tx, tenantID, k)
		if err != nil {
			return err
		}
		fee := fees.Fee(p.Amount)
		float, err := floatAccount(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if float == nil {
			return errFloat(GiftcardCurrency)
		}
		feeAcct, err := systemAccount(ctx, tx, tenantID, baas.AccountFees, GiftcardCurrency, now)
		if err != nil {
			return err
		}
		acct := &baas.Account{TenantID: tenantID, CustomerID: cust.ID, Kind: baas.AccountGiftcard, Currency: GiftcardCurrency,
			Status: baas.AccountActive, CreatedAt: now}
		if err := tx.CreateAccount(ctx, acct); err != nil {
			return err
		}
		c, err := s.issueCard(ctx, tx, tenantID, product, now)
		if err != nil {
			return err
		}
		c.CustomerID, c.AccountID, c.NameForPrint = cust.ID, acct.ID, printName(cust)
		c.Holder = baas.CardHolder{FirstName: cust.FirstName, LastName: cust.LastName, Phone: p.Mobile}
		if err := createCard(ctx, tx, c, map[string]any{"giftcard": k.Kind}, now); err != nil {
			return err
		}
		desc := GiftcardDescription(fees.IssueFee, p.Amount, fee)
		legs := []ledger.Leg{{AccountID: float.ID, Amount: -(p.Amount + fee)}, {AccountID: acct.ID, Amount: p.Amount}}
		if fee > 0 {
			legs = append(legs, ledger.Leg{AccountID: feeAcct.ID, Amount: fee})
		}
		res, err := post(ctx, tx, tenantID, now, transferSpec{Kind: TransferGiftcardIssue, Description: desc,
			Metadata: map[string]any{"card_id": c.ID, "product": k.Product, "amount": p.Amount, "fee": fee}, Legs: legs})
		if baas.IsCode(err, baas.EInsufficientFunds) {
			return errFloat(GiftcardCurrency)
		}
		if err != nil {
			return err
		}
		g := &baas.Giftcard{CardID: c.ID, TenantID: tenantID, CustomerID: cust.ID,
			AccessHash: s.keys.hash(purposeGiftcardAccess, pinInput(c.ID, code)), Mobile: p.Mobile, Amount: p.Amount,
			Fee: fee, Currency: GiftcardCurrency, Description: desc, TransferID: res.Transfer.ID,
			DetailsAt: now.Add(s.cfg.GiftcardDetailsDelay), CreatedAt: now}
		if err := tx.CreateGiftcard(ctx, g); err != nil {
			return err
		}
		if err := event(ctx, tx, tenantID, "giftcard.issued", c.ID, now, map[string]any{"card_id": c.ID,
			"customer_id": cust.ID, "customer_ref": cust.Ref, "product": k.Product, "amount": p.Amount, "fee": fee,
			"currency": GiftcardCurrency, "transfer_id": res.Transfer.ID}); err != nil {
			return err
		}
		if err := s.giftcardUpdated(ctx, tx, c, now); err != nil {
			return err
		}
		out = &IssuedGiftcard{Card: cardInfo(c), AccessCode: code, Amount: p.Amount, Fee: fee}
		return nil
	})
	return out, err
}

// purposeGiftcardAccess is the purpose of the key that hashes access codes; part of the
// stored format.
const purposeGiftcardAccess = "giftcard-access-code"

// accessCode draws an access code: four groups of four letters and digits
// ("WERD-WEXS-SWAA-ONSW"), about 82 bits.
func accessCode() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b strings.Builder
	for i := range 16 {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String(), nil
}

// GiftcardTrx is a movement of a gift card's balance: the issue's load, a payment, a
// refund.
type GiftcardTrx struct {
	ID          int64     `json:"id"` // the ledger transfer
	Amount      int64     `json:"amount"`
	Currency    string    `json:"currency"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

// giftcardTrxs returns the latest n movements of a gift card's account (all when n is 0),
// oldest first.
func giftcardTrxs(ctx context.Context, tx baas.Tx, accountID int64, n int) ([]GiftcardTrx, error) {
	var out []GiftcardTrx
	sf := baas.StatementFilter{AccountID: accountID, Limit: Pages.Max}
	if n > 0 {
		sf.Limit = n
	}
	for {
		page, err := tx.ListStatements(ctx, sf)
		if err != nil {
			return nil, err
		}
		for _, st := range page {
			out = append(out, giftcardTrx(st))
		}
		if n > 0 || len(page) < sf.Limit || len(out) >= MaxFloatMovements {
			break
		}
		sf.BeforeID = page[len(page)-1].PostingID
	}
	slices.Reverse(out)
	return out, nil
}

func giftcardTrx(st *baas.Statement) GiftcardTrx {
	abs := max(st.Amount, -st.Amount)
	what := st.Description
	switch {
	case st.Kind == TransferGiftcardIssue:
		what = "Loaded " + money.Format(abs, st.Currency) + " in your card"
	case st.Merchant != "":
		what = st.Merchant
	}
	// "(250EUR)", "(6.83EUR)": the spec's examples drop whole cents.
	amount := strings.TrimSuffix(money.Format(abs, st.Currency), ".00")
	return GiftcardTrx{ID: st.TransferID, Amount: st.Amount, Currency: st.Currency, CreatedAt: st.CreatedAt,
		Description: fmt.Sprintf("%s (%s%s)", what, amount, st.Currency)}
}

// GiftcardWebhookTrx is how many movements the balance event carries.
const GiftcardWebhookTrx = 5

// giftcardUpdated writes the balance event of a gift card (the gift-card webhooks): its
// id, available balance and latest GiftcardWebhookTrx movements; nothing for another
// product. Every change of a gift card's balance calls it in its transaction.
func (s *Service) giftcardUpdated(ctx context.Context, tx baas.Tx, c *baas.Card, now time.Time) error {
	k, ok := LookupGiftcardKind(c.Product)
	if !ok {
		return nil
	}
	id := c.AccountID
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: c.TenantID, ID: &id})
	if err != nil {
		return err
	}
	trx, err := giftcardTrxs(ctx, tx, a.ID, GiftcardWebhookTrx)
	if err != nil {
		return err
	}
	return event(ctx, tx, c.TenantID, k.Event, c.ID, now, map[string]any{"card_id": c.ID, "customer_id": c.CustomerID,
		"product": c.Product, "balance": a.Available(), "currency": a.Currency, "trx": trx})
}

// GiftcardView is a gift card as its APIs show it.
type GiftcardView struct {
	*CardInfo
	Giftcard *baas.Giftcard
	Kind     GiftcardKind
	Balance  int64
	Currency string
}

// Ready reports whether the card's details may be shown at now.
func (v *GiftcardView) Ready(now time.Time) bool { return !now.Before(v.Giftcard.DetailsAt) }

// Delivered reports whether the card's full details were shown.
func (v *GiftcardView) Delivered() bool { return !v.Giftcard.DeliveredAt.IsZero() }

// Word is the card_status of the lists: the spec's "You have read " for an active card
// whose details were delivered, else the product's word for its state.
func (v *GiftcardView) Word() string {
	if v.Status == baas.CardActive && v.Delivered() {
		return "You have read "
	}
	return v.CardInfo.Word()
}

func giftcardView(ctx context.Context, tx baas.Tx, c *baas.Card, g *baas.Giftcard) (*GiftcardView, error) {
	k, _ := LookupGiftcardKind(c.Product)
	id := c.AccountID
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: c.TenantID, ID: &id})
	if err != nil {
		return nil, err
	}
	return &GiftcardView{CardInfo: cardInfo(c), Giftcard: g, Kind: k, Balance: a.Available(), Currency: a.Currency}, nil
}

// giftcard runs fn on a locked gift card of the customer and kind ("" for any gift-card
// product) with its issue record, in one transaction; another customer's card, or a card
// of another product, is CARD_NOT_FOUND.
func (s *Service) giftcard(ctx context.Context, k baas.CustomerKey, kind, cardID string,
	fn func(tx baas.Tx, c *baas.Card, g *baas.Giftcard, now time.Time) error) (*GiftcardView, error) {
	product := ""
	if kind != "" {
		gk, ok := LookupGiftcardKind(kind)
		if !ok {
			return nil, baas.Invalid("unknown gift card kind " + kind)
		}
		product = gk.Product
	}
	var out *GiftcardView
	_, err := s.customerCard(ctx, k, product, cardID, func(tx baas.Tx, c *baas.Card, now time.Time) error {
		if !isGiftcard(c) {
			return errCardNotFound()
		}
		g, err := tx.GetGiftcard(ctx, c.TenantID, c.ID)
		if err != nil {
			return err
		}
		if err := fn(tx, c, g, now); err != nil {
			return err
		}
		out, err = giftcardView(ctx, tx, c, g)
		return err
	})
	return out, err
}

// GiftcardDetail is what the details API answers: the full data on its one delivery,
// none before the details are ready or after they were delivered.
type GiftcardDetail struct {
	View *GiftcardView
	// Data is the card's number, CVV and expiry: set on the one answer that delivers them.
	Data *CardData
}

// GiftcardDetails opens a gift card's details with its access code. Before
// Config.GiftcardDetailsDelay has passed since the issue it answers the card without data;
// the first call after it delivers the full data (number, expiry, CVV) and records the
// delivery; later calls answer the card without data. A wrong access code is EInvalid
// GIFTCARD_ACCESS_CODE and shows nothing.
func (s *Service) GiftcardDetails(ctx context.Context, k baas.CustomerKey, kind, cardID, code string) (*GiftcardDetail, error) {
	out := &GiftcardDetail{}
	var card *baas.Card
	v, err := s.giftcard(ctx, k, kind, cardID, func(tx baas.Tx, c *baas.Card, g *baas.Giftcard, now time.Time) error {
		if !s.keys.matches(purposeGiftcardAccess, pinInput(c.ID, strings.TrimSpace(code)), g.AccessHash) {
			return baas.Reasonf(baas.EInvalid, ReasonGiftcardAccessCode, "access_code is wrong")
		}
		if now.Before(g.DetailsAt) || !g.DeliveredAt.IsZero() {
			return nil
		}
		if err := tx.MarkGiftcardDelivered(ctx, c.TenantID, c.ID, now); err != nil {
			return err
		}
		g.DeliveredAt = now
		card = c
		return event(ctx, tx, c.TenantID, "giftcard.details_delivered", c.ID, now, cardEventPayload(c, ""))
	})
	if err != nil {
		return nil, err
	}
	out.View = v
	if card != nil {
		if out.Data, err = s.cardData(card); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GiftcardStatement returns a gift card of the customer with every movement of its
// balance, oldest first.
func (s *Service) GiftcardStatement(ctx context.Context, k baas.CustomerKey, kind, cardID string) (*GiftcardView, []GiftcardTrx, error) {
	var trx []GiftcardTrx
	v, err := s.giftcard(ctx, k, kind, cardID, func(tx baas.Tx, c *baas.Card, g *baas.Giftcard, now time.Time) error {
		var err error
		trx, err = giftcardTrxs(ctx, tx, c.AccountID, 0)
		return err
	})
	return v, trx, err
}

// BlockGiftcard blocks (block true) or unblocks a gift card of the customer and kind. A
// block of an unblockable kind (HS) locks the card, which an unblock makes active again;
// of another kind it ends the card. Blocking a blocked card or unblocking an active one
// changes nothing; an unblock of another kind is EInvalid.
func (s *Service) BlockGiftcard(ctx context.Context, k baas.CustomerKey, kind, cardID string, block bool) (*GiftcardView, error) {
	gk, ok := LookupGiftcardKind(kind)
	if !ok {
		return nil, baas.Invalid("unknown gift card kind " + kind)
	}
	if !block && !gk.Unblockable {
		return nil, baas.Invalid("a " + gk.Kind + " gift card cannot be unblocked")
	}
	return s.giftcard(ctx, k, kind, cardID, func(tx baas.Tx, c *baas.Card, g *baas.Giftcard, now time.Time) error {
		action, done := baas.CardBlock, c.Status == baas.CardBlocked
		switch {
		case block && gk.Unblockable:
			action, done = baas.CardLock, c.Status == baas.CardLocked
		case !block:
			action, done = baas.CardUnlock, c.Status == baas.CardActive
		}
		if done {
			return nil
		}
		return transition(ctx, tx, c, action, now)
	})
}

// ListGiftcards returns the gift cards of the tenant in ctx, oldest first: a customer's
// when k is set.
func (s *Service) ListGiftcards(ctx context.Context, k *baas.CustomerKey) ([]*GiftcardView, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	var out []*GiftcardView
	err = s.store.View(ctx, func(tx baas.Tx) error {
		out = nil
		var customerID *string
		if k != nil {
			cust, err := findCustomer(ctx, tx, tenantID, *k)
			if err != nil {
				return err
			}
			customerID = &cust.ID
		}
		gs, err := tx.ListGiftcards(ctx, tenantID, customerID)
		if err != nil {
			return err
		}
		for _, g := range gs {
			c, err := tx.GetCard(ctx, tenantID, g.CardID)
			if err != nil {
				return err
			}
			v, err := giftcardView(ctx, tx, c, g)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}
