package quiz_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// rootAdmin is the county admin's token (the demo bank belongs to the root unit).
func rootAdmin(e *apitest.Env) string {
	name := e.Config.Bootstrap.AdminUsername
	if name == "" {
		name = "admin"
	}
	return e.Token(name)
}

// participant provisions a member of the public (as WeChat login will) and logs them in.
func participant(t *testing.T, e *apitest.Env, username, displayName string) string {
	t.Helper()
	_, err := e.App.Accounts.Provision(context.Background(), account.ProvisionInput{
		Username: username, DisplayName: displayName, Role: auth.RoleParticipant, UnitID: e.UnitID("jixi"), Password: app.DemoPassword,
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

type fixture struct {
	admin      string
	activityID int64
	roundID    int64
	commitment string
	endsAt     time.Time
}

// newRound creates a public activity and a round open from now for ten minutes (access tokens
// live fifteen); body overrides
// the round's defaults.
func newRound(t *testing.T, e *apitest.Env, body map[string]any) fixture {
	t.Helper()
	admin := rootAdmin(e)
	resp := e.Call(http.MethodPost, "/api/v1/quiz/activities", admin, map[string]any{"name": "2027 新年学法微活动", "audience": "public"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	activityID := int64(resp.Map(t)["id"].(float64))
	now := e.Clock.Now()
	round := map[string]any{
		"name": "第一轮", "starts_at": now.Format(time.RFC3339), "ends_at": now.Add(10 * time.Minute).Format(time.RFC3339),
		"question_count": 5, "bank_ids": []int64{demoBankID(t, e)}, "seconds_per_question": 20,
		"prizes": []map[string]any{{"name": "帆布袋", "stock": 2}, {"name": "读本", "stock": 1}},
	}
	for k, v := range body {
		round[k] = v
	}
	resp = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/activities/%d/rounds", activityID), admin, round)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	m := resp.Map(t)
	return fixture{admin: admin, activityID: activityID, roundID: int64(m["id"].(float64)), commitment: m["commitment"].(string),
		endsAt: now.Add(10 * time.Minute)}
}

type playQuestion struct {
	QuestionID int64    `json:"question_id"`
	Type       string   `json:"type"`
	Stem       string   `json:"stem"`
	Options    []string `json:"options"`
}

type play struct {
	ID        int64          `json:"id"`
	Deadline  time.Time      `json:"deadline"`
	PlaysLeft int            `json:"plays_left"`
	Questions []playQuestion `json:"questions"`
}

func startPlay(t *testing.T, e *apitest.Env, token string, roundID int64) play {
	t.Helper()
	resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/plays", roundID), token, nil)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var p play
	resp.JSON(t, &p)
	return p
}

// rightAnswer is the key of q in the letters this play showed.
func rightAnswer(t *testing.T, e *apitest.Env, q playQuestion) string {
	t.Helper()
	var row struct {
		Answer  string
		Options questionbank.Options
	}
	require.NoError(t, e.DB.Table("questions").Select("answer, options").Where("id = ?", q.QuestionID).Scan(&row).Error)
	if q.Type != "single" && q.Type != "multiple" {
		return strings.Split(row.Answer, "|")[0]
	}
	var out []string
	for _, r := range row.Answer {
		text := row.Options[int(r-'A')]
		out = append(out, questionbank.Letter(slices.Index(q.Options, text)))
	}
	slices.Sort(out)
	return strings.Join(out, "")
}

// shownKey is the key a submit's answer shows for q: in the play's letters, and for a fill
// question every accepted answer ("诚信|诚实信用"), not just the one rightAnswer sends.
func shownKey(t *testing.T, e *apitest.Env, q playQuestion) string {
	t.Helper()
	if q.Type != "fill" {
		return rightAnswer(t, e, q)
	}
	var answer string
	require.NoError(t, e.DB.Table("questions").Select("answer").Where("id = ?", q.QuestionID).Scan(&answer).Error)
	return answer
}

// wrongAnswer is an answer to q that is surely wrong.
func wrongAnswer(t *testing.T, e *apitest.Env, q playQuestion) string {
	t.Helper()
	right := rightAnswer(t, e, q)
	switch q.Type {
	case "judge":
		if right == "true" {
			return "false"
		}
		return "true"
	case "fill":
		return "不是这个答案"
	}
	for i := range q.Options {
		if l := questionbank.Letter(i); l != right {
			return l
		}
	}
	return right
}

// answers answers the first nRight questions right and the rest wrong.
func answers(t *testing.T, e *apitest.Env, p play, nRight int) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(p.Questions))
	for i, q := range p.Questions {
		a := wrongAnswer(t, e, q)
		if i < nRight {
			a = rightAnswer(t, e, q)
		}
		out[i] = map[string]any{"question_id": q.QuestionID, "answer": a}
	}
	return out
}

func submit(e *apitest.Env, token string, playID int64, key string, body any) *apitest.Response {
	req := apitest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/quiz/plays/%d/submit", playID), Token: token,
		Body: map[string]any{"answers": body}}
	if key != "" {
		req.Headers = map[string]string{"Idempotency-Key": key}
	}
	return e.Do(req)
}

// playRound starts and submits a play answering nRight right after taking d.
func playRound(t *testing.T, e *apitest.Env, token string, roundID int64, nRight int, d time.Duration) map[string]any {
	t.Helper()
	p := startPlay(t, e, token, roundID)
	e.Clock.Advance(d)
	resp := submit(e, token, p.ID, "", answers(t, e, p, nRight))
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

// freshToken logs in again (after the fake clock outran the cached access tokens).
func freshToken(e *apitest.Env, username string) string {
	return e.Login(username, app.DemoPassword)["access_token"].(string)
}
