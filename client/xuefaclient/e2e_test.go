package xuefaclient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/client/xuefaclient"
	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
)

// bearer sends an access token with every request of a client.
func bearer(token string) xuefaclient.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// TestClientEndToEnd drives the real server, on a real TCP listener over the seeded demo county,
// through the generated client only: the county admin creates a learner, who logs in with the
// initial password, is told to change it, changes it and reads their credits.
func TestClientEndToEnd(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		srv := httptest.NewServer(e.App.Server.Handler())
		t.Cleanup(srv.Close)
		ctx := t.Context()
		c, err := xuefaclient.NewClientWithResponses(srv.URL, xuefaclient.WithHTTPClient(srv.Client()))
		require.NoError(t, err)

		// The county admin logs in.
		adminPassword := app.DemoPassword
		if e.Config.Bootstrap.AdminPassword != "" {
			adminPassword = e.Config.Bootstrap.AdminPassword
		}
		login, err := c.LoginWithResponse(ctx, xuefaclient.LoginRequest{Username: "admin", Password: adminPassword})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, login.StatusCode(), "login: %s", login.Body)
		require.Equal(t, xuefaclient.RoleAdmin, login.JSON200.Account.Role)
		admin := bearer(login.JSON200.AccessToken)

		// It finds 华阳镇 and creates a learner there, with a generated initial password.
		q := "huayang"
		units, err := c.ListUnitsWithResponse(ctx, &xuefaclient.ListUnitsParams{Q: &q}, admin)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, units.StatusCode(), "units: %s", units.Body)
		require.Len(t, units.JSON200.Items, 1)
		huayang := units.JSON200.Items[0]
		require.Equal(t, "华阳镇", huayang.Name)

		position := "科员"
		created, err := c.CreateLearnerWithResponse(ctx, xuefaclient.LearnerCreateRequest{
			Name: "端到端", Phone: "13900001234", Track: xuefaclient.TrackGeneral,
			UnitID: huayang.ID, Position: &position,
		}, admin)
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, created.StatusCode(), "create learner: %s", created.Body)
		learner := created.JSON201
		require.NotZero(t, learner.ID)
		require.Equal(t, huayang.ID, learner.UnitID)
		require.Equal(t, xuefaclient.TrackGeneral, learner.Track)
		require.Equal(t, xuefaclient.LearnerStatusStatusActive, learner.Status)
		require.Equal(t, "139****1234", learner.Phone)
		require.NotNil(t, learner.InitialPassword)
		require.NotEmpty(t, *learner.InitialPassword)

		// The learner logs in by phone; the account must change its password first.
		first, err := c.LoginWithResponse(ctx, xuefaclient.LoginRequest{Username: "13900001234", Password: *learner.InitialPassword})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, first.StatusCode(), "learner login: %s", first.Body)
		require.Equal(t, xuefaclient.RoleLearner, first.JSON200.Account.Role)
		require.True(t, first.JSON200.Account.MustChangePassword)

		blocked, err := c.GetMyCreditsWithResponse(ctx, nil, bearer(first.JSON200.AccessToken))
		require.NoError(t, err)
		require.Equal(t, http.StatusForbidden, blocked.StatusCode(), "credits before the change: %s", blocked.Body)
		require.Equal(t, "auth.password_change_required", string(blocked.JSON403.Error.Code))
		require.NotEmpty(t, blocked.JSON403.RequestID)

		changed, err := c.ChangePasswordWithResponse(ctx, xuefaclient.ChangePasswordRequest{
			CurrentPassword: *learner.InitialPassword, NewPassword: "E2e-Passw0rd",
		}, bearer(first.JSON200.AccessToken))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, changed.StatusCode(), "change password: %s", changed.Body)
		require.False(t, changed.JSON200.Account.MustChangePassword)

		// With the new password the learner logs in again and reads their credits.
		again, err := c.LoginWithResponse(ctx, xuefaclient.LoginRequest{Username: "13900001234", Password: "E2e-Passw0rd"})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, again.StatusCode(), "login with the new password: %s", again.Body)
		require.False(t, again.JSON200.Account.MustChangePassword)

		credits, err := c.GetMyCreditsWithResponse(ctx, nil, bearer(again.JSON200.AccessToken))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, credits.StatusCode(), "credits: %s", credits.Body)
		standing := credits.JSON200
		require.Equal(t, learner.ID, standing.LearnerID)
		require.Equal(t, "端到端", standing.LearnerName)
		require.NotZero(t, standing.CampaignID)
		require.NotEmpty(t, standing.CampaignName)
		require.Equal(t, "general", string(standing.Track))
		require.Zero(t, standing.Total)
		require.Positive(t, standing.Target)
		require.Zero(t, standing.BySource.Study)
		require.Nil(t, standing.LastActivityAt)
		require.NotEmpty(t, standing.Explanation)
	})
}
