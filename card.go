package baas

import (
	"context"
	"slices"
	"time"
)

// CardStatus is where a card is in its lifecycle. Every product of every dialect uses
// these states; a dialect shows them in its own words (core.CardProduct.Words).
type CardStatus string

// Card states. A physical card starts ordered, a virtual card active.
const (
	CardOrdered  CardStatus = "ordered"  // requested by the holder, not yet taken by the issuer
	CardAccepted CardStatus = "accepted" // taken by the issuer, being made
	CardShipped  CardStatus = "shipped"  // on its way to the holder, who activates it
	CardActive   CardStatus = "active"   // can be used
	CardFrozen   CardStatus = "frozen"   // paused by its holder; unfreezing makes it active again
	CardLocked   CardStatus = "locked"   // paused by the issuer or a lock setting; unlocking makes it active again
	CardBlocked  CardStatus = "blocked"  // ended for good
	CardLost     CardStatus = "lost"     // reported lost: unusable, may be replaced
	CardStolen   CardStatus = "stolen"   // reported stolen: unusable, may be replaced
	CardExpired  CardStatus = "expired"  // past its expiry: unusable, may be replaced
	CardReplaced CardStatus = "replaced" // a new card took its place: ended for good
)

// CardStatuses lists every state, in lifecycle order.
var CardStatuses = []CardStatus{CardOrdered, CardAccepted, CardShipped, CardActive, CardFrozen, CardLocked,
	CardBlocked, CardLost, CardStolen, CardExpired, CardReplaced}

// CardAction is what moves a card from one state to another.
type CardAction string

// Card actions.
const (
	CardAccept       CardAction = "accept"
	CardShip         CardAction = "ship"
	CardActivate     CardAction = "activate"
	CardFreeze       CardAction = "freeze"
	CardUnfreeze     CardAction = "unfreeze"
	CardLock         CardAction = "lock"
	CardUnlock       CardAction = "unlock"
	CardBlock        CardAction = "block"
	CardReportLost   CardAction = "report_lost"
	CardReportStolen CardAction = "report_stolen"
	CardExpire       CardAction = "expire"
	CardReplace      CardAction = "replace"
)

// CardActions lists every action.
var CardActions = []CardAction{CardAccept, CardShip, CardActivate, CardFreeze, CardUnfreeze, CardLock, CardUnlock,
	CardBlock, CardReportLost, CardReportStolen, CardExpire, CardReplace}

// CardTransition is one allowed move of the card state machine and the event it writes.
type CardTransition struct {
	From   CardStatus
	Action CardAction
	To     CardStatus
	Event  string
}

// CardCreatedEvent is the event a new card writes, whatever its first state.
const CardCreatedEvent = "card.created"

// cardTransitions is the card state machine: every allowed transition, in one table. A
// (state, action) pair that is not here is refused. Blocked and replaced are final; lost,
// stolen and expired allow only a replacement (or a block).
var cardTransitions = func() []CardTransition {
	var t []CardTransition
	add := func(action CardAction, to CardStatus, event string, from ...CardStatus) {
		for _, f := range from {
			t = append(t, CardTransition{From: f, Action: action, To: to, Event: event})
		}
	}
	add(CardAccept, CardAccepted, "card.accepted", CardOrdered)
	add(CardShip, CardShipped, "card.shipped", CardAccepted)
	add(CardActivate, CardActive, "card.activated", CardShipped)
	add(CardFreeze, CardFrozen, "card.frozen", CardActive)
	add(CardUnfreeze, CardActive, "card.unfrozen", CardFrozen)
	add(CardLock, CardLocked, "card.locked", CardActive, CardFrozen)
	add(CardUnlock, CardActive, "card.unlocked", CardLocked)
	add(CardBlock, CardBlocked, "card.blocked", CardOrdered, CardAccepted, CardShipped, CardActive, CardFrozen,
		CardLocked, CardLost, CardStolen, CardExpired)
	add(CardReportLost, CardLost, "card.lost", CardShipped, CardActive, CardFrozen, CardLocked)
	add(CardReportStolen, CardStolen, "card.stolen", CardShipped, CardActive, CardFrozen, CardLocked)
	add(CardExpire, CardExpired, "card.expired", CardOrdered, CardAccepted, CardShipped, CardActive, CardFrozen, CardLocked)
	add(CardReplace, CardReplaced, "card.replaced", CardActive, CardFrozen, CardLocked, CardLost, CardStolen, CardExpired)
	return t
}()

// CardTransitions returns the card state machine: every allowed transition.
func CardTransitions() []CardTransition { return slices.Clone(cardTransitions) }

// NextCardStatus returns the state action moves a card in from to and the event that
// records it; ok is false when the table does not allow the action there.
func NextCardStatus(from CardStatus, action CardAction) (CardTransition, bool) {
	for _, t := range cardTransitions {
		if t.From == from && t.Action == action {
			return t, true
		}
	}
	return CardTransition{}, false
}

// Valid reports whether s is one of the card states.
func (s CardStatus) Valid() bool { return slices.Contains(CardStatuses, s) }

// Live reports whether a card in state s still stands for its account: ordered, on its
// way, or usable or paused. An account has at most one live card.
func (s CardStatus) Live() bool {
	switch s {
	case CardOrdered, CardAccepted, CardShipped, CardActive, CardFrozen, CardLocked:
		return true
	}
	return false
}

