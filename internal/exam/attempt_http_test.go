package exam_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/exam"
)

func TestStartRules(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		now := e.Clock.Now()
		startCode := func(token string, examID int64) (int, string) {
			resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/attempts", examID), token, nil)
			return resp.Status, resp.ErrorCode()
		}
		zhang := e.Token(zhangWei)

		upcoming := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) {
			b["opens_at"] = now.Add(time.Hour).Format(time.RFC3339)
		}))
		status, code := startCode(zhang, upcoming)
		assert.Equal(t, http.StatusForbidden, status)
		assert.Equal(t, "exam.not_open", code)

		leadersOnly := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) {
			b["audience_tracks"] = []string{"leader"}
			b["blueprints"] = b["blueprints"].([]map[string]any)[:1]
		}))
		status, code = startCode(zhang, leadersOnly)
		assert.Equal(t, http.StatusForbidden, status)
		assert.Equal(t, "exam.not_in_audience", code)
		start(t, e, e.Token(wangFang), leadersOnly)

		huayangOnly := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) {
			b["audience_unit_ids"] = []int64{e.UnitID("huayang")}
		}))
		status, code = startCode(e.Token(chenJing), huayangOnly)
		assert.Equal(t, http.StatusForbidden, status)
		assert.Equal(t, "exam.not_in_audience", code)

		// An exam owned by a township is invisible to learners elsewhere: 404.
		township := examBody(t, e, ids(qs), func(b map[string]any) { b["unit_id"] = e.UnitID("huayang") })
		townshipExam := publishedExam(t, e, township)
		status, _ = startCode(e.Token(chenJing), townshipExam)
		assert.Equal(t, http.StatusNotFound, status)

		withPrerequisite := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) { b["prerequisite_credits"] = 5 }))
		status, code = startCode(zhang, withPrerequisite)
		assert.Equal(t, http.StatusForbidden, status)
		assert.Equal(t, "exam.prerequisite_unmet", code)
		learnerID := learnerOf(t, e, "张伟")
		_, err := e.App.Credits.Award(t.Context(), credit.Award{LearnerID: learnerID, CampaignID: campaignID(t, e), Source: credit.SourceAdjustment,
			SourceID: "test", Amount: credit.Credits(5, 0), Reason: "测试"})
		require.NoError(t, err)
		start(t, e, zhang, withPrerequisite)

		once := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) { b["max_attempts"] = 1 }))
		a := start(t, e, zhang, once)
		status, code = startCode(zhang, once)
		assert.Equal(t, http.StatusConflict, status)
		assert.Equal(t, "exam.attempt_in_progress", code)
		submit(t, e, zhang, a.ID)
		status, code = startCode(zhang, once)
		assert.Equal(t, http.StatusConflict, status)
		assert.Equal(t, "exam.no_attempts_left", code)

		e.Clock.Advance(25 * time.Hour)
		status, code = startCode(fresh(e, liNa), once)
		assert.Equal(t, http.StatusForbidden, status)
		assert.Equal(t, "exam.window_closed", code)

		// Drafts do not exist for learners.
		resp := e.Call(http.MethodPost, "/api/v1/exams", fresh(e, "admin"), examBody(t, e, ids(qs), nil))
		require.Equal(t, http.StatusCreated, resp.Status)
		status, _ = startCode(fresh(e, zhangWei), int64(resp.Map(t)["id"].(float64)))
		assert.Equal(t, http.StatusNotFound, status)
	})
}

func learnerOf(t *testing.T, e *apitest.Env, name string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

func TestAnswerRules(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		single := demoQuestions(t, e, "single", 1)
		judge := demoQuestions(t, e, "judge", 1)
		fill := demoQuestions(t, e, "fill", 1)
		other := demoQuestions(t, e, "judge", 3)[2]
		all := append(append(single, judge...), fill...)
		id := publishedExam(t, e, examBody(t, e, ids(all), func(b map[string]any) { b["pass_score"] = 2 }))
		zhang := e.Token(zhangWei)
		a := start(t, e, zhang, id)

		cases := []struct {
			name     string
			question int64
			answer   any
			status   int
			code     string
		}{
			{"question not in the paper", other.ID, "true", http.StatusNotFound, "exam.question_not_in_paper"},
			{"no such option", single[0].ID, "Z", http.StatusUnprocessableEntity, "exam.invalid_answer"},
			{"option beyond the list", single[0].ID, "H", http.StatusUnprocessableEntity, "exam.invalid_answer"},
			{"two options to a single", single[0].ID, "AB", http.StatusUnprocessableEntity, "exam.invalid_answer"},
			{"judge not true or false", judge[0].ID, "maybe", http.StatusUnprocessableEntity, "exam.invalid_answer"},
			{"blank", judge[0].ID, "  ", http.StatusUnprocessableEntity, "exam.invalid_answer"},
			{"number instead of text", judge[0].ID, 1, http.StatusBadRequest, "request.invalid_type"},
		}
		for _, c := range cases {
			resp := save(e, zhang, a.ID, c.question, c.answer)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
		}
		// Someone else's attempt does not exist.
		resp := save(e, e.Token(liNa), a.ID, judge[0].ID, "true")
		assert.Equal(t, http.StatusNotFound, resp.Status)
		// null clears an answer.
		require.Equal(t, http.StatusOK, save(e, zhang, a.ID, judge[0].ID, "对").Status)
		require.Equal(t, http.StatusOK, save(e, zhang, a.ID, judge[0].ID, nil).Status)

		submit(t, e, zhang, a.ID)
		resp = save(e, zhang, a.ID, judge[0].ID, "true")
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "exam.attempt_finished", resp.ErrorCode())
	})
}

