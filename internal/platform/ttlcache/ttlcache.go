// Package ttlcache keeps computed values for a short time: aggregates too costly to compute on
// every request (a county's unit ranking, a dashboard's figures), shown with the time they were
// computed. Concurrent misses of one key compute once (single-flight), and the computation
// outlives a caller that gives up, since the others still want it. Errors are not kept. Each
// process keeps its own copy; the staleness bound is the TTL either way.
package ttlcache

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// maxEntries bounds a cache; expired entries are swept when it is reached, and if none has
// expired it starts over.
const maxEntries = 4096

// Cache keeps values of type V by key.
type Cache[V any] struct {
	ttl   time.Duration // 0: no caching
	now   func() time.Time
	clone func(V) V // a copy the caller may change without changing the kept value
	group singleflight.Group

	mu      sync.Mutex
	entries map[string]entry[V]
}

type entry[V any] struct {
	value V
	at    time.Time // when it was computed
}

// New builds a cache keeping values for ttl (0 or less: compute on every call) by the clock
// now (nil: time.Now); clone copies a value for a caller.
func New[V any](ttl time.Duration, now func() time.Time, clone func(V) V) *Cache[V] {
	if now == nil {
		now = time.Now
	}
	return &Cache[V]{ttl: ttl, now: now, clone: clone, entries: map[string]entry[V]{}}
}

// Get returns the value for key and when it was computed, computing it once for all concurrent
// callers when it is missing or older than the TTL.
func (c *Cache[V]) Get(ctx context.Context, key string, compute func(ctx context.Context) (V, error)) (V, time.Time, error) {
	if c.ttl <= 0 {
		at := c.now()
		v, err := compute(ctx)
		return v, at, err
	}
	if e, ok := c.lookup(key); ok {
		return c.clone(e.value), e.at, nil
	}
	got, err, _ := c.group.Do(key, func() (any, error) {
		if e, ok := c.lookup(key); ok {
			return e, nil
		}
		at := c.now()
		v, err := compute(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		return c.store(key, v, at), nil
	})
	if err != nil {
		var zero V
		return zero, time.Time{}, err
	}
	e := got.(entry[V])
	return c.clone(e.value), e.at, nil
}

func (c *Cache[V]) lookup(key string) (entry[V], bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.at.Add(c.ttl)) {
		return entry[V]{}, false
	}
	return e, true
}

func (c *Cache[V]) store(key string, v V, at time.Time) entry[V] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxEntries {
		now := c.now()
		for k, e := range c.entries {
			if !now.Before(e.at.Add(c.ttl)) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxEntries {
			clear(c.entries)
		}
	}
	e := entry[V]{value: c.clone(v), at: at}
	c.entries[key] = e
	return e
}

// Peek returns key's kept value while it is fresh, without computing one.
func (c *Cache[V]) Peek(key string) (V, bool) {
	e, ok := c.lookup(key)
	if !ok || c.ttl <= 0 {
		var zero V
		return zero, false
	}
	return c.clone(e.value), true
}

// Forget drops key's value, so the next Get computes it again (a change the caller made and
// must see at once; other processes see it after the TTL).
func (c *Cache[V]) Forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}
