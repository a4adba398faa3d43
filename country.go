package baas

// Country is one entry of the Codego countries (and nationality) list. Ids never change.
type Country struct {
	ID          int
	Alpha2      string // ISO 3166-1 alpha-2
	Alpha3      string // ISO 3166-1 alpha-3
	Numeric     string // ISO 3166-1 numeric, three digits
	Name        string
	PhoneCode   string // international calling code, without "+"
	IBAN        bool   // the country uses IBANs
	Europe      bool   // a European country
	SolarisIBAN bool   // in the EEA: a customer living there can get an EEA IBAN
	// ShippingCost is what shipping a card to the country costs, in minor units of
	// ShippingCurrency.
	ShippingCost int64
}

// ShippingCurrency is the currency of card shipping costs.
const ShippingCurrency = "EUR"
