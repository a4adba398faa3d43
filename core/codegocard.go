package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/vault"
)

// Codego cards: the card core's cards with the Codego products (rows of cardProducts) and
// words. A debit card spends from its holder's customer account in EUR; a prepaid card
// from an account of its own (kind baas.AccountPrepaid, opened with the customer's first
// prepaid card, kept by its replacements), loaded from the tenant's float (cardload.go).
// Every use case names the customer by its key and refuses a card of another customer
// as not found.

// Codego card products.
const (
	ProductCodegoDebit   = "codego-debit"
	ProductCodegoPrepaid = "codego-prepaid"
)

// CodegoDebitMaterials are the debit card's card_type values.
var CodegoDebitMaterials = []string{"plastic", "metal"}

// codegoWords are the card_status values of the Codego card details. A locked card is
// "Active" with card_lock "Lock", as the spec's example shows.
var codegoWords = map[baas.CardStatus]string{
	baas.CardOrdered:  "Already Order",
	baas.CardAccepted: "Order Accepted",
	baas.CardShipped:  "Shipped",
	baas.CardActive:   "Active",
	baas.CardFrozen:   "Active",
	baas.CardLocked:   "Active",
	baas.CardBlocked:  "Blocked Card",
	baas.CardLost:     "Lost Card",
	baas.CardStolen:   "Stolen Card",
	baas.CardExpired:  "Expired Card",
	baas.CardReplaced: "Replaced Card",
}

// Transfer kinds of the card use cases.
const (
	TransferCardShipping = "card_shipping" // a card's shipping cost, customer → fees
	TransferCardLoad     = "card_load"     // a prepaid card's load, float → card account
	TransferIncoming     = "incoming"      // an incoming bank transfer, outside → customer
)

// codegoProduct returns the Codego product of a card type (CardDebit, CardPrepaid).
func codegoProduct(typ string) (CardProduct, error) {
	t, err := cardType(typ)
	if err != nil {
		return CardProduct{}, err
	}
	for _, p := range cardProducts {
		if p.Dialect == "codego" && p.Type == t {
			return p, nil
		}
	}
	return CardProduct{}, baas.Invalid("no card product of type " + t)
}

// shippingCostOf is the shipping cost of the customer's card address country (the address
// country when the shipping address is the same), in minor units of baas.ShippingCurrency.
func shippingCostOf(c *baas.ProfiledCustomer) (int64, error) {
	id := c.Profile.ShipCountry
	if id == 0 {
		id = c.Profile.AddressCountry
	}
	country, ok := CountryByID(id)
	if !ok {
		return 0, baas.Reasonf(baas.EConflict, "NO_SHIPPING_COUNTRY", "the customer has no card shipping country")
	}
	return country.ShippingCost, nil
}

// customerMainAccount is the customer's account in currency (a customer account, not a
// card's), ENotFound ACCOUNT_NOT_FOUND when there is none.
func customerMainAccount(ctx context.Context, tx baas.Tx, tenantID, customerID, currency string) (*baas.Account, error) {
	kind := baas.AccountCustomer
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, CustomerID: &customerID, Kind: &kind, Currency: &currency})
	if baas.IsCode(err, baas.ENotFound) {
		return nil, baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "the customer has no %s account", currency)
	}
	return a, err
}

// chargeShipping posts a card's shipping cost from its holder's account in
// baas.ShippingCurrency to the tenant's fees account, as one transfer. A holder who
// cannot pay it is EInsufficientFunds.
func chargeShipping(ctx context.Context, tx baas.Tx, c *baas.Card, now time.Time) error {
	cust, err := findCustomer(ctx, tx, c.TenantID, baas.CustomerKey{ID: c.CustomerID})
	if err != nil {
		return err
	}
	cost, err := shippingCostOf(cust)
	if err != nil || cost == 0 {
		return err
	}
	from, err := customerMainAccount(ctx, tx, c.TenantID, c.CustomerID, baas.ShippingCurrency)
	if err != nil {
		return err
	}
	fees, err := systemAccount(ctx, tx, c.TenantID, baas.AccountFees, baas.ShippingCurrency, now)
	if err != nil {
		return err
	}
	res, err := post(ctx, tx, c.TenantID, now, transferSpec{Kind: TransferCardShipping, Description: "card shipping",
		Metadata: map[string]any{"card_id": c.ID}, Legs: ledger.Move(from.ID, fees.ID, cost)})
	if err != nil {
		return err
	}
	return event(ctx, tx, c.TenantID, "card.shipping_charged", c.ID, now, map[string]any{"card_id": c.ID,
		"customer_id": c.CustomerID, "transfer_id": res.Transfer.ID, "amount": cost, "currency": baas.ShippingCurrency})
}

