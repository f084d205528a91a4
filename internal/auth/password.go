package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// Params are the argon2id cost parameters of a password hash. They are
// recorded in the encoded hash, so raising them later does not invalidate
// existing passwords.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // iterations
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams cost about 64 MiB and one pass over it with two threads,
// the first recommendation of RFC 9106 scaled to a two-core server.
var DefaultParams = Params{Memory: 64 * 1024, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}

// TestParams are cheap parameters for tests only.
var TestParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// HashPassword returns the PHC string of password under p:
// $argon2id$v=19$m=65536,t=1,p=2$<salt>$<key> (unpadded base64).
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// errBadHash is returned for a stored hash that cannot be decoded.
var errBadHash = errors.New("auth: malformed password hash")

// VerifyPassword reports whether password matches the PHC string encoded.
// The comparison takes constant time. An error means encoded is malformed.
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// CheckPassword enforces the password policy: at least MinPasswordLen
// characters, with at least one letter and one digit. The error is an
// Invalid apperr naming the field "password".
func CheckPassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return apperr.Invalidf("password", "密码至少需要%d个字符", "the password needs at least %d characters", MinPasswordLen)
	}
	if len(password) > 256 {
		return apperr.Invalidf("password", "密码过长（最多256字节）", "the password is too long (at most 256 bytes)")
	}
	var letter, digit bool
	for _, r := range password {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r):
			letter = true
		}
	}
	if !letter || !digit {
		return apperr.Invalidf("password", "密码须同时包含字母和数字", "the password must contain both letters and digits")
	}
	return nil
}
