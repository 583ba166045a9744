package campaign_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// A replica keeps a campaign's facts for campaign.facts_ttl: its own edits show at once, another
// replica's (here a write to the row this app did not make) once the copy is older than the TTL.
func TestFactsKeptPerReplica(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var id int64
		require.NoError(t, e.DB.Table("campaigns").Where("status = 'active'").Order("id").Limit(1).Pluck("id", &id).Error)
		learner := e.Token("13800000001")
		target := func() any {
			resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/me/credits?campaign_id=%d", id), learner, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			return resp.Map(t)["target"]
		}
		require.EqualValues(t, 30, target())

		edit := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/campaigns/%d", id), e.Token("admin"),
			map[string]any{"targets": map[string]any{"leader": 40, "general": 40, "judicial": 40}})
		require.Equal(t, http.StatusOK, edit.Status, "%s", edit.Body)
		assert.EqualValues(t, 40, target(), "this replica's edit drops its copy when it commits")

		require.NoError(t, e.DB.Exec("UPDATE campaigns SET target_leader = 5000, target_general = 5000, target_judicial = 5000 WHERE id = ?", id).Error)
		assert.EqualValues(t, 40, target(), "another replica's edit: the kept copy answers within the TTL")
		e.Clock.Advance(e.Config.Campaign.FactsTTL.Std())
		assert.EqualValues(t, 50, target(), "and the edit shows once the copy is older than campaign.facts_ttl")
	})
}
