package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// KeySize is the length of every key this package seals under: AES-256.
const KeySize = 32

var (
	// ErrKeySize is returned when a sealing key is not KeySize bytes.
	ErrKeySize = errors.New("vault: key must be 32 bytes")
	// ErrSealed is returned by Unseal when a value does not open: another key, other
	// associated data, altered or truncated data.
	ErrSealed = errors.New("vault: sealed value does not open")
)

// DeriveKey returns the 32-byte key for one purpose, HMAC-SHA256(master, purpose). Each
// use of the master key takes its own purpose string, so no two uses share a key; the
// result is fixed for a given master key and purpose (stored hashes and sealed values
// depend on it).
func DeriveKey(master []byte, purpose string) []byte {
	return KeyedHash(master, purpose)
}

// KeyedHash returns HMAC-SHA256(key, data): the hash under which secrets that must be
// found or checked, never read back, are stored (API secrets, PANs for look-up, PINs).
// Without the key a stored hash reveals nothing, not even for a small input space.
func KeyedHash(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// Seal encrypts plaintext with AES-256-GCM under key. The 12-byte nonce is random and
// prefixed to the result (nonce ‖ ciphertext ‖ tag); aad (for example the id of the row
// the secret belongs to) is authenticated but not stored, so a sealed value copied to
// another row does not open. It fails only on a key of the wrong size or when the
// system's random source fails.
func Seal(key, plaintext []byte, aad string) ([]byte, error) {
	gcm, err := NewGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plaintext, []byte(aad)), nil
}

// Unseal reverses Seal. It returns ErrSealed when the key or aad differ or the data was
// altered or truncated, ErrKeySize for a key of the wrong size.
func Unseal(key, sealed []byte, aad string) ([]byte, error) {
	gcm, err := NewGCM(key)
	if err != nil {
		return nil, err
	}
	n := gcm.NonceSize()
	if len(sealed) < n+gcm.Overhead() {
		return nil, ErrSealed
	}
	out, err := gcm.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return nil, ErrSealed
	}
	return out, nil
}

// NewGCM returns AES-256-GCM under key (standard 12-byte nonce, 16-byte tag), or
// ErrKeySize.
func NewGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, ErrKeySize
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
