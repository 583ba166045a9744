package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/platform/database"
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

// A transaction that changes a campaign and rolls back leaves nothing of its change in the
// replica's copy, even when it read the facts after the change.
func TestFactsReadInARolledBackTransactionAreNotKept(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var id int64
		require.NoError(t, e.DB.Table("campaigns").Where("status = 'active'").Order("id").Limit(1).Pluck("id", &id).Error)
		ctx := context.Background()
		rolledBack := errors.New("rolled back")
		err := database.WithTx(ctx, e.DB, func(ctx context.Context) error {
			require.NoError(t, e.App.Campaigns.SetStatus(ctx, id, campaign.StatusClosing))
			f, err := e.App.Campaigns.Facts(ctx, id)
			require.NoError(t, err)
			assert.False(t, f.Active, "inside: the transaction's own change")
			return rolledBack
		})
		require.ErrorIs(t, err, rolledBack)
		f, err := e.App.Campaigns.Facts(ctx, id)
		require.NoError(t, err)
		assert.True(t, f.Active, "after the rollback: the committed row")
	})
}
