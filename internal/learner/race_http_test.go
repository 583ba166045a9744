package learner_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/learner"
)

func call(e *apitest.Env, method, path, token string, body any) func() *apitest.Response {
	return func() *apitest.Response { return e.Call(method, path, token, body) }
}

func raceLearner(e *apitest.Env, unitID int64, i int) map[string]any {
	return map[string]any{"name": fmt.Sprintf("并发%d", i), "unit_id": unitID, "track": "general", "phone": fmt.Sprintf("1375550%04d", i),
		"id_card": learner.CompleteIDCard(fmt.Sprintf("11010519900101%03d", i))}
}

func accountOf(t *testing.T, e *apitest.Env, learnerID int64) (status string, tokenVersion int64) {
	t.Helper()
	var row struct {
		Status       string
		TokenVersion int64
	}
	require.NoError(t, e.DB.Table("accounts").Select("accounts.status, accounts.token_version").
		Joins("JOIN learners ON learners.account_id = accounts.id").Where("learners.id = ?", learnerID).Scan(&row).Error)
	return row.Status, row.TokenVersion
}

// Two edits of one learner at once keep both changes; two leaves at once are one 200 and one
// 409; an edit moving the learner racing their leave loses neither the leave nor a token bump.
func TestLearnerEditsRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		huayang, linxi := e.UnitID("huayang"), e.UnitID("linxi")
		for i := range 8 {
			resp := create(t, e, admin, raceLearner(e, huayang, i))
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			id := int64(resp.Map(t)["id"].(float64))
			path := fmt.Sprintf("/api/v1/learners/%d", id)

			name := fmt.Sprintf("改名%d", i)
			a, b := apitest.Race(call(e, http.MethodPatch, path, admin, map[string]any{"name": name}),
				call(e, http.MethodPatch, path, admin, map[string]any{"track": "leader", "position": "科员"}))
			assert.Equal(t, [2]int{http.StatusOK, http.StatusOK}, [2]int{a.Status, b.Status})
			got := e.Call(http.MethodGet, path, admin, nil).Map(t)
			assert.Equal(t, name, got["name"], "the rename was kept")
			assert.Equal(t, "leader", got["track"], "the new track was kept")
			assert.Equal(t, "科员", got["position"], "the new position was kept")

			_, before := accountOf(t, e, id)
			moved, left := apitest.Race(call(e, http.MethodPatch, path, admin, map[string]any{"unit_id": linxi}),
				call(e, http.MethodPost, path+"/leave", admin, nil))
			assert.Equal(t, [2]int{http.StatusOK, http.StatusOK}, [2]int{moved.Status, left.Status}, "%s %s", moved.Body, left.Body)
			got = e.Call(http.MethodGet, path, admin, nil).Map(t)
			assert.Equal(t, "left", got["status"])
			assert.EqualValues(t, linxi, got["unit_id"])
			status, after := accountOf(t, e, id)
			assert.Equal(t, "disabled", status)
			assert.Equal(t, before+2, after, "a move and a leave each bump the token version")

			a, b = apitest.Race(call(e, http.MethodPost, path+"/leave", admin, nil), call(e, http.MethodPost, path+"/leave", admin, nil))
			assert.Equal(t, http.StatusConflict, a.Status, "%s", a.Body)
			assert.Equal(t, http.StatusConflict, b.Status, "%s", b.Body)

			resp = create(t, e, admin, raceLearner(e, huayang, 100+i))
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			path = fmt.Sprintf("/api/v1/learners/%d", int64(resp.Map(t)["id"].(float64)))
			a, b = apitest.Race(call(e, http.MethodPost, path+"/leave", admin, nil), call(e, http.MethodPost, path+"/leave", admin, nil))
			assert.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, []int{a.Status, b.Status}, "two leaves at once")
		}
	})
}

// A learner created (alone or by an import) in a unit being deleted: either the delete wins
// (422, or the import's 409 conflict) or it sees the learner (409 unit.in_use).
func TestCreateInDeletedUnitRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		newUnit := func(code string) int64 {
			resp := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": e.UnitID("huayang"), "code": code, "name": code, "kind": "other"})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			return int64(resp.Map(t)["id"].(float64))
		}
		for i := range 8 {
			unitID := newUnit(fmt.Sprintf("race-%d", i))
			deleted, created := apitest.Race(call(e, http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", unitID), admin, nil),
				call(e, http.MethodPost, "/api/v1/learners", admin, raceLearner(e, unitID, i)))
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusUnprocessableEntity}, {http.StatusConflict, http.StatusCreated}},
				[2]int{deleted.Status, created.Status}, "delete and create in: %s", created.Body)

			code := fmt.Sprintf("race-i%d", i)
			unitID = newUnit(code)
			file := csvFile(t, templateHeader, [][]string{{fmt.Sprintf("导入%d", i), code, "普及", "", fmt.Sprintf("1375551%04d", i), ""}})
			var imported *apitest.Response
			deleted, imported = apitest.Race(call(e, http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", unitID), admin, nil),
				func() *apitest.Response { return upload(e, admin, "", "learners.csv", file) })
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusUnprocessableEntity}, {http.StatusNoContent, http.StatusConflict}, {http.StatusConflict, http.StatusOK}},
				[2]int{deleted.Status, imported.Status}, "delete and import into: %s", imported.Body)
		}
	})
}

// An import and a single create with the same phone or ID number at once: one of them gets it,
// the other is a 409 (or the import updates the learner just created); never a 500.
func TestImportRacesCreate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		huayang := e.UnitID("huayang")
		for i := range 8 {
			samePhone, sameID := raceLearner(e, huayang, i), raceLearner(e, huayang, 100+i)
			for _, c := range []struct {
				single map[string]any
				row    []string
			}{
				{samePhone, []string{"导入", "huayang", "普及", "", samePhone["phone"].(string), ""}},
				{sameID, []string{"导入", "huayang", "普及", "", fmt.Sprintf("1375552%04d", i), sameID["id_card"].(string)}},
			} {
				file := csvFile(t, templateHeader, [][]string{c.row})
				created, imported := apitest.Race(call(e, http.MethodPost, "/api/v1/learners", admin, c.single),
					func() *apitest.Response { return upload(e, admin, "", "learners.csv", file) })
				assert.Contains(t, []int{http.StatusCreated, http.StatusConflict}, created.Status, "%s", created.Body)
				assert.Contains(t, []int{http.StatusOK, http.StatusConflict}, imported.Status, "%s", imported.Body)
				assert.False(t, created.Status == http.StatusConflict && imported.Status == http.StatusConflict, "one of them wins")
			}
		}
	})
}
