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
		assert.Equal(t, "no-cache", tok.Header.Get("Pragma"))

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
		assert.Equal(t, "invalid_client", oauthErrorOf(t, old).Error)
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
		assert.Equal(t, "invalid_client", oauthErrorOf(t, refused).Error, "a disabled client")
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

// Token errors follow RFC 6749 §5.2 (error, error_description) with the API's code and the
// request id beside them; invalid_client is 401 with a Basic challenge. Basic and JSON work too.
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
		asJSON := func(body string) *apitest.Response {
			return e.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/token", Body: body})
		}
		creds := "client_id=" + c.ClientID + "&client_secret=" + c.Secret
		cases := []struct {
			name   string
			resp   *apitest.Response
			status int
			rfc    string // RFC 6749 §5.2 error
			code   string // the API's error_code
			detail string // in error_description
		}{
			{"wrong secret", form("grant_type=client_credentials&client_id="+c.ClientID+"&client_secret=xfs_wrong", nil), 401, "invalid_client", "oauth.invalid_client", ""},
			{"unknown client", form("grant_type=client_credentials&client_id=xfc_nobody&client_secret="+c.Secret, nil), 401, "invalid_client", "oauth.invalid_client", ""},
			{"no credentials", form("grant_type=client_credentials", nil), 401, "invalid_client", "oauth.invalid_client", ""},
			{"basic wrong secret", form("grant_type=client_credentials", map[string]string{"Authorization": basic(c.ClientID, "nope")}), 401, "invalid_client", "oauth.invalid_client", ""},
			{"password grant", form("grant_type=password&"+creds, nil), 400, "unsupported_grant_type", "oauth.unsupported_grant_type", ""},
			{"no grant", form(creds, nil), 400, "invalid_request", "oauth.invalid_request", "grant_type"},
			{"scope not granted", form("grant_type=client_credentials&scope=credits:read&"+creds, nil), 400, "invalid_scope", "oauth.invalid_scope", ""},
			{"two auth methods", form("grant_type=client_credentials&"+creds, map[string]string{"Authorization": basic(c.ClientID, c.Secret)}), 400, "invalid_request", "oauth.invalid_request", "HTTP Basic"},
			{"unreadable form", form("grant_type=%zz", nil), 400, "invalid_request", "oauth.invalid_request", "form"},
			{"json wrong secret", asJSON(`{"grant_type":"client_credentials","client_id":"` + c.ClientID + `","client_secret":"xfs_wrong"}`), 401, "invalid_client", "oauth.invalid_client", ""},
			{"json malformed", asJSON(`{"grant_type":`), 400, "invalid_request", "request.invalid_json", ""},
			{"json empty", asJSON(` `), 400, "invalid_request", "request.empty_body", ""},
			{"json wrong type", asJSON(`{"grant_type": 1}`), 400, "invalid_request", "request.invalid_type", "grant_type"},
			{"json unknown field", asJSON(`{"grant_type":"client_credentials","redirect_uri":"x"}`), 400, "invalid_request", "request.unknown_field", "redirect_uri"},
			{"json unknown non-ASCII field", asJSON(`{"grant_type":"client_credentials","范围\"":"x"}`), 400, "invalid_request", "request.unknown_field", ""},
			{"json control character", asJSON(`{"grant_type":"client_credentials","scope":"units:read\u202e"}`), 400, "invalid_request", "request.validation", "scope"},
		}
		for _, tc := range cases {
			require.Equal(t, tc.status, tc.resp.Status, "%s: %s", tc.name, tc.resp.Body)
			got := oauthErrorOf(t, tc.resp)
			assert.Equal(t, tc.rfc, got.Error, tc.name)
			assert.Equal(t, tc.code, got.ErrorCode, tc.name)
			assert.Contains(t, got.ErrorDescription, tc.detail, tc.name)
			if tc.status == http.StatusUnauthorized {
				assert.Equal(t, `Basic realm="xuefa"`, tc.resp.Header.Get("WWW-Authenticate"), "%s: every 401 challenges (RFC 7235)", tc.name)
			} else {
				assert.Empty(t, tc.resp.Header.Get("WWW-Authenticate"), tc.name)
			}
		}
		wrong := form("grant_type=client_credentials&client_id="+c.ClientID+"&client_secret=xfs_wrong", nil)
		unknown := form("grant_type=client_credentials&client_id=xfc_nobody&client_secret=xfs_wrong", nil)
		assert.Equal(t, oauthErrorOf(t, wrong).ErrorDescription, oauthErrorOf(t, unknown).ErrorDescription, "a wrong secret and an unknown client read the same")

		// A body over the limit is stopped before the handler: the API envelope, not RFC 6749.
		tooBig := form("grant_type=client_credentials&scope="+strings.Repeat("a", 1<<20), nil)
		assert.Equal(t, http.StatusRequestEntityTooLarge, tooBig.Status)
		assert.Equal(t, "request.body_too_large", tooBig.ErrorCode())

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
