package credit

import (
	"context"
	"fmt"
	"sort"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// A learner's place in their unit (GET /me/credits, the home screen) is counted from the unit's
// totals in the campaign, kept per replica for credit.unit_ranking_ttl like the leaderboard's
// unit ranking: counting them per request read ~1,500 index entries for a unit of 500 learners
// and held the home screen at 0.20–0.23× a point SELECT (docs/performance.md, issue 21). An
// award drops its unit's totals once it commits, so the learner who earned sees their new place
// at once; other replicas, and moves and departures, show within the TTL.

// unitPlaces are the totals of a unit's learners who have a summary in a campaign, highest
// first, and how many active learners the unit has.
type unitPlaces struct {
	Totals   []Amount
	Learners int64
}

// ahead counts the learners with more credits than total.
func (p unitPlaces) ahead(total Amount) int64 {
	return int64(sort.Search(len(p.Totals), func(i int) bool { return p.Totals[i] <= total }))
}

// sharePlaces hands out the kept value itself: nobody changes it.
func sharePlaces(p unitPlaces) unitPlaces { return p }

func placesKey(campaignID, unitID int64) string { return fmt.Sprintf("%d:%d", campaignID, unitID) }

// placesIn returns a unit's places in a campaign (kept for the TTL).
func (s *Service) placesIn(ctx context.Context, campaignID, unitID int64) (unitPlaces, error) {
	p, _, err := s.places.Get(ctx, placesKey(campaignID, unitID), func(ctx context.Context) (unitPlaces, error) {
		return s.store.unitPlaces(ctx, campaignID, unitID)
	})
	return p, err
}

// forgetPlaces drops a unit's places once the transaction in ctx commits.
func (s *Service) forgetPlaces(ctx context.Context, campaignID, unitID int64) {
	database.AfterCommit(ctx, func() { s.places.Forget(placesKey(campaignID, unitID)) })
}
