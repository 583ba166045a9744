package exam_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/config"
)

// A graded attempt reaches the webhooks subscribed to exam.attempt_graded for the learner's
// unit subtree, once, with the figures of the result.
func TestGradedAttemptIsDeliveredToWebhooks(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var mu sync.Mutex
		var got []map[string]any
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if err := apitest.CheckWebhook(r.Header, body); err != nil { // the contract: x-webhooks in api/openapi.yaml
				t.Errorf("a delivery does not match the contract: %v", err) // Errorf: not the test's goroutine
			}
			var p map[string]any
			_ = json.Unmarshal(body, &p)
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
		}))
		defer receiver.Close()
		resp := e.Call(http.MethodPost, "/api/v1/integration/webhooks", e.Token("admin"),
			map[string]any{"url": receiver.URL, "events": []string{"exam.attempt_graded"}, "description": "考试结果同步"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)

		qs := demoQuestions(t, e, "judge", 2)
		id := publishedExam(t, e, examBody(t, e, ids(qs), nil))
		learner := e.Token(zhangWei)
		a := start(t, e, learner, id)
		done := submit(t, e, learner, a.ID)
		submit(t, e, learner, a.ID) // a retried submit grades nothing twice

		for {
			n, err := e.App.Dispatcher.DispatchOnce(context.Background())
			require.NoError(t, err)
			if n == 0 {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, got, 1, "one event per graded attempt")
		assert.Equal(t, "exam.attempt_graded", got[0]["type"])
		data := got[0]["data"].(map[string]any)
		assert.EqualValues(t, a.ID, data["attempt_id"])
		assert.EqualValues(t, id, data["exam_id"])
		assert.EqualValues(t, done.Result.Score, data["score"])
		assert.EqualValues(t, done.Result.MaxScore, data["max_score"])
		assert.Equal(t, done.Result.Passed, data["passed"])
		assert.Equal(t, "learner", data["finalised_by"])
		assert.EqualValues(t, 1, data["number"])
	}, func(c *config.Config) { c.Integration.AllowPrivateWebhooks = true })
}

// An integrator with exams:read reads exams, their results and statistics; without the scope
// it is refused.
func TestIntegratorReadsExamResults(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		id := publishedExam(t, e, examBody(t, e, ids(qs), nil))
		learner := e.Token(zhangWei)
		submit(t, e, learner, start(t, e, learner, id).ID)

		reader := e.ClientToken(e.CreateClient("jixi", "exams:read"), "")
		for _, path := range []string{"/api/v1/exams", fmt.Sprintf("/api/v1/exams/%d", id),
			fmt.Sprintf("/api/v1/exams/%d/results", id), fmt.Sprintf("/api/v1/exams/%d/stats", id)} {
			resp := e.Call(http.MethodGet, path, reader, nil)
			assert.Equal(t, http.StatusOK, resp.Status, "%s: %s", path, resp.Body)
		}
		results := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results", id), reader, nil).Map(t)
		asAdmin := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results", id), e.Token("admin"), nil).Map(t)
		assert.Equal(t, asAdmin, results, "a county client reads what the county admin reads")

		other := e.ClientToken(e.CreateClient("jixi", "credits:read"), "")
		refused := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results", id), other, nil)
		assert.Equal(t, http.StatusForbidden, refused.Status)
		assert.Equal(t, "auth.scope_missing", refused.ErrorCode())
	})
}
