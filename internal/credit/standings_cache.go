package credit

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/xuefa/xuefa/internal/unit"
)

// standingsCache keeps a board's unit ranking for a short time. Ranking the units of a wide
// scope aggregates every learner and summary under it (about 65 ms for a county of 100,000
// learners on MariaDB, see docs/performance.md), which the leaderboard's latency target cannot
// afford per request; the top learners stay live. Concurrent misses of one key compute once
// (single-flight). The key carries the campaign, the unit, the campaign's targets and a
// fingerprint of the scope's units, so a target change or a change of the unit tree is seen at
// once; awards, learner moves and departures show after at most ttl. Each replica keeps its
// own copy (the staleness bound is the same).
type standingsCache struct {
	ttl   time.Duration // 0: no caching
	now   func() time.Time
	group singleflight.Group

	mu      sync.Mutex
	entries map[string]cachedStandings
}

type cachedStandings struct {
	units   []UnitStanding
	at      time.Time // when they were computed
	expires time.Time
}

// maxCachedBoards bounds the map; expired entries are swept when it is reached.
const maxCachedBoards = 4096

func newStandingsCache(ttl time.Duration, now func() time.Time) *standingsCache {
	if now == nil {
		now = time.Now
	}
	return &standingsCache{ttl: ttl, now: now, entries: map[string]cachedStandings{}}
}

// get returns the cached ranking for the key and when it was computed, or computes it once
// for all concurrent callers.
func (c *standingsCache) get(ctx context.Context, key string, compute func(ctx context.Context) ([]UnitStanding, error)) ([]UnitStanding, time.Time, error) {
	if c.ttl <= 0 {
		at := c.now()
		units, err := compute(ctx)
		return units, at, err
	}
	if e, ok := c.lookup(key); ok {
		return e.units, e.at, nil
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		if e, ok := c.lookup(key); ok {
			return e, nil
		}
		at := c.now()
		// The computation outlives a caller that gives up: the others still want it.
		units, err := compute(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		return c.store(key, units, at), nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	e := v.(cachedStandings)
	return slices.Clone(e.units), e.at, nil
}

func (c *standingsCache) lookup(key string) (cachedStandings, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.expires) {
		return cachedStandings{}, false
	}
	e.units = slices.Clone(e.units)
	return e, true
}

func (c *standingsCache) store(key string, units []UnitStanding, at time.Time) cachedStandings {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= maxCachedBoards {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedBoards {
			clear(c.entries)
		}
	}
	e := cachedStandings{units: slices.Clone(units), at: at, expires: at.Add(c.ttl)}
	c.entries[key] = e
	return e
}

// standingsKey identifies a unit ranking: campaign, unit, targets and the scope's units (ids,
// parents, names and paths), so renaming, moving or adding a unit changes the key.
func standingsKey(campaignID int64, u *unit.Unit, scope *Scope, targets map[string]Amount) string {
	h := fnv.New64a()
	for _, su := range scope.Units {
		parent := int64(0)
		if su.ParentID != nil {
			parent = *su.ParentID
		}
		fmt.Fprintf(h, "%d/%d/%s/%s;", su.ID, parent, su.Name, su.Path)
	}
	return fmt.Sprintf("%d:%d:%s:%d:%d:%d:%x", campaignID, u.ID, u.Name, targets["leader"], targets["general"], targets["judicial"], h.Sum64())
}