// Final reports whether no action leaves s.
func (s CardStatus) Final() bool {
	for _, t := range cardTransitions {
		if t.From == s {
			return false
		}
	}
	return true
}

// Card form factors.
const (
	CardPhysical = "physical"
	CardVirtual  = "virtual"
)

// CardHolder is who a card is for and where a physical card is sent.
type CardHolder struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone"`
	Address1  string `json:"address1"`
	Address2  string `json:"address2"`
	City      string `json:"city"`
	State     string `json:"state"`
	ZipCode   string `json:"zip_code"`
}

// Card is a payment card of any product and dialect. Its number and CVV exist only
// sealed (Sealed: AES-256-GCM under a data key, the card id as associated data) and as a
// keyed hash of the number (PANHash); its PIN only as a keyed hash salted by the card id.
type Card struct {
	ID           string // a UUID
	TenantID     string
	CustomerID   string
	AccountID    int64 // the account it spends from
	Product      string
	Variant      string // a product option, such as a Codego debit card's material; "" for none
	FormFactor   string // CardPhysical or CardVirtual
	Status       CardStatus
	NameForPrint string
	Holder       CardHolder
	MaskedPAN    string // vault.MaskMiddle of the number: "411111******1234"
	Last4        string
	ExpMonth     int
	ExpYear      int
	PANHash      []byte
	Sealed       []byte
	PINHash      []byte // nil while no PIN is set
	// ActivationFailures counts wrong CVVs or last fours given to activate the card.
	ActivationFailures int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// CardFilter selects cards, ordered by id (card ids are time-ordered UUIDs, so this is
// creation order); empty fields do not filter.
type CardFilter struct {
	TenantID   string
	CustomerID string
	AccountID  int64
	Status     CardStatus
	// Statuses keeps the cards in any of these states (with Status, in both).
	Statuses []CardStatus
	// ExpiredBy, when set, keeps the cards whose expiry month ended before it (a card is
	// valid through the last day of the month printed on it).
	ExpiredBy time.Time
	// Last4, when set, keeps the cards whose number ends in these four digits.
	Last4 string
	// Sort orders the cards: CardSortCreated (also ""), CardSortNewest or CardSortStatus.
	// AfterID is the keyset cursor in that order: the id of the last card of the page
	// before.
	Sort    string
	AfterID string
	Limit   int
}

// Card list orders, each a keyset order that ends in the card's id.
const (
	CardSortCreated = "created" // oldest first: by id (card ids are time-ordered)
	CardSortNewest  = "newest"  // newest first
	CardSortStatus  = "status"  // by status (alphabetical), oldest first within one
)

// CardSorts are the orders CardFilter.Sort takes.
var CardSorts = []string{CardSortCreated, CardSortNewest, CardSortStatus}

// CardProductSettings is a tenant's configuration of one card product: the BIN range
// its numbers are drawn from (in vault.ParseBINRange form) and how many years a new card
// is valid.
type CardProductSettings struct {
	TenantID    string
	Product     string
	BINRange    string
	ExpiryYears int
	UpdatedAt   time.Time
}

// CardSettings is a tenant's card configuration across products: whether a sandbox
// tenant's physical cards are accepted and shipped at once, and the public key that
// encrypts card data for the company (a JWE, P-256, PEM or JWK) with its key id. The
// zero value (nothing configured) is what GetCardSettings returns for a tenant that
// never set any.
type CardSettings struct {
	TenantID      string
	AutoShip      bool
	CardsPerType  int // live Codego cards of each type a customer may hold; 0 for the default
	DataKeyID     string
	DataPublicKey string
	UpdatedAt     time.Time
}

// CardTx holds the queries of cards and their settings.
type CardTx interface {
	// CreateCard inserts a card; a card with the same id or PAN hash is EConflict.
	CreateCard(ctx context.Context, c *Card) error
	// GetCard returns a card of the tenant (of any tenant when tenantID is "").
	GetCard(ctx context.Context, tenantID, id string) (*Card, error)
	// LockCard is GetCard that also locks the card's row until the transaction ends.
	LockCard(ctx context.Context, tenantID, id string) (*Card, error)
	// LockCards reads and locks the cards with these ids, of any tenant, in id order (an
	// unknown id is absent): a batch of card payments locks its cards with one statement.
	LockCards(ctx context.Context, ids []string) ([]*Card, error)
	// FindCardByPANHash returns the card whose PAN hash is one of hashes (the number's
	// hash under each data key).
	FindCardByPANHash(ctx context.Context, hashes [][]byte) (*Card, error)
	// ListCards returns cards in id order.
	ListCards(ctx context.Context, f CardFilter) ([]*Card, error)
	// UpdateCard stores a card's status, PIN hash, activation failures and update time.
	UpdateCard(ctx context.Context, c *Card) error

	// GetCardProductSettings returns a tenant's settings of a product, ENotFound when it
	// has none (the product's defaults apply).
	GetCardProductSettings(ctx context.Context, tenantID, product string) (*CardProductSettings, error)
	PutCardProductSettings(ctx context.Context, s *CardProductSettings) error
	// GetCardSettings returns a tenant's card settings, the zero settings when it has none.
	GetCardSettings(ctx context.Context, tenantID string) (*CardSettings, error)
	PutCardSettings(ctx context.Context, s *CardSettings) error
}
