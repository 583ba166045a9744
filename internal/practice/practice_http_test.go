package practice_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/questionbank"
)

func newLearner(t *testing.T, e *apitest.Env, username, unitCode string) string {
	t.Helper()
	_, err := e.App.Accounts.Provision(context.Background(), account.ProvisionInput{
		Username: username, DisplayName: username, Role: auth.RoleLearner, UnitID: e.UnitID(unitCode), Password: app.DemoPassword,
	})
	require.NoError(t, err)
	return e.Token(username)
}

func demoBankID(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("question_banks").Select("id").Where("name = ?", questionbank.DemoBankName).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

// session is a decoded practice session.
type session struct {
	ID        int64            `json:"id"`
	Mode      string           `json:"mode"`
	Questions []map[string]any `json:"questions"`
}

func start(t *testing.T, e *apitest.Env, token string, body map[string]any) session {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/practice/sessions", token, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%v: %s", body, resp.Body)
	var s session
	resp.JSON(t, &s)
	return s
}

func answer(t *testing.T, e *apitest.Env, token string, sessionID, questionID int64, ans string) *apitest.Response {
	t.Helper()
	return e.Call(http.MethodPost, fmt.Sprintf("/api/v1/practice/sessions/%d/answers", sessionID), token,
		map[string]any{"question_id": questionID, "answer": ans})
}

func qid(q map[string]any) int64 { return int64(q["question_id"].(float64)) }

// key reads a question's answer key as the county admin.
func key(t *testing.T, e *apitest.Env, questionID int64) string {
	t.Helper()
	resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/questions/%d", questionID), e.Token("admin"), nil)
	require.Equal(t, http.StatusOK, resp.Status)
	return resp.Map(t)["answer"].(string)
}

// wrongFor returns an answer to the question that is surely wrong.
func wrongFor(t *testing.T, e *apitest.Env, q map[string]any) string {
	t.Helper()
	k := key(t, e, qid(q))
	switch q["type"] {
	case "single":
		if k == "A" {
			return "B"
		}
		return "A"
	case "multiple":
		return "A" // every multiple key has at least two letters
	case "judge":
		if k == "true" {
			return "false"
		}
		return "true"
	default:
		return "一个错误的答案"
	}
}

// rightFor returns the key in a form a learner would send.
func rightFor(t *testing.T, e *apitest.Env, q map[string]any) string {
	t.Helper()
	k := key(t, e, qid(q))
	if q["type"] == "fill" {
		return strings.Split(k, "|")[0] // any one accepted answer
	}
	return k
}

var keyFields = []string{"answer", "analysis", "legal_basis"}

// assertNoKeys fails if any served question carries an answer key field.
func assertNoKeys(t *testing.T, raw []byte, listField string) {
	t.Helper()
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &doc))
	var items []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(doc[listField], &items))
	require.NotEmpty(t, items)
	for _, it := range items {
		for _, f := range keyFields {
			assert.NotContains(t, it, f, "a served question must not carry %q", f)
		}
	}
	for _, f := range keyFields {
		assert.NotContains(t, doc, f)
	}
}

func TestPracticeNeverServesKeys(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner := newLearner(t, e, "learner-a", "huayang")
		resp := e.Call(http.MethodPost, "/api/v1/practice/sessions", learner, map[string]any{"mode": "random", "count": 50})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		assertNoKeys(t, resp.Body, "questions")
		var s session
		resp.JSON(t, &s)
		assert.Len(t, s.Questions, 50)
		seen := map[int64]bool{}
		for i, q := range s.Questions {
			assert.EqualValues(t, i+1, q["position"])
			assert.False(t, seen[qid(q)], "no question twice in a session")
			seen[qid(q)] = true
		}

		got := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/practice/sessions/%d", s.ID), learner, nil)
		require.Equal(t, http.StatusOK, got.Status)
		assertNoKeys(t, got.Body, "questions")

		// Answered and resumed: still no keys in the session, only in the answer's result.
		q := s.Questions[0]
		res := answer(t, e, learner, s.ID, qid(q), wrongFor(t, e, q))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		for _, f := range keyFields {
			assert.Contains(t, res.Map(t), f)
		}
		got = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/practice/sessions/%d", s.ID), learner, nil)
		assertNoKeys(t, got.Body, "questions")
		resumed := got.Map(t)
		assert.EqualValues(t, 1, resumed["answered_count"])
		first := resumed["questions"].([]any)[0].(map[string]any)
		assert.Equal(t, true, first["answered"])
		assert.Equal(t, false, first["correct"])

		require.Equal(t, http.StatusNoContent, e.Call(http.MethodPut, fmt.Sprintf("/api/v1/me/favourites/%d", qid(s.Questions[1])), learner, nil).Status)
		for _, path := range []string{"/api/v1/me/wrong-questions", "/api/v1/me/favourites"} {
			list := e.Call(http.MethodGet, path, learner, nil)
			require.Equal(t, http.StatusOK, list.Status, "%s", list.Body)
			assertNoKeys(t, list.Body, "items")
		}
		for _, mode := range []string{"wrong_book", "favourites", "sequential"} {
			body := map[string]any{"mode": mode}
			if mode == "sequential" {
				body["bank_id"] = demoBankID(t, e)
			}
			resp := e.Call(http.MethodPost, "/api/v1/practice/sessions", learner, body)
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			assertNoKeys(t, resp.Body, "questions")
		}
	})
}

