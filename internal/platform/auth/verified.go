package auth

import (
	"sync"
	"time"
)

// maxVerified caps the tokens remembered as verified (a few hundred bytes each).
const maxVerified = 50_000

// verifiedTokens remembers access tokens whose signature and claims were checked, by their exact
// text: the same bytes would verify the same way again, so a client's following requests skip
// the JSON parse and the HMAC (about a tenth of a quiz submit's CPU). Revocation is not
// affected: it is checked against the account's principal on every request, after this.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]Claims
}

// get returns a copy of a remembered token's claims (callers may not share one).
func (v *verifiedTokens) get(raw string) (*Claims, bool) {
	v.mu.Lock()
	c, ok := v.m[raw]
	v.mu.Unlock()
	return &c, ok
}

// put remembers a verified token; when full, it forgets the expired ones, or all of them.
func (v *verifiedTokens) put(raw string, c *Claims, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]Claims{}
	}
	if len(v.m) >= maxVerified {
		for k, old := range v.m {
			if old.ExpiresAt == nil || !old.ExpiresAt.After(now) {
				delete(v.m, k)
			}
		}
		if len(v.m) >= maxVerified {
			clear(v.m)
		}
	}
	v.m[raw] = *c
}
