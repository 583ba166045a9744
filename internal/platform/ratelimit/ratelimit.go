// Package ratelimit counts requests per key in fixed windows: in memory for one replica, or in
// Redis when replicas share state.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter allows at most a number of hits per key per window.
type Limiter interface {
	// Allow records a hit on key and reports whether it is within limit hits per window; when
	// it is not, retryAfter says how long until the window resets.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// Memory is an in-process limiter.
type Memory struct {
	mu      sync.Mutex
	now     func() time.Time
	windows map[string]*memoryWindow
	sweptAt time.Time
}

type memoryWindow struct {
	start time.Time
	count int
	span  time.Duration
}

// NewMemory builds an in-process limiter reading time from now.
func NewMemory(now func() time.Time) *Memory {
	return &Memory{now: now, windows: map[string]*memoryWindow{}}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	w, ok := m.windows[key]
	if !ok || now.Sub(w.start) >= window {
		w = &memoryWindow{start: now, span: window}
		m.windows[key] = w
	}
	w.count++
	if w.count > limit {
		return false, w.start.Add(window).Sub(now), nil
	}
	return true, 0, nil
}

// sweep drops expired windows once a minute so the map does not grow without bound.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.sweptAt) < time.Minute {
		return
	}
	m.sweptAt = now
	for k, w := range m.windows {
		if now.Sub(w.start) >= w.span {
			delete(m.windows, k)
		}
	}
}

// Redis is a limiter shared by every replica through one Redis.
type Redis struct {
	client *redis.Client
	prefix string
}

// NewRedis builds a Redis-backed limiter; keys are prefixed to share a Redis safely.
func NewRedis(client *redis.Client, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// Allow implements Limiter with INCR and a window expiry set on the first hit.
func (r *Redis) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	k := r.prefix + key
	pipe := r.client.TxPipeline()
	incr := pipe.Incr(ctx, k)
	pipe.ExpireNX(ctx, k, window) // NX needs Redis ≥ 7
	ttl := pipe.PTTL(ctx, k)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, 0, err
	}
	if incr.Val() > int64(limit) {
		return false, max(ttl.Val(), time.Second), nil
	}
	return true, 0, nil
}