// codegoCards returns the customer's cards of a product, oldest first.
func codegoCards(ctx context.Context, tx baas.Tx, tenantID, customerID string, product CardProduct) ([]*baas.Card, error) {
	all, err := tx.ListCards(ctx, baas.CardFilter{TenantID: tenantID, CustomerID: customerID})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(c *baas.Card) bool { return c.Product != product.Name }), nil
}

func liveCount(cards []*baas.Card) int {
	n := 0
	for _, c := range cards {
		if c.Status.Live() {
			n++
		}
	}
	return n
}

// remainingCards is how many more cards of product the customer may order.
func remainingCards(ctx context.Context, tx baas.Tx, tenantID, customerID string, product CardProduct) (int, error) {
	cards, err := codegoCards(ctx, tx, tenantID, customerID, product)
	if err != nil {
		return 0, err
	}
	set, err := tx.GetCardSettings(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	return max(cardAllowance(set)-liveCount(cards), 0), nil
}

// cardAllowance is the live cards of each type a tenant's customers may hold.
func cardAllowance(set *baas.CardSettings) int {
	if set.CardsPerType > 0 {
		return set.CardsPerType
	}
	return CardsPerType
}

// CardAllowance is a tenant's Codego card allowance as the operator sees it.
type CardAllowance struct {
	TenantID     string `json:"tenant_id"`
	CardsPerType int    `json:"cards_per_type"`
	Default      bool   `json:"default"` // CardsPerType: the tenant set nothing
}

// GetCardAllowance returns how many live cards of each type (debit, prepaid) a tenant's
// Codego customers may hold.
func (s *Service) GetCardAllowance(ctx context.Context, tenantID string) (*CardAllowance, error) {
	set, err := s.GetCardSettings(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return &CardAllowance{TenantID: tenantID, CardsPerType: cardAllowance(set), Default: set.CardsPerType == 0}, nil
}

// SetCardAllowance sets how many live cards of each type a tenant's Codego customers may
// hold (1 to MaxCardsPerType; EInvalid otherwise), what check_remaining_card counts
// from. Customers who hold more than a lowered allowance keep their cards and order no
// more.
func (s *Service) SetCardAllowance(ctx context.Context, tenantID string, n int) (*CardAllowance, error) {
	if n < 1 || n > MaxCardsPerType {
		return nil, baas.Invalid(fmt.Sprintf("cards_per_type must be between 1 and %d", MaxCardsPerType))
	}
	err := s.updateCardSettings(ctx, tenantID, baas.AuditCardSettingsChanged, func(set *baas.CardSettings, t *baas.Tenant) (map[string]any, error) {
		set.CardsPerType = n
		return map[string]any{"cards_per_type": n}, nil
	})
	if err != nil {
		return nil, err
	}
	return &CardAllowance{TenantID: tenantID, CardsPerType: n}, nil
}

// OrderCodegoCardParams are the inputs of OrderCodegoCard.
type OrderCodegoCardParams struct {
	Customer baas.CustomerKey
	Type     string // CardDebit or CardPrepaid
	Variant  string // a debit card's material (CodegoDebitMaterials); "" for a prepaid card
}

// OrderCodegoCard orders a physical card of a type for a customer of the tenant in ctx.
// The customer's KYC must be verified (EConflict KYC_NOT_VERIFIED) and their allowance
// of the type not used up (EConflict CARD_LIMIT_REACHED: the tenant's allowance of live
// cards, CardsPerType unless set). A
// debit card spends from the customer's EUR account; a prepaid card from its own account,
// opened with the customer's first prepaid card. The card is ordered (accepted and
// shipped at once for a sandbox tenant with auto-ship on: shipping charges its cost).
func (s *Service) OrderCodegoCard(ctx context.Context, p OrderCodegoCardParams) (*CardInfo, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	product, err := codegoProduct(p.Type)
	if err != nil {
		return nil, err
	}
	if len(product.Variants) > 0 && !slices.Contains(product.Variants, p.Variant) {
		return nil, baas.Invalid("card_type must be " + strings.Join(product.Variants, " or "))
	}
	if len(product.Variants) == 0 && p.Variant != "" {
		return nil, baas.Invalid("a " + product.Type + " card has no variants")
	}
	// Due sandbox verifications first, as every read of the KYC status does.
	if _, _, err := s.kycDocuments(ctx, p.Customer); err != nil {
		return nil, err
	}
	var out *CardInfo
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		cust, err := findCustomer(ctx, tx, tenantID, p.Customer)
		if err != nil {
			return err
		}
		main, err := customerMainAccount(ctx, tx, tenantID, cust.ID, baas.ShippingCurrency)
		if err != nil {
			return err
		}
		// The customer's account's lock orders one customer's orders: the allowance holds
		// and at most one card account is opened.
		if _, err := tx.LockAccounts(ctx, []int64{main.ID}); err != nil {
			return err
		}
		docs, err := tx.LatestKYCDocuments(ctx, cust.ID)
		if err != nil {
			return err
		}
		if KYCOverall(docs) != baas.KYCVerified {
			return baas.Reasonf(baas.EConflict, "KYC_NOT_VERIFIED", "the customer's KYC is not verified")
		}
		left, err := remainingCards(ctx, tx, tenantID, cust.ID, product)
		if err != nil {
			return err
		}
		if left == 0 {
			return baas.Reasonf(baas.EConflict, "CARD_LIMIT_REACHED", "the customer has no %s card left to order", product.Type)
		}
		acct := main
		if product.AccountKind != "" {
			if acct, err = cardAccount(ctx, tx, cust, product.AccountKind, now); err != nil {
				return err
			}
		}
		holder := baas.CardHolder{FirstName: cust.FirstName, LastName: cust.LastName, Phone: cust.Phone,
			Address1: cust.Profile.ShipAddress, City: cust.Profile.ShipCity, State: cust.Profile.ShipRegion,
			ZipCode: cust.Profile.ShipZipCode}
		c, err := s.newCodegoCard(ctx, tx, product, acct, printName(cust), holder, p.Variant, nil, now)
		if err != nil {
			return err
		}
		out = cardInfo(c)
		return nil
	})
	return out, err
}

