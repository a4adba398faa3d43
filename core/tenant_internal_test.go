package core

import "testing"

func TestTenantSandbox(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	if !TenantSandbox(nil) || !TenantSandbox(&yes) || TenantSandbox(&no) {
		t.Fatal("a tenant is a sandbox unless asked otherwise")
	}
}
