package chainaddr

import (
	"errors"
	"strings"
)

// Bech32 as BIP-173 defines it (the original constant 1, which segwit version 0 uses).

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var bech32Gen = [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}

// ErrBech32 is returned for a string that is not valid bech32 or not a segwit address.
var ErrBech32 = errors.New("chainaddr: invalid bech32")

func bech32Polymod(values []byte) uint32 {
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= bech32Gen[i]
			}
		}
	}
	return chk
}

func hrpExpand(hrp string) []byte {
	out := make([]byte, 0, 2*len(hrp)+1)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]>>5)
	}
	out = append(out, 0)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]&31)
	}
	return out
}

// Bech32Encode returns hrp, "1", the 5-bit values of data and the six-character checksum,
// in lower case.
func Bech32Encode(hrp string, data []byte) (string, error) {
	hrp = strings.ToLower(hrp)
	if len(hrp) < 1 || len(hrp)+7+len(data) > 90 {
		return "", ErrBech32
	}
	for _, v := range data {
		if v > 31 {
			return "", ErrBech32
		}
	}
	values := append(hrpExpand(hrp), data...)
	pm := bech32Polymod(append(values, 0, 0, 0, 0, 0, 0)) ^ 1
	var b strings.Builder
	b.WriteString(hrp)
	b.WriteByte('1')
	for _, v := range data {
		b.WriteByte(bech32Charset[v])
	}
	for i := 0; i < 6; i++ {
		b.WriteByte(bech32Charset[(pm>>(5*(5-i)))&31])
	}
	return b.String(), nil
}

// Bech32Decode checks s (one case only, at most 90 characters, a valid checksum) and
// returns its human-readable part and 5-bit data without the checksum.
func Bech32Decode(s string) (string, []byte, error) {
	if len(s) > 90 || (strings.ToLower(s) != s && strings.ToUpper(s) != s) {
		return "", nil, ErrBech32
	}
	s = strings.ToLower(s)
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 || pos+7 > len(s) {
		return "", nil, ErrBech32
	}
	hrp := s[:pos]
	for i := 0; i < len(hrp); i++ {
		if hrp[i] < 33 || hrp[i] > 126 {
			return "", nil, ErrBech32
		}
	}
	data := make([]byte, 0, len(s)-pos-1)
	for i := pos + 1; i < len(s); i++ {
		v := strings.IndexByte(bech32Charset, s[i])
		if v < 0 {
			return "", nil, ErrBech32
		}
		data = append(data, byte(v))
	}
	if bech32Polymod(append(hrpExpand(hrp), data...)) != 1 {
		return "", nil, ErrBech32
	}
	return hrp, data[:len(data)-6], nil
}

// convertBits regroups bits from groups of `from` to groups of `to`; pad adds a last
// partial group (encoding), otherwise leftover bits must be zero padding (decoding).
func convertBits(data []byte, from, to uint, pad bool) ([]byte, error) {
	var acc, bits uint
	maxv := uint(1)<<to - 1
	var out []byte
	for _, v := range data {
		if uint(v)>>from != 0 {
			return nil, ErrBech32
		}
		acc = acc<<from | uint(v)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
	} else if bits >= from || acc<<(to-bits)&maxv != 0 {
		return nil, ErrBech32
	}
	return out, nil
}

// SegwitAddress returns the segwit address of a witness version (0 here: bech32) and
// program (20 bytes for P2WPKH, 32 for P2WSH).
func SegwitAddress(hrp string, version byte, program []byte) (string, error) {
	if version != 0 || (len(program) != 20 && len(program) != 32) {
		return "", ErrBech32
	}
	conv, err := convertBits(program, 8, 5, true)
	if err != nil {
		return "", err
	}
	return Bech32Encode(hrp, append([]byte{version}, conv...))
}

// DecodeSegwit returns the witness version and program of a version 0 segwit address
// with human-readable part hrp.
func DecodeSegwit(hrp, addr string) (byte, []byte, error) {
	got, data, err := Bech32Decode(addr)
	if err != nil {
		return 0, nil, err
	}
	if got != hrp || len(data) < 1 || data[0] != 0 {
		return 0, nil, ErrBech32
	}
	prog, err := convertBits(data[1:], 5, 8, false)
	if err != nil {
		return 0, nil, err
	}
	if len(prog) != 20 && len(prog) != 32 {
		return 0, nil, ErrBech32
	}
	return 0, prog, nil
}
