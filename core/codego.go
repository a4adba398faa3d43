package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/baas-oss/baas"
	"github.com/google/uuid"
)

// This file holds the Codego use cases: authentication with auth tokens, the reference
// lists, signup, account details and the card questions that need no card yet.

// CodegoTokenTTL is how long a Codego auth token lives.
const CodegoTokenTTL = 30 * time.Minute

// codegoTokenKeep is how long an expired token is kept (so it answers "expired" rather
// than "unknown") before a new authentication of its tenant deletes it.
const codegoTokenKeep = 24 * time.Hour

// CodegoCurrency is the currency of the account a Codego signup opens.
const CodegoCurrency = "EUR"

// Reasons of the Codego authentication errors; the dialect gives each its code.
const (
	ReasonClientKeysEmpty = "CLIENT_KEYS_EMPTY"    // clientkey or secretkey is empty
	ReasonAuthKeysWrong   = "AUTH_KEYS_WRONG"      // keys missing or incorrect
	ReasonLicenseWrong    = "LICENSE_KEY_WRONG"    // apikey / whitelabel_id do not match
	ReasonTokenRequired   = "AUTH_TOKEN_REQUIRED"  // no authtoken
	ReasonTokenNotFound   = "AUTH_TOKEN_NOT_FOUND" // no such token (for this whitelabel)
	ReasonTokenInvalid    = "AUTH_TOKEN_INVALID"   // the token has expired
)

// CodegoSession is a new auth token.
type CodegoSession struct {
	Token     string
	ExpiresAt time.Time
}

// AuthenticateCodegoAPI checks an apikey / whitelabel_id pair and returns the tenant id.
// A missing value is ReasonAuthKeysWrong; a wrong one ReasonLicenseWrong.
func (s *Service) AuthenticateCodegoAPI(ctx context.Context, apiKey, whitelabelID string) (string, error) {
	if apiKey == "" || whitelabelID == "" {
		return "", baas.Reasonf(baas.EUnauthorized, ReasonAuthKeysWrong, "apikey and whitelabel_id are required")
	}
	wrong := baas.Reasonf(baas.EUnauthorized, ReasonLicenseWrong, "apikey or whitelabel_id is wrong")
	if len(apiKey) > 512 || len(whitelabelID) > 512 {
		return "", wrong
	}
	c, err := s.findCredential(ctx, baas.CredCodegoAPI, whitelabelID)
	if baas.IsCode(err, baas.ENotFound) {
		return "", wrong
	}
	if err != nil {
		return "", err
	}
	if !s.secretMatches(apiKey, c.SecretHash) {
		return "", wrong
	}
	return c.TenantID, nil
}

// CodegoLoginParams are the inputs of CodegoLogin.
type CodegoLoginParams struct {
	ClientKey    string
	SecretKey    string
	APIKey       string
	WhitelabelID string
}

// CodegoLogin checks the four keys of a whitelabel and issues an auth token for
// CodegoTokenTTL. It also deletes the whitelabel's tokens that expired long ago.
func (s *Service) CodegoLogin(ctx context.Context, p CodegoLoginParams) (string, *CodegoSession, error) {
	if p.ClientKey == "" || p.SecretKey == "" {
		return "", nil, baas.Reasonf(baas.EUnauthorized, ReasonClientKeysEmpty, "clientkey or secretkey is empty")
	}
	tenantID, err := s.AuthenticateCodegoAPI(ctx, p.APIKey, p.WhitelabelID)
	if err != nil {
		return "", nil, err
	}
	wrong := baas.Reasonf(baas.EUnauthorized, ReasonAuthKeysWrong, "clientkey or secretkey is incorrect")
	if len(p.ClientKey) > 512 || len(p.SecretKey) > 512 {
		return "", nil, wrong
	}
	c, err := s.store.Read().FindCredential(ctx, baas.CredCodegoClient, p.ClientKey)
	if baas.IsCode(err, baas.ENotFound) {
		return "", nil, wrong
	}
	if err != nil {
		return "", nil, err
	}
	if !s.secretMatches(p.SecretKey, c.SecretHash) || c.TenantID != tenantID {
		return "", nil, wrong
	}
	sess, err := s.issueCodegoToken(ctx, tenantID)
	return tenantID, sess, err
}

