package ttlcache_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/ttlcache"
)

type standing struct {
	UnitID, Learners int64
}

func cloneStandings(in []standing) []standing { return slices.Clone(in) }

// Concurrent misses of one key compute once; the result is kept for the TTL, then recomputed.
func TestSingleFlightAndTTL(t *testing.T) {
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c := ttlcache.New(30*time.Second, clock, cloneStandings)

	var calls atomic.Int64
	release := make(chan struct{})
	compute := func(context.Context) ([]standing, error) {
		n := calls.Add(1)
		<-release
		return []standing{{UnitID: 1, Learners: n}}, nil
	}
	var wg sync.WaitGroup
	results := make([][]standing, 20)
	for i := range results {
		wg.Go(func() {
			units, _, err := c.Get(context.Background(), "k", compute)
			assert.NoError(t, err)
			results[i] = units
		})
	}
	time.Sleep(50 * time.Millisecond) // let the callers pile up behind the first
	close(release)
	wg.Wait()
	assert.EqualValues(t, 1, calls.Load(), "20 concurrent misses compute once")
	for _, r := range results {
		assert.Equal(t, []standing{{UnitID: 1, Learners: 1}}, r)
	}

	advance(29 * time.Second)
	units, at, err := c.Get(context.Background(), "k", compute)
	require.NoError(t, err)
	assert.EqualValues(t, 1, units[0].Learners, "within the TTL: cached")
	assert.Equal(t, now.Add(-29*time.Second), at, "with the time it was computed")
	units[0].Learners = 99 // callers get copies
	advance(time.Second)
	units, at, err = c.Get(context.Background(), "k", compute)
	require.NoError(t, err)
	assert.EqualValues(t, 2, units[0].Learners, "expired: recomputed")
	assert.Equal(t, now, at)

	failing := func(context.Context) ([]standing, error) { return nil, errors.New("db down") }
	_, _, err = c.Get(context.Background(), "other", failing)
	assert.Error(t, err, "errors are not cached")
	units, _, err = c.Get(context.Background(), "other", compute)
	require.NoError(t, err)
	assert.EqualValues(t, 3, units[0].Learners)
}

// A TTL of 0 computes on every call.
func TestOff(t *testing.T) {
	c := ttlcache.New(0, nil, cloneStandings)
	var calls int
	for range 3 {
		_, _, err := c.Get(context.Background(), "k", func(context.Context) ([]standing, error) { calls++; return nil, nil })
		require.NoError(t, err)
	}
	assert.Equal(t, 3, calls)
}

// Peek sees a fresh kept value and nothing else; it computes nothing.
func TestPeek(t *testing.T) {
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	c := ttlcache.New(30*time.Second, func() time.Time { return now }, cloneStandings)
	_, ok := c.Peek("k")
	assert.False(t, ok, "nothing kept yet")
	_, _, err := c.Get(context.Background(), "k", func(context.Context) ([]standing, error) { return []standing{{UnitID: 7}}, nil })
	require.NoError(t, err)
	v, ok := c.Peek("k")
	assert.True(t, ok)
	assert.Equal(t, []standing{{UnitID: 7}}, v)
	now = now.Add(30 * time.Second)
	_, ok = c.Peek("k")
	assert.False(t, ok, "expired")
}
