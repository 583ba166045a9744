package auth

import (
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
)

func TestKeptTokensShedTheExpiredWhenFull(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	v := newVerifiedTokens(nil, func() time.Time { return now })
	at := func(d time.Duration) *Claims {
		return &Claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(d))}}
	}
	for i := range maxVerified {
		life := -time.Minute // expired
		if i%2 == 0 {
			life = time.Minute
		}
		v.keep(strconv.Itoa(i), at(life))
	}
	v.keep("new", at(time.Minute))
	assert.Len(t, v.claims, maxVerified/2+1, "the expired half went, the live half and the new one stayed")

	for i := range maxVerified {
		v.claims["live"+strconv.Itoa(i)] = at(time.Minute)
	}
	v.keep("newer", at(time.Minute))
	assert.Len(t, v.claims, 1, "none expired: it starts over")
}
