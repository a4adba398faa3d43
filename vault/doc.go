// Package vault owns how secret data is protected: keys derived from the master key,
// sealing (AES-256-GCM with associated data) and keyed hashes. It is pure: no I/O, no
// clock, randomness only from crypto/rand or a reader the caller passes.
package vault
