package questionbank_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/questionbank"
)

func TestBankCRUDAndScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		root, huayangAdmin, linxiAdmin := e.Token("admin"), e.Token("huayang-admin"), e.Token("linxi-admin")
		demo := demoBankID(t, e)

		created := e.Call(http.MethodPost, "/api/v1/question-banks", huayangAdmin, map[string]any{
			"name": "华阳镇民法典题库", "subject": "民法典", "tracks": []string{"general", "general", "leader"}, "description": "镇级自建题库",
		})
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		bank := created.Map(t)
		id := idOf(t, bank)
		assert.EqualValues(t, e.UnitID("huayang"), bank["unit_id"], "defaults to the caller's unit")
		assert.Equal(t, "华阳镇", bank["unit_name"])
		assert.Equal(t, []any{"general", "leader"}, bank["tracks"], "tracks are deduplicated")
		assert.EqualValues(t, 0, bank["question_count"])

		dup := e.Call(http.MethodPost, "/api/v1/question-banks", huayangAdmin, map[string]any{"name": "华阳镇民法典题库", "subject": "x"})
		assert.Equal(t, http.StatusConflict, dup.Status)
		assert.Equal(t, "question_bank.name_taken", dup.ErrorCode())

		cases := []struct {
			name   string
			token  string
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"other township reads", linxiAdmin, http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d", id), nil, 404, "question_bank.not_found"},
			{"other township edits", linxiAdmin, http.MethodPatch, fmt.Sprintf("/api/v1/question-banks/%d", id), map[string]any{"name": "x"}, 404, "question_bank.not_found"},
			{"other township deletes", linxiAdmin, http.MethodDelete, fmt.Sprintf("/api/v1/question-banks/%d", id), nil, 404, "question_bank.not_found"},
			{"township reads the county bank as admin", huayangAdmin, http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d", demo), nil, 404, "question_bank.not_found"},
			{"create in another township", huayangAdmin, http.MethodPost, "/api/v1/question-banks", map[string]any{"unit_id": e.UnitID("linxi"), "name": "x", "subject": "x"}, 422, "question_bank.unit_not_found"},
			{"unknown track", huayangAdmin, http.MethodPost, "/api/v1/question-banks", map[string]any{"name": "y", "subject": "x", "tracks": []string{"all"}}, 422, "request.validation"},
			{"missing subject", huayangAdmin, http.MethodPost, "/api/v1/question-banks", map[string]any{"name": "y"}, 422, "request.validation"},
			{"delete a bank with questions", root, http.MethodDelete, fmt.Sprintf("/api/v1/question-banks/%d", demo), nil, 409, "question_bank.not_empty"},
		}
		for _, c := range cases {
			resp := e.Call(c.method, c.path, c.token, c.body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
		}

		list := e.Call(http.MethodGet, "/api/v1/question-banks", huayangAdmin, nil).Map(t)
		assert.EqualValues(t, 1, list["total"], "a township admin sees its own subtree only")
		all := e.Call(http.MethodGet, "/api/v1/question-banks?subject=民法典", root, nil).Map(t)
		assert.EqualValues(t, 1, all["total"], "filter by subject")
		demoView := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d", demo), root, nil).Map(t)
		assert.EqualValues(t, 72, demoView["question_count"])
		assert.EqualValues(t, 72, demoView["published_count"])

		renamed := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/question-banks/%d", id), huayangAdmin, map[string]any{"name": "华阳镇题库", "tracks": []string{}})
		require.Equal(t, http.StatusOK, renamed.Status, "%s", renamed.Body)
		assert.Equal(t, "华阳镇题库", renamed.Map(t)["name"])
		assert.Equal(t, []any{}, renamed.Map(t)["tracks"])

		// A unit owning a bank cannot be deleted.
		inUse := e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", e.UnitID("huayang")), root, nil)
		assert.Equal(t, http.StatusConflict, inUse.Status)

		require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/question-banks/%d", id), huayangAdmin, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d", id), huayangAdmin, nil).Status)

		var audited int64
		require.NoError(t, e.DB.Table("audit_logs").Where("resource_type = 'question_bank' AND resource_id = ?", fmt.Sprint(id)).Count(&audited).Error)
		assert.EqualValues(t, 3, audited, "create, update and delete are audited")
	})
}

// Learners see the banks of their own unit and its ancestors, and nothing else.
func TestLearnerBankVisibility(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		huayangBank := newBank(t, e, e.Token("huayang-admin"), map[string]any{"name": "华阳镇题库", "subject": "宪法"})
		linxiBank := newBank(t, e, e.Token("linxi-admin"), map[string]any{"name": "临溪镇题库", "subject": "宪法"})
		learner := newLearner(t, e, "learner-hy", "huayang")

		list := e.Call(http.MethodGet, "/api/v1/question-banks", learner, nil).Map(t)
		var names []any
		for _, item := range list["items"].([]any) {
			names = append(names, item.(map[string]any)["name"])
		}
		assert.ElementsMatch(t, []any{questionbank.DemoBankName, "华阳镇题库"}, names)

		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d", huayangBank), learner, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d", linxiBank), learner, nil).Status)
		// Learners never manage banks or read questions with keys.
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d/questions", huayangBank), learner, nil).Status)
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/question-banks/%d", huayangBank), learner, map[string]any{"name": "x"}).Status)
	})
}
