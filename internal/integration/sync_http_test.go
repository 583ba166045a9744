package integration_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

type syncResult struct {
	Created, Updated, Unchanged, Failed int
	Results                             []struct {
		Index      int    `json:"index"`
		ExternalID string `json:"external_id"`
		Status     string `json:"status"`
		LearnerID  int64  `json:"learner_id"`
		Error      *struct {
			Code   string `json:"code"`
			Fields []struct {
				Field string `json:"field"`
			} `json:"fields"`
		} `json:"error"`
	}
}

func doSync(t *testing.T, e *apitest.Env, tok string, items ...map[string]any) syncResult {
	t.Helper()
	resp := e.Call(http.MethodPut, "/api/v1/integration/learners", tok, map[string]any{"learners": items})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var out syncResult
	resp.JSON(t, &out)
	return out
}

// Bulk upsert by external id: created, unchanged on replay, updated on change, per-item errors
// that do not stop the other items, the client's subtree enforced, and the same audit trail as
// the learner API.
func TestLearnerSync(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		huayang, linxi := e.UnitID("huayang"), e.UnitID("linxi")
		tok := e.ClientToken(e.CreateClient("huayang", "learners:write", "learners:read"), "")
		a := map[string]any{"external_id": "HR-001", "name": "钱多多", "unit_id": huayang, "track": "general", "position": "科员",
			"phone": "13900000001", "id_card": "11010519491231002X"}
		b := map[string]any{"external_id": "HR-002", "name": "孙小美", "unit_id": huayang, "track": "leader", "phone": "13900000002"}
		badPhone := map[string]any{"external_id": "HR-003", "name": "阿土伯", "unit_id": huayang, "track": "general", "phone": "12345"}
		outside := map[string]any{"external_id": "HR-004", "name": "金贝贝", "unit_id": linxi, "track": "general", "phone": "13900000004"}
		dup := map[string]any{"external_id": "HR-001", "name": "钱多多", "unit_id": huayang, "track": "general", "phone": "13900000001"}
		noID := map[string]any{"name": "无编号", "unit_id": huayang, "track": "general", "phone": "13900000005"}
		takenPhone := map[string]any{"external_id": "HR-006", "name": "撞号人", "unit_id": huayang, "track": "general", "phone": "13800000001"}

		first := doSync(t, e, tok, a, b, badPhone, outside, dup, noID, takenPhone)
		assert.Equal(t, 2, first.Created)
		assert.Equal(t, 5, first.Failed)
		statuses := []string{}
		codes := []string{}
		for _, r := range first.Results {
			statuses = append(statuses, r.Status)
			if r.Error != nil {
				codes = append(codes, r.Error.Code)
			}
		}
		assert.Equal(t, []string{"created", "created", "error", "error", "error", "error", "error"}, statuses)
		assert.Equal(t, []string{"request.validation", "learner.unit_not_found", "learner.duplicate_external_id", "request.validation", "learner.phone_taken"}, codes)
		assert.Equal(t, "phone", first.Results[2].Error.Fields[0].Field)

		// Synced learners have no password: nothing was generated, so nothing can be guessed.
		login := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "13900000001", "password": "Anything#2026"})
		assert.Equal(t, http.StatusUnauthorized, login.Status)
		assert.Equal(t, "auth.invalid_credentials", login.ErrorCode())

		// Replaying the same list changes nothing.
		again := doSync(t, e, tok, a, b)
		assert.Equal(t, 2, again.Unchanged, "%+v", again)
		assert.Equal(t, first.Results[0].LearnerID, again.Results[0].LearnerID)

		// A change updates the learner (and its account's phone).
		b["position"], b["phone"] = "副镇长", "13900000022"
		changed := doSync(t, e, tok, a, b)
		assert.Equal(t, 1, changed.Updated)
		assert.Equal(t, 1, changed.Unchanged)
		got := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d", changed.Results[1].LearnerID), tok, nil).Map(t)
		assert.Equal(t, "副镇长", got["position"])
		assert.Equal(t, "HR-002", got["external_id"])
		assert.Equal(t, "139****0022", got["phone"])

		// Another township's client cannot take over the learner by its external id.
		other := e.ClientToken(e.CreateClient("linxi", "learners:write"), "")
		a["unit_id"] = linxi
		stolen := doSync(t, e, other, a)
		require.Equal(t, 1, stolen.Failed)
		assert.Equal(t, "learner.external_id_taken", stolen.Results[0].Error.Code)

		var audited int64
		require.NoError(t, e.DB.Table("audit_logs").Where("action IN ('learner.create','learner.update') AND actor_role = 'integrator'").Count(&audited).Error)
		assert.EqualValues(t, 3, audited)

		// The request itself: empty, over 1,000 items.
		empty := e.Call(http.MethodPut, "/api/v1/integration/learners", tok, map[string]any{"learners": []any{}})
		assert.Equal(t, http.StatusUnprocessableEntity, empty.Status)
		many := make([]string, 1001)
		for i := range many {
			many[i] = `{"external_id":"X"}`
		}
		tooMany := e.Call(http.MethodPut, "/api/v1/integration/learners", tok, `{"learners":[`+strings.Join(many, ",")+`]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, tooMany.Status, "%s", tooMany.Body)
		assert.Contains(t, tooMany.ErrorFields(), "learners")
	}, bigBody)
}
