package integration_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/integration"
)

type fixture struct {
	campaignID, learnerID, linxiLearnerID, rootEventID, huayangEventID int64
}

func seeded(t *testing.T, e *apitest.Env) fixture {
	t.Helper()
	var f fixture
	require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&f.campaignID).Error)
	require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "张伟").Scan(&f.learnerID).Error)
	require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "刘洋").Scan(&f.linxiLearnerID).Error)
	require.NoError(t, e.DB.Table("events").Select("id").Where("unit_id = ?", e.UnitID("jixi")).Order("id").Limit(1).Scan(&f.rootEventID).Error)
	require.NoError(t, e.DB.Table("events").Select("id").Where("unit_id = ?", e.UnitID("huayang")).Limit(1).Scan(&f.huayangEventID).Error)
	require.NotZero(t, f.campaignID*f.learnerID*f.linxiLearnerID*f.rootEventID*f.huayangEventID)
	return f
}

// Scope matrix: a client holding one scope opens exactly that scope's endpoints; every other
// integrator endpoint answers 403 auth.scope_missing (exams:read has no endpoint yet).
func TestScopeMatrix(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		sync := map[string]any{"learners": []map[string]any{{"external_id": "HR-1", "name": "新同事", "unit_id": e.UnitID("huayang"),
			"track": "general", "phone": "13900000001"}}}
		endpoints := []struct {
			scope, method, path string
			body                any
		}{
			{"units:read", http.MethodGet, "/api/v1/units", nil},
			{"units:read", http.MethodGet, fmt.Sprintf("/api/v1/units/%d", e.UnitID("huayang")), nil},
			{"learners:read", http.MethodGet, "/api/v1/learners", nil},
			{"learners:read", http.MethodGet, fmt.Sprintf("/api/v1/learners/%d", f.learnerID), nil},
			{"credits:read", http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/credits?campaign_id=%d", f.learnerID, f.campaignID), nil},
			{"credits:read", http.MethodGet, fmt.Sprintf("/api/v1/credits/leaderboard?campaign_id=%d", f.campaignID), nil},
			{"events:read", http.MethodGet, "/api/v1/events", nil},
			{"events:read", http.MethodGet, fmt.Sprintf("/api/v1/events/%d", f.rootEventID), nil},
			{"events:read", http.MethodGet, "/api/v1/events/stats", nil},
			{"learners:write", http.MethodPut, "/api/v1/integration/learners", sync},
			{"webhooks:manage", http.MethodGet, "/api/v1/integration/webhooks", nil},
			{"results:read", http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report", f.campaignID), nil},
			{"results:read", http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/record", f.learnerID), nil},
		}
		for _, scope := range integration.AllScopes() {
			tok := e.ClientToken(e.CreateClient("jixi", scope), "")
			for _, ep := range endpoints {
				resp := e.Call(ep.method, ep.path, tok, ep.body)
				if ep.scope == scope {
					assert.Equal(t, http.StatusOK, resp.Status, "%s opens %s %s: %s", scope, ep.method, ep.path, resp.Body)
					continue
				}
				assert.Equal(t, http.StatusForbidden, resp.Status, "%s must not open %s %s", scope, ep.method, ep.path)
				assert.Equal(t, "auth.scope_missing", resp.ErrorCode())
			}
			// Writes other than the sync stay closed to every client.
			assert.Equal(t, http.StatusForbidden, e.Call(http.MethodPost, "/api/v1/units", tok, map[string]any{}).Status)
			assert.Equal(t, http.StatusForbidden, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/learners/%d", f.learnerID), tok, map[string]any{}).Status)
			assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/pii", f.learnerID), tok, nil).Status)
		}
	})
}

// A client reads inside its unit subtree only, like an admin of that unit: anything else 404.
func TestClientSubtree(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		tok := e.ClientToken(e.CreateClient("huayang", "learners:read", "credits:read", "events:read", "units:read", "results:read"), "")
		learners := e.Call(http.MethodGet, "/api/v1/learners", tok, nil)
		require.Equal(t, http.StatusOK, learners.Status)
		assert.EqualValues(t, 3, learners.Map(t)["total"], "华阳镇's three learners")
		assert.NotContains(t, string(learners.Body), "13800000001", "phones stay masked")
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d", f.linxiLearnerID), tok, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet,
			fmt.Sprintf("/api/v1/learners/%d/credits?campaign_id=%d", f.linxiLearnerID, f.campaignID), tok, nil).Status)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet,
			fmt.Sprintf("/api/v1/learners/%d/credits?campaign_id=%d", f.learnerID, f.campaignID), tok, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d", e.UnitID("linxi")), tok, nil).Status)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/record", f.learnerID), tok, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/record", f.linxiLearnerID), tok, nil).Status)
		report := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report", f.campaignID), tok, nil)
		require.Equal(t, http.StatusOK, report.Status, "%s", report.Body)
		assert.EqualValues(t, e.UnitID("huayang"), report.Map(t)["unit_id"], "the report defaults to the client's unit")
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet,
			fmt.Sprintf("/api/v1/campaigns/%d/report?unit_id=%d", f.campaignID, e.UnitID("linxi")), tok, nil).Status)
		units := e.Call(http.MethodGet, "/api/v1/units", tok, nil)
		require.Equal(t, http.StatusOK, units.Status)
		assert.EqualValues(t, 1, units.Map(t)["total"])

		events := e.Call(http.MethodGet, "/api/v1/events", tok, nil)
		require.Equal(t, http.StatusOK, events.Status)
		assert.EqualValues(t, 1, events.Map(t)["total"], "the township's own event")
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d", f.huayangEventID), tok, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d", f.rootEventID), tok, nil).Status)
		assert.Equal(t, http.StatusBadRequest, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/stats?unit_id=%d", e.UnitID("jixi")), tok, nil).Status)
		assert.Equal(t, http.StatusBadRequest, e.Call(http.MethodGet,
			fmt.Sprintf("/api/v1/credits/leaderboard?campaign_id=%d&unit_id=%d", f.campaignID, e.UnitID("linxi")), tok, nil).Status)
	})
}
