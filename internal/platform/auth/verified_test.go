package auth_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

func TestVerifiedTokenIsCheckedAgainstTheTimeOnEveryUse(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	iss := newIssuer(newKeySet(t, "k1", "test-signing-key-0123456789abcdef"), clock)
	raw, exp, err := iss.Issue(auth.TokenSubject{Actor: testActor, TokenVersion: 3})
	require.NoError(t, err)

	first, err := iss.Verify(raw)
	require.NoError(t, err)
	first.TokenVersion, first.UnitPath = 99, "/changed/"

	again, err := iss.Verify(raw)
	require.NoError(t, err, "kept: verified again within its life")
	assert.Equal(t, int64(3), again.TokenVersion, "each caller gets its own copy of the claims")
	assert.Equal(t, "/1/4/", again.UnitPath)

	clock.t = exp.Add(time.Minute) // past expiry and the 30 s leeway
	_, err = iss.Verify(raw)
	require.ErrorIs(t, err, auth.ErrInvalidToken, "a kept token still expires")

	clock.t = exp.Add(-time.Hour) // before it was issued
	_, err = iss.Verify(raw)
	require.ErrorIs(t, err, auth.ErrInvalidToken, "a kept token is still refused before its issue time")
}

func TestVerifiedTokenWithTamperedSignatureIsRefused(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	iss := newIssuer(newKeySet(t, "k1", "test-signing-key-0123456789abcdef"), clock)
	raw, _, err := iss.Issue(auth.TokenSubject{Actor: testActor})
	require.NoError(t, err)
	_, err = iss.Verify(raw)
	require.NoError(t, err)

	tampered := raw[:len(raw)-2] + flip(raw[len(raw)-2:])
	_, err = iss.Verify(tampered)
	require.ErrorIs(t, err, auth.ErrInvalidToken, "the kept token does not vouch for another string")
}

func flip(s string) string {
	if s == "AA" {
		return "BB"
	}
	return "AA"
}

// BenchmarkVerify prices what the kept tokens save a request: "fresh" verifies a token this
// replica has not seen (parse, HMAC, claims), "kept" one it has (the time checks only).
func BenchmarkVerify(b *testing.B) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	ks := newKeySet(b, "k1", "test-signing-key-0123456789abcdef")
	iss := newIssuer(ks, clock)
	tokens := make([]string, 1000)
	for i := range tokens {
		actor := testActor
		actor.SessionID = fmt.Sprint("s", i)
		raw, _, err := iss.Issue(auth.TokenSubject{Actor: actor})
		require.NoError(b, err)
		tokens[i] = raw
	}
	b.Run("fresh", func(b *testing.B) {
		for i := range b.N {
			fresh := newIssuer(ks, clock)
			if _, err := fresh.Verify(tokens[i%len(tokens)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kept", func(b *testing.B) {
		for i := range b.N {
			if _, err := iss.Verify(tokens[i%len(tokens)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
