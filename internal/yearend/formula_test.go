package yearend_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// addExam inserts an exam of a campaign (a make-up when mainID > 0); the year's formula only
// reads its campaign and main exam, and exam_results.
func addExam(t *testing.T, e *apitest.Env, campaignID int64, mainID int64, title string) int64 {
	t.Helper()
	now := e.Clock.Now()
	row := map[string]any{"campaign_id": campaignID, "unit_id": e.UnitID("jixi"), "title": title, "opens_at": now, "closes_at": now.Add(48 * time.Hour),
		"duration_minutes": 60, "max_attempts": 1, "score_policy": "best", "pass_score": 60, "review_policy": "after_close", "status": "published",
		"created_at": now, "updated_at": now}
	if mainID > 0 {
		row["main_exam_id"] = mainID
	}
	require.NoError(t, e.DB.Table("exams").Create(row).Error)
	var id int64
	require.NoError(t, e.DB.Table("exams").Select("MAX(id)").Scan(&id).Error)
	return id
}

func countAudits(t *testing.T, e *apitest.Env, action string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table("audit_logs").Where("action = ?", action).Count(&n).Error)
	return n
}

func TestYearFormula(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := demoCampaign(t, e)
		path := fmt.Sprintf("/api/v1/campaigns/%d/formula", id)
		admin := e.Token("admin")
		main := addExam(t, e, id, 0, "主考")
		makeUp := addExam(t, e, id, main, "补考")
		other := createCampaign(t, e, admin, e.UnitID("jixi"), "另一活动", "2026-12-01", "2026-12-31")
		foreign := addExam(t, e, other, 0, "别的活动的考试")

		def := e.Call(http.MethodGet, path, e.Token("huayang-admin"), nil)
		require.Equal(t, http.StatusOK, def.Status, "%s", def.Body)
		assert.Equal(t, map[string]any{"campaign_id": float64(id), "exam_weight": 0.0, "exam_id": nil, "pass_score": 100.0,
			"exempt_target_percent": 50.0, "updated_by": nil, "updated_at": nil}, def.Map(t), "a township admin reads the county's default formula")

		put := e.Call(http.MethodPut, path, admin, map[string]any{"exam_weight": 40, "exam_id": main, "pass_score": 60.5, "exempt_target_percent": 70})
		require.Equal(t, http.StatusOK, put.Status, "%s", put.Body)
		got := e.Call(http.MethodGet, path, admin, nil).Map(t)
		assert.Equal(t, 40.0, got["exam_weight"])
		assert.Equal(t, float64(main), got["exam_id"])
		assert.Equal(t, 60.5, got["pass_score"])
		assert.Equal(t, 70.0, got["exempt_target_percent"])
		assert.Equal(t, float64(e.AccountID("admin")), got["updated_by"])
		assert.EqualValues(t, 1, countAudits(t, e, "campaign.formula.update"))

		body := func(mod map[string]any) map[string]any {
			b := map[string]any{"exam_weight": 40, "exam_id": main, "pass_score": 60, "exempt_target_percent": 50}
			for k, v := range mod {
				b[k] = v
			}
			return b
		}
		cases := []struct {
			name   string
			token  string
			path   string
			body   any
			status int
			code   string
			field  string
		}{
			{"weight over 100", admin, path, body(map[string]any{"exam_weight": 101}), 422, "request.validation", "exam_weight"},
			{"negative weight", admin, path, body(map[string]any{"exam_weight": -1}), 422, "request.validation", "exam_weight"},
			{"weight without an exam", admin, path, body(map[string]any{"exam_id": nil}), 422, "request.validation", "exam_id"},
			{"a make-up is not a main exam", admin, path, body(map[string]any{"exam_id": makeUp}), 422, "request.validation", "exam_id"},
			{"another campaign's exam", admin, path, body(map[string]any{"exam_id": foreign}), 422, "request.validation", "exam_id"},
			{"no such exam", admin, path, body(map[string]any{"exam_id": 99999}), 422, "request.validation", "exam_id"},
			{"pass mark over 100", admin, path, body(map[string]any{"pass_score": 100.01}), 422, "request.validation", "pass_score"},
			{"pass mark with three decimals", admin, path, body(map[string]any{"pass_score": 60.001}), 400, "", "pass_score"},
			{"exempt percent 0", admin, path, body(map[string]any{"exempt_target_percent": 0}), 422, "request.validation", "exempt_target_percent"},
			{"exempt percent over 100", admin, path, body(map[string]any{"exempt_target_percent": 101}), 422, "request.validation", "exempt_target_percent"},
			{"not JSON", admin, path, "{", 400, "", ""},
			{"township admin who sees it", e.Token("huayang-admin"), path, body(nil), 403, "campaign.organiser_only", ""},
			{"learner", e.Token("13800000001"), path, body(nil), 403, "auth.forbidden", ""},
			{"no such campaign", admin, "/api/v1/campaigns/99999/formula", body(nil), 404, "campaign.not_found", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp := e.Call(http.MethodPut, c.path, c.token, c.body)
				require.Equal(t, c.status, resp.Status, "%s", resp.Body)
				if c.code != "" {
					assert.Equal(t, c.code, resp.ErrorCode())
				}
				if c.field != "" {
					assert.Contains(t, resp.ErrorFields(), c.field)
				}
			})
		}
		assert.EqualValues(t, 1, countAudits(t, e, "campaign.formula.update"), "refused writes are not recorded as changes")
		assert.Equal(t, 60.5, e.Call(http.MethodGet, path, admin, nil).Map(t)["pass_score"], "refused writes changed nothing")

		credits := e.Call(http.MethodPut, path, admin, map[string]any{"exam_weight": 0, "exam_id": nil, "pass_score": 80, "exempt_target_percent": 50})
		require.Equal(t, http.StatusOK, credits.Status, "credits only needs no exam: %s", credits.Body)

		// A township's own campaign: the county admin sees it but is not its organiser.
		township := createCampaign(t, e, e.Token("huayang-admin"), e.UnitID("huayang"), "华阳镇学法周", "2026-11-01", "2026-11-30")
		tp := fmt.Sprintf("/api/v1/campaigns/%d/formula", township)
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodPut, tp, admin, body(map[string]any{"exam_weight": 0, "exam_id": nil})).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, tp, e.Token("linxi-admin"), nil).Status, "another township's campaign is not seen")
		assert.Equal(t, http.StatusOK, e.Call(http.MethodPut, tp, e.Token("huayang-admin"), body(map[string]any{"exam_weight": 0, "exam_id": nil})).Status)

		for _, status := range []string{"closing", "closed"} {
			require.NoError(t, e.DB.Table("campaigns").Where("id = ?", id).Update("status", status).Error)
			resp := e.Call(http.MethodPut, path, admin, body(nil))
			assert.Equal(t, http.StatusConflict, resp.Status, status)
			assert.Equal(t, "campaign.closed", resp.ErrorCode(), status)
		}
	})
}

