// Package vault owns how card data and other secrets are protected and made: keys derived
// from the master key, sealing, keyed hashes, card numbers, CVVs and PINs, and the JWE
// that hands card data to a company. It is pure: no I/O, no clock (times are passed in),
// randomness from crypto/rand or from a reader the caller passes.
//
// Keys. Every key is DeriveKey(master, purpose) — HMAC-SHA256 of a purpose string under
// the 32-byte master key — so each use has its own key and the purposes are part of the
// stored format.
//
// Sealing. Seal is AES-256-GCM with a random 12-byte nonce stored before the ciphertext
// and associated data that is authenticated, not stored: the id of the row a secret
// belongs to, so a sealed value copied to another row does not open.
//
// Card data at rest (CardKeys). PAN and CVV are sealed together with the card id as
// associated data; a keyed hash of the PAN (PANHash) finds a card by number and keeps
// numbers unique without decrypting anything.
//
// PINs. A PIN is exactly 4 ASCII digits and is stored as HMAC-SHA256 under a derived key
// with the card id as salt, compared in constant time. A slow password hash (argon2id,
// about 160 ms at 64 MiB) would add nothing here: there are only 10^4 PINs, so whoever
// holds the key and a hash finds the PIN in 10^4 tries whatever each try costs (half an
// hour with argon2), while each PIN check would cost 160 ms of CPU per request. What
// protects a PIN is the key, which is not in the database (a database copy alone reveals
// nothing), and the issuer's limit on wrong attempts; the salt makes one PIN on two cards
// hash differently.
//
// Card numbers. GeneratePAN draws a number in a BINRange with a valid Luhn check digit;
// GenerateCVV three uniform digits; Expiry and Expired the card's validity; Mask (the
// Codego "xxxx xxxx xxxx 1234") and MaskMiddle ("411111******1234") what may be shown.
package vault