// printName is what a card of the customer embosses: their first and last name, cut to
// maxNameForPrint characters.
func printName(cust *baas.ProfiledCustomer) string {
	name := strings.TrimSpace(cust.FirstName + " " + cust.LastName)
	if r := []rune(name); len(r) > maxNameForPrint {
		name = string(r[:maxNameForPrint])
	}
	return name
}

// newCodegoCard issues and writes a card of product on acct.
func (s *Service) newCodegoCard(ctx context.Context, tx baas.Tx, product CardProduct, acct *baas.Account, name string,
	holder baas.CardHolder, variant string, extra map[string]any, now time.Time) (*baas.Card, error) {
	c, err := s.issueCard(ctx, tx, acct.TenantID, product, now)
	if err != nil {
		return nil, err
	}
	c.CustomerID, c.AccountID, c.NameForPrint, c.Holder, c.Variant = acct.CustomerID, acct.ID, name, holder, variant
	return c, createCard(ctx, tx, c, extra, now)
}

// cardAccount returns the customer's card account of kind in EUR, opening it on first use
// (with a card_account.created event: not account.created, whose receivers expect a
// customer account with a number).
func cardAccount(ctx context.Context, tx baas.Tx, cust *baas.ProfiledCustomer, kind string, now time.Time) (*baas.Account, error) {
	tenantID, customerID := cust.TenantID, cust.ID
	cur := baas.ShippingCurrency
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, CustomerID: &customerID, Kind: &kind, Currency: &cur})
	if err == nil || !baas.IsCode(err, baas.ENotFound) {
		return a, err
	}
	a = &baas.Account{TenantID: tenantID, CustomerID: customerID, Kind: kind, Currency: cur, Status: baas.AccountActive,
		CreatedAt: now}
	if err := tx.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	return a, event(ctx, tx, tenantID, "card_account.created", customerID, now, map[string]any{"account_id": a.ID,
		"customer_id": customerID, "customer_ref": cust.Ref, "kind": kind, "currency": cur})
}

// CodegoCard is a Codego card as its details show it: the card, the balance it spends
// (its own account's, or the customer's account's for a debit card) and the tenant's
// load limits.
type CodegoCard struct {
	*CardInfo
	Balance  int64
	Currency string
	Limits   CardLoadLimits
}

// CodegoCards returns the customer's cards of a type, newest first. Cards past their
// expiry are expired first (card.expired), so no read shows a stale state.
func (s *Service) CodegoCards(ctx context.Context, k baas.CustomerKey, typ string) ([]*CodegoCard, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	product, err := codegoProduct(typ)
	if err != nil {
		return nil, err
	}
	var out []*CodegoCard
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		cust, err := findCustomer(ctx, tx, tenantID, k)
		if err != nil {
			return err
		}
		cards, err := codegoCards(ctx, tx, tenantID, cust.ID, product)
		if err != nil {
			return err
		}
		limits, err := loadLimits(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		for _, c := range slices.Backward(cards) {
			if err := expireDue(ctx, tx, c, now); err != nil {
				return err
			}
			id := c.AccountID
			a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, ID: &id})
			if err != nil {
				return err
			}
			out = append(out, &CodegoCard{CardInfo: cardInfo(c), Balance: a.Available(), Currency: a.Currency, Limits: *limits})
		}
		return nil
	})
	return out, err
}

