package campaign_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestCampaignConditionalWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		resp := e.Call(http.MethodPost, "/api/v1/campaigns", admin, newCampaign(e.UnitID("huayang")))
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		e.CheckConditional(apitest.Conditional{
			Path: fmt.Sprintf("/api/v1/campaigns/%d", int64(resp.Map(t)["id"].(float64))), Token: admin, Method: http.MethodPatch,
			Edit:    func(i int) any { return map[string]any{"theme": fmt.Sprintf("尊法学法守法用法 第%d稿", i)} },
			Created: resp.Header.Get("ETag"),
		})
	})
}
