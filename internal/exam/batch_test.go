package exam_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/exam"
)

// failingCredits is the real ledger, except that awards to one learner fail.
type failingCredits struct {
	exam.Credits
	learnerID int64
}

func (c failingCredits) AwardMany(ctx context.Context, awards []credit.Award) ([]credit.Result, error) {
	for _, a := range awards {
		if a.LearnerID == c.learnerID {
			return nil, errors.New("ledger unavailable")
		}
	}
	return c.Credits.AwardMany(ctx, awards)
}

// answer saves the right answer to the questions in right and a wrong one to every other.
func answer(t *testing.T, e *apitest.Env, token string, a attempt, qs []question, right ...int64) {
	t.Helper()
	for _, it := range a.Questions {
		q := byID(qs)[it.QuestionID]
		given := wrong(t, q, it.Options)
		for _, r := range right {
			if r == q.ID {
				given = shown(t, q, it.Options, q.Answer)
			}
		}
		require.Equal(t, http.StatusOK, save(e, token, a.ID, q.ID, given).Status)
	}
}

func attemptScore(t *testing.T, e *apitest.Env, id int64) (string, float64) {
	t.Helper()
	var row struct {
		Status string
		Score  float64
	}
	require.NoError(t, e.DB.Table("exam_attempts").Select("status, score").Where("id = ?", id).Scan(&row).Error)
	return row.Status, row.Score
}

// wrongCounts returns an account's wrong-book counts by question.
func wrongCounts(t *testing.T, e *apitest.Env, accountID int64) map[int64]int {
	t.Helper()
	var rows []struct {
		QuestionID int64
		WrongCount int
	}
	require.NoError(t, e.DB.Table("wrong_questions").Select("question_id, wrong_count").Where("account_id = ?", accountID).Scan(&rows).Error)
	out := map[int64]int{}
	for _, r := range rows {
		out[r.QuestionID] = r.WrongCount
	}
	return out
}

func examCredits(t *testing.T, e *apitest.Env, learnerID int64) int64 {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table("credit_ledger").Where("source = ? AND learner_id = ?", "exam", learnerID).Count(&n).Error)
	return n
}

// Gradings written as one batch: each attempt once (a second grading of one in the same batch
// loses), one learner's two exams with a shared question count it twice in the wrong book, and
// a grading that fails (its credit cannot be written) leaves its attempt active while the rest
// of the batch commits.
func TestBatchGradesEachOnceAndIsolatesAFailure(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		q0, q1 := qs[0].ID, qs[1].ID
		passBoth := func(b map[string]any) { b["pass_score"] = 4 }
		examA := publishedExam(t, e, examBody(t, e, ids(qs), passBoth))
		examB := publishedExam(t, e, examBody(t, e, ids(qs), passBoth))
		zhang, wang, chen, li := e.Token(zhangWei), e.Token(wangFang), e.Token(chenJing), e.Token(liNa)

		zA, zB := start(t, e, zhang, examA), start(t, e, zhang, examB)
		answer(t, e, zhang, zA, qs, q0) // 2 of 4: failed, q1 wrong
		answer(t, e, zhang, zB, qs)     // 0: q0 and q1 wrong
		wA := start(t, e, wang, examA)
		answer(t, e, wang, wA, qs, q0, q1) // passed
		cA := start(t, e, chen, examA)
		answer(t, e, chen, cA, qs, q0, q1) // passed, but its credit fails
		lA := start(t, e, li, examA)       // nothing answered

		svc := exam.NewService(exam.Deps{DB: e.DB, Store: exam.NewStore(e.DB), Campaigns: e.App.Campaigns,
			Credits: failingCredits{e.App.Credits, learnerOf(t, e, "陈静")}, WrongBook: e.App.Practice, Audit: e.App.Audit, Now: e.Clock.Now})
		won, errs := svc.GradeTogether(t.Context(), []int64{zA.ID, zB.ID, wA.ID, cA.ID, lA.ID, zA.ID})
		assert.Equal(t, []bool{true, true, true, false, true, false}, won)
		for i, err := range errs {
			if i == 3 {
				assert.Error(t, err, "the failing grading gets its own error")
			} else {
				assert.NoError(t, err)
			}
		}

		for id, want := range map[int64]float64{zA.ID: 2, zB.ID: 0, wA.ID: 4, lA.ID: 0} {
			status, score := attemptScore(t, e, id)
			assert.Equal(t, "submitted", status)
			assert.Equal(t, want, score)
		}
		status, _ := attemptScore(t, e, cA.ID)
		assert.Equal(t, "active", status, "the failed grading changed nothing")

		type result struct {
			ExamID    int64
			LearnerID int64
			Attempts  int
			Score     float64
			Passed    bool
		}
		var results []result
		require.NoError(t, e.DB.Table("exam_results").Select("exam_id, learner_id, attempts, score, passed").
			Where("exam_id IN ?", []int64{examA, examB}).Order("exam_id, learner_id").Scan(&results).Error)
		want := []result{
			{examA, learnerOf(t, e, "张伟"), 1, 2, false}, {examA, learnerOf(t, e, "王芳"), 1, 4, true},
			{examA, learnerOf(t, e, "李娜"), 1, 0, false}, {examB, learnerOf(t, e, "张伟"), 1, 0, false},
		}
		assert.ElementsMatch(t, want, results)

		assert.Equal(t, map[int64]int{q0: 1, q1: 2}, wrongCounts(t, e, accountOf(t, e, "张伟")), "q1 wrong in both exams of one batch")
		assert.Equal(t, map[int64]int{q0: 1, q1: 1}, wrongCounts(t, e, accountOf(t, e, "李娜")), "unanswered questions count")
		assert.Empty(t, wrongCounts(t, e, accountOf(t, e, "王芳")))
		assert.Empty(t, wrongCounts(t, e, accountOf(t, e, "陈静")))
		assert.EqualValues(t, 1, examCredits(t, e, learnerOf(t, e, "王芳")))
		assert.EqualValues(t, 0, examCredits(t, e, learnerOf(t, e, "陈静")))

		// Graded again once the ledger works, the attempt passes and earns its credit.
		won, errs = e.App.Exams.GradeTogether(t.Context(), []int64{cA.ID, zA.ID})
		assert.Equal(t, []bool{true, false}, won)
		assert.Equal(t, []error{nil, nil}, errs)
		assert.EqualValues(t, 1, examCredits(t, e, learnerOf(t, e, "陈静")))
	})
}