func TestAnswerRules(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner := newLearner(t, e, "learner-a", "huayang")
		other := newLearner(t, e, "learner-b", "huayang")
		s := start(t, e, learner, map[string]any{"mode": "sequential", "bank_id": demoBankID(t, e), "count": 5})
		first, second := s.Questions[0], s.Questions[1]

		right := answer(t, e, learner, s.ID, qid(first), rightFor(t, e, first))
		require.Equal(t, http.StatusOK, right.Status, "%s", right.Body)
		r := right.Map(t)
		assert.Equal(t, true, r["correct"])
		assert.Equal(t, key(t, e, qid(first)), r["answer"])
		assert.NotEmpty(t, r["analysis"])
		assert.NotEmpty(t, r["legal_basis"].(map[string]any)["law"])
		assert.Equal(t, false, r["in_wrong_book"])

		again := answer(t, e, learner, s.ID, qid(first), rightFor(t, e, first))
		assert.Equal(t, http.StatusOK, again.Status, "the same answer again is the same result")
		assert.Equal(t, r, again.Map(t))
		changed := answer(t, e, learner, s.ID, qid(first), wrongFor(t, e, first))
		assert.Equal(t, http.StatusConflict, changed.Status)
		assert.Equal(t, "practice.already_answered", changed.ErrorCode())

		var notInSession int64
		require.NoError(t, e.DB.Table("questions").Select("MAX(id)").Scan(&notInSession).Error)
		cases := []struct {
			name   string
			token  string
			sessID int64
			qID    int64
			ans    string
			status int
			code   string
		}{
			{"question not in the session", learner, s.ID, notInSession, "A", 404, "practice.question_not_in_session"},
			{"another learner's session", other, s.ID, qid(second), "A", 404, "practice.session_not_found"},
			{"no such session", learner, s.ID + 1000, qid(second), "A", 404, "practice.session_not_found"},
			{"answer that is no option", learner, s.ID, qid(second), "Z", 422, "practice.invalid_answer"},
			{"empty answer", learner, s.ID, qid(second), "", 422, "request.validation"},
		}
		for _, c := range cases {
			resp := answer(t, e, c.token, c.sessID, c.qID, c.ans)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
		}
		other404 := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/practice/sessions/%d", s.ID), other, nil)
		assert.Equal(t, http.StatusNotFound, other404.Status)

		// Item statistics count first answers only.
		stats := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/questions/%d/stats", qid(first)), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, stats.Status, "%s", stats.Body)
		assert.Equal(t, map[string]any{"question_id": float64(qid(first)), "attempts": 1.0, "correct": 1.0, "facility_index": 1.0,
			"exam_served": 0.0, "exam_facility_index": nil, "discrimination_index": nil}, stats.Map(t))
		wrong := answer(t, e, other, start(t, e, other, map[string]any{"mode": "sequential", "bank_id": demoBankID(t, e), "count": 1}).ID, qid(first), wrongFor(t, e, first))
		require.Equal(t, http.StatusOK, wrong.Status)
		stats = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/questions/%d/stats", qid(first)), e.Token("admin"), nil)
		assert.Equal(t, 0.5, stats.Map(t)["facility_index"])
		untouched := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/questions/%d/stats", notInSession), e.Token("admin"), nil).Map(t)
		assert.Nil(t, untouched["facility_index"])
		assert.EqualValues(t, 0, untouched["attempts"])
	})
}

func TestStartSessionBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner := newLearner(t, e, "learner-a", "huayang")
		linxiBank := e.Call(http.MethodPost, "/api/v1/question-banks", e.Token("linxi-admin"), map[string]any{"name": "临溪镇题库", "subject": "宪法"})
		require.Equal(t, http.StatusCreated, linxiBank.Status)
		linxiID := linxiBank.Map(t)["id"]
		cases := []struct {
			name   string
			body   map[string]any
			status int
			code   string
			field  string
		}{
			{"sequential without a bank", map[string]any{"mode": "sequential"}, 422, "practice.bank_required", "bank_id"},
			{"count over 50", map[string]any{"mode": "random", "count": 51}, 422, "request.validation", "count"},
			{"unknown mode", map[string]any{"mode": "exam"}, 422, "request.validation", "mode"},
			{"bank of another township", map[string]any{"mode": "random", "bank_id": linxiID}, 404, "question_bank.not_found", ""},
			{"empty wrong book", map[string]any{"mode": "wrong_book"}, 422, "practice.no_questions", "mode"},
			{"no favourites", map[string]any{"mode": "favourites"}, 422, "practice.no_questions", "mode"},
		}
		for _, c := range cases {
			resp := e.Call(http.MethodPost, "/api/v1/practice/sessions", learner, c.body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
			if c.field != "" {
				assert.Contains(t, resp.ErrorFields(), c.field, c.name)
			}
		}
		defaulted := start(t, e, learner, map[string]any{"mode": "random"})
		assert.Len(t, defaulted.Questions, 10, "count defaults to 10")
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodPost, "/api/v1/practice/sessions", e.Token("huayang-admin"), map[string]any{"mode": "random"}).Status,
			"practice is for learners")
	})
}

