package vault

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

const cardA, cardB = "7b0e1c52-2b8f-4c51-9f5e-0c6a8f6b1a01", "7b0e1c52-2b8f-4c51-9f5e-0c6a8f6b1a02"

func TestSealCard(t *testing.T) {
	k := NewCardKeys(fixedMaster())
	in := CardSecret{PAN: "4111111111111111", CVV: "042"}
	sealed, err := k.SealCard(cardA, in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(in.PAN)) || bytes.Contains(sealed, []byte("1111")) {
		t.Fatal("the sealed value shows the PAN")
	}
	got, err := k.OpenCard(cardA, sealed)
	if err != nil || got != in {
		t.Fatalf("OpenCard = %+v, %v", got, err)
	}
	if _, err := k.OpenCard(cardB, sealed); !errors.Is(err, ErrSealed) {
		t.Errorf("opened for another card: %v", err)
	}
	other := NewCardKeys(DeriveKey(fixedMaster(), "another master"))
	if _, err := other.OpenCard(cardA, sealed); !errors.Is(err, ErrSealed) {
		t.Errorf("opened under another master key: %v", err)
	}
	// A value sealed under the card key for the right card but without the separator.
	junk, _ := Seal(k.seal, []byte("4111111111111111"), cardAAD(cardA))
	if _, err := k.OpenCard(cardA, junk); !errors.Is(err, ErrSealed) {
		t.Errorf("opened a value without a CVV: %v", err)
	}
	for _, bad := range []CardSecret{{PAN: "4111 1111", CVV: "042"}, {PAN: "4111111111111111", CVV: "04/2"}, {}} {
		if _, err := k.SealCard(cardA, bad); err == nil {
			t.Errorf("sealed %+v", bad)
		}
	}
}

func TestCardKeysAreSeparate(t *testing.T) {
	k := NewCardKeys(fixedMaster())
	if bytes.Equal(k.seal, k.panHash) || bytes.Equal(k.panHash, k.pinHash) || bytes.Equal(k.seal, k.pinHash) {
		t.Fatal("two card keys are equal")
	}
	// The derivation is part of the stored format: fixed values for a fixed master key.
	if got := hex.EncodeToString(k.PANHash("4111111111111111")); got != hex.EncodeToString(KeyedHash(DeriveKey(fixedMaster(), "card-pan-hash"), "4111111111111111")) {
		t.Fatalf("PANHash = %s", got)
	}
}

func TestPANHash(t *testing.T) {
	k := NewCardKeys(fixedMaster())
	a, b := k.PANHash("4111111111111111"), k.PANHash("4111111111111129")
	if len(a) != 32 || bytes.Equal(a, b) || !bytes.Equal(a, k.PANHash("4111111111111111")) {
		t.Fatalf("PANHash: %x %x", a, b)
	}
	if bytes.Equal(a, NewCardKeys(DeriveKey(fixedMaster(), "x")).PANHash("4111111111111111")) {
		t.Fatal("PANHash does not depend on the master key")
	}
}

func TestPIN(t *testing.T) {
	k := NewCardKeys(fixedMaster())
	h, err := k.HashPIN(cardA, "0420")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(h, []byte("0420")) {
		t.Fatal("hash shows the PIN")
	}
	if !k.PINMatches(cardA, "0420", h) {
		t.Fatal("the right PIN does not match")
	}
	for _, c := range []struct{ card, pin string }{
		{cardA, "0421"}, {cardA, "042"}, {cardA, "04200"}, {cardA, ""}, {cardB, "0420"},
	} {
		if k.PINMatches(c.card, c.pin, h) {
			t.Errorf("PIN %q on card %s matches", c.pin, c.card)
		}
	}
	if other, _ := k.HashPIN(cardB, "0420"); bytes.Equal(other, h) {
		t.Error("one PIN on two cards hashes the same: the card id does not salt it")
	}
	if k.PINMatches(cardA, "0420", nil) || k.PINMatches(cardA, "0420", h[:16]) {
		t.Error("matched a missing or truncated hash")
	}
	for _, bad := range []string{"", "123", "12345", "12a4", " 123", "１２３４", "-123", "12.4"} {
		if _, err := k.HashPIN(cardA, bad); !errors.Is(err, ErrPIN) {
			t.Errorf("HashPIN(%q) = %v, want ErrPIN", bad, err)
		}
		if ValidPIN(bad) {
			t.Errorf("ValidPIN(%q)", bad)
		}
	}
	// Every one of the 10^4 PINs has its own hash on one card.
	seen := make(map[string]bool, 10000)
	for i := range 10000 {
		pin := string([]byte{byte('0' + i/1000), byte('0' + i/100%10), byte('0' + i/10%10), byte('0' + i%10)})
		h, err := k.HashPIN(cardA, pin)
		if err != nil {
			t.Fatal(pin, err)
		}
		seen[string(h)] = true
	}
	if len(seen) != 10000 {
		t.Fatalf("%d distinct hashes of 10000 PINs", len(seen))
	}
}

func BenchmarkHashPIN(b *testing.B) {
	k := NewCardKeys(fixedMaster())
	h, _ := k.HashPIN(cardA, "1234")
	for b.Loop() {
		k.PINMatches(cardA, "1234", h)
	}
}
