package exam_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// The "done when": a demo learner sits the seeded exam of their track, loses the
// connection mid-way, resumes with answers intact, submits and sees credits added; the admin
// sees unit statistics and exports them.
func TestDemoExamWalkthrough(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		require.NoError(t, e.App.SeedDemoExams(t.Context(), io.Discard))
		learner := e.Token(zhangWei)
		resp := e.Call(http.MethodGet, "/api/v1/me/exams", learner, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		var mine struct {
			Items []struct {
				ID       int64  `json:"id"`
				Title    string `json:"title"`
				Window   string `json:"window"`
				Eligible bool   `json:"eligible"`
			} `json:"items"`
		}
		resp.JSON(t, &mine)
		require.Len(t, mine.Items, 1, "only the general track's exam")
		assert.Contains(t, mine.Items[0].Title, "普及")
		assert.Equal(t, "open", mine.Items[0].Window)

		a := start(t, e, learner, mine.Items[0].ID)
		require.Len(t, a.Questions, 42)
		keys := map[int64]question{}
		var all []question
		for _, typ := range []string{"single", "multiple", "judge", "fill"} {
			all = append(all, demoQuestions(t, e, typ, map[string]int{"single": 35, "multiple": 7, "judge": 26, "fill": 4}[typ])...)
		}
		for _, q := range all {
			keys[q.ID] = q
		}
		half := len(a.Questions) / 2
		for _, q := range a.Questions[:half] {
			require.Equal(t, http.StatusOK, save(e, learner, a.ID, q.QuestionID, shown(t, keys[q.QuestionID], q.Options, keys[q.QuestionID].Answer)).Status)
		}
		e.Clock.Advance(5 * time.Minute) // the connection drops for five minutes
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d", a.ID), learner, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		var resumed attempt
		resp.JSON(t, &resumed)
		assert.Equal(t, 55*60, resumed.SecondsLeft)
		for i, q := range resumed.Questions {
			assert.Equal(t, i < half, q.Answer != nil, "question %d", i+1)
			if i >= half {
				require.Equal(t, http.StatusOK, save(e, learner, a.ID, q.QuestionID, shown(t, keys[q.QuestionID], q.Options, keys[q.QuestionID].Answer)).Status)
			}
		}
		done := submit(t, e, learner, a.ID)
		assert.Equal(t, 100.0, done.Result.Score)
		assert.True(t, done.Result.Passed)
		assert.Len(t, done.Result.Sections, 4)

		resp = e.Call(http.MethodGet, "/api/v1/me/credits", learner, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		assert.Contains(t, string(resp.Body), `"exam":10`)

		admin := e.Token("admin")
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/stats", mine.Items[0].ID), admin, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		var st struct {
			Total unitStats `json:"total"`
		}
		resp.JSON(t, &st)
		assert.Equal(t, 6, st.Total.Expected, "six general-track demo learners")
		assert.Equal(t, 1, st.Total.Took)
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results/export", mine.Items[0].ID), admin, nil)
		assert.Equal(t, http.StatusOK, resp.Status)
	})
}