// Only the server clock counts: answers are accepted until the deadline plus the grace, then
// refused with exam.deadline_passed and the attempt graded with what was saved.
func TestDeadlineAndGrace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		// The window closes 20 minutes from now: the deadline is the close, not start + 30 min.
		id := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) {
			b["closes_at"] = e.Clock.Now().Add(20 * time.Minute).Format(time.RFC3339)
			b["pass_score"] = 2
		}))
		zhang := e.Token(zhangWei)
		a := start(t, e, zhang, id)
		assert.Equal(t, 20*60, a.SecondsLeft)
		right := func(qid int64) string { return byID(qs)[qid].Answer }

		e.Clock.Advance(20*time.Minute + 5*time.Second) // past the deadline, within the grace
		zhang = fresh(e, zhangWei)
		resp := save(e, zhang, a.ID, a.Questions[0].QuestionID, right(a.Questions[0].QuestionID))
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.EqualValues(t, 0, resp.Map(t)["seconds_left"])

		e.Clock.Advance(6 * time.Second) // past the grace
		resp = save(e, zhang, a.ID, a.Questions[1].QuestionID, right(a.Questions[1].QuestionID))
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "exam.deadline_passed", resp.ErrorCode())

		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d", a.ID), zhang, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		var got attempt
		resp.JSON(t, &got)
		assert.Equal(t, "submitted", got.Status)
		require.NotNil(t, got.Result)
		assert.Equal(t, "deadline", got.Result.FinalisedBy)
		assert.Equal(t, 2.0, got.Result.Score, "the answer saved in the grace counts, the refused one does not")
		assert.True(t, got.Result.Passed)

		// Submitting now returns the graded attempt.
		again := submit(t, e, zhang, a.ID)
		assert.Equal(t, 2.0, again.Result.Score)
	})
}

func TestSweeperFinalisesExpiredAttempts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		id := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) { b["pass_score"] = 2 }))
		zhang, li := e.Token(zhangWei), e.Token(liNa)
		a := start(t, e, zhang, id)
		b := start(t, e, li, id)
		require.Equal(t, http.StatusOK, save(e, zhang, a.ID, a.Questions[0].QuestionID, byID(qs)[a.Questions[0].QuestionID].Answer).Status)
		submit(t, e, li, b.ID)

		n, err := e.App.Exams.Sweep(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n, "nothing is due before the deadline")

		e.Clock.Advance(30*time.Minute + 11*time.Second)
		n, err = e.App.Exams.Sweep(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 1, n, "only the active attempt past its deadline")
		n, err = e.App.Exams.Sweep(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n)

		var row struct {
			Status      string
			FinalisedBy string
			Score       float64
		}
		require.NoError(t, e.DB.Table("exam_attempts").Select("status, finalised_by, score").Where("id = ?", a.ID).Scan(&row).Error)
		assert.Equal(t, "submitted", row.Status)
		assert.Equal(t, "deadline", row.FinalisedBy)
		assert.Equal(t, 2.0, row.Score)
		var credited int64
		require.NoError(t, e.DB.Table("credit_ledger").Where("source = ? AND learner_id = ?", "exam", learnerOf(t, e, "张伟")).Count(&credited).Error)
		assert.EqualValues(t, 1, credited, "a pass finalised by the sweeper earns the credit")
	})
}

