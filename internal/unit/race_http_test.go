package unit_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// A sub-unit created while its parent is deleted or moved: the delete either wins (422
// parent_id) or sees the child (409 unit.has_children), and the child's path always follows
// where its parent is.
func TestCreateUnderChangingParentRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		huayang, linxi := e.UnitID("huayang"), e.UnitID("linxi")
		create := func(parent int64, code string) func() *apitest.Response {
			return func() *apitest.Response {
				return e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": parent, "code": code, "name": code, "kind": "other"})
			}
		}
		unitPath := func(id int64) string { return fmt.Sprintf("/api/v1/units/%d", id) }
		for i := range 8 {
			resp := create(huayang, fmt.Sprintf("p-%d", i))()
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			parent := int64(resp.Map(t)["id"].(float64))
			del, child := apitest.Race(func() *apitest.Response { return e.Call(http.MethodDelete, unitPath(parent), admin, nil) }, create(parent, fmt.Sprintf("c-%d", i)))
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusUnprocessableEntity}, {http.StatusConflict, http.StatusCreated}}, [2]int{del.Status, child.Status}, "delete and create under: %s", child.Body)

			resp = create(huayang, fmt.Sprintf("m-%d", i))()
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			parent = int64(resp.Map(t)["id"].(float64))
			moved, child := apitest.Race(func() *apitest.Response {
				return e.Call(http.MethodPatch, unitPath(parent), admin, map[string]any{"parent_id": linxi})
			}, create(parent, fmt.Sprintf("mc-%d", i)))
			require.Equal(t, http.StatusOK, moved.Status, "%s", moved.Body)
			require.Equal(t, http.StatusCreated, child.Status, "%s", child.Body)
			childID := int64(child.Map(t)["id"].(float64))
			got := e.Call(http.MethodGet, unitPath(childID), admin, nil).Map(t)
			assert.Equal(t, fmt.Sprintf("/1/%d/%d/%d/", linxi, parent, childID), got["path"], "the child moved along with its parent")
			assert.EqualValues(t, 3, got["depth"])
		}
	})
}
