package exam_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// Demo learners (log in by phone).
const (
	zhangWei = "13800000001" // 张伟, 华阳镇, general
	wangFang = "13800000002" // 王芳, 华阳镇, leader
	liNa     = "13800000003" // 李娜, 华阳镇, general
	liuYang  = "13800000004" // 刘洋, 临溪镇, leader
	chenJing = "13800000005" // 陈静, 临溪镇, general
	yangLei  = "13800000006" // 杨磊, 上庄镇, judicial
)

// question is a demo-bank question as the database holds it (keys included: test-only).
type question struct {
	ID      int64
	Type    string
	Answer  string
	Options string
}

// demoQuestions returns n published demo-bank questions of a type, by id.
func demoQuestions(t *testing.T, e *apitest.Env, typ string, n int) []question {
	t.Helper()
	var out []question
	require.NoError(t, e.DB.Table("questions").Select("questions.id, questions.type, questions.answer, questions.options").
		Joins("JOIN question_banks b ON b.id = questions.bank_id").
		Where("b.name = ? AND questions.type = ? AND questions.status = ?", questionbank.DemoBankName, typ, "published").
		Order("questions.id").Limit(n).Scan(&out).Error)
	require.Len(t, out, n)
	return out
}

// fresh logs in again (after the fake clock outran a cached token).
func fresh(e *apitest.Env, username string) string {
	return e.Login(username, app.DemoPassword)["access_token"].(string)
}

func demoBankID(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("question_banks").Select("id").Where("name = ?", questionbank.DemoBankName).Scan(&id).Error)
	return id
}

func campaignID(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("campaigns").Select("id").Order("id").Limit(1).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

// examBody is a valid exam for every track: the given questions as a fixed list, 2 points each.
func examBody(t *testing.T, e *apitest.Env, ids []int64, tweak func(map[string]any)) map[string]any {
	t.Helper()
	var blueprints []map[string]any
	for _, track := range []string{"leader", "general", "judicial"} {
		blueprints = append(blueprints, map[string]any{"track": track, "sections": []map[string]any{
			{"title": "固定题", "points": 2, "question_ids": ids},
		}})
	}
	now := e.Clock.Now()
	body := map[string]any{
		"campaign_id": campaignID(t, e), "title": "年度学法考试", "description": "闭卷",
		"opens_at": now.Add(-time.Hour).Format(time.RFC3339), "closes_at": now.Add(24 * time.Hour).Format(time.RFC3339),
		"duration_minutes": 30, "max_attempts": 2, "pass_score": float64(len(ids)), "review_policy": "after_submit",
		"review_show_answers": true, "shuffle_questions": true, "shuffle_options": true, "blueprints": blueprints,
	}
	if tweak != nil {
		tweak(body)
	}
	return body
}

// publishedExam creates and publishes an exam as the county admin and returns its id.
func publishedExam(t *testing.T, e *apitest.Env, body map[string]any) int64 {
	t.Helper()
	admin := e.Token("admin")
	resp := e.Call(http.MethodPost, "/api/v1/exams", admin, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := int64(resp.Map(t)["id"].(float64))
	resp = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/publish", id), admin, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return id
}

// attempt is a decoded attempt.
type attempt struct {
	ID          int64  `json:"id"`
	Status      string `json:"status"`
	SecondsLeft int    `json:"seconds_left"`
	Deadline    string `json:"deadline"`
	Questions   []struct {
		QuestionID int64    `json:"question_id"`
		Type       string   `json:"type"`
		Options    []string `json:"options"`
		Answer     *string  `json:"answer"`
	} `json:"questions"`
	Result *struct {
		Score       float64 `json:"score"`
		MaxScore    float64 `json:"max_score"`
		Passed      bool    `json:"passed"`
		FinalisedBy string  `json:"finalised_by"`
		Sections    []struct {
			Score float64 `json:"score"`
		} `json:"sections"`
	} `json:"result"`
}

func start(t *testing.T, e *apitest.Env, token string, examID int64) attempt {
	t.Helper()
	resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/attempts", examID), token, nil)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var a attempt
	resp.JSON(t, &a)
	return a
}

func save(e *apitest.Env, token string, attemptID, questionID int64, answer any) *apitest.Response {
	return e.Call(http.MethodPut, fmt.Sprintf("/api/v1/attempts/%d/answers/%d", attemptID, questionID), token, map[string]any{"answer": answer})
}

func submit(t *testing.T, e *apitest.Env, token string, attemptID int64) attempt {
	t.Helper()
	resp := e.Do(apitest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/attempts/%d/submit", attemptID), Token: token,
		Headers: map[string]string{"Idempotency-Key": fmt.Sprintf("submit-%d", attemptID)}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var a attempt
	resp.JSON(t, &a)
	return a
}

// shown turns a key in the version's letters into the letters the paper shows (options may
// be shuffled), by matching option texts; judge and fill keys pass through (fill: the first
// accepted answer).
func shown(t *testing.T, q question, options []string, key string) string {
	t.Helper()
	switch q.Type {
	case "fill":
		return strings.Split(key, "|")[0]
	case "judge":
		return key
	}
	var orig []string
	require.NoError(t, json.Unmarshal([]byte(q.Options), &orig))
	var out []byte
	for i, text := range options {
		for _, l := range key {
			if orig[l-'A'] == text {
				out = append(out, byte('A'+i))
			}
		}
	}
	return string(out)
}

// wrong returns an answer to q that is surely wrong, in shown letters.
func wrong(t *testing.T, q question, options []string) string {
	t.Helper()
	switch q.Type {
	case "judge":
		if q.Answer == "true" {
			return "false"
		}
		return "true"
	case "fill":
		return "一个错误的答案"
	case "multiple":
		return "A" // every multiple-choice key names at least two options
	}
	right := shown(t, q, options, q.Answer)
	for i := range options {
		if l := string(rune('A' + i)); !strings.Contains(right, l) {
			return l
		}
	}
	t.Fatalf("question %d has no wrong option", q.ID)
	return ""
}

func byID(qs []question) map[int64]question {
	m := map[int64]question{}
	for _, q := range qs {
		m[q.ID] = q
	}
	return m
}

func ids(qs []question) []int64 {
	out := make([]int64, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}
