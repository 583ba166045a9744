package account

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPrincipalCacheKeepsNoReadThatOverlappedADrop(t *testing.T) {
	c := newPrincipalCache(time.Minute, 10, nil)
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	p := &principal{ID: 7, TokenVersion: 1}

	got, gen, _ := c.get(7, "s1", now)
	assert.Nil(t, got)
	c.Forget("7") // a change committed while the database read was under way
	c.put(p, "s1", gen, now)
	got, gen, _ = c.get(7, "s1", now)
	assert.Nil(t, got, "the read may have seen the old row: not kept")

	c.put(p, "s1", gen, now)
	got, _, _ = c.get(7, "s1", now)
	assert.Equal(t, p, got)
	got, _, _ = c.get(7, "s1", now.Add(time.Minute))
	assert.Nil(t, got, "expired after the TTL")

	expires := now.Add(time.Second)
	_, gen, _ = c.get(8, "s2", now)
	c.put(&principal{ID: 8, SessionExpiresAt: &expires}, "s2", gen, now)
	got, _, _ = c.get(8, "s2", expires)
	assert.Nil(t, got, "an entry lives no longer than its session")

	c.Forget(allAccounts)
	got, _, _ = c.get(7, "s1", now)
	assert.Nil(t, got)
	assert.Zero(t, c.entries)
}

func TestPrincipalCacheStaysWithinItsSize(t *testing.T) {
	c := newPrincipalCache(time.Minute, 3, nil)
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	for id := int64(1); id <= 10; id++ {
		_, gen, _ := c.get(id, "s", now)
		c.put(&principal{ID: id}, "s", gen, now)
		assert.LessOrEqual(t, c.entries, 3)
	}
	got, _, _ := c.get(10, "s", now)
	assert.NotNil(t, got, "the newest entry is kept")
}

func TestPrincipalCacheRefreshesOnceAheadOfExpiry(t *testing.T) {
	c := newPrincipalCache(time.Minute, 10, nil)
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	_, gen, _ := c.get(7, "s1", now)
	c.put(&principal{ID: 7, TokenVersion: 1}, "s1", gen, now)

	_, _, refresh := c.get(7, "s1", now.Add(44*time.Second))
	assert.False(t, refresh, "fresh: no read")
	got, gen, refresh := c.get(7, "s1", now.Add(46*time.Second))
	assert.NotNil(t, got, "the live entry answers the request")
	assert.True(t, refresh, "in its last quarter: this caller reads it again")
	_, _, again := c.get(7, "s1", now.Add(47*time.Second))
	assert.False(t, again, "one read at a time")

	c.put(&principal{ID: 7, TokenVersion: 2}, "s1", gen, now.Add(46*time.Second))
	got, _, refresh = c.get(7, "s1", now.Add(70*time.Second))
	assert.Equal(t, int64(2), got.TokenVersion, "the read replaced the entry and its expiry")
	assert.False(t, refresh)

	// A drop during the read: the read is not kept, and the entry is gone at once.
	_, gen, refresh = c.get(7, "s1", now.Add(95*time.Second))
	assert.True(t, refresh)
	c.Forget("7")
	c.put(&principal{ID: 7, TokenVersion: 2}, "s1", gen, now.Add(95*time.Second))
	got, _, _ = c.get(7, "s1", now.Add(95*time.Second))
	assert.Nil(t, got)

	// An entry capped by its session's expiry is not read again ahead of it.
	expires := now.Add(30 * time.Second)
	_, gen, _ = c.get(8, "s2", now)
	c.put(&principal{ID: 8, SessionExpiresAt: &expires}, "s2", gen, now)
	_, _, refresh = c.get(8, "s2", now.Add(29*time.Second))
	assert.False(t, refresh)
}
