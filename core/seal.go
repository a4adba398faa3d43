package core

import "github.com/baas-oss/baas/vault"

// Sealing and key derivation live in package vault; these short names keep the core's
// call sites as they were.
var (
	seal      = vault.Seal
	unseal    = vault.Unseal
	deriveKey = vault.DeriveKey
)
