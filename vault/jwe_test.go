package vault

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baas-oss/baas/vault/vaulttest"
	jose "github.com/go-jose/go-jose/v4"
)

func newP256(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pemOf(t testing.TB, typ string, der []byte) string {
	t.Helper()
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func spki(t testing.TB, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf(t, "PUBLIC KEY", der)
}

func jwkOf(t testing.TB, key any) string {
	t.Helper()
	b, err := jose.JSONWebKey{Key: key, KeyID: "k1"}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParsePublicKey(t *testing.T) {
	priv := newP256(t)
	pemText := spki(t, &priv.PublicKey)
	for name, text := range map[string]string{
		"PEM":                pemText,
		"PEM with spaces":    "\n  " + pemText + "  \n",
		"PEM in JSON string": strings.ReplaceAll(pemText, "\n", `\n`),
		"JWK":                jwkOf(t, &priv.PublicKey),
	} {
		got, err := ParsePublicKey(text)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !got.Equal(&priv.PublicKey) {
			t.Errorf("%s: another key", name)
		}
	}

	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	x25519, _ := ecdh.X25519().GenerateKey(rand.Reader)
	privDER, _ := x509.MarshalPKCS8PrivateKey(priv)
	ecDER, _ := x509.MarshalECPrivateKey(priv)
	for name, c := range map[string]struct{ text, says string }{
		"empty":             {"  ", "empty"},
		"garbage":           {"hello", "neither a PEM block"},
		"P-384 PEM":         {spki(t, &p384.PublicKey), "curve P-384 is not accepted"},
		"P-384 JWK":         {jwkOf(t, &p384.PublicKey), "curve P-384 is not accepted"},
		"RSA PEM":           {spki(t, &rsaKey.PublicKey), "*rsa.PublicKey is not accepted; the key must be EC P-256"},
		"RSA JWK":           {jwkOf(t, &rsaKey.PublicKey), "must be EC P-256"},
		"Ed25519 PEM":       {spki(t, edPub), "must be EC P-256"},
		"X25519 PEM":        {spki(t, x25519.PublicKey()), "must be EC P-256"},
		"private JWK":       {jwkOf(t, priv), "private key; register the public key only"},
		"PKCS#8 private":    {pemOf(t, "PRIVATE KEY", privDER), "private key; register the public key only"},
		"SEC 1 private":     {pemOf(t, "EC PRIVATE KEY", ecDER), "private key"},
		"certificate":       {pemOf(t, "CERTIFICATE", []byte{1, 2, 3}), `PEM block "CERTIFICATE"`},
		"broken SPKI":       {pemOf(t, "PUBLIC KEY", []byte{1, 2, 3}), "not a valid public key"},
		"broken JWK":        {`{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}`, "not a valid JWK"},
		"symmetric JWK":     {`{"kty":"oct","k":"c2VjcmV0"}`, "a symmetric key is not accepted; the key must be EC P-256"},
		"private RSA JWK":   {jwkOf(t, rsaKey), "private key; register the public key only"},
		"JWK, unknown kty":  {`{"kty":"XYZ"}`, "not a valid JWK"},
		"JSON not a JWK":    {`{}`, "not a valid JWK"},
		"PEM without block": {"-----BEGIN PUBLIC KEY-----\nAAAA", "neither a PEM block"},
	} {
		_, err := ParsePublicKey(c.text)
		if !errors.Is(err, ErrPublicKey) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v; want ErrPublicKey saying %q", name, err, c.says)
		}
	}
}

const cardJSON = `{"pan":"4111111111111111","expMonth":12,"expYear":2029,"cvv":"042","name":"ADA LOVELACE"}`

func TestEncryptJWERoundTrip(t *testing.T) {
	priv := newP256(t)
	jwe, err := EncryptJWE(&priv.PublicKey, "company-key-1", []byte(cardJSON))
	if err != nil {
		t.Fatal(err)
	}
	if parts := strings.Split(jwe, "."); len(parts) != 5 || parts[1] != "" {
		t.Fatalf("not a compact ECDH-ES JWE (five parts, empty encrypted key): %q", jwe)
	}
	if strings.Contains(jwe, "4111") {
		t.Fatal("the JWE shows the PAN")
	}
	obj, err := jose.ParseEncrypted(jwe, []jose.KeyAlgorithm{jose.ECDH_ES}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatal(err)
	}
	h := obj.Header
	if h.KeyID != "company-key-1" || h.Algorithm != "ECDH-ES" || h.ExtraHeaders["enc"] != "A256GCM" || h.ExtraHeaders["cty"] != "application/json" {
		t.Fatalf("protected header: %+v", h)
	}
	got, err := obj.Decrypt(priv)
	if err != nil || string(got) != cardJSON {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
	if _, err := obj.Decrypt(newP256(t)); err == nil {
		t.Fatal("decrypted with another key")
	}
	if again, _ := EncryptJWE(&priv.PublicKey, "company-key-1", []byte(cardJSON)); again == jwe {
		t.Fatal("two encryptions are equal: no fresh ephemeral key")
	}
}

func TestEncryptJWERefuses(t *testing.T) {
	priv := newP256(t)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := EncryptJWE(&priv.PublicKey, "", []byte(cardJSON)); err == nil {
		t.Error("encrypted without a kid")
	}
	if _, err := EncryptJWE(&priv.PublicKey, "k", []byte("not json")); err == nil {
		t.Error("encrypted a plaintext that is not JSON")
	}
	if _, err := EncryptJWE(nil, "k", []byte(cardJSON)); !errors.Is(err, ErrPublicKey) {
		t.Errorf("nil key: %v", err)
	}
	if _, err := EncryptJWE(&p384.PublicKey, "k", []byte(cardJSON)); !errors.Is(err, ErrPublicKey) {
		t.Errorf("P-384 key: %v", err)
	}
}

// TestJWEDecryptsWithNodeJose has an independent implementation, the npm jose package run
// by node, decrypt what EncryptJWE writes. BAAS_TEST_NODE_JOSE names a node_modules folder
// holding jose and makes the test mandatory (CI installs it); without it the test looks in
// testdata/node/node_modules and is skipped when node or the package is missing.
func TestJWEDecryptsWithNodeJose(t *testing.T) {
	decrypt := vaulttest.NodeJose(t, filepath.Join("testdata", "node", "node_modules"))
	priv := newP256(t)
	// The company registers its key as PEM; it keeps the private half as a JWK.
	pub, err := ParsePublicKey(spki(t, &priv.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	jwe, err := EncryptJWE(pub, "company-key-7", []byte(cardJSON))
	if err != nil {
		t.Fatal(err)
	}
	header, plaintext := decrypt(jwkOf(t, priv), jwe)
	res := struct {
		Header    map[string]any
		Plaintext string
	}{header, plaintext}
	if res.Plaintext != cardJSON {
		t.Errorf("plaintext %q", res.Plaintext)
	}
	if res.Header["alg"] != "ECDH-ES" || res.Header["enc"] != "A256GCM" || res.Header["kid"] != "company-key-7" {
		t.Errorf("protected header %v", res.Header)
	}
	if epk, _ := res.Header["epk"].(map[string]any); epk["crv"] != "P-256" {
		t.Errorf("ephemeral key %v", res.Header["epk"])
	}
}
