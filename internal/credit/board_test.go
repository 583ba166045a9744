package credit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// TopLearners reads the campaign's best summaries first and falls back to the scope's own rows
// when a narrow scope has too few among them; with more summaries than one read and many tied
// totals, every scope, track and limit must still give exactly the brute-force ranking, and the
// unit standings must account for every learner and credit of the scope.
func TestBoardMatchesBruteForce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		campaignID, _ := demo(t, e)
		// 1,200 learners: most in 华阳镇 and 临溪镇, a handful in 县公安局; totals from 21 values so
		// ties run long and straddle any read boundary.
		units := []struct {
			code   string
			weight int
		}{{"jixi", 2}, {"huayang", 50}, {"linxi", 40}, {"shangzhuang", 6}, {"gaj", 1}, {"jyj", 1}}
		rng := rand.New(rand.NewPCG(3, 4))
		now := time.Now().UTC().Truncate(time.Microsecond)
		const n = 1200
		accounts := make([]account.Account, n)
		tracks := make([]learner.Track, n)
		for i := range accounts {
			r := rng.IntN(100)
			code := units[0].code
			for _, u := range units {
				if r < u.weight {
					code = u.code
					break
				}
				r -= u.weight
			}
			tracks[i] = []learner.Track{learner.TrackGeneral, learner.TrackGeneral, learner.TrackLeader, learner.TrackJudicial}[rng.IntN(4)]
			accounts[i] = account.Account{DisplayName: fmt.Sprintf("学员%d", i), PasswordHash: "x", Role: auth.RoleLearner,
				UnitID: e.UnitID(code), Status: account.StatusActive, TokenVersion: 1}
		}
		require.NoError(t, e.DB.CreateInBatches(accounts, 200).Error)
		learners := make([]learner.Learner, n)
		for i, a := range accounts {
			learners[i] = learner.Learner{AccountID: a.ID, UnitID: a.UnitID, Name: a.DisplayName, Track: tracks[i], Status: learner.StatusActive}
			if i%97 == 0 {
				learners[i].Status = learner.StatusLeft
			}
		}
		require.NoError(t, e.DB.CreateInBatches(learners, 200).Error)
		summaries := make([]credit.Summary, n)
		for i, l := range learners {
			summaries[i] = credit.Summary{LearnerID: l.ID, CampaignID: campaignID, UnitID: l.UnitID, Track: string(l.Track),
				Total: credit.Amount(rng.IntN(21) * 50), UpdatedAt: now}
		}
		require.NoError(t, e.DB.CreateInBatches(summaries, 200).Error)

		type row struct {
			LearnerID int64
			Path      string
			Track     string
			Total     credit.Amount
			Status    string
		}
		var all []row
		require.NoError(t, e.DB.Table("credit_summaries").
			Select("credit_summaries.learner_id, units.path, credit_summaries.track, credit_summaries.total, learners.status").
			Joins("JOIN units ON units.id = credit_summaries.unit_id").Joins("JOIN learners ON learners.id = credit_summaries.learner_id").
			Where("credit_summaries.campaign_id = ?", campaignID).Scan(&all).Error)
		slices.SortFunc(all, func(a, b row) int {
			if a.Total != b.Total {
				return int(b.Total - a.Total)
			}
			return int(a.LearnerID - b.LearnerID)
		})

		store := credit.NewStore(e.DB)
		for _, code := range []string{"jixi", "huayang", "linxi", "shangzhuang", "gaj", "jyj", "sfj"} {
			u, err := e.App.Units.Lookup(ctx, e.UnitID(code))
			require.NoError(t, err)
			scope, err := store.Scope(ctx, u.Path)
			require.NoError(t, err)
			for _, track := range []string{"", "leader", "judicial"} {
				for _, limit := range []int{1, 3, 10, 100} {
					want := []int64{}
					for _, r := range all {
						if strings.HasPrefix(r.Path, u.Path) && (track == "" || r.Track == track) && len(want) < limit {
							want = append(want, r.LearnerID)
						}
					}
					got, err := store.TopLearners(ctx, campaignID, scope, track, limit)
					require.NoError(t, err)
					ids := make([]int64, 0, len(got))
					for _, g := range got {
						ids = append(ids, g.LearnerID)
					}
					require.Equal(t, want, ids, "unit %s, track %q, limit %d", code, track, limit)
				}
			}

			standings, err := store.SubUnitStandings(ctx, campaignID, u, scope, map[string]credit.Amount{"leader": 800, "general": 600, "judicial": 900})
			require.NoError(t, err)
			var wantLearners, wantCompleted int64
			var wantSum credit.Amount
			for _, r := range all {
				if !strings.HasPrefix(r.Path, u.Path) {
					continue
				}
				if r.Status != string(learner.StatusActive) {
					continue // learners who left count in no unit: neither their credits nor themselves
				}
				wantLearners++
				wantSum += r.Total
				if r.Total >= map[string]credit.Amount{"leader": 800, "general": 600, "judicial": 900}[r.Track] {
					wantCompleted++
				}
			}
			var gotLearners, gotCompleted int64
			var gotSum credit.Amount
			for _, s := range standings {
				gotLearners += s.Learners
				gotCompleted += s.Completed
				gotSum += s.Sum
			}
			// The demo learners have no summary but count as learners of their units.
			var demoLearners int64
			require.NoError(t, e.DB.Table("learners").Joins("JOIN units ON units.id = learners.unit_id").
				Where("units.path LIKE ? AND learners.status = 'active' AND learners.id NOT IN (SELECT learner_id FROM credit_summaries)", u.Path+"%").
				Count(&demoLearners).Error)
			assert.Equal(t, wantLearners+demoLearners, gotLearners, "unit %s learners", code)
			assert.Equal(t, wantCompleted, gotCompleted, "unit %s completed", code)
			assert.Equal(t, wantSum, gotSum, "unit %s credits", code)
		}
	})
}
