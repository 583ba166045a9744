package quiz_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/quiz"
)

// highLimits lifts the quiz rate limits for tests that race many requests from one account.
func highLimits(c *config.Config) {
	c.Quiz = config.Quiz{StartPerAccountPerMinute: 10_000, StartPerIPPerMinute: 10_000, SubmitPerAccountPerMinute: 10_000, SubmitPerIPPerMinute: 10_000}
}

func TestBadInputIsAClear4xx(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, nil)
		tok := participant(t, e, "p-bad", "乱填者")
		now := e.Clock.Now()
		rounds := fmt.Sprintf("/api/v1/quiz/activities/%d/rounds", f.activityID)
		base := func(over map[string]any) map[string]any {
			m := map[string]any{"name": "r", "starts_at": now.Format(time.RFC3339), "ends_at": now.Add(time.Hour).Format(time.RFC3339),
				"question_count": 3, "bank_ids": []int64{demoBankID(t, e)}, "seconds_per_question": 10}
			for k, v := range over {
				m[k] = v
			}
			return m
		}
		p := startPlay(t, e, tok, f.roundID)
		for _, c := range []struct {
			name, method, path, token string
			body                      any
			status                    int
			field                     string
		}{
			{"ends before starts", "POST", rounds, f.admin, base(map[string]any{"ends_at": now.Add(-time.Hour).Format(time.RFC3339)}), 422, "ends_at"},
			{"banks and fixed set", "POST", rounds, f.admin, base(map[string]any{"question_ids": []int64{1}}), 422, "bank_ids"},
			{"no timing", "POST", rounds, f.admin, base(map[string]any{"seconds_per_question": nil}), 422, "seconds_per_question"},
			{"too many questions", "POST", rounds, f.admin, base(map[string]any{"question_count": 51}), 422, "question_count"},
			{"more than the bank", "POST", rounds, f.admin, base(map[string]any{"bank_ids": []int64{emptyBank(t, e, f.admin)}}), 0, ""},
			{"unknown bank", "POST", rounds, f.admin, base(map[string]any{"bank_ids": []int64{999999}}), 422, "bank_ids"},
			{"unknown question", "POST", rounds, f.admin, base(map[string]any{"bank_ids": nil, "question_ids": []int64{999999}}), 422, "question_ids"},
			{"bad prize stock", "POST", rounds, f.admin, base(map[string]any{"prizes": []map[string]any{{"name": "x", "stock": 0}}}), 422, "prizes[0].stock"},
			{"bad audience", "POST", "/api/v1/quiz/activities", f.admin, map[string]any{"name": "x", "audience": "vip"}, 422, "audience"},
			{"activity id not a number", "GET", "/api/v1/quiz/activities/abc", f.admin, nil, 400, "id"},
			{"limit too big", "GET", fmt.Sprintf("/api/v1/quiz/rounds/%d/leaderboard?limit=1000", f.roundID), tok, nil, 400, "limit"},
			{"question not in play", "POST", fmt.Sprintf("/api/v1/quiz/plays/%d/submit", p.ID), tok,
				map[string]any{"answers": []map[string]any{{"question_id": 999999, "answer": "A"}}}, 422, "answers[0].question_id"},
			{"option that does not exist", "POST", fmt.Sprintf("/api/v1/quiz/plays/%d/submit", p.ID), tok,
				map[string]any{"answers": []map[string]any{{"question_id": firstChoice(p), "answer": "Z"}}}, 422, "answers[0].answer"},
			{"answers not a list", "POST", fmt.Sprintf("/api/v1/quiz/plays/%d/submit", p.ID), tok, map[string]any{"answers": "A"}, 400, "answers"},
			{"someone else's play", "POST", fmt.Sprintf("/api/v1/quiz/plays/%d/submit", p.ID), participant(t, e, "p-other", "别人"),
				map[string]any{"answers": []any{}}, 404, ""},
			{"unknown round", "POST", "/api/v1/quiz/rounds/999999/plays", tok, nil, 404, ""},
			{"bad phone", "POST", "/api/v1/me/prizes/1/claim", tok, map[string]any{"name": "a", "phone": "12345", "address": "安徽省宣城市"}, 422, "phone"},
			{"draw of unknown round", "GET", "/api/v1/quiz/rounds/999999/draw", "", nil, 404, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.Call(c.method, c.path, c.token, c.body)
				if c.status == 0 {
					assert.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
					assert.Equal(t, []string{"question_count"}, r.ErrorFields())
					return
				}
				assert.Equal(t, c.status, r.Status, "%s", r.Body)
				if c.field != "" {
					assert.Contains(t, r.ErrorFields(), c.field, "%s", r.Body)
				}
			})
		}
	})
}

func emptyBank(t *testing.T, e *apitest.Env, admin string) int64 {
	t.Helper()
	r := e.Call(http.MethodPost, "/api/v1/question-banks", admin, map[string]any{"name": "空题库", "subject": "宪法"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	return int64(r.Map(t)["id"].(float64))
}

func firstChoice(p play) int64 {
	for _, q := range p.Questions {
		if q.Type == "single" || q.Type == "multiple" {
			return q.QuestionID
		}
	}
	return p.Questions[0].QuestionID
}

func TestRateLimitOnStart(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, nil)
		tok := participant(t, e, "p-spam", "刷子")
		statuses := map[int]int{}
		for i := 0; i < 4; i++ {
			statuses[e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/plays", f.roundID), tok, nil).Status]++
		}
		assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: 2, http.StatusTooManyRequests: 1}, statuses)
	}, func(c *config.Config) { c.Quiz.StartPerAccountPerMinute = 3 })
}

func TestLearnersOnlyAndCredits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, nil)
		var campaignID int64
		require.NoError(t, e.DB.Table("campaigns").Select("id").Where("status = ?", "active").Limit(1).Scan(&campaignID).Error)
		r := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/quiz/activities/%d", f.activityID), f.admin,
			map[string]any{"audience": "learners", "campaign_id": campaignID})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		public := participant(t, e, "p-public", "路人")
		assert.Equal(t, "quiz.not_in_audience", e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/plays", f.roundID), public, nil).ErrorCode())

		learner := e.Token("13800000001")
		playRound(t, e, learner, f.roundID, 3, 20*time.Second)
		var amount int64
		require.NoError(t, e.DB.Table("credit_ledger").Select("COALESCE(SUM(amount), 0)").Where("source = ?", "quiz").Scan(&amount).Error)
		assert.EqualValues(t, 50, amount, "0.5 credit (in hundredths) through the campaign's quiz rule")
		assert.Equal(t, http.StatusConflict, e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/quiz/activities/%d", f.activityID), f.admin, nil).Status)
	})
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"": "", "张": "*", "张三": "张*", "张小三": "张*三", "欧阳小明": "欧**明", "Tom": "T*m"} {
		assert.Equal(t, want, quiz.MaskName(in), in)
	}
}
