package questionbank_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// Admin writes on one question race each other: two edits of a published question make two
// versions, and a delete of a draft either wins (the edit is 404) or sees it published (409).
func TestQuestionWritesRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "并发题库", "subject": "综合"})
		create := fmt.Sprintf("/api/v1/question-banks/%d/questions", bank)
		newQuestion := func(i int, status string) string {
			resp := e.Call(http.MethodPost, create, admin, map[string]any{"type": "judge", "stem": fmt.Sprintf("并发第%d题。", i), "answer": "对", "status": status})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			return fmt.Sprintf("/api/v1/questions/%d", idOf(t, resp.Map(t)))
		}
		call := func(method, path string, body any) func() int {
			return func() int { return e.Call(method, path, admin, body).Status }
		}
		for i := range 8 {
			path := newQuestion(2*i, "published")
			a, b := apitest.Race(call(http.MethodPatch, path, map[string]any{"analysis": "甲"}), call(http.MethodPatch, path, map[string]any{"difficulty": 5}))
			assert.Equal(t, [2]int{http.StatusOK, http.StatusOK}, [2]int{a, b}, "two edits of a published question")
			q := e.Call(http.MethodGet, path, admin, nil).Map(t)
			assert.EqualValues(t, 3, q["version"], "each edit makes a version")
			assert.Equal(t, "甲", q["analysis"])
			assert.EqualValues(t, 5, q["difficulty"])
			assert.Len(t, e.Call(http.MethodGet, path+"/versions", admin, nil).Map(t)["items"], 3)

			path = newQuestion(2*i+1, "draft")
			del, pub := apitest.Race(call(http.MethodDelete, path, nil), call(http.MethodPatch, path, map[string]any{"status": "published"}))
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusNotFound}, {http.StatusConflict, http.StatusOK}}, [2]int{del, pub}, "delete and publish of a draft")
		}
	})
}

// Two creates of one stem: one is 201, the other 409 question.duplicate_stem.
func TestCreateSameStemRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "并发题库", "subject": "综合"})
		path := fmt.Sprintf("/api/v1/question-banks/%d/questions", bank)
		for i := range 8 {
			body := map[string]any{"type": "judge", "stem": fmt.Sprintf("同题干第%d题。", i), "answer": "对"}
			create := func() int { return e.Call(http.MethodPost, path, admin, body).Status }
			a, b := apitest.Race(create, create)
			assert.ElementsMatch(t, []int{http.StatusCreated, http.StatusConflict}, []int{a, b}, "two creates")

			// An edit taking a stem races a create of that stem.
			other := e.Call(http.MethodPost, path, admin, map[string]any{"type": "judge", "stem": fmt.Sprintf("原题干第%d题。", i), "answer": "对"})
			require.Equal(t, http.StatusCreated, other.Status, "%s", other.Body)
			taken, otherPath := fmt.Sprintf("被占用的题干第%d题。", i), fmt.Sprintf("/api/v1/questions/%d", idOf(t, other.Map(t)))
			edit := func() int { return e.Call(http.MethodPatch, otherPath, admin, map[string]any{"stem": taken}).Status }
			c, u := apitest.Race(func() int {
				return e.Call(http.MethodPost, path, admin, map[string]any{"type": "judge", "stem": taken, "answer": "对"}).Status
			}, edit)
			assert.Contains(t, [][2]int{{http.StatusCreated, http.StatusConflict}, {http.StatusConflict, http.StatusOK}}, [2]int{c, u}, "create and edit to one stem")
		}
	})
}

// A bank's delete races the writes into it: either the delete wins and the write is 404, or
// the write wins and the delete is 409 question_bank.not_empty (or, for a rename, 204 after it).
func TestBankWritesRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		var file bytes.Buffer
		w := multipart.NewWriter(&file)
		fw, err := w.CreateFormFile("file", "q.csv")
		require.NoError(t, err)
		_, err = fw.Write(csvOf(t, header, row("判断", "导入的题目。", nil, "对")))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		importFile := func(bank int64) func() int {
			return func() int {
				return e.Do(apitest.Request{
					Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/question-banks/%d/questions/import", bank),
					Token: admin, Body: file.Bytes(), Headers: map[string]string{"Content-Type": w.FormDataContentType()},
				}).Status
			}
		}
		for i := range 8 {
			bank := newBank(t, e, admin, map[string]any{"name": fmt.Sprintf("题库%d", i), "subject": "综合"})
			path := fmt.Sprintf("/api/v1/question-banks/%d", bank)
			del := func() int { return e.Call(http.MethodDelete, path, admin, nil).Status }
			d, c := apitest.Race(del, func() int {
				return e.Call(http.MethodPost, path+"/questions", admin, map[string]any{"type": "judge", "stem": "题。", "answer": "对"}).Status
			})
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusNotFound}, {http.StatusConflict, http.StatusCreated}}, [2]int{d, c}, "delete and create")

			bank = newBank(t, e, admin, map[string]any{"name": fmt.Sprintf("导入题库%d", i), "subject": "综合"})
			path = fmt.Sprintf("/api/v1/question-banks/%d", bank)
			d, c = apitest.Race(del, importFile(bank))
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusNotFound}, {http.StatusConflict, http.StatusOK}}, [2]int{d, c}, "delete and import")

			bank = newBank(t, e, admin, map[string]any{"name": fmt.Sprintf("改名题库%d", i), "subject": "综合"})
			path = fmt.Sprintf("/api/v1/question-banks/%d", bank)
			var renamed *apitest.Response
			d, c = apitest.Race(del, func() int {
				renamed = e.Call(http.MethodPatch, path, admin, map[string]any{"name": fmt.Sprintf("新名%d", i)})
				return renamed.Status
			})
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusNotFound}, {http.StatusNoContent, http.StatusOK}}, [2]int{d, c}, "delete and rename")
			if c == http.StatusOK {
				assert.Equal(t, fmt.Sprintf("新名%d", i), renamed.Map(t)["name"], "a 200 rename was written")
			}
		}
	})
}

// A bank created in a unit that is being deleted: either the delete wins (422 unit_id) or it
// sees the bank (409 unit.in_use).
func TestCreateBankInDeletedUnitRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		for i := range 8 {
			resp := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": e.UnitID("huayang"), "code": fmt.Sprintf("race-%d", i), "name": fmt.Sprintf("并发村%d", i), "kind": "other"})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			unitID := idOf(t, resp.Map(t))
			d, c := apitest.Race(
				func() int {
					return e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", unitID), admin, nil).Status
				},
				func() int {
					return e.Call(http.MethodPost, "/api/v1/question-banks", admin, map[string]any{"unit_id": unitID, "name": "村题库", "subject": "综合"}).Status
				})
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusUnprocessableEntity}, {http.StatusConflict, http.StatusCreated}}, [2]int{d, c})
		}
	})
}