func (s *Service) issueCodegoToken(ctx context.Context, tenantID string) (*CodegoSession, error) {
	token := randomHexGroups(6)
	var sess *CodegoSession
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		if _, err := tx.DeleteCodegoTokens(ctx, tenantID, now.Add(-codegoTokenKeep)); err != nil {
			return err
		}
		t := &baas.CodegoToken{Hash: s.hashSecret(token), TenantID: tenantID, CreatedAt: now, ExpiresAt: now.Add(CodegoTokenTTL)}
		sess = &CodegoSession{Token: token, ExpiresAt: t.ExpiresAt}
		return tx.InsertCodegoToken(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// CheckCodegoToken checks that token is a live auth token of the tenant. An unknown token,
// or one of another whitelabel, is ReasonTokenNotFound; an expired one ReasonTokenInvalid.
func (s *Service) CheckCodegoToken(ctx context.Context, tenantID, token string) error {
	if token == "" {
		return baas.Reasonf(baas.EUnauthorized, ReasonTokenRequired, "authtoken is required")
	}
	notFound := baas.Reasonf(baas.EUnauthorized, ReasonTokenNotFound, "Auth token not existed")
	if len(token) > 512 {
		return notFound
	}
	hashes := s.secretHashes(token) // the current data key's first: tokens made before a rotation stay valid
	t, err := s.tokens.get(string(hashes[0]), s.now(), func() (*baas.CodegoToken, error) {
		for _, h := range hashes[:len(hashes)-1] {
			if t, err := s.store.Read().FindCodegoToken(ctx, h); !baas.IsCode(err, baas.ENotFound) {
				return t, err
			}
		}
		return s.store.Read().FindCodegoToken(ctx, hashes[len(hashes)-1])
	})
	if baas.IsCode(err, baas.ENotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	if t.TenantID != tenantID {
		return notFound
	}
	if !s.now().Before(t.ExpiresAt) {
		return baas.Reasonf(baas.EUnauthorized, ReasonTokenInvalid, "Token is invalid or expired")
	}
	return nil
}

// RefreshCodegoToken issues a new token for a live one. The old token stays valid until
// it expires, so requests already under way with it are not refused.
func (s *Service) RefreshCodegoToken(ctx context.Context, tenantID, token string) (*CodegoSession, error) {
	if err := s.CheckCodegoToken(ctx, tenantID, token); err != nil {
		return nil, err
	}
	return s.issueCodegoToken(ctx, tenantID)
}

// --- reference lists ---

// Countries returns the Codego countries list (shared by the nationality list), by id.
func Countries() []baas.Country { return countries }

// CountryByID returns the country with the given id.
func CountryByID(id int) (baas.Country, bool) {
	// Ids are 1..len(countries) in order; the search keeps working if that changes.
	if id >= 1 && id <= len(countries) && countries[id-1].ID == id {
		return countries[id-1], true
	}
	for _, c := range countries {
		if c.ID == id {
			return c, true
		}
	}
	return baas.Country{}, false
}

// incomeSources is the Codego income source list, as the spec lists it.
var incomeSources = []string{"Salary", "Investment", "Agriculture"}

// IncomeSources returns the income sources a signup may name.
func IncomeSources() []string { return incomeSources }

// KYCDocumentTypes returns the KYC document types, by id.
func KYCDocumentTypes() []int { return []int{baas.DocIDProof, baas.DocAddressProof} }

// --- signup ---

// CodegoSignupParams are the inputs of CodegoSignup, named after the Codego fields.
type CodegoSignupParams struct {
	Name               string
	Surname            string
	Mobile             string
	Email              string
	Password           string
	CountryOfResidence int
	CountryID          int
	DOB                string
	Nationality        int
	Address            string
	City               string
	Country            int
	ZipCode            string
	SameShipping       bool
	ShipAddress        string
	ShipCapital        string
	ShipCity           string
	ShipCountry        int
	ShipZipCode        string
	WorkCountry        int
	IncomeSource       string
	PoliticalPerson    bool
	TaxCountry         int
	TaxNumber          string
	Gender             string
	DeviceType         string
	DeviceToken        string
	DeviceModel        string
	IPAddress          string
}

// minAge is the age a customer must have reached to sign up.
const minAge = 18

// validate checks every rule of a signup that needs no database, normalizing p, and
// returns one message per problem (in field order).
func (p *CodegoSignupParams) validate(now time.Time) []string {
	var msgs []string
	bad := func(m string) { msgs = append(msgs, m) }
	p.Email = NormalizeEmail(p.Email)
	if !ValidEmail(p.Email) {
		bad("email must be a valid email address")
	}
	if m := checkPasswordStrength(p.Password); m != "" {
		bad(m)
	}
	if m := checkDOB(p.DOB, now); m != "" {
		bad(m)
	}
	if !ValidPhone(p.Mobile) {
		bad("mobile must be a phone number of 6 to 15 digits")
	}
	for _, c := range []struct {
		name string
		id   int
	}{
		{"country_of_residence", p.CountryOfResidence}, {"country_id", p.CountryID}, {"nationality", p.Nationality},
		{"country", p.Country}, {"work_country", p.WorkCountry}, {"country_pay_tax", p.TaxCountry},
	} {
		if _, ok := CountryByID(c.id); !ok {
			bad(c.name + " must be an id of the countries list")
		}
	}
	if p.SameShipping {
		p.ShipAddress, p.ShipCity, p.ShipCountry, p.ShipZipCode = p.Address, p.City, p.Country, p.ZipCode
	} else {
		if p.ShipAddress == "" {
			bad("receive_card_address cannot be blank when is_same is 0")
		}
		if p.ShipCity == "" {
			bad("receive_card_city cannot be blank when is_same is 0")
		}
		if p.ShipZipCode == "" {
			bad("receive_card_zipcode cannot be blank when is_same is 0")
		}
		if _, ok := CountryByID(p.ShipCountry); !ok {
			bad("receive_card_country must be an id of the countries list")
		}
	}
	if src, ok := canonical(p.IncomeSource, incomeSources); ok {
		p.IncomeSource = src
	} else {
		bad("income_soruce must be one of: " + strings.Join(incomeSources, ", "))
	}
	if g, ok := canonical(p.Gender, []string{"Male", "Female"}); ok {
		p.Gender = g
	} else {
		bad("gender must be Male or Female")
	}
	if p.IPAddress != "" {
		if a, err := netip.ParseAddr(p.IPAddress); err != nil || a.Zone() != "" {
			bad("ipaddress must be an IPv4 or IPv6 address")
		}
	}
	return msgs
}

// canonical returns the entry of list that s names, ignoring case.
func canonical(s string, list []string) (string, bool) {
	for _, v := range list {
		if strings.EqualFold(s, v) {
			return v, true
		}
	}
	return "", false
}

// checkDOB returns why dob is not the date of birth of an adult, or "".
func checkDOB(dob string, now time.Time) string {
	d, err := time.Parse(time.DateOnly, dob)
	if err != nil || d.Format(time.DateOnly) != dob {
		return "dob must be a real date written YYYY-MM-DD"
	}
	y, m, day := now.Date()
	today := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	if d.After(today) {
		return "dob must not be in the future"
	}
	if d.AddDate(minAge, 0, 0).After(today) {
		return "the customer must be at least 18 years old"
	}
	if d.AddDate(130, 0, 0).Before(today) {
		return "dob must be a date in the last 130 years"
	}
	return ""
}

// newUserID returns a Codego user_id: 44 random bytes in standard base64 (60 characters,
// the shape of the spec's examples). It reveals nothing and cannot be guessed.
func newUserID() string {
	b := make([]byte, 44)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// NormalizeUserID undoes what clients commonly do to a user_id on its way back: the JSON
// escape "\/" copied from a PHP-style answer, and "+" turned into a space by form
// decoding. Neither character can be part of a user_id otherwise.
func NormalizeUserID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, `\/`, "/")
	return strings.ReplaceAll(s, " ", "+")
}

// CodegoSignup creates a customer with a Codego profile and a customer account in EUR, and
// returns the customer. The email is unique within the whitelabel (with the customers
// created through Girasol). The password is hashed with argon2id before the transaction.
func (s *Service) CodegoSignup(ctx context.Context, p CodegoSignupParams) (*baas.CodegoCustomer, *baas.Account, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, nil, err
	}
	if msgs := p.validate(s.now()); len(msgs) > 0 {
		return nil, nil, baas.Invalid(msgs...)
	}
	emailTaken := baas.Reasonf(baas.EConflict, "EMAIL_ALREADY_EXIST", "email is already registered")
	// Refuse a taken email before spending a password hash on it.
	if _, err := s.store.Read().FindCustomer(ctx, baas.CustomerFilter{TenantID: tenantID, Email: &p.Email}); err == nil {
		return nil, nil, emailTaken
	} else if !baas.IsCode(err, baas.ENotFound) {
		return nil, nil, err
	}
	hash, err := HashPassword(ctx, p.Password)
	if err != nil {
		return nil, nil, err
	}
	var c *baas.CodegoCustomer
	var a *baas.Account
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		c = &baas.CodegoCustomer{
			Customer: baas.Customer{ID: uuid.NewString(), TenantID: tenantID, Email: p.Email, FirstName: p.Name,
				LastName: p.Surname, Phone: p.Mobile, AddressLine1: p.Address, City: p.City, ZipCode: p.ZipCode, CreatedAt: now},
			Profile: baas.CustomerProfile{UserID: newUserID(), DOB: p.DOB, CountryOfResidence: p.CountryOfResidence,
				CountryID: p.CountryID, Nationality: p.Nationality, Country: p.Country, SameShipping: p.SameShipping,
				ShipAddress: p.ShipAddress, ShipCapital: p.ShipCapital, ShipCity: p.ShipCity, ShipCountry: p.ShipCountry,
				ShipZipCode: p.ShipZipCode, WorkCountry: p.WorkCountry, IncomeSource: p.IncomeSource,
				PoliticalPerson: p.PoliticalPerson, TaxCountry: p.TaxCountry, TaxNumber: p.TaxNumber, Gender: p.Gender,
				DeviceType: p.DeviceType, DeviceToken: p.DeviceToken, DeviceModel: p.DeviceModel, IPAddress: p.IPAddress,
				PasswordHash: hash},
		}
		if err := tx.CreateCodegoCustomer(ctx, c); err != nil {
			if baas.IsCode(err, baas.EConflict) {
				return emailTaken
			}
			return err
		}
		a = &baas.Account{TenantID: tenantID, CustomerID: c.ID, Kind: baas.AccountCustomer, Currency: CodegoCurrency,
			Status: baas.AccountActive, CreatedAt: now}
		var err error
		if a.Number, err = freeAccountNumber(ctx, tx); err != nil {
			return err
		}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		return event(ctx, tx, tenantID, "account.created", c.ID, now, map[string]any{
			"customer_id": c.ID, "user_id": c.Profile.UserID, "account_number": a.Number, "currency": a.Currency,
			"email": c.Email})
	})
	if err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