// Every demo learner sits two exams sharing their questions and submits both three times at
// once: every attempt is graded once, with its own result row, credit and wrong-book counts.
func TestConcurrentSubmitsAcrossLearners(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		q0, q1 := qs[0].ID, qs[1].ID
		examA := publishedExam(t, e, examBody(t, e, ids(qs), nil)) // pass score 2: one right answer
		examB := publishedExam(t, e, examBody(t, e, ids(qs), nil))
		type sitting struct {
			token string
			a     attempt
			score float64
		}
		var sittings []sitting
		phones := map[string]string{zhangWei: "张伟", wangFang: "王芳", liNa: "李娜", liuYang: "刘洋", chenJing: "陈静", yangLei: "杨磊"}
		for phone := range phones {
			token := e.Token(phone)
			a, b := start(t, e, token, examA), start(t, e, token, examB)
			answer(t, e, token, a, qs, q0) // 2: passed, q1 wrong
			answer(t, e, token, b, qs)     // 0: both wrong
			sittings = append(sittings, sitting{token, a, 2}, sitting{token, b, 0})
		}

		var wg sync.WaitGroup
		var mu sync.Mutex
		failures := []string{}
		for _, s := range sittings {
			for k := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp := e.Do(apitest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/attempts/%d/submit", s.a.ID), Token: s.token,
						Headers: map[string]string{"Idempotency-Key": fmt.Sprintf("k-%d-%d", s.a.ID, k)}})
					var got attempt
					if resp.Status == http.StatusOK {
						resp.JSON(t, &got)
					}
					if resp.Status != http.StatusOK || got.Result == nil || got.Result.Score != s.score {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("attempt %d: %d %s", s.a.ID, resp.Status, resp.Body))
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
		assert.Empty(t, failures)

		var results []struct {
			Attempts int
			Score    float64
		}
		require.NoError(t, e.DB.Table("exam_results").Select("attempts, score").Where("exam_id IN ?", []int64{examA, examB}).Scan(&results).Error)
		require.Len(t, results, 12)
		for _, r := range results {
			assert.Equal(t, 1, r.Attempts, "graded once")
		}
		for _, name := range phones {
			assert.EqualValues(t, 1, examCredits(t, e, learnerOf(t, e, name)), name)
			assert.Equal(t, map[int64]int{q0: 1, q1: 2}, wrongCounts(t, e, accountOf(t, e, name)), name)
		}
	})
}
