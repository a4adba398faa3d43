package core

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/vault"
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters drawn uniformly from alphabet.
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[randomInt(0, int64(len(alphabet)-1))]
	}
	return string(b)
}

// randomHexGroups returns groups of 8 hex digits joined by dashes, the shape of Codego's
// whitelabel ids and auth tokens.
func randomHexGroups(groups int) string {
	parts := make([]string, groups)
	for i := range parts {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		parts[i] = hex.EncodeToString(b)
	}
	return strings.Join(parts, "-")
}

// hashSecret is the keyed hash under which API secrets are stored: fast enough to run on
// every request, useless without the master key.
func (s *Service) hashSecret(secret string) []byte {
	return vault.KeyedHash(s.hashKey, secret)
}

func (s *Service) secretMatches(secret string, hash []byte) bool {
	return subtle.ConstantTimeCompare(s.hashSecret(secret), hash) == 1
}

// NewMasterKey returns 32 random bytes.
func NewMasterKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// ParseMasterKey reads a 32-byte key written in base64 or hex.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, fmt.Errorf("master key must be 32 bytes in base64 or hex")
}

const settingMasterKey = "master_key"

// LoadOrCreateMasterKey returns the master key kept in the store, creating one on first
// use. It is the fallback when no key is configured (BAAS_MASTER_KEY): convenient for a
// sandbox, but it keeps the key beside the data it protects, so production sets one.
func LoadOrCreateMasterKey(ctx context.Context, store baas.Store) ([]byte, bool, error) {
	var key []byte
	created := false
	err := store.InTx(ctx, func(tx baas.Tx) error {
		v, err := tx.GetSetting(ctx, settingMasterKey)
		if err == nil {
			key, err = ParseMasterKey(v)
			return err
		}
		if !baas.IsCode(err, baas.ENotFound) {
			return err
		}
		key, created = NewMasterKey(), true
		return tx.PutSetting(ctx, settingMasterKey, base64.StdEncoding.EncodeToString(key))
	})
	return key, created, err
}

const settingAdminToken = "admin_token_hash"

// EnsureAdminToken makes sure an operator token exists. When configured is non-empty it
// is the token. Otherwise a token is generated on first use, its hash stored, and the
// token returned once (created is true); later calls return "" and false.
func (s *Service) EnsureAdminToken(ctx context.Context, configured string) (token string, created bool, err error) {
	if configured != "" {
		return configured, false, nil
	}
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		_, err := tx.GetSetting(ctx, settingAdminToken)
		if err == nil {
			return nil
		}
		if !baas.IsCode(err, baas.ENotFound) {
			return err
		}
		token, created = "adm_"+randomString(40, alnum), true
		return tx.PutSetting(ctx, settingAdminToken, hex.EncodeToString(s.hashSecret(token)))
	})
	return token, created, err
}

// AdminAuthenticator returns a function that checks an operator token: against configured
// when it is set, else against the stored hash (read once, here).
func (s *Service) AdminAuthenticator(ctx context.Context, configured string) (func(token string) bool, error) {
	if configured != "" {
		want := s.hashSecret(configured)
		return func(token string) bool { return s.secretMatches(token, want) }, nil
	}
	v, err := s.store.Read().GetSetting(ctx, settingAdminToken)
	if err != nil {
		return nil, err
	}
	want, err := hex.DecodeString(v)
	if err != nil {
		return nil, err
	}
	return func(token string) bool { return token != "" && s.secretMatches(token, want) }, nil
}
