package certificate

import (
	"crypto/rand"
	"strings"
)

// Codes are 16 characters of Crockford's base32 (80 random bits from crypto/rand): no I, L, O
// or U, so a code read aloud or typed from paper is unambiguous, and guessing one among even
// millions issued is hopeless (the lookup is rate-limited besides).
const (
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	CodeLength   = 16
	// noSuchCode is looked up in place of a malformed code, so a malformed and an unknown code
	// cost the same query and answer the same 404. It can never be issued: U is not in the
	// alphabet.
	noSuchCode = "UUUUUUUUUUUUUUUU"
	// maxCodeInput bounds what normalizeCode reads (a code with separators is ~19 characters).
	maxCodeInput = 64
)

// newCode draws a fresh code.
func newCode() (string, error) {
	var raw [CodeLength * 5 / 8]byte // 10 bytes = 80 bits = 16 × 5 bits
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	var b strings.Builder
	var acc uint32
	bits := 0
	for _, x := range raw {
		acc = acc<<8 | uint32(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			b.WriteByte(codeAlphabet[(acc>>bits)&31])
		}
	}
	return b.String(), nil
}

// normalizeCode reads a code as people type it: case-insensitive, with spaces or hyphens
// between groups, O for 0 and I or L for 1 (Crockford's rules). ok is false for anything that
// is not 16 characters of the alphabet then.
func normalizeCode(raw string) (code string, ok bool) {
	if len(raw) > maxCodeInput {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(raw) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != CodeLength {
		return "", false
	}
	return b.String(), true
}
