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

// draftExam creates a draft exam as the county admin and returns its id.
func draftExam(t *testing.T, e *apitest.Env, body map[string]any) int64 {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/exams", e.Token("admin"), body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return int64(resp.Map(t)["id"].(float64))
}

func examPath(id int64) string { return fmt.Sprintf("/api/v1/exams/%d", id) }

func TestDeleteDraftExam(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		body := examBody(t, e, ids(demoQuestions(t, e, "judge", 3)), nil)

		// Only an owning admin deletes, and only a draft; the blueprint goes with it.
		id := draftExam(t, e, body)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodDelete, examPath(id), e.Token("huayang-admin"), nil).Status)
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodDelete, examPath(id), e.Token(zhangWei), nil).Status)
		resp := e.Call(http.MethodDelete, examPath(id), admin, nil)
		require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)
		assert.Empty(t, resp.Body)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, examPath(id), admin, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodDelete, examPath(id), admin, nil).Status)
		var sections, audits int64
		require.NoError(t, e.DB.Table("exam_sections").Where("exam_id = ?", id).Count(&sections).Error)
		require.NoError(t, e.DB.Table("audit_logs").Where("action = ? AND resource_id = ?", "exam.delete", id).Count(&audits).Error)
		assert.Zero(t, sections)
		assert.EqualValues(t, 1, audits)

		// A published exam stays for the record.
		published := publishedExam(t, e, body)
		resp = e.Call(http.MethodDelete, examPath(published), admin, nil)
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "exam.not_editable", resp.ErrorCode())

		// A draft main exam with a make-up stays until the make-up is gone, and cannot become a
		// make-up itself; a make-up cannot name itself.
		main := draftExam(t, e, body)
		makeup := draftExam(t, e, withMain(body, main))
		resp = e.Call(http.MethodDelete, examPath(main), admin, nil)
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "exam.has_makeup", resp.ErrorCode())
		other := draftExam(t, e, body)
		resp = e.Call(http.MethodPut, examPath(main), admin, withMain(body, other))
		assert.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
		assert.Equal(t, "exam.has_makeup", resp.ErrorCode())
		resp = e.Call(http.MethodPut, examPath(other), admin, withMain(body, other))
		assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
		assert.Contains(t, resp.ErrorFields(), "main_exam_id")
		assert.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, examPath(makeup), admin, nil).Status)
		assert.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, examPath(main), admin, nil).Status)
	})
}

// withMain is body as a make-up of the given main exam.
func withMain(body map[string]any, main int64) map[string]any {
	return with(body, "main_exam_id", main)
}

// with is a copy of body with one field set.
func with(body map[string]any, field string, v any) map[string]any {
	out := maps.Clone(body)
	out[field] = v
	return out
}

// Admin writes on one draft race each other: a rewrite never undoes a publish, a delete and a
// publish never both succeed, and a make-up is never left naming a deleted main exam.
func TestDraftWritesRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		body := examBody(t, e, ids(demoQuestions(t, e, "judge", 3)), nil)
		renamed := with(body, "title", "改名后的考试")
		call := func(method, path string, body any) func() int {
			return func() int { return e.Call(method, path, admin, body).Status }
		}
		for range 8 {
			id := draftExam(t, e, body)
			put, pub := apitest.Race(call(http.MethodPut, examPath(id), renamed), call(http.MethodPost, examPath(id)+"/publish", nil))
			require.Equal(t, http.StatusOK, pub)
			require.Contains(t, []int{http.StatusOK, http.StatusConflict}, put)
			assert.Equal(t, "published", e.Call(http.MethodGet, examPath(id), admin, nil).Map(t)["status"], "a rewrite undid the publish")

			id = draftExam(t, e, body)
			del, pub := apitest.Race(call(http.MethodDelete, examPath(id), nil), call(http.MethodPost, examPath(id)+"/publish", nil))
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusNotFound}, {http.StatusConflict, http.StatusOK}}, [2]int{del, pub})

			main := draftExam(t, e, body)
			del, created := apitest.Race(call(http.MethodDelete, examPath(main), nil), call(http.MethodPost, "/api/v1/exams", withMain(body, main)))
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusUnprocessableEntity}, {http.StatusConflict, http.StatusCreated}}, [2]int{del, created})
		}
	})
}
