package core

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/vault"
	"github.com/google/uuid"
)

// Cards. One card model serves every product of every dialect (baas.Card, with its
// state machine in baas.CardTransitions); a product is data: a row of cardProducts. The
// number and CVV are sealed under the current data key (purposeCardData, the card id as
// associated data), so they carry the data key id and survive a master key rotation; the
// number is found through its keyed hash (purposeCardPAN), the PIN checked through its
// keyed hash salted by the card id (purposeCardPIN).

// Purposes of the keys, derived from a data key, that protect card data. They are part of
// the stored format.
const (
	purposeCardData = "card-data"
	purposeCardPAN  = "card-pan-hash"
	purposeCardPIN  = "card-pin-hash"
)

// Card products.
const (
	ProductGirasolPhysical = "girasol-physical"
	ProductGirasolVirtual  = "girasol-virtual"
)

// CardProduct is a kind of card: its form factor, the BIN range and validity a tenant
// gets unless it configures its own (PUT /admin/api/tenants/{id}/card-products/{product}),
// and the words its dialect shows for each state.
type CardProduct struct {
	Name        string
	Dialect     string
	FormFactor  string
	BINRange    vault.BINRange
	ExpiryYears int
	Words       map[baas.CardStatus]string
	// Type is the dialect's kind of card (CardDebit, CardPrepaid for Codego): what a
	// customer's allowance counts (CardsPerType) and what its endpoints serve.
	Type string
	// Variants are the options a card of the product is ordered with (a Codego debit
	// card's material); none when empty.
	Variants []string
	// ChargesShipping: shipping a card charges its holder the shipping cost of their card
	// address's country, from their account in baas.ShippingCurrency to the fees account,
	// in the ship transition.
	ChargesShipping bool
	// AccountKind is the kind of account opened with the first card of the product for
	// its own balance (baas.AccountPrepaid); "" for a card that spends from the customer's
	// account.
	AccountKind string
}

// Word is the dialect's word for state s.
func (p CardProduct) Word(s baas.CardStatus) string {
	if w, ok := p.Words[s]; ok {
		return w
	}
	return string(s)
}

// girasolWords are the Girasol answers' cardStatus values ("freezed" is the spec's).
var girasolWords = map[baas.CardStatus]string{baas.CardFrozen: "freezed"}

// cardProducts is the table of card products. Codego debit and prepaid cards and gift
// cards join it as rows with their own words.
var cardProducts = []CardProduct{
	{Name: ProductGirasolPhysical, Dialect: "girasol", FormFactor: baas.CardPhysical, BINRange: vault.SandboxVisaRange,
		ExpiryYears: 4, Words: girasolWords},
	{Name: ProductGirasolVirtual, Dialect: "girasol", FormFactor: baas.CardVirtual, BINRange: vault.SandboxVisaRange,
		ExpiryYears: 3, Words: girasolWords},
	{Name: ProductCodegoDebit, Dialect: "codego", FormFactor: baas.CardPhysical, BINRange: vault.SandboxVisaRange,
		ExpiryYears: 4, Words: codegoWords, Type: CardDebit, Variants: CodegoDebitMaterials, ChargesShipping: true},
	{Name: ProductCodegoPrepaid, Dialect: "codego", FormFactor: baas.CardPhysical, BINRange: vault.SandboxVisaRange,
		ExpiryYears: 4, Words: codegoWords, Type: CardPrepaid, ChargesShipping: true, AccountKind: baas.AccountPrepaid},
}

// CardProducts returns the card products.
func CardProducts() []CardProduct { return slices.Clone(cardProducts) }

// LookupCardProduct returns the product named name.
func LookupCardProduct(name string) (CardProduct, bool) {
	for _, p := range cardProducts {
		if p.Name == name {
			return p, true
		}
	}
	return CardProduct{}, false
}

// Bounds of a card product's validity, in years.
const (
	MinCardExpiryYears = 1
	MaxCardExpiryYears = 10
)

// MaxActivationFailures is how many wrong CVVs or last fours lock a card's activation.
const MaxActivationFailures = 5

// maxNameForPrint is the most characters embossed on a card.
const maxNameForPrint = 26

