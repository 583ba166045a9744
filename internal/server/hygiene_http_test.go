package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// Names and numbers with a meaning are checked at the door on real endpoints: blank and
// invisible text is refused naming the field, credits cannot be negative, and a township admin
// cannot re-kind its own township (only an admin above can).
func TestInputHygiene(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin, town := e.Token("admin"), e.Token("huayang-admin")
		root := e.UnitID("jixi")
		for _, tc := range []struct {
			name, path, token string
			body              map[string]any
			field             string
		}{
			{"blank unit name", "/api/v1/units", admin, map[string]any{"parent_id": root, "code": "x1", "name": "   ", "kind": "other"}, "name"},
			{"NUL in a unit name", "/api/v1/units", admin, map[string]any{"parent_id": root, "code": "x2", "name": "单位\x00", "kind": "other"}, "name"},
			{"right-to-left override", "/api/v1/units", admin, map[string]any{"parent_id": root, "code": "x3", "name": "镇\u202e政府", "kind": "other"}, "name"},
			{"negative course credit", "/api/v1/courses", admin, map[string]any{"campaign_id": 1, "title": "宪法", "kind": "article",
				"duration_seconds": 600, "tracks": []string{"general"}, "credit": -5}, "credit"},
		} {
			resp := e.Call(http.MethodPost, tc.path, tc.token, tc.body)
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusUnprocessableEntity}, resp.Status, "%s: %s", tc.name, resp.Body)
			assert.Contains(t, resp.ErrorFields(), tc.field, tc.name)
		}

		trimmed := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": root, "code": "x4", "name": "  城关镇😀  ", "kind": "township"})
		require.Equal(t, http.StatusCreated, trimmed.Status, "%s", trimmed.Body)
		assert.Equal(t, "城关镇😀", trimmed.Map(t)["name"])

		huayang := e.UnitID("huayang")
		own := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", huayang), town, map[string]any{"kind": "county"})
		assert.Equal(t, http.StatusForbidden, own.Status, "%s", own.Body)
		assert.Equal(t, "unit.own_unit", own.ErrorCode())
		renamed := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", huayang), town, map[string]any{"name": "华阳镇人民政府", "kind": "township"})
		assert.Equal(t, http.StatusOK, renamed.Status, "renaming, and sending the kind it already has, stay allowed: %s", renamed.Body)
		above := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", huayang), admin, map[string]any{"kind": "department"})
		assert.Equal(t, http.StatusOK, above.Status, "%s", above.Body)
	})
}
