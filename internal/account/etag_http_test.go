package account_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestAccountConditionalWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		resp := e.Call(http.MethodPost, "/api/v1/accounts", admin, map[string]any{
			"username": "etag-lecturer", "display_name": "王讲师", "role": "lecturer", "unit_id": e.UnitID("linxi"), "password": "Secret-pass-1",
		})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		created := resp.Header.Get("ETag")
		require.NotEmpty(t, created, "a created account carries its first revision")
		path := fmt.Sprintf("/api/v1/accounts/%d", int64(resp.Map(t)["id"].(float64)))

		// Signing in is bookkeeping, not an edit: it must not make a pending edit fail.
		e.Login("etag-lecturer", "Secret-pass-1")
		assert.Equal(t, created, e.Call(http.MethodGet, path, admin, nil).Header.Get("ETag"), "a login keeps the revision")

		e.CheckConditional(apitest.Conditional{
			Path: path, Token: admin, Method: http.MethodPatch,
			Edit:    func(i int) any { return map[string]any{"display_name": fmt.Sprintf("王讲师%d", i)} },
			Created: created,
		})
	})
}
