package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/baas-oss/baas"
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

// purposeSecretHash names the key, derived from a data key, that hashes API secrets.
const purposeSecretHash = "api-secret-hash"

// hashSecret is the keyed hash under which API secrets are stored: fast enough to run on
// every request, useless without the data key (and so the master key). It is tagged with
// the current data key's id.
func (s *Service) hashSecret(secret string) []byte {
	return s.keys.hash(purposeSecretHash, secret)
}

// secretHashes is secret's hash under every data key, the current one first: for secrets
// looked up by their hash.
func (s *Service) secretHashes(secret string) [][]byte {
	return s.keys.hashes(purposeSecretHash, secret)
}

func (s *Service) secretMatches(secret string, hash []byte) bool {
	return s.keys.matches(purposeSecretHash, secret, hash)
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

// settingMasterKey is where databases made before key files kept their generated master
// key, beside the data it protects. Once the key has moved out, the value is
// movedMasterKey.
const (
	settingMasterKey = "master_key"
	movedMasterKey   = "moved out of the database"
)

// StoredMasterKey returns the master key that an older baas generated and kept in the
// database's settings table, or nil when there is none (or it has moved out).
func StoredMasterKey(ctx context.Context, store baas.Store) ([]byte, error) {
	v, err := store.Read().GetSetting(ctx, settingMasterKey)
	if baas.IsCode(err, baas.ENotFound) || (err == nil && v == movedMasterKey) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	key, err := ParseMasterKey(v)
	if err != nil {
		return nil, fmt.Errorf("the master key stored in the settings table: %w", err)
	}
	return key, nil
}

// ForgetStoredMasterKey overwrites the master key kept in the settings table, once the
// caller has saved it elsewhere (a key file). Old copies of the database file and its
// backups still hold it.
func ForgetStoredMasterKey(ctx context.Context, store baas.Store) error {
	return store.InTx(ctx, func(tx baas.Tx) error {
		return tx.PutSetting(ctx, settingMasterKey, movedMasterKey)
	})
}

const settingAdminToken = "admin_token_hash"

// EnsureAdminToken makes sure an operator token exists. When configured is non-empty it
// is the token. Otherwise a token is generated on first use, its hash stored, and the
// token returned once (created is true); later calls return "" and false, as do the
// processes that start beside the one that stored it first on a new database.
func (s *Service) EnsureAdminToken(ctx context.Context, configured string) (token string, created bool, err error) {
	if configured != "" {
		return configured, false, nil
	}
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		token, created = "", false // InTx may run this again
		_, err := tx.GetSetting(ctx, settingAdminToken)
		if err == nil {
			return nil
		}
		if !baas.IsCode(err, baas.ENotFound) {
			return err
		}
		t := "adm_" + randomString(40, alnum)
		hash := hex.EncodeToString(s.hashSecret(t))
		// First writer wins: a process starting beside this one on the same new database
		// may have stored its token first, and only that one works.
		stored, err := tx.InitSetting(ctx, settingAdminToken, hash)
		if err == nil && stored == hash {
			token, created = t, true
		}
		return err
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
