package quiz

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A full cache keeps no more plays until a sweep finds expired ones, and sweeps at most once a
// minute rather than on every start.
func TestStartedPlaysFullSweepsAtMostOnceAMinute(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	c := &startedPlays{max: 2}
	c.keep(Play{ID: 1, Deadline: t0.Add(time.Minute)}, t0)
	c.keep(Play{ID: 2, Deadline: t0.Add(time.Hour)}, t0)

	c.keep(Play{ID: 3, Deadline: t0.Add(time.Hour)}, t0)
	_, kept := c.take(3)
	assert.False(t, kept, "full, nothing expired: not kept")

	c.keep(Play{ID: 4, Deadline: t0.Add(time.Hour)}, t0.Add(3*time.Minute))
	_, kept = c.take(4)
	assert.True(t, kept, "a sweep dropped play 1 (a minute past its deadline) and made room")
	_, kept = c.take(1)
	assert.False(t, kept, "play 1 was swept")

	c.keep(Play{ID: 5, Deadline: t0.Add(time.Hour)}, t0.Add(3*time.Minute))
	c.keep(Play{ID: 6, Deadline: t0.Add(time.Hour)}, t0.Add(3*time.Minute+time.Second))
	_, kept = c.take(6)
	assert.False(t, kept, "full again within the minute: no second sweep, not kept")
	p, kept := c.take(2)
	assert.True(t, kept)
	assert.Equal(t, int64(2), p.ID)
}
