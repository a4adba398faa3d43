package core

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/baas-oss/baas"
	"github.com/google/uuid"
)

// This file holds customers with a full profile: the reference lists, signup, the
// customer's account and KYC summary, and the card questions that need no card yet. A
// customer is named by a baas.CustomerKey: their id, or the external reference the
// dialect that opened them allocated.

// --- reference lists ---

// Countries returns the countries list (shared by the nationality list), by id.
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

// incomeSources is the income source list (the Codego spec's).
var incomeSources = []string{"Salary", "Investment", "Agriculture"}

// IncomeSources returns the income sources a signup may name.
func IncomeSources() []string { return incomeSources }

// KYCDocumentTypes returns the KYC document types, by id.
func KYCDocumentTypes() []int { return []int{baas.DocIDProof, baas.DocAddressProof} }

// --- signup ---

// SignupParams are the inputs of Signup: a customer with a full profile.
type SignupParams struct {
	FirstName string
	LastName  string
	Phone     string
	Email     string
	Password  string
	Address   string
	City      string
	ZipCode   string
	// Ref is the external reference the dialect allocated for the customer ("" for none).
	Ref string
	// Product is the product the customer's account is opened for: its currency is the
	// tenant's for that product (see AccountCurrency).
	Product string
	// Profile is the rest; its PasswordHash is ignored (Password is hashed).
	Profile baas.CustomerProfile
}

// MinAge is the age a customer must have reached to sign up.
const MinAge = 18

// The fields a signup problem names (baas.FieldError.Field): the neutral names of
// SignupParams and baas.CustomerProfile. A dialect maps them to its own field names.
const (
	FieldEmail              = "email"
	FieldPassword           = "password"
	FieldDateOfBirth        = "date_of_birth"
	FieldPhone              = "phone"
	FieldCountryOfResidence = "country_of_residence"
	FieldPhoneCountry       = "phone_country"
	FieldNationality        = "nationality"
	FieldAddressCountry     = "address_country"
	FieldWorkCountry        = "work_country"
	FieldTaxCountry         = "tax_country"
	FieldShipAddress        = "ship_address"
	FieldShipCity           = "ship_city"
	FieldShipZipCode        = "ship_zip_code"
	FieldShipCountry        = "ship_country"
	FieldIncomeSource       = "income_source"
	FieldGender             = "gender"
	FieldIPAddress          = "ip_address"
)

// The reasons of signup problems (baas.FieldError.Reason).
const (
	ReasonInvalidEmail        = "INVALID_EMAIL"         // not a plain email address
	ReasonWeakPassword        = "WEAK_PASSWORD"         // the message says which rule failed
	ReasonInvalidDate         = "INVALID_DATE"          // not a real date written YYYY-MM-DD
	ReasonDateInFuture        = "DATE_IN_FUTURE"        // a date of birth after today
	ReasonUnderAge            = "UNDER_AGE"             // younger than MinAge
	ReasonDateTooOld          = "DATE_TOO_OLD"          // a date of birth more than 130 years ago
	ReasonInvalidPhone        = "INVALID_PHONE"         // not 6 to 15 digits (see ValidPhone)
	ReasonUnknownCountry      = "UNKNOWN_COUNTRY"       // not an id of the countries list
	ReasonShippingPartMissing = "SHIPPING_PART_MISSING" // blank while the shipping address is not the address
	ReasonUnknownIncomeSource = "UNKNOWN_INCOME_SOURCE" // not one of IncomeSources
	ReasonUnknownGender       = "UNKNOWN_GENDER"        // not one of Genders
	ReasonInvalidIPAddress    = "INVALID_IP_ADDRESS"    // not an IPv4 or IPv6 address
)

// genders is the gender list.
var genders = []string{"Male", "Female"}

// Genders returns the genders a signup may name.
func Genders() []string { return genders }

