package campaign_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func newCampaign(unitID int64) map[string]any {
	return map[string]any{
		"unit_id": unitID, "name": "华阳镇法治讲座月", "theme": "以案释法进机关", "start_date": "2026-11-05", "end_date": "2026-12-05",
		"targets":  map[string]any{"leader": 20, "general": 15.5, "judicial": 25},
		"rules":    map[string]any{"study_per_minute": 0.05, "practice_per_correct": 0.1, "daily_caps": map[string]any{"study": 2}},
		"contacts": []map[string]any{{"name": "华阳司法所", "phone": "0563-8151111", "office_hours": "工作日"}},
	}
}

func TestCampaignLifecycle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		resp := e.Call(http.MethodPost, "/api/v1/campaigns", admin, newCampaign(e.UnitID("huayang")))
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		c := resp.Map(t)
		id := int64(c["id"].(float64))
		assert.Equal(t, "draft", c["status"])
		assert.EqualValues(t, 15.5, c["targets"].(map[string]any)["general"])
		assert.EqualValues(t, 0.05, c["rules"].(map[string]any)["study_per_minute"])
		assert.EqualValues(t, 2, c["rules"].(map[string]any)["daily_caps"].(map[string]any)["study"])

		learner := e.Token("13800000001") // 华阳镇
		path := fmt.Sprintf("/api/v1/campaigns/%d", id)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, learner, nil).Status, "drafts are hidden from learners")

		skip := e.Call(http.MethodPatch, path, admin, map[string]any{"status": "closed"})
		assert.Equal(t, http.StatusConflict, skip.Status)
		assert.Equal(t, "campaign.close_required", skip.ErrorCode(), "closing is the close-out's action, never an edit")
		activate := e.Call(http.MethodPatch, path, admin, map[string]any{"status": "active", "targets": map[string]any{"general": 16}})
		require.Equal(t, http.StatusOK, activate.Status, "%s", activate.Body)
		assert.EqualValues(t, 16, activate.Map(t)["targets"].(map[string]any)["general"])
		assert.EqualValues(t, 20, activate.Map(t)["targets"].(map[string]any)["leader"], "other targets kept")
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, path, learner, nil).Status)

		mine := e.Call(http.MethodGet, "/api/v1/campaigns", learner, nil).Map(t)
		assert.EqualValues(t, 2, mine["total"], "the county's and the township's")
		other := e.Call(http.MethodGet, "/api/v1/campaigns", e.Token("13800000004"), nil).Map(t) // 临溪镇
		assert.EqualValues(t, 1, other["total"], "another township's learner sees the county's only")
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, e.Token("linxi-admin"), nil).Status, "BOLA")

		refused := e.Call(http.MethodPatch, path, admin, map[string]any{"status": "closed"})
		assert.Equal(t, http.StatusConflict, refused.Status)
		assert.Equal(t, "campaign.close_required", refused.ErrorCode())
		assert.Equal(t, "active", e.Call(http.MethodGet, path, admin, nil).Map(t)["status"], "the refused edit changed nothing")

		closed := e.Call(http.MethodPost, path+"/close", admin, nil)
		require.Equal(t, http.StatusOK, closed.Status, "%s", closed.Body)
		assert.Equal(t, "closed", e.Call(http.MethodGet, path, admin, nil).Map(t)["status"])
		frozen := e.Call(http.MethodPatch, path, admin, map[string]any{"name": "改名"})
		assert.Equal(t, http.StatusConflict, frozen.Status)
		assert.Equal(t, "campaign.closed", frozen.ErrorCode())
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, learner, nil).Status, "closed campaigns leave the learner's list")
	})
}

func TestCampaignValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		cases := []struct {
			name   string
			mutate func(m map[string]any)
			status int
			field  string
		}{
			{"end before start", func(m map[string]any) { m["end_date"] = "2026-10-01" }, 422, "end_date"},
			{"not a date", func(m map[string]any) { m["start_date"] = "11/05/2026" }, 422, "start_date"},
			{"negative target", func(m map[string]any) { m["targets"] = map[string]any{"leader": -1} }, 422, "targets.leader"},
			{"three decimals", func(m map[string]any) { m["targets"] = map[string]any{"leader": 1.005} }, 400, "targets.leader"},
			{"cap on unknown source", func(m map[string]any) { m["rules"] = map[string]any{"daily_caps": map[string]any{"lottery": 1}} }, 422, "rules.daily_caps.lottery"},
			{"contact without phone", func(m map[string]any) { m["contacts"] = []map[string]any{{"name": "x"}} }, 422, "contacts[0].phone"},
			{"unit outside scope", func(m map[string]any) { m["unit_id"] = 99999 }, 422, "unit_id"},
			{"missing name", func(m map[string]any) { delete(m, "name") }, 422, "name"},
		}
		for _, c := range cases {
			body := newCampaign(e.UnitID("huayang"))
			c.mutate(body)
			resp := e.Call(http.MethodPost, "/api/v1/campaigns", admin, body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}
		var n int64
		require.NoError(t, e.DB.Table("campaigns").Count(&n).Error)
		assert.EqualValues(t, 1, n, "only the seeded campaign")
	})
}
