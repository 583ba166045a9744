package practice_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// A seeded learner practises the demo bank: right answers earn the campaign's practice credit
// (0.1 each) once per question, within the 1-credit daily cap.
func TestPracticeEarnsCampaignCredits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner := e.Token("13800000001")
		admin := e.Token("admin")
		resp := e.Call(http.MethodPost, "/api/v1/practice/sessions", learner, map[string]any{"mode": "random", "count": 15})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		session := resp.Map(t)
		sessionID := int64(session["id"].(float64))
		answered := 0
		for _, q := range session["questions"].([]any) {
			qid := int64(q.(map[string]any)["question_id"].(float64))
			key := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/questions/%d", qid), admin, nil).Map(t)["answer"].(string)
			key = strings.Split(key, questionbank.FillSeparator)[0] // a fill question accepts any one of its answers
			res := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/practice/sessions/%d/answers", sessionID), learner,
				map[string]any{"question_id": qid, "answer": key})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			require.Equal(t, true, res.Map(t)["correct"])
			answered++
		}
		require.Equal(t, 15, answered)
		credits := e.Call(http.MethodGet, "/api/v1/me/credits", learner, nil).Map(t)
		assert.EqualValues(t, 1, credits["by_source"].(map[string]any)["practice"], "15 × 0.1 capped at 1 a day")
		var rows int64
		require.NoError(t, e.DB.Table("credit_ledger").Where("source = 'practice'").Count(&rows).Error)
		assert.EqualValues(t, 15, rows, "every right answer is on the ledger, the capped ones with 0")
	})
}