// validate checks every rule of a signup that needs no database, normalizing p, and
// returns one problem per field (in field order).
func (p *SignupParams) validate(now time.Time) []baas.FieldError {
	var probs []baas.FieldError
	bad := func(field, reason, msg string) {
		probs = append(probs, baas.FieldError{Field: field, Reason: reason, Message: msg})
	}
	p.Email = NormalizeEmail(p.Email)
	if !ValidEmail(p.Email) {
		bad(FieldEmail, ReasonInvalidEmail, "email must be a valid email address")
	}
	if m := checkPasswordStrength(p.Password); m != "" {
		bad(FieldPassword, ReasonWeakPassword, m)
	}
	pr := &p.Profile
	if reason, m := checkDOB(pr.DateOfBirth, now); reason != "" {
		bad(FieldDateOfBirth, reason, m)
	}
	if !ValidPhone(p.Phone) {
		bad(FieldPhone, ReasonInvalidPhone, "phone must be a phone number of 6 to 15 digits")
	}
	for _, c := range []struct {
		field string
		id    int
	}{
		{FieldCountryOfResidence, pr.CountryOfResidence}, {FieldPhoneCountry, pr.PhoneCountry}, {FieldNationality, pr.Nationality},
		{FieldAddressCountry, pr.AddressCountry}, {FieldWorkCountry, pr.WorkCountry}, {FieldTaxCountry, pr.TaxCountry},
	} {
		if _, ok := CountryByID(c.id); !ok {
			bad(c.field, ReasonUnknownCountry, c.field+" must be an id of the countries list")
		}
	}
	if pr.SameShipping {
		pr.ShipAddress, pr.ShipCity, pr.ShipCountry, pr.ShipZipCode = p.Address, p.City, pr.AddressCountry, p.ZipCode
	} else {
		for _, f := range []struct{ field, value string }{
			{FieldShipAddress, pr.ShipAddress}, {FieldShipCity, pr.ShipCity}, {FieldShipZipCode, pr.ShipZipCode},
		} {
			if f.value == "" {
				bad(f.field, ReasonShippingPartMissing, f.field+" cannot be blank when the shipping address is not the address")
			}
		}
		if _, ok := CountryByID(pr.ShipCountry); !ok {
			bad(FieldShipCountry, ReasonUnknownCountry, FieldShipCountry+" must be an id of the countries list")
		}
	}
	if src, ok := canonical(pr.IncomeSource, incomeSources); ok {
		pr.IncomeSource = src
	} else {
		bad(FieldIncomeSource, ReasonUnknownIncomeSource, "income_source must be one of: "+strings.Join(incomeSources, ", "))
	}
	if g, ok := canonical(pr.Gender, genders); ok {
		pr.Gender = g
	} else {
		bad(FieldGender, ReasonUnknownGender, "gender must be one of: "+strings.Join(genders, ", "))
	}
	if pr.IPAddress != "" {
		if a, err := netip.ParseAddr(pr.IPAddress); err != nil || a.Zone() != "" {
			bad(FieldIPAddress, ReasonInvalidIPAddress, "ip_address must be an IPv4 or IPv6 address")
		}
	}
	return probs
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

// checkDOB returns the reason and a message when dob is not the date of birth of an adult,
// or "".
func checkDOB(dob string, now time.Time) (reason, msg string) {
	d, err := time.Parse(time.DateOnly, dob)
	if err != nil || d.Format(time.DateOnly) != dob {
		return ReasonInvalidDate, "date_of_birth must be a real date written YYYY-MM-DD"
	}
	y, m, day := now.Date()
	today := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	if d.After(today) {
		return ReasonDateInFuture, "date_of_birth must not be in the future"
	}
	if d.AddDate(MinAge, 0, 0).After(today) {
		return ReasonUnderAge, fmt.Sprintf("the customer must be at least %d years old", MinAge)
	}
	if d.AddDate(130, 0, 0).Before(today) {
		return ReasonDateTooOld, "date_of_birth must be a date in the last 130 years"
	}
	return "", ""
}

// Signup creates a customer with a full profile and a customer account in the tenant's
// currency for p.Product, and returns both. The email is unique within the tenant (with
// the customers opened by CreateAccount), the reference across tenants. The password is
// hashed with argon2id before the transaction.
func (s *Service) Signup(ctx context.Context, p SignupParams) (*baas.ProfiledCustomer, *baas.Account, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, nil, err
	}
	if probs := p.validate(s.now()); len(probs) > 0 {
		return nil, nil, baas.InvalidFields(probs...)
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
	var c *baas.ProfiledCustomer
	var a *baas.Account
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		c = &baas.ProfiledCustomer{
			Customer: baas.Customer{ID: uuid.NewString(), TenantID: tenantID, Email: p.Email, FirstName: p.FirstName,
				LastName: p.LastName, Phone: p.Phone, AddressLine1: p.Address, City: p.City, ZipCode: p.ZipCode, CreatedAt: now},
			Ref:     p.Ref,
			Profile: p.Profile,
		}
		c.Profile.PasswordHash = hash
		if err := tx.CreateProfiledCustomer(ctx, c); err != nil {
			if baas.IsCode(err, baas.EConflict) {
				return emailTaken
			}
			return err
		}
		currency, err := s.accountCurrency(ctx, tx, tenantID, p.Product)
		if err != nil {
			return err
		}
		a = &baas.Account{TenantID: tenantID, CustomerID: c.ID, Kind: baas.AccountCustomer, Currency: currency,
			Status: baas.AccountActive, CreatedAt: now}
		if a.Number, err = freeAccountNumber(ctx, tx); err != nil {
			return err
		}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		return accountCreatedEvent(ctx, tx, &c.Customer, c.Ref, a, now)
	})
	if err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

