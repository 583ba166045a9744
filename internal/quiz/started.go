package quiz

import (
	"context"
	"sync"
	"time"
)

// maxStarted caps the plays kept in memory (about 1 KiB each); sweepEvery spaces the scans
// for expired plays once it is reached.
const (
	maxStarted = 100_000
	sweepEvery = time.Minute
)

// startedPlays keeps the plays this process started until their submit or a minute past their
// deadline, so a submit does not read its play back. What a submit needs of it (owner, round,
// paper, deadline, sequence) never changes once started; its status is settled by the guarded
// UPDATE, so a play submitted meanwhile through another replica loses there and is then read
// from the database like any play this process did not start.
//
// When full, it scans for expired plays at most once per sweepEvery and otherwise keeps no more:
// scanning on every start made each start past the cap walk 100,000 plays (starts fell from
// ~1,700/s to 238/s in a 120,000-play run, 2026-12-06).
type startedPlays struct {
	mu    sync.Mutex
	m     map[int64]Play
	swept time.Time // the last scan for expired plays
	max   int       // maxStarted; smaller in tests
}

func (c *startedPlays) keep(p Play, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]Play{}
	}
	if c.max == 0 {
		c.max = maxStarted
	}
	if len(c.m) >= c.max && now.Sub(c.swept) >= sweepEvery {
		c.swept = now
		for id, old := range c.m {
			if now.After(old.Deadline.Add(time.Minute)) {
				delete(c.m, id)
			}
		}
	}
	if len(c.m) < c.max {
		c.m[p.ID] = p
	}
}

// take removes and returns a kept play.
func (c *startedPlays) take(id int64) (Play, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[id]
	delete(c.m, id)
	return p, ok
}

// play is a play to submit: the one this process started, else as stored.
func (s *Service) play(ctx context.Context, id int64) (*Play, error) {
	if p, ok := s.started.take(id); ok {
		return &p, nil
	}
	return s.Store.Play(ctx, id)
}
