package quiz

import (
	"context"
	"sync"
	"time"
)

// maxStarted caps the plays kept in memory (about 1 KiB each).
const maxStarted = 100_000

// startedPlays keeps the plays this process started until their submit or a minute past their
// deadline, so a submit does not read its play back. What a submit needs of it (owner, round,
// paper, deadline, sequence) never changes once started; its status is settled by the guarded
// UPDATE, so a play submitted meanwhile through another replica loses there and is then read
// from the database like any play this process did not start.
type startedPlays struct {
	mu sync.Mutex
	m  map[int64]Play
}

func (c *startedPlays) keep(p Play, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]Play{}
	}
	if len(c.m) >= maxStarted {
		for id, old := range c.m {
			if now.After(old.Deadline.Add(time.Minute)) {
				delete(c.m, id)
			}
		}
	}
	if len(c.m) < maxStarted {
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