// CardInfo is what may be shown of a card: never its number (only the masked form), CVV
// or PIN.
type CardInfo struct {
	ID                 string          `json:"card_id"`
	TenantID           string          `json:"tenant_id"`
	CustomerID         string          `json:"customer_id"`
	AccountID          int64           `json:"account_id"`
	Product            string          `json:"product"`
	Variant            string          `json:"variant,omitempty"`
	FormFactor         string          `json:"form_factor"`
	Status             baas.CardStatus `json:"status"`
	NameForPrint       string          `json:"name_for_print"`
	Holder             baas.CardHolder `json:"holder"`
	MaskedPAN          string          `json:"masked_pan"`
	Last4              string          `json:"last4"`
	ExpMonth           int             `json:"exp_month"`
	ExpYear            int             `json:"exp_year"`
	PINSet             bool            `json:"pin_set"`
	ActivationFailures int             `json:"activation_failures"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
}

// Word is the card's status in its product's words.
func (c *CardInfo) Word() string {
	p, _ := LookupCardProduct(c.Product)
	return p.Word(c.Status)
}

func cardInfo(c *baas.Card) *CardInfo {
	return &CardInfo{ID: c.ID, TenantID: c.TenantID, CustomerID: c.CustomerID, AccountID: c.AccountID, Product: c.Product,
		Variant: c.Variant, FormFactor: c.FormFactor, Status: c.Status, NameForPrint: c.NameForPrint, Holder: c.Holder, MaskedPAN: c.MaskedPAN,
		Last4: c.Last4, ExpMonth: c.ExpMonth, ExpYear: c.ExpYear, PINSet: len(c.PINHash) > 0,
		ActivationFailures: c.ActivationFailures, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// cardEventPayload is the neutral payload of every card event: the masked number only.
func cardEventPayload(c *baas.Card, previous baas.CardStatus) map[string]any {
	p := map[string]any{"card_id": c.ID, "customer_id": c.CustomerID, "account_id": c.AccountID, "product": c.Product,
		"variant":     c.Variant,
		"form_factor": c.FormFactor, "status": c.Status, "name_for_print": c.NameForPrint,
		"masked_pan": c.MaskedPAN, "last4": c.Last4, "exp_month": c.ExpMonth, "exp_year": c.ExpYear}
	if previous != "" {
		p["previous_status"] = previous
	}
	return p
}

// Errors of the card use cases. Dialects word them; Reason names the situation.
func errCardNotFound() error {
	return baas.Reasonf(baas.ENotFound, "CARD_NOT_FOUND", "card not found")
}

func errCardStatus(c *baas.Card, action baas.CardAction) error {
	return baas.Reasonf(baas.EConflict, "INVALID_CARD_STATUS", "a %s card cannot be %s", c.Status, actionPast(action))
}

func actionPast(a baas.CardAction) string {
	switch a {
	case baas.CardReportLost:
		return "reported lost"
	case baas.CardReportStolen:
		return "reported stolen"
	case baas.CardShip:
		return "shipped"
	case baas.CardFreeze:
		return "frozen"
	case baas.CardUnfreeze:
		return "unfrozen"
	}
	return strings.TrimSuffix(string(a), "e") + "ed"
}

// ValidCardID reports whether id has the shape of a card id (a UUID).
func ValidCardID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}

// CreateCardParams are the inputs of CreateCard.
type CreateCardParams struct {
	AccountNumber int64
	Product       string
	NameForPrint  string // defaults to the holder's first and last name
	Holder        baas.CardHolder
	Idem          Idempotency
}

// CreateCard issues a card of a product on a customer account of the tenant in ctx: a
// number drawn in the tenant's BIN range for the product (unique: drawn again when its
// hash is taken), a random CVV, an expiry the product's years ahead. A physical card is
// ordered (accepted and shipped at once for a sandbox tenant with auto-ship on), a virtual
// card active. An account has at most one live card (baas.CardStatus.Live): a second is
// EConflict CARD_ALREADY_ACTIVE. An unknown account is ENotFound ACCOUNT_NOT_FOUND.
func (s *Service) CreateCard(ctx context.Context, p CreateCardParams) (*CardInfo, bool, error) {
	product, ok := LookupCardProduct(p.Product)
	if !ok {
		return nil, false, baas.Invalid("unknown card product " + p.Product)
	}
	if p.NameForPrint = strings.TrimSpace(p.NameForPrint); p.NameForPrint == "" {
		p.NameForPrint = strings.TrimSpace(p.Holder.FirstName + " " + p.Holder.LastName)
	}
	switch {
	case p.NameForPrint == "":
		return nil, false, baas.Invalid("nameForPrint should not be empty")
	case utf8.RuneCountInString(p.NameForPrint) > maxNameForPrint:
		return nil, false, baas.Invalid(fmt.Sprintf("nameForPrint must be shorter than or equal to %d characters", maxNameForPrint))
	case p.Holder.Phone != "" && !ValidPhone(p.Holder.Phone):
		return nil, false, baas.Invalid("phone must be a valid phone number")
	}
	return idempotent(ctx, s, p.Idem, func(ctx context.Context, tx baas.Tx, now time.Time) (*CardInfo, error) {
		tenantID := baas.TenantFrom(ctx)
		// The account's lock orders concurrent orders for one account: one live card.
		locked, err := tx.LockCustomerAccounts(ctx, tenantID, []int64{p.AccountNumber})
		if err != nil {
			return nil, err
		}
		if len(locked) != 1 {
			return nil, baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
		}
		acct := locked[0]
		if acct.Status != baas.AccountActive {
			return nil, baas.Reasonf(baas.EConflict, "ACCOUNT_INACTIVE", "account is inactive")
		}
		cards, err := tx.ListCards(ctx, baas.CardFilter{TenantID: tenantID, AccountID: acct.ID})
		if err != nil {
			return nil, err
		}
		for _, c := range cards {
			if c.Status.Live() {
				return nil, baas.Reasonf(baas.EConflict, "CARD_ALREADY_ACTIVE", "the account already has a live card")
			}
		}
		c, err := s.issueCard(ctx, tx, tenantID, product, now)
		if err != nil {
			return nil, err
		}
		c.CustomerID, c.AccountID, c.NameForPrint, c.Holder = acct.CustomerID, acct.ID, p.NameForPrint, p.Holder
		if err := createCard(ctx, tx, c, nil, now); err != nil {
			return nil, err
		}
		return cardInfo(c), nil
	})
}

// createCard writes a new card and its event (with extra in its payload), and accepts and
// ships a physical card at once for a sandbox tenant with auto-ship on.
func createCard(ctx context.Context, tx baas.Tx, c *baas.Card, extra map[string]any, now time.Time) error {
	if err := tx.CreateCard(ctx, c); err != nil {
		return err
	}
	payload := cardEventPayload(c, "")
	for k, v := range extra {
		payload[k] = v
	}
	if err := event(ctx, tx, c.TenantID, baas.CardCreatedEvent, c.ID, now, payload); err != nil {
		return err
	}
	if c.Status != baas.CardOrdered {
		return nil
	}
	set, err := tx.GetCardSettings(ctx, c.TenantID)
	if err != nil {
		return err
	}
	t, err := tx.GetTenant(ctx, c.TenantID)
	if err != nil {
		return err
	}
	if set.AutoShip && t.Sandbox {
		for _, a := range []baas.CardAction{baas.CardAccept, baas.CardShip} {
			if err := transition(ctx, tx, c, a, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// issueCard makes a card of product for the tenant: id, number, CVV, expiry and status;
// the caller fills in its owner and writes it.
func (s *Service) issueCard(ctx context.Context, tx baas.Tx, tenantID string, product CardProduct, now time.Time) (*baas.Card, error) {
	bins, years, err := cardProductSettings(ctx, tx, tenantID, product)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7() // time-ordered: cards list in creation order
	if err != nil {
		return nil, err
	}
	c := &baas.Card{ID: id.String(), TenantID: tenantID, Product: product.Name, FormFactor: product.FormFactor,
		Status: baas.CardOrdered, CreatedAt: now, UpdatedAt: now}
	if product.FormFactor == baas.CardVirtual {
		c.Status = baas.CardActive
	}
	var pan string
	for attempt := 0; ; attempt++ {
		if attempt == 20 {
			return nil, baas.Reasonf(baas.EConflict, "BIN_RANGE_EXHAUSTED", "no free card number in BIN range %s", bins)
		}
		if pan, err = vault.GeneratePAN(bins, nil); err != nil {
			return nil, err
		}
		_, err := tx.FindCardByPANHash(ctx, s.keys.hashes(purposeCardPAN, pan))
		if baas.IsCode(err, baas.ENotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	cvv, err := vault.GenerateCVV(nil)
	if err != nil {
		return nil, err
	}
	c.PANHash = s.keys.hash(purposeCardPAN, pan)
	if c.Sealed, err = s.sealCard(c.ID, cardSecret{PAN: pan, CVV: cvv}); err != nil {
		return nil, err
	}
	c.MaskedPAN, c.Last4 = vault.MaskMiddle(pan), vault.Last4(pan)
	c.ExpMonth, c.ExpYear = vault.Expiry(now, years)
	return c, nil
}

// cardProductSettings returns the BIN range and validity of a product for a tenant: its
// own settings, else the product's defaults — which are sandbox ranges, so a live tenant
// must configure its own.
func cardProductSettings(ctx context.Context, tx baas.Tx, tenantID string, product CardProduct) (vault.BINRange, int, error) {
	set, err := tx.GetCardProductSettings(ctx, tenantID, product.Name)
	if err == nil {
		r, err := vault.ParseBINRange(set.BINRange)
		return r, set.ExpiryYears, err
	}
	if !baas.IsCode(err, baas.ENotFound) {
		return vault.BINRange{}, 0, err
	}
	t, err := tx.GetTenant(ctx, tenantID)
	if err != nil {
		return vault.BINRange{}, 0, err
	}
	if !t.Sandbox {
		return vault.BINRange{}, 0, baas.Reasonf(baas.EConflict, "CARD_PRODUCT_NOT_CONFIGURED",
			"card product %s has no BIN range for this live tenant: the operator sets one", product.Name)
	}
	return product.BINRange, product.ExpiryYears, nil
}

// cardSecret is what is sealed for a card.
type cardSecret struct {
	PAN string `json:"pan"`
	CVV string `json:"cvv"`
}

func (s *Service) sealCard(cardID string, sec cardSecret) ([]byte, error) {
	b, err := json.Marshal(sec)
	if err != nil {
		return nil, err
	}
	return s.keys.seal(purposeCardData, b, "card:"+cardID)
}

func (s *Service) openCard(c *baas.Card) (cardSecret, error) {
	var sec cardSecret
	b, err := s.keys.unseal(purposeCardData, c.Sealed, "card:"+c.ID)
	if err != nil {
		return sec, fmt.Errorf("card %s: %w", c.ID, err)
	}
	return sec, json.Unmarshal(b, &sec)
}

// transition moves c by action and writes its event, in tx; a move the state machine
// does not allow is EConflict INVALID_CARD_STATUS. Shipping a card of a product that
// charges shipping posts the charge (chargeShipping) in the same transaction: when the
// holder cannot pay it, the card is not shipped.
func transition(ctx context.Context, tx baas.Tx, c *baas.Card, action baas.CardAction, now time.Time) error {
	t, ok := baas.NextCardStatus(c.Status, action)
	if !ok {
		return errCardStatus(c, action)
	}
	if p, _ := LookupCardProduct(c.Product); action == baas.CardShip && p.ChargesShipping {
		if err := chargeShipping(ctx, tx, c, now); err != nil {
			return err
		}
	}
	c.Status, c.UpdatedAt = t.To, now
	if err := tx.UpdateCard(ctx, c); err != nil {
		return err
	}
	return event(ctx, tx, c.TenantID, t.Event, c.ID, now, cardEventPayload(c, t.From))
}

// ChangeCardStatus applies a holder's action (freeze, unfreeze, block, …) to a card of
// the tenant in ctx. Unknown or foreign cards are ENotFound CARD_NOT_FOUND; an action the
// card's state does not allow is EConflict INVALID_CARD_STATUS and changes nothing.
func (s *Service) ChangeCardStatus(ctx context.Context, cardID string, action baas.CardAction) (*CardInfo, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return s.cardAction(ctx, tenantID, cardID, action)
}

// OperatorCardAction is the operator's action (accept, ship, block, …) on any tenant's
// card.
func (s *Service) OperatorCardAction(ctx context.Context, cardID string, action baas.CardAction) (*CardInfo, error) {
	return s.cardAction(ctx, "", cardID, action)
}

func (s *Service) cardAction(ctx context.Context, tenantID, cardID string, action baas.CardAction) (*CardInfo, error) {
	if action == baas.CardActivate {
		return nil, baas.Invalid("activation needs the card's data: use ActivateCard")
	}
	return s.withCard(ctx, tenantID, cardID, func(tx baas.Tx, c *baas.Card, now time.Time) error {
		from := c.Status
		if err := transition(ctx, tx, c, action, now); err != nil {
			return err
		}
		if tenantID != "" {
			return nil
		}
		// The operator's move: its audit action is the transition's event type
		// (baas.AuditCardAccepted, AuditCardShipped, AuditCardBlocked, …).
		t, _ := baas.NextCardStatus(from, action)
		return audit(ctx, tx, now, AuditRecord{Action: t.Event, TenantID: c.TenantID, TargetType: "card", TargetID: c.ID,
			Details: map[string]any{"previous_status": from, "status": c.Status}})
	})
}

// withCard runs fn on a locked card in one transaction and returns the card as fn left it.
func (s *Service) withCard(ctx context.Context, tenantID, cardID string, fn func(tx baas.Tx, c *baas.Card, now time.Time) error) (*CardInfo, error) {
	if !ValidCardID(cardID) {
		return nil, errCardNotFound()
	}
	var out *CardInfo
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		c, err := tx.LockCard(ctx, tenantID, cardID)
		if baas.IsCode(err, baas.ENotFound) {
			return errCardNotFound()
		}
		if err != nil {
			return err
		}
		now := s.now()
		if err := expireIfDue(ctx, tx, c, now); err != nil {
			return err
		}
		if err := fn(tx, c, now); err != nil {
			return err
		}
		out = cardInfo(c)
		return nil
	})
	return out, err
}

// ActivateCardParams are the inputs of ActivateCard: what is printed on the card and the
// PIN its holder chooses.
type ActivateCardParams struct {
	CardID   string
	PIN      string
	CVV      string
	LastFour string
}

// ActivateCard activates a shipped card of the tenant in ctx with the CVV and last four
// digits printed on it, and sets its PIN. A wrong CVV or last four is EConflict
// INVALID_CARD_DATA and counted; after MaxActivationFailures of them the card's
// activation is locked (EConflict CARD_ACTIVATION_LOCKED), even with the right data. A
// card that is not shipped is EConflict INVALID_CARD_STATUS.
func (s *Service) ActivateCard(ctx context.Context, p ActivateCardParams) (*CardInfo, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if !vault.ValidPIN(p.PIN) {
		return nil, baas.Invalid("pin must be 4 digits")
	}
	return s.activate(ctx, tenantID, p.CardID, p.PIN, "the CVV or last four digits do not match the card", func(c *baas.Card, sec cardSecret) bool {
		return constantEqual(sec.CVV, p.CVV) && constantEqual(c.Last4, p.LastFour)
	})
}

// activate activates a shipped card of the tenant with pin when matches accepts the data
// given for it (the card and its opened secret); see ActivateCard for the refusals
// (INVALID_CARD_DATA says wrongData).
func (s *Service) activate(ctx context.Context, tenantID, cardID, pin, wrongData string,
	matches func(*baas.Card, cardSecret) bool) (*CardInfo, error) {
	wrong := false
	info, err := s.withCard(ctx, tenantID, cardID, func(tx baas.Tx, c *baas.Card, now time.Time) error {
		if _, ok := baas.NextCardStatus(c.Status, baas.CardActivate); !ok {
			return errCardStatus(c, baas.CardActivate)
		}
		if c.ActivationFailures >= MaxActivationFailures {
			return errActivationLocked()
		}
		sec, err := s.openCard(c)
		if err != nil {
			return err
		}
		if !matches(c, sec) {
			// Counted: the failure is committed, and the caller is refused after.
			wrong = true
			c.ActivationFailures++
			c.UpdatedAt = now
			return tx.UpdateCard(ctx, c)
		}
		c.PINHash = s.keys.hash(purposeCardPIN, pinInput(c.ID, pin))
		return transition(ctx, tx, c, baas.CardActivate, now)
	})
	if err != nil {
		return nil, err
	}
	if wrong {
		if info.ActivationFailures >= MaxActivationFailures {
			return nil, errActivationLocked()
		}
		return nil, baas.Reasonf(baas.EConflict, "INVALID_CARD_DATA", "%s", wrongData)
	}
	return info, nil
}

func errActivationLocked() error {
	return baas.Reasonf(baas.EConflict, "CARD_ACTIVATION_LOCKED",
		"too many wrong activation attempts: the card's activation is locked")
}

func constantEqual(a, b string) bool { return SameKey([]byte(a), []byte(b)) }

// pinInput salts a PIN by the card id, separated by a byte no id contains.
func pinInput(cardID, pin string) string { return cardID + "\x00" + pin }

// ChangeCardPIN sets a new PIN on a card of the tenant in ctx that has one, given the old
// PIN. Unknown or foreign cards are ENotFound CARD_NOT_FOUND; a card without a PIN (not
// activated, or virtual) is EConflict PIN_NOT_SET; a card that is not live, EConflict
// INVALID_CARD_STATUS; a wrong old PIN, EConflict INVALID_PIN. PINs must be 4 digits.
func (s *Service) ChangeCardPIN(ctx context.Context, cardID, oldPIN, newPIN string) (*CardInfo, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if !vault.ValidPIN(oldPIN) || !vault.ValidPIN(newPIN) {
		return nil, baas.Invalid("pin must be 4 digits")
	}
	return s.withCard(ctx, tenantID, cardID, func(tx baas.Tx, c *baas.Card, now time.Time) error {
		if !c.Status.Live() {
			return baas.Reasonf(baas.EConflict, "INVALID_CARD_STATUS", "a %s card's PIN cannot be changed", c.Status)
		}
		if len(c.PINHash) == 0 {
			return baas.Reasonf(baas.EConflict, "PIN_NOT_SET", "the card has no PIN yet")
		}
		if !s.keys.matches(purposeCardPIN, pinInput(c.ID, oldPIN), c.PINHash) {
			return baas.Reasonf(baas.EConflict, "INVALID_PIN", "the old PIN is wrong")
		}
		c.PINHash, c.UpdatedAt = s.keys.hash(purposeCardPIN, pinInput(c.ID, newPIN)), now
		if err := tx.UpdateCard(ctx, c); err != nil {
			return err
		}
		return event(ctx, tx, c.TenantID, "card.pin_changed", c.ID, now, cardEventPayload(c, ""))
	})
}

// GetCard returns a card of the tenant in ctx.
func (s *Service) GetCard(ctx context.Context, cardID string) (*CardInfo, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return s.getCard(ctx, tenantID, cardID)
}

// OperatorGetCard returns any tenant's card.
func (s *Service) OperatorGetCard(ctx context.Context, cardID string) (*CardInfo, error) {
	return s.getCard(ctx, "", cardID)
}

func (s *Service) getCard(ctx context.Context, tenantID, cardID string) (*CardInfo, error) {
	c, err := s.readCard(ctx, tenantID, cardID)
	if err != nil {
		return nil, err
	}
	return cardInfo(c), nil
}

// readCard reads a card of the tenant (of any tenant when tenantID is ""): CARD_NOT_FOUND
// for a malformed id too.
func (s *Service) readCard(ctx context.Context, tenantID, cardID string) (*baas.Card, error) {
	if !ValidCardID(cardID) {
		return nil, errCardNotFound()
	}
	c, err := s.store.Read().GetCard(ctx, tenantID, cardID)
	if baas.IsCode(err, baas.ENotFound) {
		return nil, errCardNotFound()
	}
	return c, err
}

// AccountCards returns the cards of a customer account of the tenant in ctx, oldest
// first; an unknown account is ENotFound ACCOUNT_NOT_FOUND.
func (s *Service) AccountCards(ctx context.Context, number int64) ([]*CardInfo, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	var out []*CardInfo
	err = s.store.View(ctx, func(tx baas.Tx) error {
		a, _, err := tx.FindCustomerAccount(ctx, tenantID, &number, nil)
		if baas.IsCode(err, baas.ENotFound) {
			return baas.Reasonf(baas.ENotFound, "ACCOUNT_NOT_FOUND", "account not found")
		}
		if err != nil {
			return err
		}
		cards, err := tx.ListCards(ctx, baas.CardFilter{TenantID: tenantID, AccountID: a.ID})
		for _, c := range cards {
			out = append(out, cardInfo(c))
		}
		return err
	})
	return out, err
}

// ListCards returns cards of every tenant or one (operator), in f.Sort's order (creation
// order by default), at most
// 1,000 a page (100 by default).
func (s *Service) ListCards(ctx context.Context, f baas.CardFilter) ([]*CardInfo, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > 1000 {
		return nil, baas.Invalid("limit must be between 1 and 1000")
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, baas.Invalid("unknown card status " + string(f.Status))
	}
	if f.Sort != "" && !slices.Contains(baas.CardSorts, f.Sort) {
		return nil, baas.Invalid("sort must be one of " + strings.Join(baas.CardSorts, ", "))
	}
	cards, err := s.store.Read().ListCards(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]*CardInfo, len(cards))
	for i, c := range cards {
		out[i] = cardInfo(c)
	}
	return out, nil
}

// CardData is what is embossed on a card: for its holder's company (as a JWE) or, in the
// sandbox, for tests that play the holder.
type CardData struct {
	PAN      string `json:"pan"`
	CVV      string `json:"cvv"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	Name     string `json:"name"`
}

