package baas

import (
	"context"
	"time"
)

// Tenant is one customer of baas: a Codego "whitelabel" and a Girasol "company" at once.
type Tenant struct {
	ID           string
	Name         string
	CompanyID    string // Girasol company id (a UUID)
	WhitelabelID string // Codego whitelabel id
	Sandbox      bool
	CreatedAt    time.Time
}

// Credential kinds.
const (
	CredGirasol      = "girasol"       // KeyID: x-api-key (base64); secret: x-secret-key
	CredCodegoClient = "codego_client" // KeyID: clientkey; secret: secretkey
	CredCodegoAPI    = "codego_api"    // KeyID: whitelabel_id; secret: apikey
)

// Credential is one key pair of a tenant. The secret is kept only as a keyed hash.
type Credential struct {
	ID         string
	TenantID   string
	Kind       string
	KeyID      string
	SecretHash []byte
	CreatedAt  time.Time
}

// TenantPageFilter selects one page of the tenant list.
type TenantPageFilter struct {
	AfterID string
	Limit   int
}

// TenantTx holds the queries of tenants and their credentials.
type TenantTx interface {
	CreateTenant(ctx context.Context, t *Tenant) error
	GetTenant(ctx context.Context, id string) (*Tenant, error)
	// CountTenants returns how many tenants there are, without reading them.
	CountTenants(ctx context.Context) (int, error)
	// ListTenantPage returns a page of tenants in creation order (created_at, then id)
	// after the tenant f.AfterID names: a keyset read of f.Limit rows at most (0: all). An
	// AfterID that names no tenant gives an empty page.
	ListTenantPage(ctx context.Context, f TenantPageFilter) ([]*Tenant, error)
	CreateCredential(ctx context.Context, c *Credential) error
	FindCredential(ctx context.Context, kind, keyID string) (*Credential, error)
}
