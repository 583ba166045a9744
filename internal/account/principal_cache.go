package account

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// principalCache keeps what authenticating a request reads (account, unit path, session
// state) for a short time, so a token's check does not cost a query on every request of the
// hot paths (quiz and exam submits, autosaves). Revocation stays immediate: every store write
// that can change a principal drops the account's entries, once at the write and again after
// its transaction commits (see database.AfterCommit), and a read that overlapped a drop is not
// kept. Other replicas hear of drops through the bus (Redis pub/sub) when one is configured;
// without one, they see a change within the TTL.
type principalCache struct {
	ttl time.Duration
	max int
	bus PrincipalBus

	mu        sync.Mutex
	gen       uint64 // bumped by every drop: a read started before it is not stored
	byAccount map[int64]map[string]cachedPrincipal
	entries   int
}

type cachedPrincipal struct {
	p          principal
	until      time.Time
	refreshing bool // a caller is reading it again ahead of its expiry
}

// PrincipalBus carries cache drops between replicas: Publish announces one ("*" drops every
// entry, else an account id); the subscriber calls the cache's Forget for drops of others.
type PrincipalBus interface {
	Publish(ctx context.Context, message string)
}

// allAccounts is the drop message for every account (a unit moved: unit paths changed).
const allAccounts = "*"

func newPrincipalCache(ttl time.Duration, maxEntries int, bus PrincipalBus) *principalCache {
	return &principalCache{ttl: ttl, max: maxEntries, bus: bus, byAccount: map[int64]map[string]cachedPrincipal{}}
}

// get returns a live entry, or the generation a caller must pass to put after reading.
//
// refresh is true for one caller when the live entry is in the last quarter of its life: that
// caller reads the principal again off the request's path and puts it (see Store.Principal).
// Without it every entry of people who started together expires together, and at the bell
// thousands of exam submits waited on a database read at once. An entry capped by its
// session's expiry is not refreshed: a new read would be capped the same.
func (c *principalCache) get(accountID int64, sessionID string, now time.Time) (p *principal, gen uint64, refresh bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byAccount[accountID][sessionID]
	if !ok || !now.Before(e.until) {
		return nil, c.gen, false
	}
	live := e.p
	if !e.refreshing && !now.Before(e.until.Add(-c.ttl/4)) && (e.p.SessionExpiresAt == nil || e.p.SessionExpiresAt.After(e.until)) {
		e.refreshing = true
		c.byAccount[accountID][sessionID] = e
		return &live, c.gen, true
	}
	return &live, c.gen, false
}

// put stores a principal read at generation gen, unless a drop happened since.
func (c *principalCache) put(p *principal, sessionID string, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries >= c.max {
		c.evictExpired(now)
	}
	if c.entries >= c.max {
		c.byAccount, c.entries = map[int64]map[string]cachedPrincipal{}, 0
	}
	sessions := c.byAccount[p.ID]
	if sessions == nil {
		sessions = map[string]cachedPrincipal{}
		c.byAccount[p.ID] = sessions
	}
	if _, ok := sessions[sessionID]; !ok {
		c.entries++
	}
	until := now.Add(c.ttl)
	if p.SessionExpiresAt != nil && p.SessionExpiresAt.Before(until) {
		until = *p.SessionExpiresAt // an expiring session is re-checked at once
	}
	sessions[sessionID] = cachedPrincipal{p: *p, until: until}
}

func (c *principalCache) evictExpired(now time.Time) {
	for id, sessions := range c.byAccount {
		for sid, e := range sessions {
			if !now.Before(e.until) {
				delete(sessions, sid)
				c.entries--
			}
		}
		if len(sessions) == 0 {
			delete(c.byAccount, id)
		}
	}
}

// Forget drops the entries a drop message names (an account id, or allAccounts), here only.
func (c *principalCache) Forget(message string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if message == allAccounts {
		c.byAccount, c.entries = map[int64]map[string]cachedPrincipal{}, 0
		return
	}
	if id, err := strconv.ParseInt(message, 10, 64); err == nil {
		c.entries -= len(c.byAccount[id])
		delete(c.byAccount, id)
	}
}

// drop forgets now and again after ctx's transaction commits, then tells the other replicas.
func (c *principalCache) drop(ctx context.Context, message string) {
	c.Forget(message)
	database.AfterCommit(ctx, func() {
		c.Forget(message)
		if c.bus != nil {
			c.bus.Publish(context.WithoutCancel(ctx), message)
		}
	})
}
