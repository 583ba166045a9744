package integration_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/config"
)

func clientPath(id int64, suffix string) string {
	return fmt.Sprintf("/api/v1/integration/clients/%d%s", id, suffix)
}

// Clients: county admin only; the secret is shown once and stored hashed; rotation keeps the
// old secret for the grace period; disabling stops new tokens and live ones at once; audited.
func TestClientLifecycle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		root := e.Token("admin")
		body := map[string]any{"name": "县人社局考核系统", "unit_id": e.UnitID("huayang"), "scopes": []string{"learners:read", "credits:read"}}
		township := e.Call(http.MethodPost, "/api/v1/integration/clients", e.Token("huayang-admin"), body)
		assert.Equal(t, http.StatusForbidden, township.Status, "only the county admin registers clients")
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/integration/clients", e.Token("huayang-admin"), nil).Status)

		created := e.Call(http.MethodPost, "/api/v1/integration/clients", root, body)
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		m := created.Map(t)
		secret := m["client_secret"].(string)
		c := apitest.Client{ID: int64(m["id"].(float64)), ClientID: m["client_id"].(string), Secret: secret}
		assert.True(t, strings.HasPrefix(secret, "xfs_"))
		assert.ElementsMatch(t, []any{"credits:read", "learners:read"}, m["scopes"])

		var stored string
		require.NoError(t, e.DB.Table("integration_clients").Select("secret_hash").Where("id = ?", c.ID).Scan(&stored).Error)
		assert.Len(t, stored, 64)
		assert.NotContains(t, stored, secret)
		got := e.Call(http.MethodGet, clientPath(c.ID, ""), root, nil)
		require.Equal(t, http.StatusOK, got.Status)
		assert.NotContains(t, string(got.Body), secret, "the secret is shown only at creation")
		list := e.Call(http.MethodGet, "/api/v1/integration/clients", root, nil)
		require.Equal(t, http.StatusOK, list.Status)
		assert.EqualValues(t, 1, list.Map(t)["total"])

		tok := e.RequestToken(c, "")
		require.Equal(t, http.StatusOK, tok.Status, "%s", tok.Body)
		tm := tok.Map(t)
		assert.Equal(t, "Bearer", tm["token_type"])
		assert.EqualValues(t, 900, tm["expires_in"])
		assert.Equal(t, "credits:read learners:read", tm["scope"])
		assert.Equal(t, "no-store", tok.Header.Get("Cache-Control"))

		// Rotation: the new secret works, the old one until the grace period ends.
		rotated := e.Call(http.MethodPost, clientPath(c.ID, "/secret"), root, nil)
		require.Equal(t, http.StatusOK, rotated.Status, "%s", rotated.Body)
		next := c
		next.Secret = rotated.Map(t)["client_secret"].(string)
		assert.NotEqual(t, c.Secret, next.Secret)
		assert.NotEmpty(t, rotated.Map(t)["previous_secret_valid_until"])
		assert.Equal(t, http.StatusOK, e.RequestToken(next, "").Status)
		e.Clock.Advance(23 * time.Hour)
		assert.Equal(t, http.StatusOK, e.RequestToken(c, "").Status, "old secret inside the grace period")
		e.Clock.Advance(time.Hour + time.Second)
		old := e.RequestToken(c, "")
		assert.Equal(t, http.StatusUnauthorized, old.Status, "old secret after the grace period")
		assert.Equal(t, "oauth.invalid_client", old.ErrorCode())
		live := e.ClientToken(next, "")
		root = e.Login("admin", app.DemoPassword)["access_token"].(string) // a day later: a fresh login
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/learners", live, nil).Status)

		// Scopes withdrawn from the client stop working at once, also in tokens already issued.
		patched := e.Call(http.MethodPatch, clientPath(c.ID, ""), root, map[string]any{"scopes": []string{"credits:read"}})
		require.Equal(t, http.StatusOK, patched.Status, "%s", patched.Body)
		withdrawn := e.Call(http.MethodGet, "/api/v1/learners", live, nil)
		assert.Equal(t, http.StatusForbidden, withdrawn.Status)
		assert.Equal(t, "auth.scope_missing", withdrawn.ErrorCode())

		disabled := e.Call(http.MethodPost, clientPath(c.ID, "/disable"), root, nil)
		require.Equal(t, http.StatusOK, disabled.Status)
		assert.Equal(t, "disabled", disabled.Map(t)["status"])
		revoked := e.Call(http.MethodGet, "/api/v1/credits/leaderboard", live, nil)
		assert.Equal(t, http.StatusUnauthorized, revoked.Status, "a disabled client's tokens stop at once")
		assert.Equal(t, "auth.token_revoked", revoked.ErrorCode())
		refused := e.RequestToken(next, "")
		assert.Equal(t, http.StatusUnauthorized, refused.Status)
		assert.Equal(t, "oauth.invalid_client", refused.ErrorCode())
		assert.Equal(t, http.StatusConflict, e.Call(http.MethodPost, clientPath(c.ID, "/secret"), root, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, clientPath(9999, ""), root, nil).Status)

		var actions []string
		require.NoError(t, e.DB.Table("audit_logs").Where("action LIKE 'integration.%'").Order("id").Pluck("action", &actions).Error)
		assert.Equal(t, []string{"integration.client_create", "integration.client_rotate_secret", "integration.client_update", "integration.client_disable"}, actions)
		var tokenFailures int64
		require.NoError(t, e.DB.Table("audit_logs").Where("action = 'auth.token' AND outcome = 'failure'").Count(&tokenFailures).Error)
		assert.EqualValues(t, 2, tokenFailures)
		assert.NotContains(t, e.Logs(), secret, "secrets never reach the logs")
		assert.NotContains(t, e.Logs(), next.Secret)
	})
}

