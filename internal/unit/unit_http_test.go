package unit_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestUnitCRUD(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		huayang := e.UnitID("huayang")

		created := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{
			"parent_id": huayang, "code": "huayang-sfs", "name": "华阳司法所", "kind": "other",
		})
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		u := created.Map(t)
		id := int64(u["id"].(float64))
		assert.Equal(t, fmt.Sprintf("/1/%d/%d/", huayang, id), u["path"])
		assert.EqualValues(t, 2, u["depth"])

		got := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d", id), admin, nil)
		require.Equal(t, http.StatusOK, got.Status)
		assert.Equal(t, "华阳司法所", got.Map(t)["name"])

		renamed := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", id), admin, map[string]any{"name": "华阳镇司法所"})
		require.Equal(t, http.StatusOK, renamed.Status, "%s", renamed.Body)
		assert.Equal(t, "华阳镇司法所", renamed.Map(t)["name"])

		dupCode := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": huayang, "code": "linxi", "name": "别的", "kind": "other"})
		assert.Equal(t, http.StatusConflict, dupCode.Status)
		assert.Equal(t, "unit.code_taken", dupCode.ErrorCode())
		dupName := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": huayang, "code": "other-code", "name": "华阳镇司法所", "kind": "other"})
		assert.Equal(t, http.StatusConflict, dupName.Status)
		assert.Equal(t, "unit.name_taken", dupName.ErrorCode())

		// A unit with a sub-unit or an account cannot be deleted.
		hasChild := e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", huayang), admin, nil)
		assert.Equal(t, http.StatusConflict, hasChild.Status)
		assert.Equal(t, "unit.has_children", hasChild.ErrorCode())
		inUse := e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", e.UnitID("linxi")), admin, nil)
		assert.Equal(t, http.StatusConflict, inUse.Status)
		assert.Equal(t, "unit.in_use", inUse.ErrorCode())

		require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", id), admin, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d", id), admin, nil).Status)

		var audited int64
		require.NoError(t, e.DB.Table("audit_logs").Where("resource_type = 'unit' AND resource_id = ?", fmt.Sprint(id)).Count(&audited).Error)
		assert.EqualValues(t, 3, audited, "create, update and delete are audited")
	})
}

func TestUnitListAndTree(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		all := e.Call(http.MethodGet, "/api/v1/units?page_size=100", admin, nil).Map(t)
		assert.EqualValues(t, 7, all["total"], "county + 3 townships + 3 departments")

		towns := e.Call(http.MethodGet, "/api/v1/units?kind=township", admin, nil).Map(t)
		assert.EqualValues(t, 3, towns["total"])

		page := e.Call(http.MethodGet, "/api/v1/units?page=2&page_size=3", admin, nil).Map(t)
		assert.Len(t, page["items"], 3)
		assert.EqualValues(t, 2, page["page"])
		assert.EqualValues(t, 3, page["page_size"])

		children := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units?parent_id=%d", e.UnitID("jixi")), admin, nil).Map(t)
		assert.EqualValues(t, 6, children["total"])

		search := e.Call(http.MethodGet, "/api/v1/units?q=华阳", admin, nil).Map(t)
		assert.EqualValues(t, 1, search["total"])

		tree := e.Call(http.MethodGet, "/api/v1/units?tree=true", admin, nil).Map(t)
		roots := tree["items"].([]any)
		require.Len(t, roots, 1)
		assert.Equal(t, "绩溪县", roots[0].(map[string]any)["name"])
		var names []string
		for _, c := range roots[0].(map[string]any)["children"].([]any) {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		assert.Equal(t, []string{"华阳镇", "临溪镇", "上庄镇", "县司法局", "县教育局", "县公安局"}, names,
			"children in the order they were added, not the code-point order of their names")

		townTree := e.Call(http.MethodGet, "/api/v1/units?tree=true", e.Token("huayang-admin"), nil).Map(t)
		require.Len(t, townTree["items"], 1)
		assert.Equal(t, "华阳镇", townTree["items"].([]any)[0].(map[string]any)["name"], "a township admin's tree starts at their township")
	})
}

func TestUnitMove(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		huayang, linxi := e.UnitID("huayang"), e.UnitID("linxi")
		village := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": huayang, "code": "v1", "name": "村委会", "kind": "other"}).Map(t)
		villageID := int64(village["id"].(float64))
		group := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": villageID, "code": "g1", "name": "小组", "kind": "other"}).Map(t)
		groupID := int64(group["id"].(float64))

		moved := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", villageID), admin, map[string]any{"parent_id": linxi})
		require.Equal(t, http.StatusOK, moved.Status, "%s", moved.Body)
		assert.Equal(t, fmt.Sprintf("/1/%d/%d/", linxi, villageID), moved.Map(t)["path"])
		child := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d", groupID), admin, nil).Map(t)
		assert.Equal(t, fmt.Sprintf("/1/%d/%d/%d/", linxi, villageID, groupID), child["path"], "the subtree moves along")
		assert.EqualValues(t, 3, child["depth"])

		cycle := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", villageID), admin, map[string]any{"parent_id": groupID})
		assert.Equal(t, http.StatusUnprocessableEntity, cycle.Status)
		assert.Equal(t, "unit.cycle", cycle.ErrorCode())
		self := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", villageID), admin, map[string]any{"parent_id": villageID})
		assert.Equal(t, "unit.cycle", self.ErrorCode())
		root := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", e.UnitID("jixi")), admin, map[string]any{"parent_id": linxi})
		assert.Equal(t, http.StatusForbidden, root.Status)
		assert.Equal(t, "unit.own_unit", root.ErrorCode())
		missing := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", villageID), admin, map[string]any{"parent_id": 99999})
		assert.Equal(t, "unit.parent_not_found", missing.ErrorCode())
	})
}

