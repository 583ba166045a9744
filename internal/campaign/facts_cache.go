package campaign

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/ttlcache"
)

// A campaign's facts (organiser, dates, targets, rules) are read by every credit award and by
// every learner's home screen and ledger page, and change a few times a year. A replica keeps
// each campaign's facts, and the running campaigns of each unit, for campaign.facts_ttl: these
// reads were one statement of the two or three left on GET /me/credits (issue 21,
// docs/performance.md). Kept values are filed under a generation that every campaign write
// through this service bumps once it commits, so this replica answers with the new facts at
// once (a read that overlapped the write is filed under the old generation, never read again);
// other replicas within the TTL. A read inside a transaction uses a kept value but keeps nothing
// (see through). Whether a campaign is closing or closed, which decides whether an
// award may still land, is never taken from here: the award reads it under a lock
// (credit.Store.LockCampaigns).

// keptFacts is a campaign's facts with its status; Active depends on the day too, so it is
// worked out on every read.
type keptFacts struct {
	facts  credit.CampaignFacts
	status Status
}

// shareFacts hands out the kept value itself: its maps are read, never changed, by callers.
func shareFacts(k keptFacts) keptFacts { return k }

// shareRunning hands out the kept list itself: ActiveFor copies what it returns.
func shareRunning(k []keptFacts) []keptFacts { return k }

// keptCampaigns is the replica's copy of campaign facts.
type keptCampaigns struct {
	gen     atomic.Uint64
	byID    *ttlcache.Cache[keptFacts]
	running *ttlcache.Cache[[]keptFacts] // by unit path: the active campaigns at or above it
}

func newKeptCampaigns(ttl time.Duration, now func() time.Time) *keptCampaigns {
	return &keptCampaigns{byID: ttlcache.New(ttl, now, shareFacts), running: ttlcache.New(ttl, now, shareRunning)}
}

func (k *keptCampaigns) key(s string) string { return strconv.FormatUint(k.gen.Load(), 10) + ":" + s }

func (s *Service) kept(r *Row) keptFacts { return keptFacts{facts: *s.facts(r), status: r.Status} }

// through reads key through the replica's copy c. Inside a transaction it takes a kept value
// but keeps nothing it reads: the transaction may have changed the campaign and then roll back.
func through[V any](ctx context.Context, c *ttlcache.Cache[V], key string, read func(context.Context) (V, error)) (V, error) {
	if database.InTx(ctx) {
		if v, ok := c.Peek(key); ok {
			return v, nil
		}
		return read(ctx)
	}
	v, _, err := c.Get(ctx, key, read)
	return v, err
}

// keptFactsOf reads a campaign's facts through the replica's copy.
func (s *Service) keptFactsOf(ctx context.Context, id int64) (keptFacts, error) {
	return through(ctx, s.keep.byID, s.keep.key(strconv.FormatInt(id, 10)), func(ctx context.Context) (keptFacts, error) {
		r, err := s.store.Get(ctx, id)
		if err != nil {
			return keptFacts{}, err
		}
		return s.kept(r), nil
	})
}

// keptRunning reads the active campaigns organised at or above the unit at unitPath, newest
// first, through the replica's copy.
func (s *Service) keptRunning(ctx context.Context, unitPath string) ([]keptFacts, error) {
	return through(ctx, s.keep.running, s.keep.key(unitPath), func(ctx context.Context) ([]keptFacts, error) {
		rows, _, err := s.store.List(ctx, Filter{AncestorsOf: unitPath, Status: StatusActive}, 0, 100)
		if err != nil {
			return nil, err
		}
		out := make([]keptFacts, len(rows))
		for i := range rows {
			out[i] = s.kept(&rows[i])
		}
		return out, nil
	})
}

// update writes a campaign's columns; once the transaction in ctx commits, the replica's
// copies are of an older generation.
func (s *Service) update(ctx context.Context, id int64, cols map[string]any) error {
	if err := s.store.Update(ctx, id, cols); err != nil {
		return err
	}
	database.AfterCommit(ctx, func() { s.keep.gen.Add(1) })
	return nil
}
