package core

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/money"
	"github.com/google/uuid"
)

// CreateTenantParams are the inputs of CreateTenant.
type CreateTenantParams struct {
	Name    string
	Sandbox bool
}

// TenantSandbox is whether a tenant is created as a sandbox: as requested, and a sandbox
// when nothing is (the operator API without "sandbox", `baas tenant create` without
// --production).
func TenantSandbox(requested *bool) bool {
	if requested == nil {
		return true
	}
	return *requested
}

// TenantCredentials is a new tenant with the secrets of its credentials, which are shown
// only once: the store keeps their hashes.
type TenantCredentials struct {
	TenantID string            `json:"tenant_id"`
	Codego   CodegoCredentials `json:"codego"`
	Girasol  GirasolCreds      `json:"girasol"`
}

// CodegoCredentials are what a Codego client sends.
type CodegoCredentials struct {
	ClientKey    string `json:"client_key"`
	SecretKey    string `json:"secret_key"`
	APIKey       string `json:"api_key"`
	WhitelabelID string `json:"whitelabel_id"`
}

// GirasolCreds are what a Girasol client sends (x-api-key, x-secret-key, x-company-id).
type GirasolCreds struct {
	APIKey    string `json:"api_key"`
	SecretKey string `json:"secret_key"`
	CompanyID string `json:"company_id"`
}

// CreateTenant creates a tenant with one Codego and one Girasol credential set, its system
// accounts, and — for a sandbox tenant — a master account funded with the configured
// sandbox balance.
func (s *Service) CreateTenant(ctx context.Context, p CreateTenantParams) (*TenantCredentials, error) {
	name := strings.TrimSpace(p.Name)
	if name == "" {
		return nil, baas.Invalid("name should not be empty")
	}
	if len(name) > 200 {
		return nil, baas.Invalid("name must be shorter than or equal to 200 characters")
	}
	id := uuid.NewString()
	creds := &TenantCredentials{
		TenantID: id,
		Codego: CodegoCredentials{
			ClientKey:    "ck_" + randomString(32, alnum),
			SecretKey:    "sk_" + randomString(48, alnum),
			APIKey:       randomString(52, alnum),
			WhitelabelID: randomHexGroups(8),
		},
		Girasol: GirasolCreds{
			APIKey:    base64.StdEncoding.EncodeToString([]byte(uuid.NewString())),
			SecretKey: base64.StdEncoding.EncodeToString([]byte(randomString(40, alnum))),
			CompanyID: id,
		},
	}
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		t := &baas.Tenant{ID: id, Name: name, CompanyID: id, WhitelabelID: creds.Codego.WhitelabelID, Sandbox: p.Sandbox, CreatedAt: now}
		if err := tx.CreateTenant(ctx, t); err != nil {
			return err
		}
		for _, c := range []struct{ kind, key, secret string }{
			{baas.CredGirasol, creds.Girasol.APIKey, creds.Girasol.SecretKey},
			{baas.CredCodegoClient, creds.Codego.ClientKey, creds.Codego.SecretKey},
			{baas.CredCodegoAPI, creds.Codego.WhitelabelID, creds.Codego.APIKey},
		} {
			if err := tx.CreateCredential(ctx, &baas.Credential{ID: uuid.NewString(), TenantID: id, Kind: c.kind,
				KeyID: c.key, SecretHash: s.hashSecret(c.secret), CreatedAt: now}); err != nil {
				return err
			}
		}
		// A sandbox tenant's float is funded in each currency its accounts open in (USD for
		// the Girasol accounts, EUR for the Codego card holders by default), so both
		// dialects' flows work from the first request.
		currencies, err := s.tenantCurrencies(ctx, tx, id)
		if err != nil {
			return err
		}
		for i, cur := range currencies {
			if i > 0 && !p.Sandbox {
				break // a live tenant's master account in the master currency, funded by the operator
			}
			master, err := systemAccount(ctx, tx, id, baas.AccountMaster, cur, now)
			if err != nil {
				return err
			}
			if p.Sandbox && s.cfg.SandboxMasterBalance > 0 {
				if _, err := s.fund(ctx, tx, id, master, s.cfg.SandboxMasterBalance, "sandbox opening balance", now); err != nil {
					return err
				}
			}
		}
		if err := audit(ctx, tx, now, AuditRecord{Action: baas.AuditTenantCreated, TenantID: id, TargetType: "tenant", TargetID: id,
			Details: map[string]any{"name": name, "sandbox": p.Sandbox}}); err != nil {
			return err
		}
		return event(ctx, tx, id, "tenant.created", id, now, map[string]any{"tenant_id": id, "name": name, "sandbox": p.Sandbox})
	})
	if err != nil {
		return nil, err
	}
	return creds, nil
}