// Sequential practice continues where the learner last answered and wraps at the end.
func TestSequentialRemembersPosition(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bankResp := e.Call(http.MethodPost, "/api/v1/question-banks", admin, map[string]any{"name": "华阳镇题库", "subject": "宪法"})
		require.Equal(t, http.StatusCreated, bankResp.Status)
		bank := int64(bankResp.Map(t)["id"].(float64))
		var ids []int64
		for i := range 5 {
			resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), admin, map[string]any{
				"type": "judge", "stem": fmt.Sprintf("第%d题。", i+1), "answer": "对",
			})
			require.Equal(t, http.StatusCreated, resp.Status)
			ids = append(ids, int64(resp.Map(t)["id"].(float64)))
		}
		draft := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), admin, map[string]any{
			"type": "judge", "stem": "草稿不出现。", "answer": "对", "status": "draft",
		})
		require.Equal(t, http.StatusCreated, draft.Status)
		learner := newLearner(t, e, "learner-a", "huayang")
		served := func(s session) []int64 {
			var out []int64
			for _, q := range s.Questions {
				out = append(out, qid(q))
			}
			return out
		}
		body := map[string]any{"mode": "sequential", "bank_id": bank, "count": 2}

		s1 := start(t, e, learner, body)
		assert.Equal(t, ids[0:2], served(s1))
		assert.Equal(t, ids[0:2], served(start(t, e, learner, body)), "nothing answered: start again at the same place")
		for _, id := range served(s1) {
			require.Equal(t, http.StatusOK, answer(t, e, learner, s1.ID, id, "对").Status)
		}
		s2 := start(t, e, learner, body)
		assert.Equal(t, ids[2:4], served(s2))
		require.Equal(t, http.StatusOK, answer(t, e, learner, s2.ID, ids[3], "对").Status)
		s3 := start(t, e, learner, map[string]any{"mode": "sequential", "bank_id": bank, "count": 3})
		assert.Equal(t, []int64{ids[4], ids[0], ids[1]}, served(s3), "wraps around after the last question, never a draft")

		// Positions are per learner and per bank.
		other := newLearner(t, e, "learner-b", "huayang")
		assert.Equal(t, ids[0:2], served(start(t, e, other, body)))
	})
}

// A session keeps the version it served: the learner is graded on what they saw.
func TestAnswerUsesServedVersion(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bankResp := e.Call(http.MethodPost, "/api/v1/question-banks", admin, map[string]any{"name": "华阳镇题库", "subject": "宪法"})
		bank := int64(bankResp.Map(t)["id"].(float64))
		created := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), admin, map[string]any{
			"type": "single", "stem": "原题干（ ）。", "options": []string{"甲", "乙"}, "answer": "A", "analysis": "第一版解析",
		})
		id := int64(created.Map(t)["id"].(float64))
		learner := newLearner(t, e, "learner-a", "huayang")
		s := start(t, e, learner, map[string]any{"mode": "random", "bank_id": bank})
		require.Len(t, s.Questions, 1)

		edited := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/questions/%d", id), admin, map[string]any{"answer": "B", "analysis": "第二版解析"})
		require.Equal(t, http.StatusOK, edited.Status)
		resumed := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/practice/sessions/%d", s.ID), learner, nil).Map(t)
		assert.Equal(t, "原题干（ ）。", resumed["questions"].([]any)[0].(map[string]any)["stem"])

		res := answer(t, e, learner, s.ID, id, "a").Map(t)
		assert.Equal(t, true, res["correct"], "graded against version 1")
		assert.Equal(t, "第一版解析", res["analysis"])
		fresh := start(t, e, learner, map[string]any{"mode": "random", "bank_id": bank})
		res = answer(t, e, learner, fresh.ID, id, "A").Map(t)
		assert.Equal(t, false, res["correct"], "a new session serves version 2")
		assert.Equal(t, "B", res["answer"])

		// Retired questions are no longer drawn.
		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/questions/%d", id), admin, map[string]any{"status": "retired"}).Status)
		none := e.Call(http.MethodPost, "/api/v1/practice/sessions", learner, map[string]any{"mode": "random", "bank_id": bank})
		assert.Equal(t, "practice.no_questions", none.ErrorCode())
		book := e.Call(http.MethodGet, "/api/v1/me/wrong-questions", learner, nil).Map(t)["items"].([]any)
		require.Len(t, book, 1)
		assert.Equal(t, false, book[0].(map[string]any)["available"], "a retired question stays listed, marked unavailable")
	})
}
