// Package chainaddr makes and checks the address formats of the chains the crypto wallets
// use: Bitcoin native segwit (bech32, BIP-173, P2WPKH), Ethereum (hex with the EIP-55
// mixed-case checksum) and TRON (base58check of 0x41 and the Ethereum-style hash, so
// every address starts with T). It is pure: no I/O, no clock, no randomness.
//
// An address is made from a 32-byte key (FromKey). The wallets of this project never
// sign, so that key is not a secp256k1 public key but a keyed hash the core derives; the
// address is well formed and passes every checksum, but no private key exists for it:
// sandbox addresses, not spendable.
package chainaddr

import (
	"crypto/sha256"
	"errors"
	"strings"

	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // deprecated, but exactly what Bitcoin's HASH160 is
	"golang.org/x/crypto/sha3"
)

// Chains an address can be made for.
const (
	Bitcoin  = "bitcoin"
	Ethereum = "ethereum"
	Tron     = "tron"
)

// BitcoinHRP is the human-readable part of Bitcoin mainnet segwit addresses.
const BitcoinHRP = "bc"

// ErrChain is returned for a chain this package does not know.
var ErrChain = errors.New("chainaddr: unknown chain")

// FromKey returns the address of chain for a 32-byte key: Bitcoin P2WPKH of HASH160(key),
// Ethereum's last 20 bytes of Keccak-256(key) with the EIP-55 checksum, TRON's 0x41 and
// the same 20 bytes in base58check.
func FromKey(chain string, key []byte) (string, error) {
	switch chain {
	case Bitcoin:
		return SegwitAddress(BitcoinHRP, 0, Hash160(key))
	case Ethereum:
		return ChecksumHex(keccak(key)[12:]), nil
	case Tron:
		return Base58CheckEncode(append([]byte{0x41}, keccak(key)[12:]...)), nil
	}
	return "", ErrChain
}

// Valid reports whether addr is a well-formed address of chain, checksum included: for
// Bitcoin a mainnet segwit v0 address of 20 or 32 bytes, for Ethereum an EIP-55
// address (all-lower and all-upper hex carry no checksum and are refused), for TRON a
// base58check address of 21 bytes starting with 0x41.
func Valid(chain, addr string) bool {
	switch chain {
	case Bitcoin:
		v, _, err := DecodeSegwit(BitcoinHRP, addr)
		return err == nil && v == 0
	case Ethereum:
		return ValidChecksumHex(addr)
	case Tron:
		b, err := Base58CheckDecode(addr)
		return err == nil && len(b) == 21 && b[0] == 0x41
	}
	return false
}

// Hash160 is RIPEMD-160(SHA-256(b)), Bitcoin's key hash.
func Hash160(b []byte) []byte {
	s := sha256.Sum256(b)
	r := ripemd160.New()
	r.Write(s[:])
	return r.Sum(nil)
}

func keccak(b []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(b)
	return h.Sum(nil)
}

// --- EIP-55 ---

// ChecksumHex returns the 20-byte address in EIP-55 form: "0x" and lower-case hex, where
// each letter is upper case when the matching nibble of Keccak-256 of the lower-case hex
// is 8 or more.
func ChecksumHex(addr []byte) string {
	const hexdigits = "0123456789abcdef"
	lower := make([]byte, 2*len(addr))
	for i, b := range addr {
		lower[2*i], lower[2*i+1] = hexdigits[b>>4], hexdigits[b&15]
	}
	h := keccak(lower)
	out := make([]byte, len(lower))
	for i, c := range lower {
		nibble := h[i/2] >> 4
		if i%2 == 1 {
			nibble = h[i/2] & 15
		}
		if c >= 'a' && nibble >= 8 {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return "0x" + string(out)
}

// ValidChecksumHex reports whether s is a 20-byte address in exactly its EIP-55 form.
func ValidChecksumHex(s string) bool {
	body, ok := strings.CutPrefix(s, "0x")
	if !ok || len(body) != 40 {
		return false
	}
	b := make([]byte, 20)
	for i := 0; i < 40; i++ {
		v := strings.IndexByte("0123456789abcdef", toLower(body[i]))
		if v < 0 {
			return false
		}
		b[i/2] |= byte(v) << (4 * (1 - i%2))
	}
	return ChecksumHex(b) == s
}

func toLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