// ReasonCustomerNotFound names the refusal of a key that names no customer of the tenant.
const ReasonCustomerNotFound = "CUSTOMER_NOT_FOUND"

// notFoundCustomer turns a store's not-found into ReasonCustomerNotFound.
func notFoundCustomer(err error) error {
	if baas.IsCode(err, baas.ENotFound) {
		return baas.Reasonf(baas.ENotFound, ReasonCustomerNotFound, "customer not found")
	}
	return err
}

// Customer returns the tenant's customer named by k, with reference and profile. Another
// tenant's customer is ReasonCustomerNotFound.
func (s *Service) Customer(ctx context.Context, k baas.CustomerKey) (*baas.ProfiledCustomer, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return findCustomer(ctx, s.store.Read(), tenantID, k)
}

func findCustomer(ctx context.Context, tx baas.Tx, tenantID string, k baas.CustomerKey) (*baas.ProfiledCustomer, error) {
	if !validKey(k) {
		return nil, notFoundCustomer(baas.Errorf(baas.ENotFound, ""))
	}
	c, err := tx.FindProfiledCustomer(ctx, tenantID, k)
	return c, notFoundCustomer(err)
}

// validKey reports whether k could name a customer: a reference is at most 200
// characters of UTF-8.
func validKey(k baas.CustomerKey) bool {
	if k.ID != "" {
		return len(k.ID) <= 64
	}
	return k.Ref != "" && len(k.Ref) <= 200 && utf8.ValidString(k.Ref)
}

// CustomerAccount is a customer's name, their account, their newest KYC document of each
// type and the KYC status that sums them up.
type CustomerAccount struct {
	*baas.CustomerSummary
	KYCStatus string
}

// AccountDetail returns a customer's account and KYC status, in one read.
func (s *Service) AccountDetail(ctx context.Context, k baas.CustomerKey) (*CustomerAccount, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if !validKey(k) {
		return nil, notFoundCustomer(baas.Errorf(baas.ENotFound, ""))
	}
	read := func() (*baas.CustomerSummary, error) {
		sum, err := s.store.Read().CustomerSummary(ctx, tenantID, k)
		return sum, notFoundCustomer(err)
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
		if sum, err = read(); err != nil {
			return nil, err
		}
	}
	return &CustomerAccount{CustomerSummary: sum, KYCStatus: KYCOverall(sum.Documents)}, nil
}

// Card types.
const (
	CardPrepaid = "prepaid"
	CardDebit   = "debitcard"
)

// CardsPerType is how many live cards of each type a customer may hold when the tenant
// set no allowance (SetCardAllowance); MaxCardsPerType bounds the allowance.
const (
	CardsPerType    = 1
	MaxCardsPerType = 100
)

func cardType(t string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case CardPrepaid:
		return CardPrepaid, nil
	case CardDebit:
		return CardDebit, nil
	}
	return "", baas.Invalid("type must be prepaid or debitcard")
}

// RemainingCards returns how many cards of a type the customer may still order: the
// tenant's allowance (CardsPerType unless set) less the live cards of that type they hold (a stolen, lost or expired
// card no longer counts; its replacement does).
func (s *Service) RemainingCards(ctx context.Context, k baas.CustomerKey, typ string) (int, error) {
	product, err := codegoProduct(typ)
	if err != nil {
		return 0, err
	}
	c, err := s.Customer(ctx, k)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.store.View(ctx, func(tx baas.Tx) error {
		n, err = remainingCards(ctx, tx, c.TenantID, c.ID, product)
		return err
	})
	return n, err
}

// ShippingCost returns what shipping a card of the type to the customer's card address
// costs, in minor units of baas.ShippingCurrency: the cost of the country of that address.
// It is charged when the card ships.
func (s *Service) ShippingCost(ctx context.Context, k baas.CustomerKey, typ string) (int64, error) {
	if _, err := cardType(typ); err != nil {
		return 0, err
	}
	c, err := s.Customer(ctx, k)
	if err != nil {
		return 0, err
	}
	return shippingCostOf(c)
}