func TestYearExemptions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, ls := demoCampaign(t, e), demoLearners(t, e)
		base := fmt.Sprintf("/api/v1/campaigns/%d/exemptions", id)
		li := fmt.Sprintf("%s/%d", base, ls["李娜"].ID)
		huayang, linxi := e.Token("huayang-admin"), e.Token("linxi-admin")

		first := e.Call(http.MethodPut, li, huayang, map[string]any{"reason": " 驻村工作 "})
		require.Equal(t, http.StatusOK, first.Status, "%s", first.Body)
		m := first.Map(t)
		assert.Equal(t, "驻村工作", m["reason"])
		assert.Equal(t, "李娜", m["learner_name"])
		assert.Equal(t, "华阳镇", m["unit_name"])
		again := e.Call(http.MethodPut, li, huayang, map[string]any{"reason": "驻村工作"})
		require.Equal(t, http.StatusOK, again.Status)
		assert.Equal(t, m["created_at"], again.Map(t)["created_at"], "a repeat changes nothing")
		assert.EqualValues(t, 1, countAudits(t, e, "campaign.exemption.set"), "a repeat is not a change")
		changed := e.Call(http.MethodPut, li, e.Token("admin"), map[string]any{"reason": "支教"})
		require.Equal(t, http.StatusOK, changed.Status)
		assert.Equal(t, "支教", changed.Map(t)["reason"])
		assert.EqualValues(t, 2, countAudits(t, e, "campaign.exemption.set"))
		require.Equal(t, http.StatusOK, e.Call(http.MethodPut, fmt.Sprintf("%s/%d", base, ls["刘洋"].ID), linxi, map[string]any{"reason": "援疆"}).Status)

		list := func(token string) []any {
			resp := e.Call(http.MethodGet, base, token, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			return resp.Map(t)["items"].([]any)
		}
		assert.Len(t, list(e.Token("admin")), 2)
		require.Len(t, list(huayang), 1, "a township sees its own people only")
		assert.Equal(t, "李娜", list(huayang)[0].(map[string]any)["learner_name"])
		assert.Len(t, list(e.Token("jyj-admin")), 0)

		cases := []struct {
			name   string
			method string
			path   string
			token  string
			body   any
			status int
			code   string
		}{
			{"another township's learner", http.MethodPut, li, linxi, map[string]any{"reason": "x"}, 404, "learner.not_found"},
			{"no such learner", http.MethodPut, base + "/99999", huayang, map[string]any{"reason": "x"}, 404, "learner.not_found"},
			{"no reason", http.MethodPut, li, huayang, map[string]any{}, 422, ""},
			{"blank reason", http.MethodPut, li, huayang, map[string]any{"reason": "  "}, 422, "request.validation"},
			{"bad learner id", http.MethodPut, base + "/abc", huayang, map[string]any{"reason": "x"}, 400, ""},
			{"no such campaign", http.MethodPut, fmt.Sprintf("/api/v1/campaigns/99999/exemptions/%d", ls["李娜"].ID), huayang, map[string]any{"reason": "x"}, 404, "campaign.not_found"},
			{"learner role", http.MethodPut, li, e.Token("13800000001"), map[string]any{"reason": "x"}, 403, "auth.forbidden"},
			{"delete by another township", http.MethodDelete, li, linxi, nil, 404, "learner.not_found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp := e.Call(c.method, c.path, c.token, c.body)
				require.Equal(t, c.status, resp.Status, "%s", resp.Body)
				if c.code != "" {
					assert.Equal(t, c.code, resp.ErrorCode())
				}
			})
		}

		assert.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, li, huayang, nil).Status)
		gone := e.Call(http.MethodDelete, li, huayang, nil)
		assert.Equal(t, http.StatusNotFound, gone.Status)
		assert.Equal(t, "exemption.not_found", gone.ErrorCode())
		assert.EqualValues(t, 1, countAudits(t, e, "campaign.exemption.delete"))
		assert.Len(t, list(huayang), 0)

		require.NoError(t, e.DB.Table("campaigns").Where("id = ?", id).Update("status", "closed").Error)
		closed := e.Call(http.MethodPut, li, huayang, map[string]any{"reason": "驻村"})
		assert.Equal(t, http.StatusConflict, closed.Status)
		assert.Equal(t, "campaign.closed", closed.ErrorCode())
		assert.Equal(t, http.StatusConflict, e.Call(http.MethodDelete, fmt.Sprintf("%s/%d", base, ls["刘洋"].ID), linxi, nil).Status)
		assert.Len(t, list(e.Token("admin")), 1, "the list stays readable after close")
	})
}
