package reminder_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// publishExam publishes, as the county admin, an exam for every track of two demo judge
// questions open from day 2 08:00 to day 4 23:00 (Beijing time).
func publishExam(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var qids []int64
	require.NoError(t, e.DB.Table("questions").Joins("JOIN question_banks b ON b.id = questions.bank_id").
		Where("b.name = ? AND questions.type = ? AND questions.status = ?", questionbank.DemoBankName, "judge", "published").
		Order("questions.id").Limit(2).Pluck("questions.id", &qids).Error)
	var blueprints []map[string]any
	for _, track := range []string{"leader", "general", "judicial"} {
		blueprints = append(blueprints, map[string]any{"track": track, "sections": []map[string]any{{"title": "判断", "points": 5, "question_ids": qids}}})
	}
	admin := e.Login("admin", "Xuefa@2026")["access_token"].(string)
	resp := e.Call(http.MethodPost, "/api/v1/exams", admin, map[string]any{
		"campaign_id": campaignID(t, e), "title": "年度学法考试", "opens_at": at(2, 8, 0), "closes_at": at(4, 23, 0),
		"duration_minutes": 30, "max_attempts": 2, "pass_score": 6, "review_policy": "after_submit", "blueprints": blueprints,
	})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := int64(resp.Map(t)["id"].(float64))
	require.Equal(t, http.StatusOK, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/publish", id), admin, nil).Status)
	return id
}

// An exam_closing rule reminds the township's learners who have not finished an exam closing
// within its days, once a day per learner, and stops for those who finished it.
func TestExamClosingRule(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(at(2, 9, 0))
		examID := publishExam(t, e)
		id := createRule(t, e, map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "exam_closing",
			"send_at": "10:00", "within_days": 2, "enabled": true})
		rule := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/reminder-rules/%d", id), e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string), nil).Map(t)
		assert.EqualValues(t, 2, rule["within_days"])
		ctx := context.Background()

		e.Clock.Set(at(2, 10, 1))
		_, err := e.App.Reminders.RunDue(ctx)
		require.NoError(t, err)
		assert.Zero(t, count(t, e, "reminders", "rule_id = ?", id), "the exam closes in 61 hours, beyond the rule's two days")

		e.Clock.Set(at(3, 10, 1))
		_, err = e.App.Reminders.RunDue(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 3, count(t, e, "reminders", "rule_id = ?", id), "华阳镇's three learners have not sat it")
		var msg string
		require.NoError(t, e.DB.Table("reminders").Select("message").Where("rule_id = ?", id).Limit(1).Scan(&msg).Error)
		assert.Contains(t, msg, "年度学法考试")
		assert.Contains(t, msg, "11月4日 23:00")

		// 张伟 sits and submits; the next morning only the other two are reminded again.
		zhang := e.Login("13800000001", "Xuefa@2026")["access_token"].(string)
		start := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/attempts", examID), zhang, nil)
		require.Equal(t, http.StatusCreated, start.Status, "%s", start.Body)
		attempt := int64(start.Map(t)["id"].(float64))
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/attempts/%d/submit", attempt), zhang, nil).Status)
		e.Clock.Set(at(4, 10, 5))
		_, err = e.App.Reminders.RunDue(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 5, count(t, e, "reminders", "rule_id = ?", id), "王芳 and 李娜 again, not 张伟")
		assert.EqualValues(t, 1, count(t, e, "reminders", "rule_id = ? AND learner_id = ?", id, learnerID(t, e, "张伟")))
	})
}
