package account_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/config"
)

// warm makes sure a token's principal is in the cache: two calls, the second one served from it.
func warm(t *testing.T, e *apitest.Env, token string) {
	t.Helper()
	for range 2 {
		require.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/me", token, nil).Status)
	}
}

func TestCachedPrincipalsAreStillRevokedAtOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		require.Positive(t, e.Config.Auth.PrincipalCacheTTL.Std(), "the cache is on by default")
		admin := e.Token("admin")
		target := e.AccountID("linxi-admin")

		access := e.Login("linxi-admin", app.DemoPassword)["access_token"].(string)
		warm(t, e, access)
		require.Equal(t, http.StatusNoContent, e.Call(http.MethodPost, "/api/v1/auth/logout", access, nil).Status)
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", access, nil).Status, "logout")

		access = e.Login("linxi-admin", app.DemoPassword)["access_token"].(string)
		warm(t, e, access)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", target), admin, map[string]any{"status": "disabled"}).Status)
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", access, nil).Status, "disable")
		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", target), admin, map[string]any{"status": "active"}).Status)

		access = e.Login("linxi-admin", app.DemoPassword)["access_token"].(string)
		warm(t, e, access)
		changed := e.Call(http.MethodPut, "/api/v1/me/password", access, map[string]string{"current_password": app.DemoPassword, "new_password": "Another#Pass2"})
		require.Equal(t, http.StatusOK, changed.Status, "%s", changed.Body)
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", access, nil).Status, "password change")

		renamed := e.Login("linxi-admin", "Another#Pass2")["access_token"].(string)
		warm(t, e, renamed)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", target), admin, map[string]any{"display_name": "临溪镇新管理员"}).Status)
		assert.Equal(t, "临溪镇新管理员", e.Call(http.MethodGet, "/api/v1/me", renamed, nil).Map(t)["display_name"], "a profile change shows at once")
	})
}

func TestCachedPrincipalsFollowAUnitMove(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		township := e.Token("huayang-admin")
		visible := func() int {
			res := e.Call(http.MethodGet, "/api/v1/units?page_size=100", township, nil)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			return int(res.Map(t)["total"].(float64))
		}
		before := visible()
		require.Positive(t, before)
		moved := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", e.UnitID("huayang")), e.Token("admin"), map[string]any{"parent_id": e.UnitID("linxi")})
		require.Equal(t, http.StatusOK, moved.Status, "%s", moved.Body)
		assert.Equal(t, before, visible(), "the township admin's subtree is read at its new path at once")
	})
}

// Two replicas on one database and one Redis: a change made through one drops the other's
// cached principal through pub/sub.
func TestCachedPrincipalsAreDroppedOnOtherReplicas(t *testing.T) {
	addr := os.Getenv("XUEFA_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("XUEFA_TEST_REDIS_ADDR not set: the cross-replica drop needs Redis (CI sets it)")
	}
	withRedis := func(c *config.Config) { c.Redis.Addr = addr }
	apitest.Each(t, func(t *testing.T, one *apitest.Env) {
		other := apitest.New(t, one.DB, withRedis)
		t.Cleanup(other.App.Close)
		access := other.Login("linxi-admin", app.DemoPassword)["access_token"].(string)
		warm(t, other, access)

		disabled := one.Call(http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", one.AccountID("linxi-admin")), one.Token("admin"), map[string]any{"status": "disabled"})
		require.Equal(t, http.StatusOK, disabled.Status, "%s", disabled.Body)
		assert.Eventually(t, func() bool {
			return other.Call(http.MethodGet, "/api/v1/me", access, nil).Status == http.StatusUnauthorized
		}, 2*time.Second, 10*time.Millisecond, "the other replica drops its entry")
	}, withRedis)
}
