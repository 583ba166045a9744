package practice_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// Wrong answers add or refresh a wrong-book entry; two right answers in a row remove it.
func TestWrongBookRules(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner := newLearner(t, e, "learner-a", "huayang")
		s := start(t, e, learner, map[string]any{"mode": "sequential", "bank_id": demoBankID(t, e), "count": 3})
		q := s.Questions[0]
		id := qid(q)
		entry := func() map[string]any {
			items := e.Call(http.MethodGet, "/api/v1/me/wrong-questions", learner, nil).Map(t)["items"].([]any)
			for _, it := range items {
				if m := it.(map[string]any); qid(m) == id {
					return m
				}
			}
			return nil
		}
		practiseOnce := func(ans string) map[string]any {
			s := start(t, e, learner, map[string]any{"mode": "wrong_book", "count": 50})
			for _, item := range s.Questions {
				if qid(item) == id {
					resp := answer(t, e, learner, s.ID, id, ans)
					require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
					return resp.Map(t)
				}
			}
			t.Fatalf("question %d not drawn from the wrong book", id)
			return nil
		}
		wrong, right := wrongFor(t, e, q), rightFor(t, e, q)

		first := answer(t, e, learner, s.ID, id, wrong).Map(t)
		assert.Equal(t, true, first["in_wrong_book"])
		got := entry()
		require.NotNil(t, got, "a wrong answer adds the question")
		assert.EqualValues(t, 1, got["wrong_count"])
		assert.Equal(t, wrong, got["last_answer"])

		assert.Equal(t, true, practiseOnce(right)["in_wrong_book"], "one right answer is not enough")
		assert.EqualValues(t, 1, entry()["correct_streak"])
		assert.Equal(t, true, practiseOnce(wrong)["in_wrong_book"])
		got = entry()
		assert.EqualValues(t, 2, got["wrong_count"], "a wrong answer refreshes the entry")
		assert.EqualValues(t, 0, got["correct_streak"], "and breaks the run")
		assert.Equal(t, true, practiseOnce(right)["in_wrong_book"])
		assert.Equal(t, false, practiseOnce(right)["in_wrong_book"], "two right in a row remove it")
		assert.Nil(t, entry())

		// Right answers to a question never missed do not add it; DELETE removes an entry.
		other := s.Questions[1]
		require.Equal(t, http.StatusOK, answer(t, e, learner, s.ID, qid(other), rightFor(t, e, other)).Status)
		third := s.Questions[2]
		require.Equal(t, http.StatusOK, answer(t, e, learner, s.ID, qid(third), wrongFor(t, e, third)).Status)
		list := e.Call(http.MethodGet, "/api/v1/me/wrong-questions", learner, nil).Map(t)
		require.EqualValues(t, 1, list["total"])
		assert.Equal(t, float64(qid(third)), list["items"].([]any)[0].(map[string]any)["question_id"])
		assert.Equal(t, true, list["items"].([]any)[0].(map[string]any)["available"])
		require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/me/wrong-questions/%d", qid(third)), learner, nil).Status)
		require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/me/wrong-questions/%d", qid(third)), learner, nil).Status, "idempotent")
		assert.EqualValues(t, 0, e.Call(http.MethodGet, "/api/v1/me/wrong-questions", learner, nil).Map(t)["total"])
	})
}

func TestFavourites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner := newLearner(t, e, "learner-a", "huayang")
		s := start(t, e, learner, map[string]any{"mode": "random", "count": 3})
		for _, q := range s.Questions[:2] {
			path := fmt.Sprintf("/api/v1/me/favourites/%d", qid(q))
			require.Equal(t, http.StatusNoContent, e.Call(http.MethodPut, path, learner, nil).Status)
			require.Equal(t, http.StatusNoContent, e.Call(http.MethodPut, path, learner, nil).Status, "idempotent")
		}
		list := e.Call(http.MethodGet, "/api/v1/me/favourites", learner, nil).Map(t)
		assert.EqualValues(t, 2, list["total"])
		resumed := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/practice/sessions/%d", s.ID), learner, nil).Map(t)
		assert.Equal(t, true, resumed["questions"].([]any)[0].(map[string]any)["favourite"])
		assert.Equal(t, false, resumed["questions"].([]any)[2].(map[string]any)["favourite"])

		fav := start(t, e, learner, map[string]any{"mode": "favourites"})
		assert.Len(t, fav.Questions, 2)
		require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/me/favourites/%d", qid(s.Questions[0])), learner, nil).Status)
		require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/me/favourites/%d", qid(s.Questions[0])), learner, nil).Status)
		assert.EqualValues(t, 1, e.Call(http.MethodGet, "/api/v1/me/favourites", learner, nil).Map(t)["total"])

		// Only published questions of visible banks can be marked.
		linxiAdmin := e.Token("linxi-admin")
		bankResp := e.Call(http.MethodPost, "/api/v1/question-banks", linxiAdmin, map[string]any{"name": "临溪镇题库", "subject": "宪法"})
		bank := int64(bankResp.Map(t)["id"].(float64))
		hidden := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), linxiAdmin, map[string]any{"type": "judge", "stem": "临溪镇的题。", "answer": "对"})
		hiddenID := int64(hidden.Map(t)["id"].(float64))
		for _, id := range []int64{hiddenID, 999999} {
			resp := e.Call(http.MethodPut, fmt.Sprintf("/api/v1/me/favourites/%d", id), learner, nil)
			assert.Equal(t, http.StatusNotFound, resp.Status)
			assert.Equal(t, "question.not_found", resp.ErrorCode())
		}
		bad := e.Call(http.MethodPut, "/api/v1/me/favourites/abc", learner, nil)
		assert.Equal(t, http.StatusBadRequest, bad.Status)
		assert.Equal(t, []string{"question_id"}, bad.ErrorFields())
	})
}
