package exam_test

import (
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestExamConditionalWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		body := examBody(t, e, ids(demoQuestions(t, e, "judge", 3)), nil)
		resp := e.Call(http.MethodPost, "/api/v1/exams", admin, body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		id := int64(resp.Map(t)["id"].(float64))
		e.CheckConditional(apitest.Conditional{
			Path: examPath(id), Token: admin, Method: http.MethodPut,
			Edit: func(i int) any {
				edited := maps.Clone(body)
				edited["title"] = fmt.Sprintf("年度学法考试（第%d稿）", i)
				return edited
			},
			Delete:  true,
			Created: resp.Header.Get("ETag"),
		})

		// Publishing is a new revision: a rewrite prepared before it is refused as stale, not
		// merely as no longer editable.
		id = draftExam(t, e, body)
		draft := e.Call(http.MethodGet, examPath(id), admin, nil).Header.Get("ETag")
		published := e.Call(http.MethodPost, examPath(id)+"/publish", admin, nil)
		require.Equal(t, http.StatusOK, published.Status, "%s", published.Body)
		assert.NotEqual(t, draft, published.Header.Get("ETag"))
		stale := e.Do(apitest.Request{Method: http.MethodPut, Path: examPath(id), Token: admin, Body: body,
			Headers: map[string]string{"If-Match": draft}})
		assert.Equal(t, http.StatusPreconditionFailed, stale.Status, "%s", stale.Body)
	})
}
