package core

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/vault"
)

// Envelope encryption. The master key never keys a row directly: it only wraps data keys
// (random 32 bytes, each with an id), and the wrapped data keys are stored in the
// database. Every hash and sealed value names the id of the data key it was made with, so
// rotating the master key re-wraps a handful of data keys instead of rewriting every row,
// and values made with an older data key keep working.
//
// Databases made before data keys existed hashed and sealed with keys derived from the
// master key itself. On their first start with a local master key, that key is recorded
// as data key 0, and values without a key id are read as made with data key 0.

// KeyEncrypter wraps and unwraps data keys under a master key. LocalKey keeps the master
// key in memory; a key management service implements it by calling its own encrypt and
// decrypt operations, so that the master key never leaves the service (docs/security.md).
type KeyEncrypter interface {
	// Wrap seals a data key. aad names the data key; Unwrap must be given the same aad.
	Wrap(ctx context.Context, dataKey []byte, aad string) ([]byte, error)
	// Unwrap opens what Wrap returned. It fails when the master key is not the one that
	// wrapped it.
	Unwrap(ctx context.Context, wrapped []byte, aad string) ([]byte, error)
	// Describe says where the master key comes from (for messages); never key material.
	Describe() string
}

// LocalKey is a 32-byte master key held in memory: from BAAS_MASTER_KEY or a key file.
type LocalKey struct {
	key    []byte
	source string
}

// NewLocalKey returns a master key held in memory; source says where it came from.
func NewLocalKey(key []byte, source string) (*LocalKey, error) {
	if len(key) != 32 {
		return nil, errors.New("master key must be 32 bytes")
	}
	return &LocalKey{key: slices.Clone(key), source: source}, nil
}

// Wrap seals dataKey under a key derived from the master key.
func (k *LocalKey) Wrap(_ context.Context, dataKey []byte, aad string) ([]byte, error) {
	return seal(deriveKey(k.key, "data-key-wrap"), dataKey, aad)
}

// Unwrap opens a data key sealed by Wrap.
func (k *LocalKey) Unwrap(_ context.Context, wrapped []byte, aad string) ([]byte, error) {
	return unseal(deriveKey(k.key, "data-key-wrap"), wrapped, aad)
}

// Describe says where the key came from.
func (k *LocalKey) Describe() string { return k.source }

// Same reports whether k and other hold the same key.
func (k *LocalKey) Same(other *LocalKey) bool { return SameKey(k.key, other.key) }

