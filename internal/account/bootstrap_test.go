package account_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/config"
)

func withBootstrap(c *config.Config) {
	c.Bootstrap.AdminUsername = "county-root"
	c.Bootstrap.AdminPassword = "Root#Pass2026"
}

func TestBootstrapCredentialsNameTheRootAdmin(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.Login("county-root", "Root#Pass2026")
		acct := tokens["account"].(map[string]any)
		assert.Equal(t, "admin", acct["role"])
		assert.Equal(t, "绩溪县", acct["unit_name"])
		assert.Equal(t, false, acct["must_change_password"])
		missing := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": app.DemoPassword})
		assert.Equal(t, http.StatusUnauthorized, missing.Status, "the seed made no other root admin")

		// The configured password wins at the next start, even after a change through the API.
		changed := e.Call(http.MethodPut, "/api/v1/me/password", tokens["access_token"].(string),
			map[string]string{"current_password": "Root#Pass2026", "new_password": "Changed#2026"})
		require.Equal(t, http.StatusOK, changed.Status)
		require.NoError(t, e.App.EnsureRoot(context.Background(), io.Discard))
		e.Login("county-root", "Root#Pass2026")
	}, withBootstrap)
}

func TestFirstStartWithoutBootstrapGeneratesAPassword(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		// The seeded database already has admins: nothing more is created.
		var out bytes.Buffer
		require.NoError(t, e.App.EnsureRoot(context.Background(), &out))
		assert.Empty(t, out.String())

		require.NoError(t, e.DB.Exec("UPDATE accounts SET role = 'lecturer' WHERE role = 'admin'").Error)
		require.NoError(t, e.App.EnsureRoot(context.Background(), &out))
		assert.Contains(t, out.String(), "root admin created: username admin-2", "\"admin\" is taken by the demoted account")
	})
}
