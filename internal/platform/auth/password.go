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
)

// PasswordParams are the argon2id cost settings; tests use cheaper ones.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultPasswordParams is the production argon2id cost, after RFC 9106's second
// recommendation (64 MiB, 3 passes).
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{Memory: 64 * 1024, Time: 3, Threads: 2}
}

// FastPasswordParams is a cheap cost for tests and demo seeding only.
func FastPasswordParams() PasswordParams { return PasswordParams{Memory: 1024, Time: 1, Threads: 1} }

// Hasher hashes and verifies passwords with argon2id in the PHC string format.
type Hasher struct {
	params PasswordParams
}

// NewHasher builds a hasher with the given cost.
func NewHasher(p PasswordParams) *Hasher { return &Hasher{params: p} }

// Hash returns $argon2id$v=19$m=..,t=..,p=..$salt$hash.
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.params.Time, h.params.Memory, h.params.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.params.Memory, h.params.Time,
		h.params.Threads, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify checks password against a PHC hash using the cost recorded in the hash.
func (h *Hasher) Verify(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unsupported argon2 version")
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, err
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	// A corrupted row must fail the login, not panic inside argon2 or exhaust memory.
	if p.Time < 1 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.Memory > 1<<20 || len(want) < 16 || len(salt) < 8 {
		return false, errors.New("argon2id hash has invalid parameters")
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// CheckPolicy enforces ≥ 8 characters with at least 3 of: lower, upper, digit, symbol.
// It returns a Chinese message for the user, or "" when the password is acceptable.
func CheckPolicy(password string) string {
	n := utf8.RuneCountInString(password)
	if n < 8 {
		return "密码至少 8 位"
	}
	if n > 128 {
		return "密码不能超过 128 位"
	}
	var lower, upper, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	classes := 0
	for _, ok := range []bool{lower, upper, digit, symbol} {
		if ok {
			classes++
		}
	}
	if classes < 3 {
		return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
	}
	return ""
}

// GeneratePassword makes a random password that satisfies the policy.
func GeneratePassword() string {
	const (
		lower  = "abcdefghijkmnpqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
	)
	sets := []string{lower, upper, digits, lower, upper, digits, lower, upper, digits, lower, upper, digits}
	out := make([]byte, len(sets))
	buf := make([]byte, len(sets))
	_, _ = rand.Read(buf)
	for i, set := range sets {
		out[i] = set[int(buf[i])%len(set)]
	}
	return string(out)
}