// SameKey compares two keys in constant time.
func SameKey(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// DataKeyInfo describes one data key; it never holds key material.
type DataKeyInfo struct {
	ID        uint32    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Current   bool      `json:"current"`
	Legacy    bool      `json:"legacy,omitempty"` // data key 0: the master key of a database made before data keys
}

// settingDataKeys holds the wrapped data keys, as storedKeyring in JSON.
const settingDataKeys = "data_keys"

type storedKeyring struct {
	Current uint32          `json:"current"`
	Keys    []storedDataKey `json:"keys"`
}

type storedDataKey struct {
	ID        uint32    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Wrapped   string    `json:"wrapped"` // base64 of KeyEncrypter.Wrap
}

func dataKeyAAD(id uint32) string { return "baas-data-key:" + strconv.FormatUint(uint64(id), 10) }

// Keyring holds the unwrapped data keys of a database and seals and hashes with them.
type Keyring struct {
	current uint32
	keys    map[uint32][]byte
	derived sync.Map // derivedID -> []byte
}

type derivedID struct {
	id      uint32
	purpose string
}

// LegacyKeyring is the keyring of a service built from a bare master key (New): one data
// key, id 0, the master key itself, so that hashes and sealed values are those of a
// database made before data keys.
func LegacyKeyring(masterKey []byte) (*Keyring, error) {
	if len(masterKey) != 32 {
		return nil, errors.New("master key must be 32 bytes")
	}
	return &Keyring{current: 0, keys: map[uint32][]byte{0: slices.Clone(masterKey)}}, nil
}

// ErrKeyMismatch is returned (wrapped) by OpenKeyring when the master key does not open
// the database's data keys.
var ErrKeyMismatch = errors.New("the master key does not match this database")

// OpenKeyring reads the data keys of the database and unwraps them with enc. The first
// time (a new database, or one made before data keys) it creates them: a database that
// already holds hashes or sealed values made with a local master key gets that key as data
// key 0; every database gets a fresh current data key. A master key that does not open
// the data keys is an error wrapping ErrKeyMismatch: the process must not start, since
// every credential would silently fail. Processes that start at once on a new database
// all open the data keys the first of them stored.
func OpenKeyring(ctx context.Context, store baas.Store, enc KeyEncrypter, now time.Time) (*Keyring, error) {
	var kr *Keyring
	err := store.InTx(ctx, func(tx baas.Tx) error {
		v, err := tx.GetSetting(ctx, settingDataKeys)
		if err == nil {
			kr, err = unwrapKeyring(ctx, v, enc)
			return err
		}
		if !baas.IsCode(err, baas.ENotFound) {
			return err
		}
		legacy, err := hasLegacyData(ctx, tx)
		if err != nil {
			return err
		}
		var sk storedKeyring
		kr = &Keyring{keys: map[uint32][]byte{}}
		if legacy {
			lk, ok := enc.(*LocalKey)
			if !ok {
				return fmt.Errorf("this database was made before data keys existed: start it once with its master key "+
					"in BAAS_MASTER_KEY or BAAS_MASTER_KEY_FILE to record it, then switch to %s", enc.Describe())
			}
			if err := kr.add(ctx, &sk, enc, 0, slices.Clone(lk.key), now); err != nil {
				return err
			}
		}
		if err := kr.add(ctx, &sk, enc, 1, NewMasterKey(), now); err != nil {
			return err
		}
		v, err = encodeKeyring(&sk)
		if err != nil {
			return err
		}
		stored, err := tx.InitSetting(ctx, settingDataKeys, v)
		if err != nil || stored == v {
			return err
		}
		// Another process starting on the same new database stored its data keys first:
		// open those, so that every process seals and hashes with the same keys.
		kr, err = unwrapKeyring(ctx, stored, enc)
		return err
	})
	if err != nil {
		return nil, err
	}
	return kr, nil
}

// hasLegacyData reports whether the database holds values made with the master key
// directly: any tenant (credentials, sealed secrets) or a stored operator token.
func hasLegacyData(ctx context.Context, tx baas.Tx) (bool, error) {
	if _, err := tx.GetSetting(ctx, settingAdminToken); err == nil {
		return true, nil
	} else if !baas.IsCode(err, baas.ENotFound) {
		return false, err
	}
	ts, err := tx.ListTenantPage(ctx, baas.TenantPageFilter{Limit: 1}) // one is enough
	return len(ts) > 0, err
}

func (kr *Keyring) add(ctx context.Context, sk *storedKeyring, enc KeyEncrypter, id uint32, key []byte, now time.Time) error {
	w, err := enc.Wrap(ctx, key, dataKeyAAD(id))
	if err != nil {
		return fmt.Errorf("wrapping data key %d with %s: %w", id, enc.Describe(), err)
	}
	sk.Keys = append(sk.Keys, storedDataKey{ID: id, CreatedAt: now.UTC(), Wrapped: base64.StdEncoding.EncodeToString(w)})
	sk.Current = id
	kr.keys[id], kr.current = key, id
	return nil
}

func encodeKeyring(sk *storedKeyring) (string, error) {
	b, err := json.Marshal(sk)
	return string(b), err
}

func putKeyring(ctx context.Context, tx baas.Tx, sk *storedKeyring) error {
	v, err := encodeKeyring(sk)
	if err != nil {
		return err
	}
	return tx.PutSetting(ctx, settingDataKeys, v)
}

func parseKeyring(v string) (*storedKeyring, error) {
	var sk storedKeyring
	if err := json.Unmarshal([]byte(v), &sk); err != nil || len(sk.Keys) == 0 {
		return nil, fmt.Errorf("the stored data keys are unreadable")
	}
	return &sk, nil
}

func unwrapKeyring(ctx context.Context, v string, enc KeyEncrypter) (*Keyring, error) {
	sk, err := parseKeyring(v)
	if err != nil {
		return nil, err
	}
	kr := &Keyring{current: sk.Current, keys: map[uint32][]byte{}}
	for _, k := range sk.Keys {
		w, err := base64.StdEncoding.DecodeString(k.Wrapped)
		if err != nil {
			return nil, fmt.Errorf("data key %d is unreadable", k.ID)
		}
		key, err := enc.Unwrap(ctx, w, dataKeyAAD(k.ID))
		if err != nil {
			return nil, fmt.Errorf("%w: %s does not open its data keys; start with the master key this database "+
				"was created with (or last rotated to): %v", ErrKeyMismatch, enc.Describe(), err)
		}
		kr.keys[k.ID] = key
	}
	if _, ok := kr.keys[kr.current]; !ok {
		return nil, fmt.Errorf("the stored data keys name no current key")
	}
	return kr, nil
}

// ListDataKeys describes the data keys of the database, oldest first. It needs no master
// key and shows no key material.
func ListDataKeys(ctx context.Context, store baas.Store) ([]DataKeyInfo, error) {
	v, err := store.Read().GetSetting(ctx, settingDataKeys)
	if baas.IsCode(err, baas.ENotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sk, err := parseKeyring(v)
	if err != nil {
		return nil, err
	}
	out := make([]DataKeyInfo, len(sk.Keys))
	for i, k := range sk.Keys {
		out[i] = DataKeyInfo{ID: k.ID, CreatedAt: k.CreatedAt, Current: k.ID == sk.Current, Legacy: k.ID == 0}
	}
	return out, nil
}

// RotateMasterKey re-wraps every data key of the database, opened with old, under next,
// in one transaction; no other row changes. When newDataKey is true it also adds a fresh
// data key, wrapped under next, that becomes current for new writes; older data keys keep
// opening what they made. Processes still running with old keep their keyring in memory
// until they restart with next. Concurrent rotations run one after another: each reads
// the data keys the one before wrote. It returns the new current data key id.
func RotateMasterKey(ctx context.Context, store baas.Store, old, next KeyEncrypter, newDataKey bool, now time.Time) (uint32, error) {
	var current uint32
	err := store.InTx(ctx, func(tx baas.Tx) error {
		// Read the data keys locked, in the transaction that rewrites them: two rotations
		// at once would otherwise both rewrite what they read, and the last would drop the
		// first's new data key (and its new master key). The second waits, then reads the
		// first's keys: sealed under the first's new master key, which it may not have
		// (ErrKeyMismatch). SQLite runs write transactions one at a time anyway.
		v, err := tx.GetSettingForUpdate(ctx, settingDataKeys)
		if baas.IsCode(err, baas.ENotFound) {
			return fmt.Errorf("this database has no data keys yet: start baas once before rotating its master key")
		}
		if err != nil {
			return err
		}
		kr, err := unwrapKeyring(ctx, v, old)
		if err != nil {
			return err
		}
		sk, _ := parseKeyring(v)
		for i, k := range sk.Keys {
			w, err := next.Wrap(ctx, kr.keys[k.ID], dataKeyAAD(k.ID))
			if err != nil {
				return fmt.Errorf("wrapping data key %d with %s: %w", k.ID, next.Describe(), err)
			}
			sk.Keys[i].Wrapped = base64.StdEncoding.EncodeToString(w)
		}
		if newDataKey {
			var id uint32
			for _, k := range sk.Keys {
				id = max(id, k.ID)
			}
			if err := kr.add(ctx, sk, next, id+1, NewMasterKey(), now); err != nil {
				return err
			}
		}
		current = sk.Current
		if err := audit(ctx, tx, now, keysRotatedRecord(sk.Current, len(sk.Keys), newDataKey, next.Describe())); err != nil {
			return err
		}
		return putKeyring(ctx, tx, sk)
	})
	return current, err
}

// CurrentID is the id of the data key new values are made with.
func (kr *Keyring) CurrentID() uint32 { return kr.current }

// derive returns the key for purpose under data key id, or nil when there is no such key.
func (kr *Keyring) derive(id uint32, purpose string) []byte {
	d := derivedID{id, purpose}
	if v, ok := kr.derived.Load(d); ok {
		return v.([]byte)
	}
	dk, ok := kr.keys[id]
	if !ok {
		return nil
	}
	k := deriveKey(dk, purpose)
	kr.derived.Store(d, k)
	return k
}

// Values made with a data key start with keyTag and the key id (4 bytes, big endian).
// Values without it are from before data keys: a hash of exactly 32 bytes, or a sealed
// value that does not open as tagged, was made with data key 0.
const (
	keyTag    = 0x01
	keyPrefix = 5
)

// tagged prefixes b with the key id; values of data key 0 keep the untagged form they had
// before data keys.
func tagged(id uint32, b []byte) []byte {
	if id == 0 {
		return b
	}
	out := make([]byte, keyPrefix, keyPrefix+len(b))
	out[0] = keyTag
	binary.BigEndian.PutUint32(out[1:], id)
	return append(out, b...)
}

func mac(key []byte, secret string) []byte { return vault.KeyedHash(key, secret) }

// hash is the keyed hash of secret under the current data key, tagged with its id.
func (kr *Keyring) hash(purpose, secret string) []byte {
	return kr.hashUnder(kr.current, purpose, secret)
}

// hashes returns secret's hash under every data key, the current one first: for values
// looked up by their hash.
func (kr *Keyring) hashes(purpose, secret string) [][]byte {
	out := [][]byte{kr.hash(purpose, secret)}
	for id := range kr.keys {
		if id != kr.current {
			out = append(out, kr.hashUnder(id, purpose, secret))
		}
	}
	return out
}

func (kr *Keyring) hashUnder(id uint32, purpose, secret string) []byte {
	return tagged(id, mac(kr.derive(id, purpose), secret))
}

// matches reports whether hash (tagged, or a legacy 32-byte hash) is secret's.
func (kr *Keyring) matches(purpose, secret string, hash []byte) bool {
	id, m := uint32(0), hash
	if len(hash) == keyPrefix+32 && hash[0] == keyTag {
		id, m = binary.BigEndian.Uint32(hash[1:keyPrefix]), hash[keyPrefix:]
	} else if len(hash) != 32 {
		return false
	}
	k := kr.derive(id, purpose)
	if k == nil {
		return false
	}
	return subtle.ConstantTimeCompare(mac(k, secret), m) == 1
}

// seal encrypts plaintext under the current data key; aad as for seal.
func (kr *Keyring) seal(purpose string, plaintext []byte, aad string) ([]byte, error) {
	b, err := seal(kr.derive(kr.current, purpose), plaintext, aad)
	if err != nil {
		return nil, err
	}
	return tagged(kr.current, b), nil
}

// unseal opens a value made by Keyring.seal, or by seal under data key 0 before data keys.
func (kr *Keyring) unseal(purpose string, sealed []byte, aad string) ([]byte, error) {
	if len(sealed) > keyPrefix && sealed[0] == keyTag {
		if k := kr.derive(binary.BigEndian.Uint32(sealed[1:keyPrefix]), purpose); k != nil {
			if p, err := unseal(k, sealed[keyPrefix:], aad); err == nil {
				return p, nil
			}
		}
	}
	k := kr.derive(0, purpose)
	if k == nil {
		return nil, errors.New("sealed value names an unknown data key")
	}
	return unseal(k, sealed, aad)
}
