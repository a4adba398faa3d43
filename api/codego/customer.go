package codego

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// This file maps the Codego user_id to the core's customer: the user_id is the external
// reference (baas.ProfiledCustomer.Ref) this dialect allocates at signup, and the
// Codego wording of the core's customer and session refusals.

// newUserID returns a Codego user_id: 44 random bytes in standard base64 (60 characters,
// the shape of the spec's examples). It reveals nothing and cannot be guessed.
func newUserID() string {
	b := make([]byte, 44)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// user returns the key of the customer a user_id names, undoing the escapes clients add
// on its way back (httpx.NormalizeRef).
func user(userID string) baas.CustomerKey { return baas.CustomerKey{Ref: httpx.NormalizeRef(userID)} }

// messages gives some of the core's refusals, by reason, the Codego wording.
var messages = map[string]string{
	core.ReasonCustomerNotFound: "user not found",
	core.ReasonTokenNotFound:    "Auth token not existed",
	core.ReasonTokenInvalid:     "Token is invalid or expired",
	core.ReasonAPIKeyMissing:    "apikey and whitelabel_id are required",
	core.ReasonLicenseWrong:     "apikey or whitelabel_id is wrong",
	// The card APIs (cards.go).
	"CARD_NOT_FOUND":             "card not found",
	"KYC_NOT_VERIFIED":           "Card will be ordered only if the KYC is approved",
	"CARD_LIMIT_REACHED":         "No card remaining to order",
	"NO_CARD_TO_ACTIVATE":        "There is no shipped card to activate",
	"INVALID_CARD_DATA":          "Invalid card details",
	"CARD_ACTIVATION_LOCKED":     "Too many wrong activation attempts: the card's activation is locked",
	"DAILY_LOAD_LIMIT":           "The amount is beyond the card's DailyLoadLimit",
	"DAILY_LOAD_FREQUENCY_LIMIT": "The card's DailyLoadFrequencyLimit is reached",
	"INSUFFICIENT_FLOAT":         "Insufficient balance in the whitelabel's float",
}

// fieldNames gives the core's signup fields their Codego names.
var fieldNames = map[string]string{
	core.FieldEmail:              "email",
	core.FieldPassword:           "password",
	core.FieldDateOfBirth:        "dob",
	core.FieldPhone:              "mobile",
	core.FieldCountryOfResidence: "country_of_residence",
	core.FieldPhoneCountry:       "country_id",
	core.FieldNationality:        "nationality",
	core.FieldAddressCountry:     "country",
	core.FieldWorkCountry:        "work_country",
	core.FieldTaxCountry:         "country_pay_tax",
	core.FieldShipAddress:        "receive_card_address",
	core.FieldShipCity:           "receive_card_city",
	core.FieldShipZipCode:        "receive_card_zipcode",
	core.FieldShipCountry:        "receive_card_country",
	core.FieldIncomeSource:       "income_soruce",
	core.FieldGender:             "gender",
	core.FieldIPAddress:          "ipaddress",
}

// fieldWording words the core's field problems, by reason; %s is the Codego field name.
// A reason not listed keeps the core's message (the password rules, the minimum age).
var fieldWording = map[string]string{
	core.ReasonInvalidEmail:        "%s must be a valid email address",
	core.ReasonInvalidDate:         "%s must be a real date written YYYY-MM-DD",
	core.ReasonDateInFuture:        "%s must not be in the future",
	core.ReasonDateTooOld:          "%s must be a date in the last 130 years",
	core.ReasonInvalidPhone:        "%s must be a phone number of 6 to 15 digits",
	core.ReasonUnknownCountry:      "%s must be an id of the countries list",
	core.ReasonShippingPartMissing: "%s cannot be blank when is_same is 0",
	core.ReasonUnknownIncomeSource: "%s must be one of: " + strings.Join(core.IncomeSources(), ", "),
	core.ReasonUnknownGender:       "%s must be " + strings.Join(core.Genders(), " or "),
	core.ReasonInvalidIPAddress:    "%s must be an IPv4 or IPv6 address",
}

// wordFields returns e with its field problems in the Codego wording: Details one
// message per field, Message the first. An error without field problems is e itself.
func wordFields(e *baas.Error) *baas.Error {
	if len(e.Fields) == 0 {
		return e
	}
	w := *e
	w.Details = make([]string, len(e.Fields))
	for i, f := range e.Fields {
		w.Details[i] = f.Message
		name, named := fieldNames[f.Field]
		if tmpl, ok := fieldWording[f.Reason]; ok && named {
			w.Details[i] = strings.Replace(tmpl, "%s", name, 1)
		}
	}
	w.Message = w.Details[0]
	return &w
}

// RenderEvent returns the body a Codego receiver gets for an event, in the shapes of the
// Codego webhooks (docs/codego.md): the KYC webhook for kyc.* events, the Load Card
// webhook for card.load.* events (cards.go), the debit-card transaction webhook for the
// card transaction events of Codego cards (cardtxn.go), and account.created
// with user_id for the customers opened through Codego. It returns nil for the events
// it does not render.
func RenderEvent(e *baas.Event) ([]byte, error) {
	switch {
	case strings.HasPrefix(e.Type, "kyc."):
		var p struct {
			CustomerRef    string `json:"customer_ref"`
			DocumentType   int    `json:"document_type"`
			DocumentStatus string `json:"document_status"`
			Reason         string `json:"reason"`
			KYCStatus      string `json:"kyc_status"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{
			"status":          1,
			"event":           e.Type,
			"user_id":         p.CustomerRef,
			"document_id":     strconv.Itoa(p.DocumentType),
			"document_name":   baas.DocumentName(p.DocumentType),
			"document_status": p.DocumentStatus,
			"reason":          p.Reason,
			"kyc_status":      p.KYCStatus,
			"datetime":        e.CreatedAt.UTC().Format(time.DateTime),
		})
	case strings.HasPrefix(e.Type, "card.load."):
		return renderCardLoad(e)
	case cardTrxEvents[e.Type]:
		return renderCardTrx(e) // cardtxn.go
	case strings.HasSuffix(e.Type, "giftcard.updated"):
		return renderGiftcard(e) // giftcard.go
	case e.Type == "crypto.deposit":
		return renderCryptoDeposit(e) // crypto.go
	case e.Type == "account.created":
		var p map[string]json.RawMessage
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, err
		}
		ref, ok := p["customer_ref"]
		if !ok {
			return nil, nil
		}
		delete(p, "customer_ref")
		p["user_id"] = ref
		return json.Marshal(p)
	}
	return nil, nil
}
