package core

import (
	"context"
	"testing"

	"github.com/baas-oss/baas"
)

// newTenantService returns a Service over st with a sandbox tenant, and a context acting
// for that tenant.
func newTenantService(t *testing.T, st baas.Store) (*Service, string, context.Context) {
	t.Helper()
	s, err := New(st, DefaultConfig(), NewMasterKey(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := s.CreateTenant(context.Background(), CreateTenantParams{Name: "internal", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	return s, creds.TenantID, baas.WithTenant(context.Background(), creds.TenantID)
}
