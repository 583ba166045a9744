package reminder_test

import (
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestRuleConditionalWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		body := map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "credits_lagging",
			"send_at": "09:00", "enabled": true}
		resp := e.Call(http.MethodPost, "/api/v1/reminder-rules", admin, body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		e.CheckConditional(apitest.Conditional{
			Path: fmt.Sprintf("/api/v1/reminder-rules/%d", int64(resp.Map(t)["id"].(float64))), Token: admin, Method: http.MethodPut,
			Edit: func(i int) any {
				edited := maps.Clone(body)
				edited["send_at"] = fmt.Sprintf("%02d:30", 10+i)
				return edited
			},
			Delete:  true,
			Created: resp.Header.Get("ETag"),
		})
	})
}

// A replace and a delete sent from the same read: exactly one of them happens.
func TestRuleConditionalReplaceDeleteRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		body := map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "credits_lagging",
			"send_at": "09:00", "enabled": true}
		for range 8 {
			path := fmt.Sprintf("/api/v1/reminder-rules/%d", createRule(t, e, body))
			tag := e.Call(http.MethodGet, path, admin, nil).Header.Get("ETag")
			edited := maps.Clone(body)
			edited["send_at"] = "10:00"
			put, del := apitest.Race(
				func() *apitest.Response {
					return e.Do(apitest.Request{Method: http.MethodPut, Path: path, Token: admin, Body: edited, Headers: map[string]string{"If-Match": tag}})
				},
				func() *apitest.Response {
					return e.Do(apitest.Request{Method: http.MethodDelete, Path: path, Token: admin, Headers: map[string]string{"If-Match": tag}})
				})
			got := e.Call(http.MethodGet, path, admin, nil)
			switch put.Status {
			case http.StatusOK: // the replace won: the delete saw a new revision
				assert.Equal(t, http.StatusPreconditionFailed, del.Status, "%s", del.Body)
				require.Equal(t, http.StatusOK, got.Status)
				assert.Equal(t, "10:00", got.Map(t)["send_at"])
			default: // the delete won: the replace found nothing
				assert.Equal(t, http.StatusNotFound, put.Status, "%s", put.Body)
				assert.Equal(t, http.StatusNoContent, del.Status, "%s", del.Body)
				assert.Equal(t, http.StatusNotFound, got.Status, "the deleted rule came back")
			}
		}
	})
}
