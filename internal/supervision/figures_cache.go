package supervision

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/unit"
)

// figuresCache keeps a dashboard's figures for a short time. A county's figures aggregate every
// learner and summary under it (about 100 ms of database time for 100,000 learners on MariaDB,
// far more on a busy machine, see docs/performance.md "Supervision"), which a p99 of 200 ms
// cannot afford per request. Concurrent misses of one key compute once (single-flight). The key
// carries the campaign's targets, dates and pace rules, the unit and its subtree, so editing the
// campaign or the unit tree shows at once; awards, learner moves and departures, and the pace
// the calendar expects, show after at most ttl. The daily series stays live.
type figuresCache struct {
	ttl   time.Duration // 0: no caching
	now   func() time.Time
	group singleflight.Group

	mu      sync.Mutex
	entries map[string]cachedFigures
}

type cachedFigures struct {
	figures []Figures
	at      time.Time
}

// maxCachedDashboards bounds the map; expired entries are swept when it is reached.
const maxCachedDashboards = 4096

func newFiguresCache(ttl time.Duration, now func() time.Time) *figuresCache {
	return &figuresCache{ttl: ttl, now: now, entries: map[string]cachedFigures{}}
}

// get returns the figures for the key and when they were computed, computing them once for all
// concurrent callers when missing or older than the TTL.
func (c *figuresCache) get(ctx context.Context, key string, compute func(ctx context.Context) ([]Figures, error)) ([]Figures, time.Time, error) {
	if c.ttl <= 0 {
		at := c.now()
		f, err := compute(ctx)
		return f, at, err
	}
	if e, ok := c.lookup(key); ok {
		return e.figures, e.at, nil
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		if e, ok := c.lookup(key); ok {
			return e, nil
		}
		at := c.now()
		// The computation outlives a caller that gives up: the others still want it.
		f, err := compute(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		return c.store(key, f, at), nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	e := v.(cachedFigures)
	return cloneFigures(e.figures), e.at, nil
}

func (c *figuresCache) lookup(key string) (cachedFigures, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.at.Add(c.ttl)) {
		return cachedFigures{}, false
	}
	e.figures = cloneFigures(e.figures)
	return e, true
}

func (c *figuresCache) store(key string, f []Figures, at time.Time) cachedFigures {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedDashboards {
		now := c.now()
		for k, e := range c.entries {
			if !now.Before(e.at.Add(c.ttl)) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedDashboards {
			clear(c.entries)
		}
	}
	e := cachedFigures{figures: cloneFigures(f), at: at}
	c.entries[key] = e
	return e
}

// cloneFigures copies figures deeply enough that callers cannot change the cached ones.
func cloneFigures(in []Figures) []Figures {
	out := slices.Clone(in)
	for i := range out {
		byTrack := make(map[string]int64, len(out[i].ByTrack))
		for k, v := range out[i].ByTrack {
			byTrack[k] = v
		}
		out[i].ByTrack = byTrack
	}
	return out
}

// figuresKey identifies a dashboard's figures: the campaign's targets, dates and rules, the unit,
// and the subtree's units with their children.
func figuresKey(c *credit.CampaignFacts, u *unit.Unit, children []unit.Unit, subtree []scopeUnit) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s|%s|%v|%v|%d|%s|", c.ID, c.StartDate, c.EndDate, c.Targets, c.Rules.PaceCurve, c.Rules.LagPercent, u.Name)
	for _, ch := range children {
		fmt.Fprintf(h, "c%d/%s/%s;", ch.ID, ch.Name, ch.Path)
	}
	for _, su := range subtree {
		fmt.Fprintf(h, "s%d/%s;", su.ID, su.Path)
	}
	return fmt.Sprintf("%d:%d:%x", c.ID, u.ID, h.Sum64())
}