// expiresNow reports whether c's expiry month is over and its state allows expiring it.
func expiresNow(c *baas.Card, now time.Time) bool {
	_, ok := baas.NextCardStatus(c.Status, baas.CardExpire)
	return ok && vault.Expired(c.ExpMonth, c.ExpYear, now)
}

// expireDue expires c when expiresNow says so.
func expireDue(ctx context.Context, tx baas.Tx, c *baas.Card, now time.Time) error {
	if !expiresNow(c, now) {
		return nil
	}
	if _, err := tx.LockCard(ctx, c.TenantID, c.ID); err != nil {
		return err
	}
	return transition(ctx, tx, c, baas.CardExpire, now)
}

// customerCard runs fn on a locked card of the customer and product in one transaction
// (a card of another customer, product or tenant is CARD_NOT_FOUND). A card whose expiry
// is over is expired first, in a transaction of its own, so fn sees it expired and the
// expiry stands whatever fn decides.
func (s *Service) customerCard(ctx context.Context, k baas.CustomerKey, product, cardID string,
	fn func(tx baas.Tx, c *baas.Card, now time.Time) error) (*CardInfo, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidCardID(cardID) {
		return nil, errCardNotFound()
	}
	if c, err := s.store.Read().GetCard(ctx, tenantID, cardID); err == nil && expiresNow(c, s.now()) {
		if err := s.store.InTx(ctx, func(tx baas.Tx) error {
			c, err := tx.LockCard(ctx, tenantID, cardID)
			if err != nil {
				return err
			}
			return expireDue(ctx, tx, c, s.now())
		}); err != nil {
			return nil, err
		}
	}
	var out *CardInfo
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		cust, err := findCustomer(ctx, tx, tenantID, k)
		if err != nil {
			return err
		}
		c, err := tx.LockCard(ctx, tenantID, cardID)
		if baas.IsCode(err, baas.ENotFound) || err == nil && (c.CustomerID != cust.ID || product != "" && c.Product != product) {
			return errCardNotFound()
		}
		if err != nil {
			return err
		}
		if p, _ := LookupCardProduct(c.Product); p.Dialect != "codego" {
			return errCardNotFound()
		}
		if err := fn(tx, c, now); err != nil {
			return err
		}
		out = cardInfo(c)
		return nil
	})
	return out, err
}

// ActivateCodegoCardParams are the inputs of ActivateCodegoCard: what is printed on the
// card. Year is two or four digits.
type ActivateCodegoCardParams struct {
	Customer baas.CustomerKey
	Type     string
	PAN      string
	CVV      string
	Month    int
	Year     int
}

// ActivateCodegoCard activates the customer's shipped card of a type with the number,
// CVV and expiry printed on it, and returns it with the PIN it was given. Without a
// shipped card of the type it is EConflict NO_CARD_TO_ACTIVATE; data that do not match
// that card (another card's number among them) are EConflict INVALID_CARD_DATA and
// counted, as ActivateCard counts them.
func (s *Service) ActivateCodegoCard(ctx context.Context, p ActivateCodegoCardParams) (*CardInfo, string, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, "", err
	}
	product, err := codegoProduct(p.Type)
	if err != nil {
		return nil, "", err
	}
	if p.Year >= 0 && p.Year < 100 {
		p.Year += 2000
	}
	cust, err := s.Customer(ctx, p.Customer)
	if err != nil {
		return nil, "", err
	}
	var cardID string
	err = s.store.View(ctx, func(tx baas.Tx) error {
		cards, err := codegoCards(ctx, tx, tenantID, cust.ID, product)
		for _, c := range cards {
			if c.Status == baas.CardShipped {
				cardID = c.ID
			}
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if cardID == "" {
		return nil, "", baas.Reasonf(baas.EConflict, "NO_CARD_TO_ACTIVATE", "the customer has no shipped %s card to activate", product.Type)
	}
	pin, err := randomPIN()
	if err != nil {
		return nil, "", err
	}
	info, err := s.activate(ctx, tenantID, cardID, pin, "the card number, CVV or expiry do not match the card",
		func(c *baas.Card, sec cardSecret) bool {
			ok := constantEqual(sec.PAN, p.PAN)
			return constantEqual(sec.CVV, p.CVV) && ok && c.ExpMonth == p.Month && c.ExpYear == p.Year
		})
	if err != nil {
		return nil, "", err
	}
	return info, pin, nil
}

// randomPIN draws a PIN of 4 digits, without a leading zero (1000 to 9999), so that a
// dialect may show it as a number, as reset_card_pin's example does.
func randomPIN() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(9000))
	if err != nil {
		return "", err
	}
	return strconv.Itoa(1000 + int(n.Int64())), nil
}