// CodegoUser returns the tenant's customer with the given user_id. Another whitelabel's
// user, or a Girasol customer, is not found.
func (s *Service) CodegoUser(ctx context.Context, userID string) (*baas.CodegoCustomer, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return codegoUser(ctx, s.store.Read(), tenantID, userID)
}

func codegoUser(ctx context.Context, tx baas.Tx, tenantID, userID string) (*baas.CodegoCustomer, error) {
	return findCodegoUser(userID, func(userID string) (*baas.CodegoCustomer, error) {
		return tx.FindCodegoCustomer(ctx, tenantID, userID)
	})
}

// findCodegoUser normalizes and checks a user_id, then finds what belongs to the user
// with find; an unknown or malformed user_id is USER_NOT_FOUND.
func findCodegoUser[T any](userID string, find func(userID string) (T, error)) (T, error) {
	var zero T
	userID = NormalizeUserID(userID)
	notFound := baas.Reasonf(baas.ENotFound, "USER_NOT_FOUND", "user not found")
	if userID == "" || len(userID) > 200 || !utf8.ValidString(userID) {
		return zero, notFound
	}
	v, err := find(userID)
	if baas.IsCode(err, baas.ENotFound) {
		return zero, notFound
	}
	return v, err
}

// CodegoAccount is what account_detail shows: the customer's name, their account, their
// newest KYC document of each type and the KYC status that sums them up.
type CodegoAccount struct {
	*baas.CodegoAccountSummary
	KYCStatus string
}

