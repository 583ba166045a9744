package exam

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultPoolTTL is how long a section's pool (the ids of the published questions it may
// draw) is reused before it is read again. Thousands of learners starting at the top of the
// hour then cost one pool query per section, not one each; a question published or retired
// meanwhile enters or leaves papers within this time.
const DefaultPoolTTL = 30 * time.Second

// poolCache keeps section pools for a short time and option counts of question versions for
// good (versions never change).
type poolCache struct {
	ttl      time.Duration
	mu       sync.Mutex
	pools    map[string]poolEntry
	options  map[Pick]int
	keys     map[Pick]string // answer keys of versions (immutable), read by grading
	sections map[sectionsKey]sectionsEntry
	exams    map[int64]examEntry
}

type examEntry struct {
	row   Row
	until time.Time
}

type sectionsKey struct {
	examID int64
	track  string
}

type sectionsEntry struct {
	sections []Section
	until    time.Time
}

type poolEntry struct {
	picks []Pick
	until time.Time
}

func newPoolCache(ttl time.Duration) *poolCache {
	return &poolCache{ttl: ttl, pools: map[string]poolEntry{}, options: map[Pick]int{}, keys: map[Pick]string{},
		sections: map[sectionsKey]sectionsEntry{}, exams: map[int64]examEntry{}}
}

func poolKey(p Pool) string {
	return fmt.Sprintf("%v|%s|%s|%d|%d", p.BankIDs, p.Tag, p.Type, p.DifficultyMin, p.DifficultyMax)
}

// questions returns the pool's questions (shared: callers must not modify the slice).
func (s *Service) poolQuestions(ctx context.Context, p Pool) ([]Pick, error) {
	c, key, now := s.cache, poolKey(p), time.Now()
	if c.ttl > 0 {
		c.mu.Lock()
		e, ok := c.pools[key]
		c.mu.Unlock()
		if ok && now.Before(e.until) {
			return e.picks, nil
		}
	}
	picks, err := s.Store.PoolQuestions(ctx, p)
	if err != nil || c.ttl <= 0 {
		return picks, err
	}
	c.mu.Lock()
	c.pools[key] = poolEntry{picks: picks, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return picks, nil
}

// optionCounts returns how many options each version has, reading only those not seen before.
func (s *Service) optionCounts(ctx context.Context, picks []Pick) (map[Pick]int, error) {
	c := s.cache
	out := make(map[Pick]int, len(picks))
	var missing []Pick
	c.mu.Lock()
	for _, p := range picks {
		if n, ok := c.options[p]; ok {
			out[p] = n
		} else {
			missing = append(missing, p)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	read, err := s.Store.OptionCounts(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	for p, n := range read {
		out[p] = n
		if c.ttl > 0 {
			c.options[p] = n
		}
	}
	c.mu.Unlock()
	return out, nil
}

// trackSections returns a track's sections; a published exam's blueprint never changes, so
// grading reuses them for the cache's time.
func (s *Service) trackSections(ctx context.Context, examID int64, track string) ([]Section, error) {
	c, key, now := s.cache, sectionsKey{examID, track}, time.Now()
	c.mu.Lock()
	e, ok := c.sections[key]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.sections, nil
	}
	sections, err := s.Store.TrackSections(ctx, examID, track)
	if err != nil || c.ttl <= 0 {
		return sections, err
	}
	c.mu.Lock()
	c.sections[key] = sectionsEntry{sections: sections, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return sections, nil
}

// withKeys returns an attempt's items with the keys of their versions (kept in memory: a
// version never changes), so grading reads only the attempts' own rows.
func (s *Service) withKeys(ctx context.Context, items []Item) ([]KeyedItem, error) {
	c := s.cache
	out := make([]KeyedItem, len(items))
	var missing []Pick
	c.mu.Lock()
	for i, it := range items {
		out[i].Item = it
		k, ok := c.keys[Pick{QuestionID: it.QuestionID, Version: it.Version}]
		if !ok {
			missing = append(missing, Pick{QuestionID: it.QuestionID, Version: it.Version})
		}
		out[i].AnswerKey = k
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	keys, err := s.Store.Keys(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, it := range out {
		p := Pick{QuestionID: it.QuestionID, Version: it.Version}
		if k, ok := keys[p]; ok {
			out[i].AnswerKey = k
			if c.ttl > 0 {
				c.keys[p] = k
			}
		}
	}
	return out, nil
}

// examRow returns an exam for grading. What grading reads (pass score, partial credit, score
// policy, campaign, main exam, title) cannot change once an exam is published, so the row is
// reused for the cache's time.
func (s *Service) examRow(ctx context.Context, id int64) (*Row, error) {
	c, now := s.cache, time.Now()
	c.mu.Lock()
	e, ok := c.exams[id]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		r := e.row
		return &r, nil
	}
	r, err := s.Store.GetExam(ctx, id)
	if err != nil || c.ttl <= 0 || r.Status == StatusDraft {
		return r, err
	}
	c.mu.Lock()
	c.exams[id] = examEntry{row: *r, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return r, nil
}
