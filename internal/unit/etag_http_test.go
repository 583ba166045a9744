package unit_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func createUnit(t *testing.T, e *apitest.Env, parent int64, code string) (int64, string) {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/units", e.Token("admin"), map[string]any{"parent_id": parent, "code": code, "name": code, "kind": "other"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.NotEmpty(t, resp.Header.Get("ETag"), "a created unit carries its first revision")
	return int64(resp.Map(t)["id"].(float64)), resp.Header.Get("ETag")
}

func TestUnitConditionalWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, created := createUnit(t, e, e.UnitID("huayang"), "hy-etag")
		e.CheckConditional(apitest.Conditional{
			Path: fmt.Sprintf("/api/v1/units/%d", id), Token: e.Token("admin"), Method: http.MethodPatch,
			Edit:    func(i int) any { return map[string]any{"name": fmt.Sprintf("华阳第%d村", i)} },
			Delete:  true,
			Created: created,
		})
	})
}

// Moving a unit rewrites its subtree's paths: the sub-units' tags go stale too.
func TestUnitMoveMakesSubtreeRevisions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		parent, _ := createUnit(t, e, e.UnitID("huayang"), "hy-parent")
		child, childTag := createUnit(t, e, parent, "hy-child")
		moved := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", parent), admin, map[string]any{"parent_id": e.UnitID("linxi")})
		require.Equal(t, http.StatusOK, moved.Status, "%s", moved.Body)
		stale := e.Do(apitest.Request{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/units/%d", child), Token: admin,
			Body: map[string]any{"name": "改名"}, Headers: map[string]string{"If-Match": childTag}})
		assert.Equal(t, http.StatusPreconditionFailed, stale.Status, "%s", stale.Body)
	})
}

// Two admins edit the same unit from the same read: one wins, the other is told it changed.
func TestUnitConcurrentEditsRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		for i := range 8 {
			id, tag := createUnit(t, e, e.UnitID("huayang"), fmt.Sprintf("race-%d", i))
			path := fmt.Sprintf("/api/v1/units/%d", id)
			edit := func(name string) func() *apitest.Response {
				return func() *apitest.Response {
					return e.Do(apitest.Request{Method: http.MethodPatch, Path: path, Token: admin,
						Body: map[string]any{"name": name}, Headers: map[string]string{"If-Match": tag}})
				}
			}
			a, b := apitest.Race(edit(fmt.Sprintf("甲改%d", i)), edit(fmt.Sprintf("乙改%d", i)))
			statuses := []int{a.Status, b.Status}
			assert.ElementsMatch(t, []int{http.StatusOK, http.StatusPreconditionFailed}, statuses, "%s / %s", a.Body, b.Body)
			winner := a
			if b.Status == http.StatusOK {
				winner = b
			}
			got := e.Call(http.MethodGet, path, admin, nil)
			assert.Equal(t, winner.Map(t)["name"], got.Map(t)["name"], "the winner's edit stands")
			assert.Equal(t, winner.Header.Get("ETag"), got.Header.Get("ETag"))
		}
	})
}