// Client validation: unknown scopes, a missing unit, a bad name.
func TestClientValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		root := e.Token("admin")
		bad := e.Call(http.MethodPost, "/api/v1/integration/clients", root, map[string]any{"name": "x", "unit_id": 9999, "scopes": []string{"all:write"}})
		assert.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		assert.ElementsMatch(t, []string{"name", "scopes"}, bad.ErrorFields())
		noUnit := e.Call(http.MethodPost, "/api/v1/integration/clients", root, map[string]any{"name": "某系统", "unit_id": 9999, "scopes": []string{"units:read"}})
		assert.Equal(t, http.StatusUnprocessableEntity, noUnit.Status)
		assert.Equal(t, "integration.unit_not_found", noUnit.ErrorCode())
		unknown := e.Call(http.MethodPost, "/api/v1/integration/clients", root, map[string]any{"name": "某系统", "unit_id": 1, "scopes": []string{"units:read"}, "secret": "mine"})
		assert.Equal(t, http.StatusBadRequest, unknown.Status, "no mass assignment of a chosen secret")
	})
}

// Token errors are clear 4xx in the envelope with RFC 6749 names; Basic and JSON work too.
func TestTokenEndpoint(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := e.CreateClient("huayang", "learners:read", "units:read")
		form := func(body string, headers map[string]string) *apitest.Response {
			h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			for k, v := range headers {
				h[k] = v
			}
			return e.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/token", Body: body, Headers: h})
		}
		cases := []struct {
			name, body string
			headers    map[string]string
			status     int
			code       string
		}{
			{"wrong secret", "grant_type=client_credentials&client_id=" + c.ClientID + "&client_secret=xfs_wrong", nil, 401, "oauth.invalid_client"},
			{"unknown client", "grant_type=client_credentials&client_id=xfc_nobody&client_secret=" + c.Secret, nil, 401, "oauth.invalid_client"},
			{"no credentials", "grant_type=client_credentials", nil, 401, "oauth.invalid_client"},
			{"password grant", "grant_type=password&client_id=" + c.ClientID + "&client_secret=" + c.Secret, nil, 400, "oauth.unsupported_grant_type"},
			{"no grant", "client_id=" + c.ClientID + "&client_secret=" + c.Secret, nil, 400, "oauth.invalid_request"},
			{"scope not granted", "grant_type=client_credentials&scope=credits:read&client_id=" + c.ClientID + "&client_secret=" + c.Secret, nil, 400, "oauth.invalid_scope"},
			{"two auth methods", "grant_type=client_credentials&client_id=" + c.ClientID + "&client_secret=" + c.Secret,
				map[string]string{"Authorization": basic(c.ClientID, c.Secret)}, 400, "oauth.invalid_request"},
			{"basic wrong secret", "grant_type=client_credentials", map[string]string{"Authorization": basic(c.ClientID, "nope")}, 401, "oauth.invalid_client"},
		}
		for _, tc := range cases {
			resp := form(tc.body, tc.headers)
			assert.Equal(t, tc.status, resp.Status, "%s: %s", tc.name, resp.Body)
			assert.Equal(t, tc.code, resp.ErrorCode(), tc.name)
		}
		assert.Equal(t, `Basic realm="xuefa"`, form("grant_type=client_credentials", map[string]string{"Authorization": basic(c.ClientID, "nope")}).Header.Get("WWW-Authenticate"))

		viaBasic := form("grant_type=client_credentials&scope=units:read", map[string]string{"Authorization": basic(c.ClientID, c.Secret)})
		require.Equal(t, http.StatusOK, viaBasic.Status, "%s", viaBasic.Body)
		assert.Equal(t, "units:read", viaBasic.Map(t)["scope"])
		narrow := viaBasic.Map(t)["access_token"].(string)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/units", narrow, nil).Status)
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/learners", narrow, nil).Status, "scope not requested")

		viaJSON := e.Call(http.MethodPost, "/api/v1/auth/token", "", map[string]string{"grant_type": "client_credentials", "client_id": c.ClientID, "client_secret": c.Secret})
		require.Equal(t, http.StatusOK, viaJSON.Status, "%s", viaJSON.Body)
		tok := viaJSON.Map(t)["access_token"].(string)

		// Expired token.
		e.Clock.Advance(15*time.Minute + time.Minute)
		expired := e.Call(http.MethodGet, "/api/v1/units", tok, nil)
		assert.Equal(t, http.StatusUnauthorized, expired.Status)
		assert.Equal(t, "auth.invalid_token", expired.ErrorCode())

		// A client token can never reach account endpoints.
		fresh := e.ClientToken(c, "")
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/me", fresh, nil).Status)
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/accounts", fresh, nil).Status)
	})
}

// The token endpoint and client API calls are rate limited per client.
func TestClientRateLimits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := e.CreateClient("huayang", "units:read")
		var last *apitest.Response
		for i := 0; i < 4; i++ {
			last = e.RequestToken(c, "")
		}
		assert.Equal(t, http.StatusTooManyRequests, last.Status)
		assert.Equal(t, "oauth.rate_limited", last.ErrorCode())
		assert.NotEmpty(t, last.Header.Get("Retry-After"))

		e.Clock.Advance(time.Minute)
		tok := e.ClientToken(c, "")
		for i := 0; i < 5; i++ {
			last = e.Call(http.MethodGet, "/api/v1/units", tok, nil)
		}
		assert.Equal(t, http.StatusTooManyRequests, last.Status)
		assert.Equal(t, "integration.rate_limited", last.ErrorCode())
	}, func(c *config.Config) {
		c.Integration.TokenPerClientPerMinute = 3
		c.Integration.RequestsPerClientPerMinute = 4
	})
}
