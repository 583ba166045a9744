package learner_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestLearnerConditionalWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		resp := create(t, e, admin, newLearner(e, "huayang"))
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		path := fmt.Sprintf("/api/v1/learners/%d", int64(resp.Map(t)["id"].(float64)))
		e.CheckConditional(apitest.Conditional{
			Path: path, Token: admin, Method: http.MethodPatch,
			Edit:    func(i int) any { return map[string]any{"position": fmt.Sprintf("执法队员%d", i)} },
			Created: resp.Header.Get("ETag"),
		})

		// Leaving is a new revision too: an edit prepared before it is refused.
		before := e.Call(http.MethodGet, path, admin, nil).Header.Get("ETag")
		left := e.Call(http.MethodPost, path+"/leave", admin, nil)
		require.Equal(t, http.StatusOK, left.Status, "%s", left.Body)
		assert.NotEqual(t, before, left.Header.Get("ETag"))
		stale := e.Do(apitest.Request{Method: http.MethodPatch, Path: path, Token: admin,
			Body: map[string]any{"position": "科员"}, Headers: map[string]string{"If-Match": before}})
		assert.Equal(t, http.StatusPreconditionFailed, stale.Status, "%s", stale.Body)
	})
}