// CodegoAccountDetail returns a customer's account and KYC status, in one read.
func (s *Service) CodegoAccountDetail(ctx context.Context, userID string) (*CodegoAccount, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	sum, err := findCodegoUser(userID, func(userID string) (*baas.CodegoAccountSummary, error) {
		read := func() (*baas.CodegoAccountSummary, error) {
			return s.store.Read().CodegoAccountSummary(ctx, tenantID, userID)
		}
		sum, err := read()
		if err != nil {
			return nil, err
		}
		again, err := s.verifyDue(ctx, sum.CustomerID, sum.Documents)
		if err != nil {
			return nil, err
		}
		if again {
			return read()
		}
		return sum, nil
	})
	if err != nil {
		return nil, err
	}
	return &CodegoAccount{CodegoAccountSummary: sum, KYCStatus: KYCOverall(sum.Documents)}, nil
}

// Card types of the Codego card endpoints.
const (
	CardPrepaid = "prepaid"
	CardDebit   = "debitcard"
)

// CardsPerType is how many cards of each type a customer may order.
const CardsPerType = 1

func cardType(t string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case CardPrepaid:
		return CardPrepaid, nil
	case CardDebit:
		return CardDebit, nil
	}
	return "", baas.Invalid("type must be prepaid or debitcard")
}

// RemainingCards returns how many cards of a type the customer may still order. Cards
// are ordered through the card endpoints (the second half of the Codego dialect); until
// a customer holds one, the answer is CardsPerType.
func (s *Service) RemainingCards(ctx context.Context, userID, typ string) (int, error) {
	if _, err := cardType(typ); err != nil {
		return 0, err
	}
	if _, err := s.CodegoUser(ctx, userID); err != nil {
		return 0, err
	}
	return CardsPerType, nil
}

// ShippingCost returns what shipping a card of the type to the customer's card address
// costs, in minor units of baas.ShippingCurrency: the cost of the country of that address.
func (s *Service) ShippingCost(ctx context.Context, userID, typ string) (int64, error) {
	if _, err := cardType(typ); err != nil {
		return 0, err
	}
	c, err := s.CodegoUser(ctx, userID)
	if err != nil {
		return 0, err
	}
	id := c.Profile.ShipCountry
	if id == 0 {
		id = c.Profile.Country
	}
	country, ok := CountryByID(id)
	if !ok {
		return 0, baas.Reasonf(baas.EConflict, "NO_SHIPPING_COUNTRY", "the customer has no card shipping country")
	}
	return country.ShippingCost, nil
}
