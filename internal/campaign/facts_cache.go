package campaign

import (
	"context"
	"strconv"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/ttlcache"
)

// A campaign's facts (organiser, dates, targets, rules) are read by every credit award and by
// every learner's home screen and ledger page, and change a few times a year. A replica keeps
// each campaign's facts for campaign.facts_ttl: the read was one statement of the two left on
// GET /me/credits (issue 21, docs/performance.md). A write through this service drops the
// replica's copy once it commits, so this replica answers with the new facts at once; other
// replicas within the TTL. Whether a campaign is closing or closed, which decides whether an
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

func newFactsCache(ttl time.Duration, now func() time.Time) *ttlcache.Cache[keptFacts] {
	return ttlcache.New(ttl, now, shareFacts)
}

func factsKey(id int64) string { return strconv.FormatInt(id, 10) }

// keptFactsOf reads a campaign's facts through the replica's copy.
func (s *Service) keptFactsOf(ctx context.Context, id int64) (keptFacts, error) {
	k, _, err := s.kept.Get(ctx, factsKey(id), func(ctx context.Context) (keptFacts, error) {
		r, err := s.store.Get(ctx, id)
		if err != nil {
			return keptFacts{}, err
		}
		return keptFacts{facts: *s.facts(r), status: r.Status}, nil
	})
	return k, err
}

// update writes a campaign's columns and drops the replica's copy of its facts once the
// transaction in ctx commits.
func (s *Service) update(ctx context.Context, id int64, cols map[string]any) error {
	if err := s.store.Update(ctx, id, cols); err != nil {
		return err
	}
	database.AfterCommit(ctx, func() { s.kept.Forget(factsKey(id)) })
	return nil
}
