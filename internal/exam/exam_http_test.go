package exam_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestExamAdminLifecycle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		qs := demoQuestions(t, e, "judge", 3)

		bad := []struct {
			name  string
			tweak func(map[string]any)
			field string
		}{
			{"window backwards", func(b map[string]any) { b["closes_at"] = e.Clock.Now().Add(-2 * time.Hour).Format(time.RFC3339) }, "closes_at"},
			{"unknown campaign", func(b map[string]any) { b["campaign_id"] = 9999 }, "campaign_id"},
			{"pass score above full marks", func(b map[string]any) { b["pass_score"] = 100 }, "pass_score"},
			{"section without a pool", func(b map[string]any) {
				b["blueprints"] = []map[string]any{{"track": "general", "sections": []map[string]any{{"points": 2, "count": 3, "type": "judge"}}}}
			}, "blueprints[0].sections[0].bank_id"},
			{"unknown question", func(b map[string]any) {
				b["blueprints"] = []map[string]any{{"track": "general", "sections": []map[string]any{{"points": 2, "question_ids": []int64{99999}}}}}
			}, "blueprints[0].sections[0].question_ids[0]"},
			{"blueprint outside the audience", func(b map[string]any) { b["audience_tracks"] = []string{"leader"} }, "blueprints[1].track"},
			{"bad type", func(b map[string]any) {
				b["blueprints"] = []map[string]any{{"track": "general", "sections": []map[string]any{{"points": 2, "count": 1, "type": "essay", "bank_id": 1}}}}
			}, "blueprints[0].sections[0].type"},
		}
		for _, c := range bad {
			resp := e.Call(http.MethodPost, "/api/v1/exams", admin, examBody(t, e, ids(qs), c.tweak))
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}

		// A pool asking for more questions than the bank has cannot be published.
		bank := demoBankID(t, e)
		body := examBody(t, e, ids(qs), func(b map[string]any) {
			b["audience_tracks"] = []string{"general"}
			b["blueprints"] = []map[string]any{{"track": "general", "sections": []map[string]any{
				{"title": "判断", "bank_id": bank, "type": "judge", "count": 150, "points": 1},
			}}}
		})
		resp := e.Call(http.MethodPost, "/api/v1/exams", admin, body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		id := int64(resp.Map(t)["id"].(float64))
		resp = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/publish", id), admin, nil)
		assert.Equal(t, http.StatusUnprocessableEntity, resp.Status)
		assert.Equal(t, "exam.blueprint_insufficient", resp.ErrorCode())
		assert.Contains(t, resp.ErrorFields(), "blueprints[general].sections[1].count")

		// Fixed to a size the bank has, it publishes; then it is no longer editable.
		body["blueprints"] = []map[string]any{{"track": "general", "sections": []map[string]any{
			{"title": "判断", "bank_id": bank, "type": "judge", "count": 10, "points": 1, "difficulty_min": 1, "difficulty_max": 5},
		}}}
		body["pass_score"] = 6
		resp = e.Call(http.MethodPut, fmt.Sprintf("/api/v1/exams/%d", id), admin, body)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		resp = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/publish", id), admin, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Equal(t, "published", resp.Map(t)["status"])
		resp = e.Call(http.MethodPut, fmt.Sprintf("/api/v1/exams/%d", id), admin, body)
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "exam.not_editable", resp.ErrorCode())

		// Owning admins see it; a township admin and learners do not.
		resp = e.Call(http.MethodGet, "/api/v1/exams?status=published", admin, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		assert.EqualValues(t, 1, resp.Map(t)["total"])
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d", id), e.Token("huayang-admin"), nil)
		assert.Equal(t, http.StatusNotFound, resp.Status)
		resp = e.Call(http.MethodGet, "/api/v1/exams", e.Token("huayang-admin"), nil)
		assert.EqualValues(t, 0, resp.Map(t)["total"])
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d", id), e.Token(zhangWei), nil)
		assert.Equal(t, http.StatusForbidden, resp.Status)

		// Each attempt draws its own ten judge questions from the pool.
		learner := e.Token(zhangWei)
		a := start(t, e, learner, id)
		assert.Len(t, a.Questions, 10)
		for _, q := range a.Questions {
			assert.Equal(t, "judge", q.Type)
		}

		resp = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/close", id), admin, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		resp = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/close", id), admin, nil)
		assert.Equal(t, "exam.status_transition", resp.ErrorCode())
	})
}

