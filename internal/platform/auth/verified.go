package auth

import (
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Every request with a token verifies it: decoding its header and claims and checking its HMAC
// was 8 % of a quiz submit's CPU (docs/performance.md). A client sends the same token for its
// whole life, so a replica keeps the claims of the tokens it has verified until they expire,
// and a token seen before is checked again only for what changes with time (expiry, not
// before, issued at). Revocation is not decided here: the guard's Authenticator checks the
// token version against the account on every request, cached or not.

// maxVerified bounds the tokens kept (about 1 KiB each with its key): enough for every client
// of a busy replica within a token's life. When it is reached, expired tokens are dropped, and
// if none has expired the replica starts over.
const maxVerified = 16 << 10

// verifiedTokens are the claims of tokens verified by this replica, by the token itself.
type verifiedTokens struct {
	times *jwt.Validator // the checks that change with time (and the static ones, which cost nothing)
	now   func() time.Time

	mu     sync.RWMutex
	claims map[string]*Claims
}

func newVerifiedTokens(opts []jwt.ParserOption, now func() time.Time) *verifiedTokens {
	return &verifiedTokens{times: jwt.NewValidator(opts...), now: now, claims: map[string]*Claims{}}
}

// get returns a copy of a kept token's claims if they are still valid now.
func (v *verifiedTokens) get(raw string) (*Claims, bool) {
	v.mu.RLock()
	c, ok := v.claims[raw]
	v.mu.RUnlock()
	if !ok || v.times.Validate(c) != nil {
		return nil, false
	}
	kept := *c
	return &kept, true
}

// keep keeps the claims of a token that passed every check.
func (v *verifiedTokens) keep(raw string, c *Claims) {
	kept := *c
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.claims) >= maxVerified {
		now := v.now()
		for k, old := range v.claims {
			if old.ExpiresAt == nil || !now.Before(old.ExpiresAt.Time) {
				delete(v.claims, k)
			}
		}
		if len(v.claims) >= maxVerified {
			clear(v.claims)
		}
	}
	v.claims[raw] = &kept
}
