package supervision_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/credit"
)

func TestExpectedCurves(t *testing.T) {
	now := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC) // day 21 of Nov 1 – Dec 31 (61 days)
	linear := credit.Rules{}
	assert.Equal(t, credit.Amount(1032), linear.Expected(credit.Credits(30, 0), "2026-11-01", "2026-12-31", now), "30 × 21/61")
	front := credit.Rules{PaceCurve: credit.PaceFrontLoaded}
	assert.Equal(t, credit.Amount(1710), front.Expected(credit.Credits(30, 0), "2026-11-01", "2026-12-31", now), "30 × (1 − (40/61)²)")
	assert.Equal(t, credit.Credits(30, 0), linear.Expected(credit.Credits(30, 0), "2026-11-01", "2026-12-31", now.AddDate(1, 0, 0)), "all of it after the end")
	assert.Equal(t, credit.Amount(0), linear.Expected(credit.Credits(30, 0), "2026-11-01", "2026-12-31", now.AddDate(0, -1, 0)), "nothing before the start")

	lag, far := linear.Thresholds(credit.Credits(30, 0))
	assert.Equal(t, credit.Credits(3, 0), lag)
	assert.Equal(t, credit.Credits(9, 0), far)
	for _, c := range []struct {
		total credit.Amount
		want  credit.Pace
	}{{credit.Credits(10, 0), credit.OnPace}, {credit.Credits(5, 0), credit.Lagging}, {0, credit.FarBehind}, {credit.Credits(30, 0), credit.Completed}} {
		assert.Equal(t, c.want, linear.PaceOf(c.total, credit.Credits(30, 0), 1032), "total %s", c.total)
	}
}

// give awards credits to a seeded learner by name at the Env's current time.
func give(t *testing.T, e *apitest.Env, campaignID int64, name string, amount credit.Amount) {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
	_, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: id, CampaignID: campaignID, Source: credit.SourceExam,
		SourceID: "exam:test", Amount: amount})
	require.NoError(t, err)
}

// Hand-computed on day 21 of the 61-day demo campaign: expected 10.32 (general), 13.77 (leader),
// 17.21 (judicial); lagging beyond 10% of the target, far behind beyond 30%.
func TestDashboardAndLagging(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var campaignID int64
		require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&campaignID).Error)
		e.Clock.Set(time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC))
		give(t, e, campaignID, "张伟", credit.Credits(10, 0)) // 华阳镇, general: on pace
		give(t, e, campaignID, "李娜", credit.Credits(5, 0))  // 华阳镇, general: lagging
		give(t, e, campaignID, "孙丽", credit.Credits(30, 0)) // 县公安局, general: completed
		admin := e.Login("admin", app.DemoPassword)["access_token"].(string)

		resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/dashboard?campaign_id=%d", e.UnitID("jixi"), campaignID), admin, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		d := resp.Map(t)
		var learners int64
		require.NoError(t, e.DB.Table("learners").Where("status = 'active'").Count(&learners).Error)
		assert.EqualValues(t, learners, d["learners"], "equals a direct count")
		assert.EqualValues(t, 1, d["on_pace"])
		assert.EqualValues(t, 1, d["lagging"])
		assert.EqualValues(t, 1, d["completed"])
		assert.EqualValues(t, 9, d["far_behind"], "everyone else has nothing on day 21")
		assert.EqualValues(t, 8.3, d["completion_rate"], "1 of 12")
		assert.EqualValues(t, 3.75, d["average_credits"], "45 / 12")
		assert.EqualValues(t, 3, d["active_last_7_days"])
		assert.EqualValues(t, 10.32, d["expected_by_track"].(map[string]any)["general"])
		series := d["series"].([]any)
		require.Len(t, series, 1)
		assert.Equal(t, "2026-11-21", series[0].(map[string]any)["day"])
		assert.EqualValues(t, 45, series[0].(map[string]any)["credits"])
		var huayang map[string]any
		for _, u := range d["sub_units"].([]any) {
			if u.(map[string]any)["name"] == "华阳镇" {
				huayang = u.(map[string]any)
			}
		}
		require.NotNil(t, huayang)
		assert.EqualValues(t, 3, huayang["learners"])
		assert.EqualValues(t, 1, huayang["on_pace"])
		assert.EqualValues(t, 1, huayang["lagging"])
		assert.EqualValues(t, 1, huayang["far_behind"], "王芳, leader, nothing yet")

		lag := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/lagging?campaign_id=%d", e.UnitID("huayang"), campaignID), admin, nil)
		require.Equal(t, http.StatusOK, lag.Status, "%s", lag.Body)
		items := lag.Map(t)["items"].([]any)
		require.Len(t, items, 2)
		assert.Equal(t, "王芳", items[0].(map[string]any)["name"], "most behind first")
		assert.EqualValues(t, 13.77, items[0].(map[string]any)["lag"])
		assert.Equal(t, "far_behind", items[0].(map[string]any)["status"])
		assert.Equal(t, "李娜", items[1].(map[string]any)["name"])
		assert.EqualValues(t, 5.32, items[1].(map[string]any)["lag"])
		export := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/lagging/export?campaign_id=%d", e.UnitID("huayang"), campaignID), admin, nil)
		require.Equal(t, http.StatusOK, export.Status)
		book, err := excelize.OpenReader(bytes.NewReader(export.Body))
		require.NoError(t, err)
		rows, err := book.GetRows("学分落后")
		require.NoError(t, err)
		require.Len(t, rows, 3)
		assert.Equal(t, []string{"王芳", "华阳镇", "leader", "0", "40", "13.77", "13.77", "far_behind"}, rows[1][:8])
		far := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/lagging?campaign_id=%d&status=far_behind", e.UnitID("huayang"), campaignID), admin, nil).Map(t)
		assert.EqualValues(t, 1, far["total"])

		ranking := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/ranking?campaign_id=%d", campaignID), admin, nil).Map(t)
		first := ranking["items"].([]any)[0].(map[string]any)
		assert.Equal(t, "县公安局", first["name"], "1 of 2 completed")
		assert.EqualValues(t, 50, first["completion_rate"])
	})
}

func TestSupervisionScoping(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var campaignID int64
		require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&campaignID).Error)
		huayang := e.Token("huayang-admin")
		own := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/dashboard?campaign_id=%d", e.UnitID("huayang"), campaignID), huayang, nil)
		require.Equal(t, http.StatusOK, own.Status, "the county's campaign covers the township")
		assert.EqualValues(t, 3, own.Map(t)["learners"])
		for _, path := range []string{"/api/v1/units/%d/dashboard?campaign_id=%d", "/api/v1/units/%d/lagging?campaign_id=%d"} {
			resp := e.Call(http.MethodGet, fmt.Sprintf(path, e.UnitID("linxi"), campaignID), huayang, nil)
			assert.Equal(t, http.StatusNotFound, resp.Status, path)
		}
		missing := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/dashboard", e.UnitID("huayang")), huayang, nil)
		assert.Equal(t, http.StatusBadRequest, missing.Status)
		assert.Contains(t, missing.ErrorFields(), "campaign_id")
	})
}