// SandboxCardData returns the full data of a card of a sandbox tenant: of the tenant in
// ctx, or of any tenant when ctx names none (the operator). A live tenant's card is
// EForbidden and never opened.
func (s *Service) SandboxCardData(ctx context.Context, cardID string) (*CardData, error) {
	tenantID := baas.TenantFrom(ctx)
	c, err := s.readCard(ctx, tenantID, cardID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.Read().GetTenant(ctx, c.TenantID)
	if err != nil {
		return nil, err
	}
	if !t.Sandbox {
		return nil, baas.Reasonf(baas.EForbidden, ReasonSandboxOnly, "card data is shown for sandbox tenants only")
	}
	if tenantID == "" {
		// The operator read a card's number: recorded, without it.
		if err := s.Audit(ctx, AuditRecord{Action: baas.AuditCardDataShown, TenantID: c.TenantID, TargetType: "card",
			TargetID: c.ID}); err != nil {
			return nil, err
		}
	}
	return s.cardData(c)
}

func (s *Service) cardData(c *baas.Card) (*CardData, error) {
	sec, err := s.openCard(c)
	if err != nil {
		return nil, err
	}
	return &CardData{PAN: sec.PAN, CVV: sec.CVV, ExpMonth: c.ExpMonth, ExpYear: c.ExpYear, Name: c.NameForPrint}, nil
}

// EncryptedCardData returns a virtual card's data, rendered by render to JSON, as a
// compact JWE (ECDH-ES, A256GCM, the kid in the header) to the public key the tenant in
// ctx registered. Without a registered key it is EConflict CARD_DATA_KEY_MISSING; a
// physical card is EConflict NOT_A_VIRTUAL_CARD; a card that is not live,
// INVALID_CARD_STATUS.
func (s *Service) EncryptedCardData(ctx context.Context, cardID string, render func(*CardData) ([]byte, error)) (string, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return "", err
	}
	c, err := s.readCard(ctx, tenantID, cardID)
	if err != nil {
		return "", err
	}
	switch {
	case c.FormFactor != baas.CardVirtual:
		return "", baas.Reasonf(baas.EConflict, "NOT_A_VIRTUAL_CARD", "the card is not a virtual card")
	case !c.Status.Live():
		return "", baas.Reasonf(baas.EConflict, "INVALID_CARD_STATUS", "a %s card's data is not given out", c.Status)
	}
	set, err := s.store.Read().GetCardSettings(ctx, tenantID)
	if err != nil {
		return "", err
	}
	if set.DataPublicKey == "" {
		return "", baas.Reasonf(baas.EConflict, "CARD_DATA_KEY_MISSING",
			"no card data public key is registered for this company: the operator registers one")
	}
	pub, err := vault.ParsePublicKey(set.DataPublicKey)
	if err != nil {
		return "", err
	}
	data, err := s.cardData(c)
	if err != nil {
		return "", err
	}
	plain, err := render(data)
	if err != nil {
		return "", err
	}
	return vault.EncryptJWE(pub, set.DataKeyID, plain)
}

