package vault

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func fixedMaster() []byte {
	m := make([]byte, 32)
	for i := range m {
		m[i] = byte(i)
	}
	return m
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The values below were produced by the sealing code as it stood in package core before
// it moved here: data sealed then, and secret hashes stored then, must still open and match.
func TestCompatibleWithEarlierSealedData(t *testing.T) {
	key := DeriveKey(fixedMaster(), "webhook-secret-seal")
	if got, want := hex.EncodeToString(key), "242d9cf6ffb2a1d3972e5de5d1956fe0937a1eea576a343b78c00066eb52ba93"; got != want {
		t.Fatalf("DeriveKey = %s, want %s", got, want)
	}
	sealed := mustHex(t, "7c36f62283e3a7deaadc937d9fa97bd7449ec089217b4c39754222420b848fd6b43c93e2c06f29c21fbb63f009f990f314")
	got, err := Unseal(key, sealed, "webhook-secret:ep-1")
	if err != nil || string(got) != "whsec_fixed-plaintext" {
		t.Fatalf("Unseal = %q, %v", got, err)
	}
	// The API-secret hash: HMAC-SHA256 under the derived "api-secret-hash" key.
	hashKey := DeriveKey(fixedMaster(), "api-secret-hash")
	if got, want := hex.EncodeToString(KeyedHash(hashKey, "sk_test_secret")), "0cba68a328991071b8c291a01034d21b9155de688f413f11b028599cd40f9a48"; got != want {
		t.Fatalf("secret hash = %s, want %s", got, want)
	}
}

func TestSeal(t *testing.T) {
	key := DeriveKey(fixedMaster(), "test")
	sealed, err := Seal(key, []byte("whsec_secret"), "row-1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("whsec_secret")) {
		t.Fatal("sealed value contains the plaintext")
	}
	if len(sealed) != 12+len("whsec_secret")+16 {
		t.Errorf("sealed length %d: want nonce + plaintext + tag", len(sealed))
	}
	again, _ := Seal(key, []byte("whsec_secret"), "row-1")
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if got, err := Unseal(key, sealed, "row-1"); err != nil || string(got) != "whsec_secret" {
		t.Fatalf("Unseal = %q, %v", got, err)
	}
	for name, f := range map[string]func() ([]byte, error){
		"other aad":   func() ([]byte, error) { return Unseal(key, sealed, "row-2") },
		"other key":   func() ([]byte, error) { return Unseal(DeriveKey(fixedMaster(), "other"), sealed, "row-1") },
		"truncated":   func() ([]byte, error) { return Unseal(key, []byte{1, 2}, "row-1") },
		"no tag":      func() ([]byte, error) { return Unseal(key, sealed[:27], "row-1") },
		"empty":       func() ([]byte, error) { return Unseal(key, nil, "row-1") },
		"tampered":    func() ([]byte, error) { s := bytes.Clone(sealed); s[len(s)-1] ^= 1; return Unseal(key, s, "row-1") },
		"nonce flips": func() ([]byte, error) { s := bytes.Clone(sealed); s[0] ^= 1; return Unseal(key, s, "row-1") },
	} {
		if got, err := f(); !errors.Is(err, ErrSealed) || got != nil {
			t.Errorf("%s: got %q, %v; want ErrSealed", name, got, err)
		}
	}
}

func TestKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33} {
		if _, err := Seal(make([]byte, n), []byte("x"), ""); !errors.Is(err, ErrKeySize) {
			t.Errorf("Seal with a %d-byte key: %v", n, err)
		}
		if _, err := Unseal(make([]byte, n), make([]byte, 40), ""); !errors.Is(err, ErrKeySize) {
			t.Errorf("Unseal with a %d-byte key: %v", n, err)
		}
	}
}

func TestDeriveKeySeparatesPurposes(t *testing.T) {
	m := fixedMaster()
	a, b := DeriveKey(m, "a"), DeriveKey(m, "b")
	if len(a) != KeySize || bytes.Equal(a, b) {
		t.Fatalf("keys %x %x", a, b)
	}
	if !bytes.Equal(a, DeriveKey(m, "a")) {
		t.Fatal("DeriveKey is not deterministic")
	}
}

func FuzzSealRoundTrip(f *testing.F) {
	f.Add([]byte("secret"), "row-1", "row-2")
	f.Add([]byte{}, "", "x")
	f.Add(bytes.Repeat([]byte{0}, 1000), "card:1", "card:2")
	key := DeriveKey(fixedMaster(), "fuzz")
	f.Fuzz(func(t *testing.T, plaintext []byte, aad, otherAAD string) {
		sealed, err := Seal(key, plaintext, aad)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Unseal(key, sealed, aad)
		if err != nil || !bytes.Equal(got, plaintext) {
			t.Fatalf("round trip: %q, %v", got, err)
		}
		if otherAAD != aad {
			if _, err := Unseal(key, sealed, otherAAD); !errors.Is(err, ErrSealed) {
				t.Fatalf("opened under other associated data %q: %v", otherAAD, err)
			}
		}
	})
}
