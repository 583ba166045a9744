package campaign_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// Two edits of one campaign at once keep both changes (neither rewrites the other's fields
// with what it read before), and an edit racing the close-out (POST …/close) either lands
// before it or is 409.
func TestCampaignEditsRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		race := func(a, b map[string]any, path string) (int, int) {
			patch := func(body map[string]any) func() int {
				return func() int { return e.Call(http.MethodPatch, path, admin, body).Status }
			}
			return apitest.Race(patch(a), patch(b))
		}
		newActive := func() string {
			resp := e.Call(http.MethodPost, "/api/v1/campaigns", admin, newCampaign(e.UnitID("huayang")))
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			path := fmt.Sprintf("/api/v1/campaigns/%d", int64(resp.Map(t)["id"].(float64)))
			require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, path, admin, map[string]any{"status": "active"}).Status)
			return path
		}
		for i := range 8 {
			path := newActive()
			name, theme := fmt.Sprintf("改名%d", i), fmt.Sprintf("新主题%d", i)
			a, b := race(map[string]any{"name": name}, map[string]any{"theme": theme}, path)
			assert.Equal(t, [2]int{http.StatusOK, http.StatusOK}, [2]int{a, b})
			got := e.Call(http.MethodGet, path, admin, nil).Map(t)
			assert.Equal(t, name, got["name"], "the rename was kept")
			assert.Equal(t, theme, got["theme"], "the new theme was kept")

			path = newActive()
			closed, edited := apitest.Race(
				func() int { return e.Call(http.MethodPost, path+"/close", admin, nil).Status },
				func() int { return e.Call(http.MethodPatch, path, admin, map[string]any{"name": name}).Status })
			require.Equal(t, http.StatusOK, closed)
			require.Contains(t, []int{http.StatusOK, http.StatusConflict}, edited)
			got = e.Call(http.MethodGet, path, admin, nil).Map(t)
			assert.Equal(t, "closed", got["status"])
			if edited == http.StatusOK {
				assert.Equal(t, name, got["name"], "an edit answered 200 was kept")
			} else {
				assert.NotEqual(t, name, got["name"], "an edit answered 409 was not written")
			}
		}
	})
}

// A campaign created in a unit that is being deleted: either the delete wins (422 unit_id) or
// it sees the campaign (409 unit.in_use).
func TestCreateInDeletedUnitRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		for i := range 8 {
			resp := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": e.UnitID("huayang"), "code": fmt.Sprintf("race-%d", i), "name": fmt.Sprintf("并发村%d", i), "kind": "other"})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			unitID := int64(resp.Map(t)["id"].(float64))
			var wg sync.WaitGroup
			var deleted, created int
			wg.Add(2)
			go func() {
				defer wg.Done()
				deleted = e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/units/%d", unitID), admin, nil).Status
			}()
			go func() {
				defer wg.Done()
				created = e.Call(http.MethodPost, "/api/v1/campaigns", admin, newCampaign(unitID)).Status
			}()
			wg.Wait()
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusUnprocessableEntity}, {http.StatusConflict, http.StatusCreated}}, [2]int{deleted, created})
		}
	})
}
