package vault

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// ErrPublicKey is wrapped by every error ParsePublicKey returns: the text is not a P-256
// public key this package accepts.
var ErrPublicKey = errors.New("card data key")

func keyError(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrPublicKey}, a...)...)
}

// ParsePublicKey reads the public key a company registers to receive card data: an EC
// P-256 key as PEM ("-----BEGIN PUBLIC KEY-----", SubjectPublicKeyInfo; a PEM whose line
// breaks were written as the two characters \n, as in a JSON string, is accepted) or as a
// JWK ({"kty":"EC","crv":"P-256","x":…,"y":…}). Other curves, other key types, private keys
// and anything else are refused with an error that wraps ErrPublicKey and says why.
func ParsePublicKey(text string) (*ecdsa.PublicKey, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, keyError("the public key is empty")
	}
	var key any
	if strings.HasPrefix(text, "{") {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON([]byte(text)); err != nil {
			return nil, keyError("not a valid JWK: %v", err)
		}
		key = jwk.Key
	} else {
		text = strings.ReplaceAll(text, `\n`, "\n")
		block, _ := pem.Decode([]byte(text))
		if block == nil {
			return nil, keyError(`neither a PEM block ("-----BEGIN PUBLIC KEY-----") nor a JWK`)
		}
		switch block.Type {
		case "PUBLIC KEY":
		case "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return nil, keyError("the PEM block is a private key; register the public key only")
		default:
			return nil, keyError(`PEM block %q: want "PUBLIC KEY"`, block.Type)
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, keyError("not a valid public key: %v", err)
		}
		key = k
	}
	var ec *ecdsa.PublicKey
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		ec = k
	case *ecdsa.PrivateKey, *rsa.PrivateKey, ed25519.PrivateKey:
		return nil, keyError("the JWK is a private key; register the public key only")
	case []byte:
		return nil, keyError("a symmetric key is not accepted; the key must be EC P-256")
	default:
		return nil, keyError("a %T is not accepted; the key must be EC P-256", key)
	}
	if ec.Curve != elliptic.P256() {
		return nil, keyError("curve %s is not accepted; the key must be EC P-256", ec.Curve.Params().Name)
	}
	return ec, nil
}

// EncryptJWE encrypts plaintext, which must be JSON, to pub as a compact JWE: key
// agreement ECDH-ES (direct, no key wrapping), content encryption A256GCM, and kid and
// cty "application/json" in the protected header.
func EncryptJWE(pub *ecdsa.PublicKey, kid string, plaintext []byte) (string, error) {
	if pub == nil || pub.Curve != elliptic.P256() {
		return "", keyError("the key must be EC P-256")
	}
	if kid == "" {
		return "", errors.New("vault: a JWE needs a key id")
	}
	if !json.Valid(plaintext) {
		return "", errors.New("vault: JWE plaintext must be JSON")
	}
	enc, err := jose.NewEncrypter(jose.A256GCM,
		jose.Recipient{Algorithm: jose.ECDH_ES, Key: pub, KeyID: kid},
		(&jose.EncrypterOptions{}).WithContentType("application/json"))
	if err != nil {
		return "", fmt.Errorf("vault: JWE: %w", err)
	}
	obj, err := enc.Encrypt(plaintext)
	if err != nil {
		return "", fmt.Errorf("vault: JWE: %w", err)
	}
	return obj.CompactSerialize()
}