// A learner sits an exam, loses the connection, resumes with answers intact, submits and earns
// the campaign's exam credit; nothing before the review reveals a key.
func TestSitResumeSubmitAndNoKeysBeforeReview(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		single := demoQuestions(t, e, "single", 2)
		multiple := demoQuestions(t, e, "multiple", 1)
		judge := demoQuestions(t, e, "judge", 1)
		fill := demoQuestions(t, e, "fill", 1)
		all := append(append(append(single, multiple...), judge...), fill...)
		qs := byID(all)
		id := publishedExam(t, e, examBody(t, e, ids(all), func(b map[string]any) { b["pass_score"] = 8 }))
		learner := e.Token(zhangWei)

		resp := e.Call(http.MethodGet, "/api/v1/me/exams", learner, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		mine := resp.Map(t)["items"].([]any)
		require.Len(t, mine, 1)
		assert.EqualValues(t, 2, mine[0].(map[string]any)["attempts_left"])
		assert.Equal(t, "open", mine[0].(map[string]any)["window"])

		a := start(t, e, learner, id)
		require.Len(t, a.Questions, 5)
		assert.Equal(t, 30*60, a.SecondsLeft)
		for _, q := range a.Questions {
			assert.Nil(t, q.Answer, "a fresh paper carries no answer")
		}
		// Everything but the last single question right.
		answers := map[int64]string{}
		for _, q := range a.Questions {
			ans := shown(t, qs[q.QuestionID], q.Options, qs[q.QuestionID].Answer)
			if q.QuestionID == single[1].ID {
				ans = wrong(t, qs[q.QuestionID], q.Options)
			}
			answers[q.QuestionID] = ans
			resp := save(e, learner, a.ID, q.QuestionID, ans)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		}
		// Last write wins.
		first := a.Questions[0]
		require.Equal(t, http.StatusOK, save(e, learner, a.ID, first.QuestionID, wrong(t, qs[first.QuestionID], first.Options)).Status)
		require.Equal(t, http.StatusOK, save(e, learner, a.ID, first.QuestionID, answers[first.QuestionID]).Status)

		// The connection drops; ten minutes later the learner resumes with every answer intact.
		e.Clock.Advance(10 * time.Minute)
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d", a.ID), learner, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		var resumed attempt
		resp.JSON(t, &resumed)
		assert.Equal(t, 20*60, resumed.SecondsLeft)
		for _, q := range resumed.Questions {
			require.NotNil(t, q.Answer, "question %d", q.QuestionID)
			assert.Equal(t, answers[q.QuestionID], *q.Answer)
		}

		done := submit(t, e, learner, a.ID)
		require.NotNil(t, done.Result)
		assert.Equal(t, "submitted", done.Status)
		assert.Equal(t, 8.0, done.Result.Score)
		assert.Equal(t, 10.0, done.Result.MaxScore)
		assert.True(t, done.Result.Passed)

		// No response so far carried a key, analysis or legal basis, and the fresh paper carried
		// no answer at all.
		assertNoKeys(t, e.Responses())

		// Credits: the campaign's exam pass credit, once.
		var credited []int64
		require.NoError(t, e.DB.Table("credit_ledger").Where("source = ? AND source_id = ?", "exam", fmt.Sprint(id)).Pluck("amount", &credited).Error)
		assert.Equal(t, []int64{1000}, credited)
		resp = e.Call(http.MethodGet, "/api/v1/me/credits", learner, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		assert.Contains(t, string(resp.Body), `"exam":10`)

		// The wrong answer is in the wrong-answer book.
		var inBook int64
		require.NoError(t, e.DB.Table("wrong_questions").Where("account_id = ? AND question_id = ?", accountOf(t, e, "张伟"), single[1].ID).Count(&inBook).Error)
		assert.EqualValues(t, 1, inBook)

		// Review reveals keys (policy after_submit, answers shown).
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d/review", a.ID), learner, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		review := resp.Map(t)
		for _, raw := range review["questions"].([]any) {
			q := raw.(map[string]any)
			qid := int64(q["question_id"].(float64))
			assert.Equal(t, qid != single[1].ID, q["correct"], "question %d", qid)
			require.NotNil(t, q["correct_answer"])
			if qs[qid].Type != "fill" {
				assert.Equal(t, shown(t, qs[qid], toStrings(q["options"]), qs[qid].Answer), q["correct_answer"])
			}
		}
		// Another learner cannot see the attempt.
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d", a.ID), e.Token(liNa), nil)
		assert.Equal(t, http.StatusNotFound, resp.Status)
	})
}

// assertNoKeys scans response bodies for any field that reveals a key.
func assertNoKeys(t *testing.T, bodies []string) {
	t.Helper()
	for _, body := range bodies {
		for _, field := range []string{`"correct_answer"`, `"analysis"`, `"law_name"`, `"law_article"`, `"correct"`, `"answer_key"`, `"key"`} {
			assert.NotContains(t, body, field)
		}
	}
}

func accountOf(t *testing.T, e *apitest.Env, name string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("learners").Select("account_id").Where("name = ?", name).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// Review policy never: 403, and nothing reveals keys.
func TestReviewNever(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		id := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) { b["review_policy"] = "never" }))
		learner := e.Token(zhangWei)
		a := start(t, e, learner, id)
		resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d/review", a.ID), learner, nil)
		assert.Equal(t, http.StatusForbidden, resp.Status, "an active attempt is never reviewed")
		submit(t, e, learner, a.ID)
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d/review", a.ID), learner, nil)
		assert.Equal(t, http.StatusForbidden, resp.Status)
		assert.Equal(t, "exam.review_unavailable", resp.ErrorCode())
	})
}
