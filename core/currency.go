package core

import (
	"context"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/money"
)

// Products whose customer accounts a tenant opens, each in a currency of its own.
const (
	// ProductAccounts are the accounts CreateAccount opens (the Girasol dialect), in
	// Config.MasterCurrency (USD): the currency of the tenant's master account that
	// cash-ins draw on, which SetAccountCurrency does not let them leave.
	ProductAccounts = "accounts"
	// ProductCards are the accounts Signup opens for card holders (the Codego dialect);
	// by default in DefaultCardsCurrency.
	ProductCards = "cards"
)

// DefaultCardsCurrency is the default currency of ProductCards accounts.
const DefaultCardsCurrency = "EUR"

// currencySetting is the key of a tenant's currency for a product among the settings.
func currencySetting(tenantID, product string) string {
	return "tenant/" + tenantID + "/currency/" + product
}

// defaultCurrency returns the currency of a product's accounts for a tenant that set none.
func (s *Service) defaultCurrency(product string) (string, error) {
	switch product {
	case ProductAccounts:
		return s.cfg.MasterCurrency, nil
	case ProductCards:
		return DefaultCardsCurrency, nil
	}
	return "", baas.Invalid("product must be " + ProductAccounts + " or " + ProductCards)
}

// accountCurrency returns the currency a tenant's new accounts of a product are opened in:
// the tenant's setting, or the product's default.
func (s *Service) accountCurrency(ctx context.Context, tx baas.Tx, tenantID, product string) (string, error) {
	def, err := s.defaultCurrency(product)
	if err != nil {
		return "", err
	}
	v, err := tx.GetSetting(ctx, currencySetting(tenantID, product))
	if baas.IsCode(err, baas.ENotFound) {
		return def, nil
	}
	return v, err
}

// AccountCurrency returns the currency a tenant's new accounts of a product are opened in.
func (s *Service) AccountCurrency(ctx context.Context, tenantID, product string) (string, error) {
	if _, err := s.store.Read().GetTenant(ctx, tenantID); err != nil {
		return "", err
	}
	return s.accountCurrency(ctx, s.store.Read(), tenantID, product)
}

// ReasonCurrencyNotMaster names the refusal of a ProductAccounts currency other than the
// master currency: cash-ins into those accounts draw on the tenant's master account, so
// they could never be paid.
const ReasonCurrencyNotMaster = "CURRENCY_NOT_MASTER"

// SetAccountCurrency sets the currency of a tenant's new accounts of a product (ISO 4217,
// upper case). Accounts already open keep theirs. The currency of ProductAccounts must
// be the master currency (ReasonCurrencyNotMaster).
func (s *Service) SetAccountCurrency(ctx context.Context, tenantID, product, currency string) error {
	if _, err := s.defaultCurrency(product); err != nil {
		return err
	}
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if _, ok := money.Lookup(currency); !ok {
		return baas.Invalid("currency must be an ISO 4217 code")
	}
	if product == ProductAccounts && currency != s.cfg.MasterCurrency {
		return baas.Reasonf(baas.EInvalid, ReasonCurrencyNotMaster,
			"the currency of the %s accounts must be the master currency %s: their cash-ins draw on the master account",
			product, s.cfg.MasterCurrency)
	}
	return s.store.InTx(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		return tx.PutSetting(ctx, currencySetting(tenantID, product), currency)
	})
}
