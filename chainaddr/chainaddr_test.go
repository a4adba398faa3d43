package chainaddr

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// BIP-173's valid segwit addresses of version 0, and the program each holds.
func TestSegwitBIP173Vectors(t *testing.T) {
	for _, v := range []struct{ hrp, addr, program string }{
		{"bc", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "751e76e8199196d454941c45d1b3a323f1433bd6"},
		{"tb", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
			"1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
		{"tb", "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
			"000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
	} {
		ver, prog, err := DecodeSegwit(v.hrp, v.addr)
		if err != nil || ver != 0 || hex.EncodeToString(prog) != v.program {
			t.Fatalf("%s: %d %x %v", v.addr, ver, prog, err)
		}
		again, err := SegwitAddress(v.hrp, 0, prog)
		if err != nil || again != strings.ToLower(v.addr) {
			t.Fatalf("%s: encoded again as %s %v", v.addr, again, err)
		}
	}
	// BIP-173's invalid ones: bad checksum, mixed case, wrong padding, bad program length.
	for _, bad := range []string{
		"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
		"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
		"bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
		"bc1rw5uspcuh",
		"bc1gmk9yu",
		"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
	} {
		if _, _, err := DecodeSegwit("bc", bad); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
	// BIP-173's bech32 strings with other human-readable parts.
	for _, s := range []string{"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"} {
		if _, _, err := Bech32Decode(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

// The P2WPKH address of the compressed public key of the secret key 1 (BIP-173's
// example): HASH160 and bech32 together.
func TestHash160Address(t *testing.T) {
	pub, _ := hex.DecodeString("0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")
	a, err := SegwitAddress("bc", 0, Hash160(pub))
	if err != nil || a != "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" {
		t.Fatalf("%s %v", a, err)
	}
}

// EIP-55's own examples.
func TestEIP55Vectors(t *testing.T) {
	for _, a := range []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
		"0x52908400098527886E0F7030069857D2E4169EE7",
		"0xde709f2102306220921060314715629080e2fb77",
	} {
		b, _ := hex.DecodeString(strings.ToLower(a[2:]))
		if got := ChecksumHex(b); got != a {
			t.Errorf("%x: %s, want %s", b, got, a)
		}
		if !Valid(Ethereum, a) {
			t.Errorf("%s not valid", a)
		}
	}
	for _, bad := range []string{"0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeZ"} {
		if Valid(Ethereum, bad) {
			t.Errorf("%s valid", bad)
		}
	}
}

// The USDT contract on TRON, whose hex form is published beside it.
func TestTronVector(t *testing.T) {
	const addr, hexForm = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"
	b, err := Base58CheckDecode(addr)
	if err != nil || hex.EncodeToString(b) != hexForm {
		t.Fatalf("%x %v", b, err)
	}
	if Base58CheckEncode(b) != addr || !Valid(Tron, addr) {
		t.Fatal("no round trip")
	}
	if Valid(Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u") || Valid(Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj0t") {
		t.Fatal("a wrong checksum or character passes")
	}
	// Leading zero bytes are leading '1's, both ways.
	for _, p := range [][]byte{{0, 0, 1, 2, 3}, {0}, {0x41, 0xff}} {
		got, err := Base58CheckDecode(Base58CheckEncode(p))
		if err != nil || !bytes.Equal(got, p) {
			t.Fatalf("%x: %x %v", p, got, err)
		}
	}
}

func TestFromKey(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	for _, chain := range []string{Bitcoin, Ethereum, Tron} {
		a, err := FromKey(chain, key)
		if err != nil || !Valid(chain, a) {
			t.Fatalf("%s: %s %v", chain, a, err)
		}
		b, _ := FromKey(chain, key)
		if a != b {
			t.Fatalf("%s: not deterministic", chain)
		}
		other, _ := FromKey(chain, bytes.Repeat([]byte{8}, 32))
		if other == a {
			t.Fatalf("%s: two keys, one address", chain)
		}
		for _, c := range []string{Bitcoin, Ethereum, Tron} {
			if c != chain && Valid(c, a) {
				t.Fatalf("%s address %s valid on %s", chain, a, c)
			}
		}
	}
	if a, _ := FromKey(Tron, key); a[0] != 'T' {
		t.Fatalf("TRON address %s", a)
	}
	if a, _ := FromKey(Bitcoin, key); !strings.HasPrefix(a, "bc1q") {
		t.Fatalf("Bitcoin address %s", a)
	}
	if _, err := FromKey("dogecoin", key); err != ErrChain {
		t.Fatal(err)
	}
}

func FuzzDecoders(f *testing.F) {
	f.Add("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	f.Add("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
	f.Fuzz(func(t *testing.T, s string) {
		_, _, _ = Bech32Decode(s)
		_, _ = Base58CheckDecode(s)
		_ = ValidChecksumHex(s)
	})
}