// An admin of township A cannot read, edit, move or delete township B's anything: 404.
func TestUnitSubtreeScoping(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		huayangAdmin := e.Token("huayang-admin")
		huayang, linxi := e.UnitID("huayang"), e.UnitID("linxi")
		own := e.Call(http.MethodPost, "/api/v1/units", huayangAdmin, map[string]any{"parent_id": huayang, "code": "hy-1", "name": "华阳一村", "kind": "other"})
		require.Equal(t, http.StatusCreated, own.Status, "%s", own.Body)
		ownID := int64(own.Map(t)["id"].(float64))

		linxiPath := fmt.Sprintf("/api/v1/units/%d", linxi)
		cases := []struct {
			name   string
			method string
			path   string
			body   any
			status int
		}{
			{"read other township", http.MethodGet, linxiPath, nil, http.StatusNotFound},
			{"edit other township", http.MethodPatch, linxiPath, map[string]any{"name": "x"}, http.StatusNotFound},
			{"delete other township", http.MethodDelete, linxiPath, nil, http.StatusNotFound},
			{"read the county", http.MethodGet, fmt.Sprintf("/api/v1/units/%d", e.UnitID("jixi")), nil, http.StatusNotFound},
			{"create under other township", http.MethodPost, "/api/v1/units", map[string]any{"parent_id": linxi, "code": "x-1", "name": "x", "kind": "other"}, http.StatusUnprocessableEntity},
			{"move own unit into other township", http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", ownID), map[string]any{"parent_id": linxi}, http.StatusUnprocessableEntity},
			{"move own township", http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", huayang), map[string]any{"parent_id": ownID}, http.StatusForbidden},
			{"delete own township", http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", huayang), nil, http.StatusForbidden},
			{"list filtered by other parent", http.MethodGet, fmt.Sprintf("/api/v1/units?parent_id=%d", linxi), nil, http.StatusOK},
		}
		for _, c := range cases {
			resp := e.Call(c.method, c.path, huayangAdmin, c.body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			if c.status == http.StatusOK {
				assert.EqualValues(t, 0, resp.Map(t)["total"], c.name)
			}
		}
		list := e.Call(http.MethodGet, "/api/v1/units", huayangAdmin, nil).Map(t)
		assert.EqualValues(t, 2, list["total"], "a township admin sees their township and its sub-units only")

		unchanged := e.Call(http.MethodGet, linxiPath, e.Token("admin"), nil).Map(t)
		assert.Equal(t, "临溪镇", unchanged["name"], "nothing was written")
	})
}

func TestUnitBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		cases := []struct {
			name   string
			method string
			path   string
			body   any
			status int
			code   string
			field  string
		}{
			{"malformed JSON", http.MethodPost, "/api/v1/units", `{"parent_id": 1,`, 400, "request.invalid_json", ""},
			{"wrong type", http.MethodPost, "/api/v1/units", `{"parent_id": "one", "code": "abc", "name": "n", "kind": "other"}`, 400, "request.invalid_type", "parent_id"},
			{"unknown field", http.MethodPost, "/api/v1/units", `{"parent_id": 1, "code": "abc", "name": "n", "kind": "other", "path": "/9/"}`, 400, "request.unknown_field", "path"},
			{"unknown kind", http.MethodPost, "/api/v1/units", map[string]any{"parent_id": 1, "code": "abc", "name": "n", "kind": "village"}, 422, "request.validation", "kind"},
			{"missing name", http.MethodPost, "/api/v1/units", map[string]any{"parent_id": 1, "code": "abc", "kind": "other"}, 422, "request.validation", "name"},
			{"code with space", http.MethodPost, "/api/v1/units", map[string]any{"parent_id": 1, "code": "a b", "name": "n", "kind": "other"}, 422, "request.validation", "code"},
			{"empty body", http.MethodPost, "/api/v1/units", "", 400, "request.empty_body", ""},
			{"bad id", http.MethodGet, "/api/v1/units/abc", nil, 400, "request.invalid_id", "id"},
			{"zero id", http.MethodDelete, "/api/v1/units/0", nil, 400, "request.invalid_id", "id"},
			{"bad page", http.MethodGet, "/api/v1/units?page=abc", nil, 400, "request.invalid_query", "page"},
			{"bad kind filter", http.MethodGet, "/api/v1/units?kind=village", nil, 400, "request.invalid_query", "kind"},
			{"unparsable parent filter", http.MethodGet, "/api/v1/units?parent_id=abc", nil, 400, "request.invalid_query", "parent_id"},
			{"unparsable tree flag", http.MethodGet, "/api/v1/units?tree=maybe", nil, 400, "request.invalid_query", "tree"},
			{"patch with unknown kind", http.MethodPatch, "/api/v1/units/2", `{"kind": "x"}`, 422, "request.validation", "kind"},
		}
		for _, c := range cases {
			resp := e.Call(c.method, c.path, admin, c.body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
			if c.field != "" {
				assert.Contains(t, resp.ErrorFields(), c.field, c.name)
			}
		}
		var n int64
		require.NoError(t, e.DB.Table("units").Count(&n).Error)
		assert.EqualValues(t, 7, n, "no bad request wrote anything")
	})
}