// ResetCodegoCardPIN gives a card of the customer a new PIN and returns it. The card must
// be live and activated (EConflict PIN_NOT_SET otherwise).
func (s *Service) ResetCodegoCardPIN(ctx context.Context, k baas.CustomerKey, cardID string) (*CardInfo, string, error) {
	pin, err := randomPIN()
	if err != nil {
		return nil, "", err
	}
	info, err := s.customerCard(ctx, k, "", cardID, func(tx baas.Tx, c *baas.Card, now time.Time) error {
		if isGiftcard(c) {
			return errCardNotFound()
		}
		if !c.Status.Live() {
			return baas.Reasonf(baas.EConflict, "INVALID_CARD_STATUS", "a %s card's PIN cannot be reset", c.Status)
		}
		if len(c.PINHash) == 0 {
			return baas.Reasonf(baas.EConflict, "PIN_NOT_SET", "the card is not activated yet")
		}
		c.PINHash, c.UpdatedAt = s.keys.hash(purposeCardPIN, pinInput(c.ID, pin)), now
		if err := tx.UpdateCard(ctx, c); err != nil {
			return err
		}
		return event(ctx, tx, c.TenantID, "card.pin_reset", c.ID, now, cardEventPayload(c, ""))
	})
	if err != nil {
		return nil, "", err
	}
	return info, pin, nil
}

// SetCodegoCardLock locks (locked) or unlocks a card of the customer and type. Locking a
// locked card or unlocking an active one changes nothing; a card in another state is
// EConflict INVALID_CARD_STATUS.
func (s *Service) SetCodegoCardLock(ctx context.Context, k baas.CustomerKey, typ, cardID string, locked bool) (*CardInfo, error) {
	product, err := codegoProduct(typ)
	if err != nil {
		return nil, err
	}
	return s.customerCard(ctx, k, product.Name, cardID, func(tx baas.Tx, c *baas.Card, now time.Time) error {
		action, already := baas.CardUnlock, baas.CardActive
		if locked {
			action, already = baas.CardLock, baas.CardLocked
		}
		if c.Status == already {
			return nil
		}
		return transition(ctx, tx, c, action, now)
	})
}

// ReplaceCodegoCard reports a card of the customer stolen (unless it is already lost,
// stolen or expired) and orders a replacement of the same product and variant on the same
// account (a prepaid card's balance stays with it), which goes through the lifecycle
// again; it returns the replacement. A card that was never shipped, or is ended, is
// EConflict INVALID_CARD_STATUS; a card already replaced, EConflict CARD_ALREADY_ACTIVE.
func (s *Service) ReplaceCodegoCard(ctx context.Context, k baas.CustomerKey, cardID string) (*CardInfo, error) {
	var out *CardInfo
	_, err := s.customerCard(ctx, k, "", cardID, func(tx baas.Tx, c *baas.Card, now time.Time) error {
		if isGiftcard(c) { // a gift card has its own APIs, and no replacement
			return errCardNotFound()
		}
		switch c.Status {
		case baas.CardLost, baas.CardStolen, baas.CardExpired:
		default:
			if err := transition(ctx, tx, c, baas.CardReportStolen, now); err != nil {
				return err
			}
		}
		cards, err := tx.ListCards(ctx, baas.CardFilter{TenantID: c.TenantID, AccountID: c.AccountID})
		if err != nil {
			return err
		}
		for _, o := range cards {
			if o.Product == c.Product && o.Status.Live() {
				return baas.Reasonf(baas.EConflict, "CARD_ALREADY_ACTIVE", "the card is already replaced")
			}
		}
		product, _ := LookupCardProduct(c.Product)
		id := c.AccountID
		acct, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: c.TenantID, ID: &id})
		if err != nil {
			return err
		}
		n, err := s.newCodegoCard(ctx, tx, product, acct, c.NameForPrint, c.Holder, c.Variant,
			map[string]any{"replaces": c.ID}, now)
		if err != nil {
			return err
		}
		out = cardInfo(n)
		return nil
	})
	return out, err
}