// CardDataKey is the public key a tenant registered for card data.
type CardDataKey struct {
	TenantID  string    `json:"tenant_id"`
	KeyID     string    `json:"kid"`
	UpdatedAt time.Time `json:"updated_at"`
}

// maxKeyID bounds a card data key id.
const maxKeyID = 200

// PutCardDataKey registers the P-256 public key (PEM or JWK) to which a tenant's card
// data is encrypted, with its key id. A key that is not a P-256 public key is EInvalid
// saying why; nothing changes then.
func (s *Service) PutCardDataKey(ctx context.Context, tenantID, kid, publicKey string) (*CardDataKey, error) {
	kid = strings.TrimSpace(kid)
	switch {
	case kid == "":
		return nil, baas.Invalid("kid should not be empty")
	case len(kid) > maxKeyID || strings.ContainsFunc(kid, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return nil, baas.Invalid(fmt.Sprintf("kid must be at most %d printable characters", maxKeyID))
	}
	if _, err := vault.ParsePublicKey(publicKey); err != nil {
		return nil, baas.Invalid("public_key: " + err.Error())
	}
	var out *CardDataKey
	err := s.updateCardSettings(ctx, tenantID, baas.AuditCardDataKeySet, func(set *baas.CardSettings, t *baas.Tenant) (map[string]any, error) {
		set.DataKeyID, set.DataPublicKey = kid, strings.TrimSpace(publicKey)
		out = &CardDataKey{TenantID: tenantID, KeyID: kid, UpdatedAt: set.UpdatedAt}
		return map[string]any{"kid": kid}, nil
	})
	return out, err
}

// GetCardDataKey returns the key id a tenant registered; ENotFound when none.
func (s *Service) GetCardDataKey(ctx context.Context, tenantID string) (*CardDataKey, error) {
	set, err := s.GetCardSettings(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if set.DataKeyID == "" {
		return nil, baas.Reasonf(baas.ENotFound, "CARD_DATA_KEY_MISSING", "no card data key is registered for this tenant")
	}
	return &CardDataKey{TenantID: tenantID, KeyID: set.DataKeyID, UpdatedAt: set.UpdatedAt}, nil
}

// SetCardAutoShip turns a sandbox tenant's auto-ship on or off: its physical cards are
// then accepted and shipped as soon as they are ordered. A live tenant is EForbidden.
func (s *Service) SetCardAutoShip(ctx context.Context, tenantID string, on bool) (*baas.CardSettings, error) {
	var out baas.CardSettings
	err := s.updateCardSettings(ctx, tenantID, baas.AuditCardSettingsChanged, func(set *baas.CardSettings, t *baas.Tenant) (map[string]any, error) {
		if on && !t.Sandbox {
			return nil, baas.Reasonf(baas.EForbidden, ReasonSandboxOnly, "auto-ship is for sandbox tenants only")
		}
		set.AutoShip = on
		out = *set
		return map[string]any{"auto_ship": on}, nil
	})
	out.DataPublicKey = ""
	return &out, err
}

// GetCardSettings returns a tenant's card settings (without the public key's text).
func (s *Service) GetCardSettings(ctx context.Context, tenantID string) (*baas.CardSettings, error) {
	r := s.store.Read()
	if _, err := r.GetTenant(ctx, tenantID); err != nil {
		return nil, err
	}
	set, err := r.GetCardSettings(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	set.DataPublicKey = ""
	return set, nil
}

// updateCardSettings changes a tenant's card settings with fn, which returns the details
// of the audit record of action.
func (s *Service) updateCardSettings(ctx context.Context, tenantID, action string,
	fn func(set *baas.CardSettings, t *baas.Tenant) (map[string]any, error)) error {
	return s.store.InTx(ctx, func(tx baas.Tx) error {
		t, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		set, err := tx.GetCardSettings(ctx, tenantID)
		if err != nil {
			return err
		}
		now := s.now()
		set.TenantID, set.UpdatedAt = tenantID, now
		details, err := fn(set, t)
		if err != nil {
			return err
		}
		if err := tx.PutCardSettings(ctx, set); err != nil {
			return err
		}
		return audit(ctx, tx, now, AuditRecord{Action: action, TenantID: tenantID, TargetType: "tenant", TargetID: tenantID,
			Details: details})
	})
}

// CardProductConfig is a tenant's effective configuration of a card product.
type CardProductConfig struct {
	TenantID    string `json:"tenant_id"`
	Product     string `json:"product"`
	FormFactor  string `json:"form_factor"`
	BINRange    string `json:"bin_range"`
	ExpiryYears int    `json:"expiry_years"`
	Default     bool   `json:"default"` // the product's defaults: the tenant set nothing
}

// PutCardProduct sets a tenant's BIN range (vault.ParseBINRange form: "411111",
// "41111100-41111199", optionally ":19" for the length) and validity in years for a
// product. Cards issued before keep their numbers and expiry.
func (s *Service) PutCardProduct(ctx context.Context, tenantID, product, binRange string, expiryYears int) (*CardProductConfig, error) {
	p, ok := LookupCardProduct(product)
	if !ok {
		return nil, baas.Errorf(baas.ENotFound, "unknown card product %s", product)
	}
	r, err := vault.ParseBINRange(binRange)
	if err != nil {
		return nil, baas.Invalid("bin_range: " + err.Error())
	}
	if expiryYears < MinCardExpiryYears || expiryYears > MaxCardExpiryYears {
		return nil, baas.Invalid(fmt.Sprintf("expiry_years must be between %d and %d", MinCardExpiryYears, MaxCardExpiryYears))
	}
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		now := s.now()
		if err := tx.PutCardProductSettings(ctx, &baas.CardProductSettings{TenantID: tenantID, Product: product,
			BINRange: r.String(), ExpiryYears: expiryYears, UpdatedAt: now}); err != nil {
			return err
		}
		return audit(ctx, tx, now, AuditRecord{Action: baas.AuditCardProductChanged, TenantID: tenantID, TargetType: "tenant",
			TargetID: tenantID, Details: map[string]any{"product": product, "bin_range": r.String(), "expiry_years": expiryYears}})
	})
	if err != nil {
		return nil, err
	}
	return &CardProductConfig{TenantID: tenantID, Product: product, FormFactor: p.FormFactor, BINRange: r.String(),
		ExpiryYears: expiryYears}, nil
}

// GetCardProduct returns a tenant's effective configuration of a product. A live tenant
// without settings shows an empty range: its cards cannot be issued until one is set.
func (s *Service) GetCardProduct(ctx context.Context, tenantID, product string) (*CardProductConfig, error) {
	p, ok := LookupCardProduct(product)
	if !ok {
		return nil, baas.Errorf(baas.ENotFound, "unknown card product %s", product)
	}
	out := &CardProductConfig{TenantID: tenantID, Product: product, FormFactor: p.FormFactor}
	err := s.store.View(ctx, func(tx baas.Tx) error {
		r, years, err := cardProductSettings(ctx, tx, tenantID, p)
		if baas.ErrorReason(err) == "CARD_PRODUCT_NOT_CONFIGURED" {
			out.Default = true
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.GetCardProductSettings(ctx, tenantID, product)
		out.Default = baas.IsCode(err, baas.ENotFound)
		out.BINRange, out.ExpiryYears = r.String(), years
		return nil
	})
	return out, err
}