// Fifty submits of one attempt at once (two devices, retries) grade it once; starts that race
// make one attempt.
func TestConcurrentSubmitsGradeOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 3)
		id := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) { b["pass_score"] = 2 }))
		zhang := e.Token(zhangWei)

		var wg sync.WaitGroup
		statuses := make([]int, 10)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/attempts", id), zhang, nil).Status
			}()
		}
		wg.Wait()
		created := 0
		for _, s := range statuses {
			if s == http.StatusCreated {
				created++
			} else {
				assert.Equal(t, http.StatusConflict, s)
			}
		}
		assert.Equal(t, 1, created)
		var attemptID int64
		require.NoError(t, e.DB.Table("exam_attempts").Select("id").Where("exam_id = ?", id).Scan(&attemptID).Error)
		var q []struct{ QuestionID int64 }
		require.NoError(t, e.DB.Table("exam_attempt_items").Select("question_id").Where("attempt_id = ?", attemptID).Scan(&q).Error)
		require.Equal(t, http.StatusOK, save(e, zhang, attemptID, q[0].QuestionID, byID(qs)[q[0].QuestionID].Answer).Status)

		scores := make([]float64, 50)
		codes := make([]int, 50)
		for i := range scores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := e.Do(apitest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/attempts/%d/submit", attemptID), Token: zhang,
					Headers: map[string]string{"Idempotency-Key": fmt.Sprintf("k-%d", i%3)}})
				codes[i] = resp.Status
				var a attempt
				if resp.Status == http.StatusOK {
					resp.JSON(t, &a)
					if a.Result != nil {
						scores[i] = a.Result.Score
					}
				}
			}()
		}
		wg.Wait()
		for i := range codes {
			assert.Equal(t, http.StatusOK, codes[i])
			assert.Equal(t, 2.0, scores[i])
		}
		var results []struct{ Attempts int }
		require.NoError(t, e.DB.Table("exam_results").Select("attempts").Where("exam_id = ?", id).Scan(&results).Error)
		require.Len(t, results, 1)
		assert.Equal(t, 1, results[0].Attempts, "graded once")
		var ledger, book int64
		require.NoError(t, e.DB.Table("credit_ledger").Where("source = ?", "exam").Count(&ledger).Error)
		assert.EqualValues(t, 1, ledger)
		require.NoError(t, e.DB.Table("wrong_questions").Where("account_id = ?", accountOf(t, e, "张伟")).Select("SUM(wrong_count)").Scan(&book).Error)
		assert.EqualValues(t, 2, book, "two unanswered questions, counted once each")
	})
}

// A submit is checked by the batch writer, which reads the attempt: another learner's submit
// is 404 and grades nothing; the owner's submit past the deadline and its grace is graded as
// the deadline's (key and all), with the answers saved in time.
func TestSubmitChecksOwnerAndDeadlineInTheWriter(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		id := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) { b["pass_score"] = 2 }))
		zhang := e.Token(zhangWei)
		a := start(t, e, zhang, id)
		q := a.Questions[0].QuestionID
		require.Equal(t, http.StatusOK, save(e, zhang, a.ID, q, byID(qs)[q].Answer).Status)

		resp := e.Do(apitest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), Token: e.Token(liNa)})
		assert.Equal(t, http.StatusNotFound, resp.Status)
		assert.Equal(t, "exam.attempt_not_found", resp.ErrorCode())
		status, _ := attemptScore(t, e, a.ID)
		assert.Equal(t, "active", status, "another learner's submit graded nothing")

		e.Clock.Advance(30*time.Minute + exam.DefaultGrace + time.Second)
		zhang = fresh(e, zhangWei)
		got := submit(t, e, zhang, a.ID)
		assert.Equal(t, "submitted", got.Status)
		require.NotNil(t, got.Result)
		assert.Equal(t, "deadline", got.Result.FinalisedBy)
		assert.Equal(t, 2.0, got.Result.Score)
		var key *string
		require.NoError(t, e.DB.Table("exam_attempts").Select("submit_key").Where("id = ?", a.ID).Scan(&key).Error)
		assert.Nil(t, key, "a late submit is not the learner's")

		resp = e.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/attempts/999999/submit", Token: zhang})
		assert.Equal(t, http.StatusNotFound, resp.Status)
	})
}

// An autosave that read its attempt as active stores nothing once a grading has committed in
// between (the store's write checks the attempt in the same statement); saving the same answer
// again at the same instant is still a success.
func TestSaveAnswerRefusedOnceGraded(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		id := publishedExam(t, e, examBody(t, e, ids(qs), nil))
		zhang := e.Token(zhangWei)
		a := start(t, e, zhang, id)
		q := a.Questions[0].QuestionID
		for range 2 { // the clock does not move: the second write changes nothing
			require.Equal(t, http.StatusOK, save(e, zhang, a.ID, q, byID(qs)[q].Answer).Status)
		}

		store := exam.NewStore(e.DB)
		won, errs := e.App.Exams.GradeTogether(t.Context(), []int64{a.ID})
		require.Equal(t, []bool{true}, won)
		require.NoError(t, errs[0])
		saved, err := store.SaveAnswer(t.Context(), a.ID, a.Questions[1].QuestionID, nil, e.Clock.Now())
		require.NoError(t, err)
		assert.False(t, saved, "a graded attempt's items do not change")

		resp := save(e, zhang, a.ID, q, byID(qs)[q].Answer)
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "exam.attempt_finished", resp.ErrorCode())
	})
}
