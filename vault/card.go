package vault

import (
	"crypto/subtle"
	"errors"
	"strings"
)

// Purposes under which the card keys are derived from the master key. Changing one makes
// every stored card unreadable: they are part of the data format.
const (
	purposeCardSeal = "card-data-seal"
	purposePANHash  = "card-pan-hash"
	purposePINHash  = "card-pin-hash"
)

// ErrPIN is returned for a PIN that is not exactly 4 ASCII digits.
var ErrPIN = errors.New("PIN must be 4 digits")

// CardKeys are the keys that protect card data, derived from the master key: one seals
// PAN and CVV, one hashes PANs for look-up, one hashes PINs.
type CardKeys struct {
	seal, panHash, pinHash []byte
}

// NewCardKeys derives the card keys from the master key.
func NewCardKeys(master []byte) CardKeys {
	return CardKeys{
		seal:    DeriveKey(master, purposeCardSeal),
		panHash: DeriveKey(master, purposePANHash),
		pinHash: DeriveKey(master, purposePINHash),
	}
}

// CardSecret is what is sealed for a card: its number and CVV.
type CardSecret struct {
	PAN, CVV string
}

// SealCard encrypts a card's PAN and CVV (AES-256-GCM, see Seal) with the card id as
// associated data: the sealed value opens only for that card. PAN and CVV must be digits.
func (k CardKeys) SealCard(cardID string, s CardSecret) ([]byte, error) {
	if !isDigits(s.PAN) || !isDigits(s.CVV) {
		return nil, errors.New("vault: PAN and CVV must be digits")
	}
	return Seal(k.seal, []byte(s.PAN+"/"+s.CVV), cardAAD(cardID))
}

// OpenCard reverses SealCard; it returns ErrSealed when the value was sealed for another
// card or under another master key, or was altered.
func (k CardKeys) OpenCard(cardID string, sealed []byte) (CardSecret, error) {
	b, err := Unseal(k.seal, sealed, cardAAD(cardID))
	if err != nil {
		return CardSecret{}, err
	}
	pan, cvv, ok := strings.Cut(string(b), "/")
	if !ok {
		return CardSecret{}, ErrSealed
	}
	return CardSecret{PAN: pan, CVV: cvv}, nil
}

func cardAAD(cardID string) string { return "card:" + cardID }

// PANHash is the keyed hash under which a card is found by its number without
// decrypting (a unique index on it also keeps numbers unique). It is deterministic for
// one master key; without the key it cannot be brute-forced, though a BIN range holds only
// some 10^9 valid numbers.
func (k CardKeys) PANHash(pan string) []byte {
	return KeyedHash(k.panHash, pan)
}

// HashPIN returns the stored form of a card's PIN, or ErrPIN when pin is not exactly 4
// ASCII digits. The card id salts it: one PIN on two cards hashes differently.
func (k CardKeys) HashPIN(cardID, pin string) ([]byte, error) {
	if !ValidPIN(pin) {
		return nil, ErrPIN
	}
	return KeyedHash(k.pinHash, pinInput(cardID, pin)), nil
}

// PINMatches reports, in constant time, whether pin is the PIN whose HashPIN for this card
// is hash. A malformed pin never matches.
func (k CardKeys) PINMatches(cardID, pin string, hash []byte) bool {
	want, err := k.HashPIN(cardID, pin)
	return err == nil && subtle.ConstantTimeCompare(want, hash) == 1
}

// ValidPIN reports whether pin is exactly 4 ASCII digits.
func ValidPIN(pin string) bool { return len(pin) == 4 && isDigits(pin) }

// pinInput separates the card id from the PIN by a byte no id contains.
func pinInput(cardID, pin string) string { return cardID + "\x00" + pin }
