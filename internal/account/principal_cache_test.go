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

	got, gen := c.get(7, "s1", now)
	assert.Nil(t, got)
	c.Forget("7") // a change committed while the database read was under way
	c.put(p, "s1", gen, now)
	got, gen = c.get(7, "s1", now)
	assert.Nil(t, got, "the read may have seen the old row: not kept")

	c.put(p, "s1", gen, now)
	got, _ = c.get(7, "s1", now)
	assert.Equal(t, p, got)
	got, _ = c.get(7, "s1", now.Add(time.Minute))
	assert.Nil(t, got, "expired after the TTL")

	expires := now.Add(time.Second)
	_, gen = c.get(8, "s2", now)
	c.put(&principal{ID: 8, SessionExpiresAt: &expires}, "s2", gen, now)
	got, _ = c.get(8, "s2", expires)
	assert.Nil(t, got, "an entry lives no longer than its session")

	c.Forget(allAccounts)
	got, _ = c.get(7, "s1", now)
	assert.Nil(t, got)
	assert.Zero(t, c.entries)
}

func TestPrincipalCacheStaysWithinItsSize(t *testing.T) {
	c := newPrincipalCache(time.Minute, 3, nil)
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	for id := int64(1); id <= 10; id++ {
		_, gen := c.get(id, "s", now)
		c.put(&principal{ID: id}, "s", gen, now)
		assert.LessOrEqual(t, c.entries, 3)
	}
	got, _ := c.get(10, "s", now)
	assert.NotNil(t, got, "the newest entry is kept")
}
