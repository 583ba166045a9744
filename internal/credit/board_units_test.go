package credit_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/config"
)

// unitRow is one unit of the ranking, as the API answers it and as a direct query counts it.
type unitRow struct {
	UnitID    int64
	Learners  int64
	Completed int64
	Average   float64
}

// boardUnits reads the root admin's unit ranking (in its ranked order) and its units_as_of.
func boardUnits(t *testing.T, e *apitest.Env, campaignID int64) ([]unitRow, string) {
	t.Helper()
	resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/credits/leaderboard?campaign_id=%d", campaignID), e.Token("admin"), nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	board := resp.Map(t)
	var out []unitRow
	for _, u := range board["units"].([]any) {
		m := u.(map[string]any)
		out = append(out, unitRow{UnitID: int64(m["unit_id"].(float64)), Learners: int64(m["learners"].(float64)),
			Completed: int64(m["completed"].(float64)), Average: m["average"].(float64)})
	}
	return out, board["units_as_of"].(string)
}

// directUnits counts, with one plain query per figure, the root's direct sub-units: active
// learners of each subtree, how many of them reach their track's target, and their mean credits.
func directUnits(t *testing.T, e *apitest.Env, campaignID int64) []unitRow {
	t.Helper()
	var children []struct {
		ID   int64
		Path string
	}
	require.NoError(t, e.DB.Raw(`SELECT c.id, c.path FROM units c JOIN units r ON r.id = c.parent_id WHERE r.parent_id IS NULL`).Scan(&children).Error)
	var out []unitRow
	for _, c := range children {
		var row struct {
			Learners  int64
			Completed int64
			Sum       int64
		}
		require.NoError(t, e.DB.Raw(`SELECT COUNT(*) AS learners,
				COALESCE(SUM(CASE WHEN s.total >= CASE l.track WHEN 'leader' THEN k.target_leader WHEN 'judicial' THEN k.target_judicial ELSE k.target_general END THEN 1 ELSE 0 END), 0) AS completed,
				COALESCE(SUM(s.total), 0) AS sum
			FROM learners l JOIN units u ON u.id = l.unit_id JOIN campaigns k ON k.id = ?
			LEFT JOIN credit_summaries s ON s.learner_id = l.id AND s.campaign_id = k.id
			WHERE l.status = 'active' AND u.path LIKE ?`, campaignID, c.Path+"%").Scan(&row).Error)
		if row.Learners == 0 {
			continue // nothing to compare
		}
		out = append(out, unitRow{UnitID: c.ID, Learners: row.Learners, Completed: row.Completed,
			Average: float64(row.Sum/row.Learners) / 100})
	}
	return out
}

// sameUnits compares the API's ranking with the direct counts: the same figures per unit, and an
// order by completion rate, then average.
func sameUnits(t *testing.T, api, direct []unitRow, msg string) {
	t.Helper()
	byID := map[int64]unitRow{}
	for _, u := range api {
		byID[u.UnitID] = u
	}
	for _, d := range direct {
		assert.Equal(t, d, byID[d.UnitID], "%s: unit %d", msg, d.UnitID)
	}
	rate := func(u unitRow) int64 {
		if u.Learners == 0 {
			return 0
		}
		return u.Completed * 1000 / u.Learners
	}
	assert.True(t, sort.SliceIsSorted(api, func(i, j int) bool {
		if rate(api[i]) != rate(api[j]) {
			return rate(api[i]) > rate(api[j])
		}
		return api[i].Average > api[j].Average
	}), "%s: ranked by completion rate, then average: %+v", msg, api)
}

// The county's unit ranking equals a direct aggregation after awards, a move between townships,
// a departure and a target change. Awards, moves and departures show once the cached ranking
// (credit.unit_ranking_ttl, 30 s) expires; a target change shows at once.
func TestUnitRankingMatchesDirectCounts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, _ := demo(t, e)
		idOf := func(name string) int64 {
			var id int64
			require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
			require.NotZero(t, id, name)
			return id
		}
		give := func(name, source string, amount credit.Amount) {
			_, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: idOf(name), CampaignID: campaignID,
				Source: credit.SourceExam, SourceID: source, Amount: amount})
			require.NoError(t, err)
		}
		give("张伟", "exam:1", credit.Credits(30, 0))
		give("王芳", "exam:1", credit.Credits(20, 0))
		give("刘洋", "exam:1", credit.Credits(45, 0))
		give("杨磊", "exam:1", credit.Credits(5, 0))
		first, asOf := boardUnits(t, e, campaignID)
		sameUnits(t, first, directUnits(t, e, campaignID), "after awards")

		// Within the TTL the ranking is the cached one, with its time.
		give("杨磊", "exam:2", credit.Credits(40, 0))
		e.Clock.Advance(10 * time.Second)
		cached, cachedAt := boardUnits(t, e, campaignID)
		assert.Equal(t, first, cached)
		assert.Equal(t, asOf, cachedAt)
		e.Clock.Advance(21 * time.Second)
		fresh, freshAt := boardUnits(t, e, campaignID)
		assert.NotEqual(t, asOf, freshAt)
		sameUnits(t, fresh, directUnits(t, e, campaignID), "after more awards and the TTL")

		// A learner moves to another township, another leaves.
		resp := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/learners/%d", idOf("刘洋")), e.Token("admin"), map[string]any{"unit_id": e.UnitID("huayang")})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		resp = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/learners/%d/leave", idOf("张伟")), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		e.Clock.Advance(31 * time.Second)
		moved, _ := boardUnits(t, e, campaignID)
		sameUnits(t, moved, directUnits(t, e, campaignID), "after a move and a departure")

		// A target change is part of the cache key: seen without waiting.
		resp = e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/campaigns/%d", campaignID), e.Token("admin"), map[string]any{"targets": map[string]any{"general": 5, "leader": 20}})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		retargeted, _ := boardUnits(t, e, campaignID)
		assert.NotEqual(t, moved, retargeted, "lower targets complete more learners")
		sameUnits(t, retargeted, directUnits(t, e, campaignID), "after a target change")
	})
}

// With the cache off, every board is computed from the summaries.
func TestUnitRankingUncached(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, learnerID := demo(t, e)
		before, _ := boardUnits(t, e, campaignID)
		_, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: learnerID, CampaignID: campaignID,
			Source: credit.SourceExam, SourceID: "exam:1", Amount: credit.Credits(30, 0)})
		require.NoError(t, err)
		after, _ := boardUnits(t, e, campaignID)
		assert.NotEqual(t, before, after)
		sameUnits(t, after, directUnits(t, e, campaignID), "uncached")
	}, func(c *config.Config) { c.Credit.UnitRankingTTL = 0 })
}
