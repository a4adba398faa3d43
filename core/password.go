package core

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"
)

// Customer passwords are hashed with argon2id (RFC 9106's second recommended setting:
// t=3, m=64 MiB, one lane per core up to 4) and kept in the PHC string format, so the
// parameters can change without breaking stored hashes. One hash costs ~160 ms and 64 MiB:
// it runs only when a password is set or checked, never per API request, outside any
// transaction, and at most passwordSlots at a time so a burst of signups cannot take all
// the memory.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonKeyLen  = 32
	argonSaltLen = 16
)

var (
	argonThreads  = uint8(min(4, max(1, runtime.GOMAXPROCS(0))))
	passwordSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
)

// HashPassword returns the argon2id hash of password in the PHC string format.
func HashPassword(ctx context.Context, password string) (string, error) {
	select {
	case passwordSlots <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-passwordSlots }()
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// PasswordMatches reports whether password matches a hash made by HashPassword.
func PasswordMatches(ctx context.Context, password, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("not an argon2id hash")
	}
	var version int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<22 || t > 100 || p == 0 {
		return false, fmt.Errorf("bad argon2 parameters")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("bad argon2 hash")
	}
	select {
	case passwordSlots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-passwordSlots }()
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// checkPasswordStrength returns why password is too weak, or "" when it is strong enough:
// 8 to 128 characters with a lower-case letter, an upper-case letter, a digit and a
// character that is neither (the Codego example "Aa100508!!!" passes).
func checkPasswordStrength(password string) string {
	n := len([]rune(password))
	if n < 8 {
		return "password must be at least 8 characters long"
	}
	if n > 128 {
		return "password must be at most 128 characters long"
	}
	var lower, upper, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsControl(r):
			return "password must not contain control characters"
		default:
			other = true
		}
	}
	if !lower || !upper || !digit || !other {
		return "password must contain a lower-case letter, an upper-case letter, a digit and a special character"
	}
	return ""
}
