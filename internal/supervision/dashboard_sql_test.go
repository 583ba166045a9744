package supervision_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/credit"
)

// The dashboard's per-unit figures equal direct counts over learners ⋈ summaries after awards,
// a move between townships and a departure: the summaries of learners who left are taken out
// of the index-only aggregate, and a moved learner counts in their new unit.
func TestDashboardFiguresMatchDirectCounts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var campaignID int64
		require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&campaignID).Error)
		e.Clock.Set(time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC))
		give(t, e, campaignID, "张伟", credit.Credits(10, 0))
		give(t, e, campaignID, "李娜", credit.Credits(5, 0))
		give(t, e, campaignID, "孙丽", credit.Credits(30, 0))
		give(t, e, campaignID, "刘洋", credit.Credits(45, 0))
		give(t, e, campaignID, "王芳", credit.Credits(2, 0))
		admin := e.Login("admin", app.DemoPassword)["access_token"].(string)
		idOf := func(name string) int64 {
			var id int64
			require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
			return id
		}
		resp := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/learners/%d", idOf("李娜")), admin, map[string]any{"unit_id": e.UnitID("linxi")})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		resp = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/learners/%d/leave", idOf("孙丽")), admin, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)

		d := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/dashboard?campaign_id=%d", e.UnitID("jixi"), campaignID), admin, nil)
		require.Equal(t, http.StatusOK, d.Status, "%s", d.Body)
		dash := d.Map(t)
		units := append([]any{dash}, dash["sub_units"].([]any)...)
		active := e.Clock.Now().Add(-7 * 24 * time.Hour)
		for _, u := range units {
			m := u.(map[string]any)
			var path string
			require.NoError(t, e.DB.Table("units").Select("path").Where("id = ?", int64(m["unit_id"].(float64))).Scan(&path).Error)
			var want struct {
				Learners  int64
				Sum       int64
				Completed int64
				Active    int64
			}
			require.NoError(t, e.DB.Raw(`SELECT COUNT(*) AS learners, COALESCE(SUM(s.total), 0) AS sum,
					COALESCE(SUM(CASE WHEN s.total >= CASE l.track WHEN 'leader' THEN k.target_leader WHEN 'judicial' THEN k.target_judicial ELSE k.target_general END THEN 1 ELSE 0 END), 0) AS completed,
					COALESCE(SUM(CASE WHEN s.last_activity_at >= ? THEN 1 ELSE 0 END), 0) AS active
				FROM learners l JOIN units u ON u.id = l.unit_id JOIN campaigns k ON k.id = ?
				LEFT JOIN credit_summaries s ON s.learner_id = l.id AND s.campaign_id = k.id
				WHERE l.status = 'active' AND u.path LIKE ?`, active, campaignID, path+"%").Scan(&want).Error)
			name := m["name"]
			assert.EqualValues(t, want.Learners, m["learners"], "%s learners", name)
			assert.EqualValues(t, want.Completed, m["completed"], "%s completed", name)
			assert.EqualValues(t, want.Active, m["active_last_7_days"], "%s active", name)
			if want.Learners > 0 {
				assert.EqualValues(t, float64(want.Sum/want.Learners)/100, m["average_credits"], "%s average", name)
			}
			sum := m["on_pace"].(float64) + m["lagging"].(float64) + m["far_behind"].(float64) + m["completed"].(float64)
			assert.EqualValues(t, want.Learners, sum, "%s: every learner in one pace class", name)
		}
		assert.EqualValues(t, 1, dash["completed"], "孙丽 left: only 刘洋 completes")
	})
}

// A dashboard's figures are kept for supervision.dashboard_ttl (30 s): new credits show once it
// expires, a campaign edit (targets) at once, and figures_as_of says when they were computed.
func TestDashboardFiguresCache(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var campaignID int64
		require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&campaignID).Error)
		e.Clock.Set(time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC))
		admin := e.Login("admin", app.DemoPassword)["access_token"].(string)
		read := func() map[string]any {
			resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/dashboard?campaign_id=%d", e.UnitID("jixi"), campaignID), admin, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			return resp.Map(t)
		}
		first := read()
		assert.EqualValues(t, 0, first["completed"])
		assert.Equal(t, "2026-11-21T02:00:00Z", first["figures_as_of"])

		give(t, e, campaignID, "孙丽", credit.Credits(30, 0)) // general: completed
		e.Clock.Advance(29 * time.Second)
		cached := read()
		assert.EqualValues(t, 0, cached["completed"], "within the TTL: the kept figures")
		assert.Equal(t, first["figures_as_of"], cached["figures_as_of"])
		require.Len(t, cached["series"], 1, "the series is live")

		e.Clock.Advance(time.Second)
		fresh := read()
		assert.EqualValues(t, 1, fresh["completed"], "expired: recomputed")
		assert.Equal(t, "2026-11-21T02:00:30Z", fresh["figures_as_of"])

		give(t, e, campaignID, "张伟", credit.Credits(10, 0))
		resp := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/campaigns/%d", campaignID), admin, map[string]any{"targets": map[string]any{"general": 10}})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		retargeted := read()
		assert.EqualValues(t, 2, retargeted["completed"], "a target change shows at once")
	})
}
