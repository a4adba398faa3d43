package chainaddr

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/big"
	"strings"
)

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// ErrBase58 is returned for a string that is not base58check.
var ErrBase58 = errors.New("chainaddr: invalid base58check")

func checksum4(b []byte) []byte {
	h1 := sha256.Sum256(b)
	h2 := sha256.Sum256(h1[:])
	return h2[:4]
}

// Base58CheckEncode returns payload and the first four bytes of its double SHA-256 in
// base58 (Bitcoin's alphabet), a leading zero byte being a leading '1'.
func Base58CheckEncode(payload []byte) string {
	b := append(append([]byte{}, payload...), checksum4(payload)...)
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod, base := new(big.Int), big.NewInt(58)
	for n.Sign() > 0 {
		n.QuoRem(n, base, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// Base58CheckDecode returns the payload of a base58check string whose checksum is right.
func Base58CheckDecode(s string) ([]byte, error) {
	n, base := new(big.Int), big.NewInt(58)
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(base58Alphabet, s[i])
		if v < 0 {
			return nil, ErrBase58
		}
		n.Mul(n, base).Add(n, big.NewInt(int64(v)))
	}
	b := append(make([]byte, zeros), n.Bytes()...)
	if len(b) < 5 {
		return nil, ErrBase58
	}
	payload, sum := b[:len(b)-4], b[len(b)-4:]
	if !bytes.Equal(checksum4(payload), sum) {
		return nil, ErrBase58
	}
	return payload, nil
}