// systemAccount returns the tenant's system account of a kind and currency, creating it
// on first use. Funding and network accounts may go negative; the others may not.
func systemAccount(ctx context.Context, tx baas.Tx, tenantID, kind, currency string, now time.Time) (*baas.Account, error) {
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, Kind: &kind, Currency: &currency})
	if err == nil {
		return a, nil
	}
	if !baas.IsCode(err, baas.ENotFound) {
		return nil, err
	}
	a = &baas.Account{TenantID: tenantID, Kind: kind, Currency: currency, Status: baas.AccountActive, CreatedAt: now,
		AllowNegative: kind == baas.AccountFunding || kind == baas.AccountNetwork}
	if err := tx.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// fund moves amount from the tenant's funding account (the outside world) into account.
func (s *Service) fund(ctx context.Context, tx baas.Tx, tenantID string, to *baas.Account, amount int64, description string, now time.Time) (*posted, error) {
	funding, err := systemAccount(ctx, tx, tenantID, baas.AccountFunding, to.Currency, now)
	if err != nil {
		return nil, err
	}
	return post(ctx, tx, tenantID, now, transferSpec{Kind: baas.TransferFunding, Description: description,
		Legs: ledger.Move(funding.ID, to.ID, amount)})
}

// operatorKeyPrefix namespaces the idempotency keys of operator requests.
const operatorKeyPrefix = "\x01operator\x01"

// FundMasterParams are the inputs of FundMaster.
type FundMasterParams struct {
	TenantID    string
	Amount      int64
	Currency    string
	Description string
	Idem        Idempotency
}

// FundMasterResult is the outcome of FundMaster.
type FundMasterResult struct {
	TransferID int64     `json:"transfer_id"`
	Balance    int64     `json:"balance"`
	Currency   string    `json:"currency"`
	CreatedAt  time.Time `json:"created_at"`
}

// FundMaster is the operator funding a tenant's master (float) account from outside.
func (s *Service) FundMaster(ctx context.Context, p FundMasterParams) (*FundMasterResult, bool, error) {
	if err := ledger.CheckAmount(p.Amount); err != nil {
		return nil, false, err
	}
	cur := strings.ToUpper(strings.TrimSpace(p.Currency))
	if cur == "" {
		cur = s.cfg.MasterCurrency
	}
	if _, ok := money.Lookup(cur); !ok {
		return nil, false, baas.Invalid("currency must be an ISO 4217 code such as USD or EUR")
	}
	if p.TenantID == "" {
		return nil, false, baas.Invalid("tenant id should not be empty")
	}
	desc := p.Description
	if desc == "" {
		desc = "master account funding"
	}
	ctx = baas.WithTenant(ctx, p.TenantID)
	if p.Idem.Key != "" {
		// The operator's keys live apart from the tenant's: a key sent over HTTP can hold
		// no control character, so no tenant key starts with this prefix.
		p.Idem.Key = operatorKeyPrefix + p.Idem.Key
	}
	return idempotent(ctx, s, p.Idem, func(ctx context.Context, tx baas.Tx, now time.Time) (*FundMasterResult, error) {
		if _, err := tx.GetTenant(ctx, p.TenantID); err != nil {
			return nil, err
		}
		uses, err := s.tenantCurrencies(ctx, tx, p.TenantID)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(uses, cur) {
			return nil, baas.Reasonf(baas.EInvalid, ReasonCurrencyNotUsed,
				"currency %s is not one of the tenant's currencies (%s): fund the currency its accounts are opened in",
				cur, strings.Join(uses, ", "))
		}
		master, err := systemAccount(ctx, tx, p.TenantID, baas.AccountMaster, cur, now)
		if err != nil {
			return nil, err
		}
		res, err := s.fund(ctx, tx, p.TenantID, master, p.Amount, desc, now)
		if err != nil {
			return nil, err
		}
		if err := event(ctx, tx, p.TenantID, "master.funded", p.TenantID, now, map[string]any{
			"transfer_id": res.Transfer.ID, "amount": p.Amount, "currency": cur}); err != nil {
			return nil, err
		}
		if err := audit(ctx, tx, now, AuditRecord{Action: baas.AuditTenantFunded, TenantID: p.TenantID, TargetType: "transfer",
			TargetID: auditID(res.Transfer.ID), Details: map[string]any{"amount": p.Amount, "currency": cur,
				"description": desc}}); err != nil {
			return nil, err
		}
		return &FundMasterResult{TransferID: res.Transfer.ID, Balance: res.Accounts[master.ID].Balance, Currency: cur, CreatedAt: now}, nil
	})
}

// ReasonCurrencyNotUsed names the refusal to fund a master account in a currency none of
// the tenant's accounts is opened in.
const ReasonCurrencyNotUsed = "CURRENCY_NOT_USED"

// tenantCurrencies returns the currencies a tenant uses, the master currency first: that
// of its Girasol accounts (the master currency) and that of its Codego card holders'
// accounts (its setting, EUR by default).
func (s *Service) tenantCurrencies(ctx context.Context, tx baas.Tx, tenantID string) ([]string, error) {
	out := []string{s.cfg.MasterCurrency}
	for _, product := range []string{ProductAccounts, ProductCards} {
		cur, err := s.accountCurrency(ctx, tx, tenantID, product)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, cur) {
			out = append(out, cur)
		}
	}
	return out, nil
}

// TenantCurrencies returns the currencies a tenant uses (and may fund), the master
// currency first.
func (s *Service) TenantCurrencies(ctx context.Context, tenantID string) ([]string, error) {
	return s.tenantCurrencies(ctx, s.store.Read(), tenantID)
}

// CountTenants returns how many tenants there are: a count, not a read of each.
func (s *Service) CountTenants(ctx context.Context) (int, error) {
	return s.store.Read().CountTenants(ctx)
}

// ListTenantPage returns a page of the tenants in creation order after the tenant
// afterID names ("" for the first page; one that names no tenant gives an empty page):
// limit tenants by TenantPages.
func (s *Service) ListTenantPage(ctx context.Context, afterID string, limit int) ([]*baas.Tenant, error) {
	return s.store.Read().ListTenantPage(ctx, baas.TenantPageFilter{AfterID: afterID, Limit: TenantPages.limit(limit)})
}

// GetTenant returns one tenant.
func (s *Service) GetTenant(ctx context.Context, id string) (*baas.Tenant, error) {
	return s.store.Read().GetTenant(ctx, id)
}

// TenantBalance is the balance of one of a tenant's system accounts.
type TenantBalance struct {
	Kind     string `json:"kind"`
	Currency string `json:"currency"`
	Balance  int64  `json:"balance"`
}

// MasterBalance returns the tenant's master account in currency.
func (s *Service) MasterBalance(ctx context.Context, tenantID, currency string) (*baas.Account, error) {
	kind := baas.AccountMaster
	return s.store.Read().FindAccount(ctx, baas.AccountFilter{TenantID: tenantID, Kind: &kind, Currency: &currency})
}

// AuthenticateGirasol checks a Girasol key pair and the company it is used for, and
// returns the tenant id. Any mismatch is the same unauthorized error.
func (s *Service) AuthenticateGirasol(ctx context.Context, apiKey, secretKey, companyID string) (string, error) {
	unauthorized := baas.Errorf(baas.EUnauthorized, "Unauthorized")
	if apiKey == "" || secretKey == "" || len(apiKey) > 512 || len(secretKey) > 512 {
		return "", unauthorized
	}
	c, err := s.findCredential(ctx, baas.CredGirasol, apiKey)
	if baas.IsCode(err, baas.ENotFound) {
		return "", unauthorized
	}
	if err != nil {
		return "", err
	}
	if !s.secretMatches(secretKey, c.SecretHash) {
		return "", unauthorized
	}
	if companyID != "" && companyID != c.TenantID {
		return "", unauthorized
	}
	return c.TenantID, nil
}

// ListAccountHolders returns a page of a tenant's customer accounts with their customers
// (for the operator), in f.Sort's order, at most Pages.Max, in one query.
func (s *Service) ListAccountHolders(ctx context.Context, f baas.CustomerAccountFilter) ([]*baas.AccountHolder, error) {
	switch f.Sort {
	case "", baas.CustomerSortCreated, baas.CustomerSortNewest, baas.CustomerSortName:
	default:
		return nil, baas.Invalid("sort must be created, newest or name")
	}
	f.Limit = Pages.limit(f.Limit)
	return s.store.Read().ListAccountHolders(ctx, f)
}

// ListAccounts returns one page of a tenant's accounts (at most 1,000), read in one
// consistent snapshot so that their balances can be added up.
func (s *Service) ListAccounts(ctx context.Context, f baas.AccountListFilter) ([]*baas.Account, error) {
	f.Limit = AccountPages.limit(f.Limit)
	var out []*baas.Account
	err := s.store.View(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, f.TenantID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListAccounts(ctx, f)
		return err
	})
	return out, err
}
