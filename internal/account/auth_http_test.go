package account_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/config"
)

func TestLoginAndMe(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.Login("huayang-admin", app.DemoPassword)
		assert.Equal(t, "Bearer", tokens["token_type"])
		assert.NotEmpty(t, tokens["refresh_token"])
		assert.EqualValues(t, 900, tokens["expires_in"])
		acct := tokens["account"].(map[string]any)
		assert.Equal(t, "huayang-admin", acct["username"])
		assert.Equal(t, "华阳镇", acct["unit_name"])

		me := e.Call(http.MethodGet, "/api/v1/me", tokens["access_token"].(string), nil)
		require.Equal(t, http.StatusOK, me.Status, "%s", me.Body)
		assert.Equal(t, "admin", me.Map(t)["role"])

		// Usernames are case-insensitive.
		e.Login("HuaYang-Admin", app.DemoPassword)
	})
}

func TestLoginFailuresAreGeneric(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, c := range []struct{ name, user, pass string }{
			{"unknown user", "nobody", app.DemoPassword},
			{"wrong password", "linxi-admin", "Wrong#Pass1"},
		} {
			resp := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": c.user, "password": c.pass})
			assert.Equal(t, http.StatusUnauthorized, resp.Status, c.name)
			assert.Equal(t, "auth.invalid_credentials", resp.ErrorCode(), c.name)
		}
		var failures int64
		require.NoError(t, e.DB.Table("audit_logs").Where("action = ? AND outcome = ?", "auth.login", "failure").Count(&failures).Error)
		assert.EqualValues(t, 2, failures, "every failed login is audited")
	})
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		wrong := map[string]string{"username": "linxi-admin", "password": "Wrong#Pass1"}
		for i := 1; i <= 4; i++ {
			resp := e.Call(http.MethodPost, "/api/v1/auth/login", "", wrong)
			require.Equal(t, http.StatusUnauthorized, resp.Status, "failure %d", i)
		}
		fifth := e.Call(http.MethodPost, "/api/v1/auth/login", "", wrong)
		require.Equal(t, http.StatusLocked, fifth.Status)
		assert.Equal(t, "auth.account_locked", fifth.ErrorCode())
		assert.Equal(t, "1800", fifth.Header.Get("Retry-After"))

		right := map[string]string{"username": "linxi-admin", "password": app.DemoPassword}
		e.Clock.Advance(29 * time.Minute)
		locked := e.Call(http.MethodPost, "/api/v1/auth/login", "", right)
		require.Equal(t, http.StatusLocked, locked.Status, "still locked after 29 minutes even with the right password")
		assert.Equal(t, "60", locked.Header.Get("Retry-After"))

		e.Clock.Advance(time.Minute + time.Second)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, "/api/v1/auth/login", "", right).Status, "unlocked after 30 minutes")

		// The counter restarted: four more failures do not lock.
		for i := 0; i < 4; i++ {
			e.Call(http.MethodPost, "/api/v1/auth/login", "", wrong)
		}
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, "/api/v1/auth/login", "", right).Status)
	})
}

func TestLoginRateLimitedPerAccount(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		body := map[string]string{"username": "jyj-admin", "password": app.DemoPassword}
		for i := 0; i < 3; i++ {
			require.Equal(t, http.StatusOK, e.Call(http.MethodPost, "/api/v1/auth/login", "", body).Status)
		}
		resp := e.Call(http.MethodPost, "/api/v1/auth/login", "", body)
		require.Equal(t, http.StatusTooManyRequests, resp.Status)
		assert.Equal(t, "auth.rate_limited", resp.ErrorCode())
		assert.NotEmpty(t, resp.Header.Get("Retry-After"))
		// Another account from the same IP is still allowed (per-IP limit is higher).
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, "/api/v1/auth/login", "",
			map[string]string{"username": "linxi-admin", "password": app.DemoPassword}).Status)
		e.Clock.Advance(61 * time.Second)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, "/api/v1/auth/login", "", body).Status)
	}, func(c *config.Config) { c.Auth.LoginPerAccountPerMinute = 3; c.Auth.LoginPerIPPerMinute = 5 })
}

func TestRefreshRotationAndReuse(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		first := e.Login("huayang-admin", app.DemoPassword)
		refresh1 := first["refresh_token"].(string)

		rotated := e.Call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh1})
		require.Equal(t, http.StatusOK, rotated.Status, "%s", rotated.Body)
		second := rotated.Map(t)
		refresh2 := second["refresh_token"].(string)
		access2 := second["access_token"].(string)
		assert.NotEqual(t, refresh1, refresh2)
		require.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/me", access2, nil).Status)

		// Replaying the spent token revokes the whole family.
		reuse := e.Call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh1})
		require.Equal(t, http.StatusUnauthorized, reuse.Status)
		assert.Equal(t, "auth.refresh_token_reused", reuse.ErrorCode())
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodPost, "/api/v1/auth/refresh", "",
			map[string]string{"refresh_token": refresh2}).Status, "the newer token of the family is revoked too")
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", access2, nil).Status,
			"access tokens of the revoked family stop working")

		// Another login (another family) is unaffected.
		other := e.Login("huayang-admin", app.DemoPassword)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/me", other["access_token"].(string), nil).Status)

		garbage := e.Call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": "not-a-token"})
		assert.Equal(t, "auth.invalid_refresh_token", garbage.ErrorCode())
	})
}

func TestRefreshExpires(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.Login("huayang-admin", app.DemoPassword)
		e.Clock.Advance(e.Config.Auth.RefreshTTL.Std() + time.Second)
		resp := e.Call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tokens["refresh_token"].(string)})
		assert.Equal(t, http.StatusUnauthorized, resp.Status)
	})
}

func TestLogoutRevokesSession(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.Login("huayang-admin", app.DemoPassword)
		access := tokens["access_token"].(string)
		other := e.Login("huayang-admin", app.DemoPassword)["access_token"].(string)

		require.Equal(t, http.StatusNoContent, e.Call(http.MethodPost, "/api/v1/auth/logout", access, nil).Status)
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", access, nil).Status, "access token dies with its session")
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodPost, "/api/v1/auth/refresh", "",
			map[string]string{"refresh_token": tokens["refresh_token"].(string)}).Status)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/me", other, nil).Status, "other devices stay logged in")
	})
}

func TestChangePassword(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		old := e.Login("huayang-admin", app.DemoPassword)
		oldAccess := old["access_token"].(string)

		cases := []struct {
			name, current, next, code, field string
		}{
			{"wrong current", "Nope#12345", "Brand-New-2026", "auth.wrong_password", "current_password"},
			{"too short", app.DemoPassword, "Ab#1", "auth.weak_password", "new_password"},
			{"two classes", app.DemoPassword, "abcdefgh1234", "auth.weak_password", "new_password"},
			{"same as current", app.DemoPassword, app.DemoPassword, "auth.password_reused", "new_password"},
		}
		for _, c := range cases {
			resp := e.Call(http.MethodPut, "/api/v1/me/password", oldAccess, map[string]string{"current_password": c.current, "new_password": c.next})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status, c.name)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}

		resp := e.Call(http.MethodPut, "/api/v1/me/password", oldAccess, map[string]string{"current_password": app.DemoPassword, "new_password": "Brand-New-2026"})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		fresh := resp.Map(t)["access_token"].(string)

		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", oldAccess, nil).Status, "old access token revoked at once")
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodPost, "/api/v1/auth/refresh", "",
			map[string]string{"refresh_token": old["refresh_token"].(string)}).Status, "old refresh token revoked")
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/me", fresh, nil).Status, "the returned pair works")
		bad := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "huayang-admin", "password": app.DemoPassword})
		assert.Equal(t, http.StatusUnauthorized, bad.Status)
		e.Login("huayang-admin", "Brand-New-2026")
	})
}

func TestForgedAndInvalidTokens(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.Login("huayang-admin", app.DemoPassword)
		valid := tokens["access_token"].(string)
		claims := jwt.MapClaims{}
		_, _, err := jwt.NewParser().ParseUnverified(valid, claims)
		require.NoError(t, err)
		key := []byte(e.Config.Auth.JWTSigningKey)

		sign := func(method jwt.SigningMethod, k any, mutate func(jwt.MapClaims), kid string) string {
			c := jwt.MapClaims{}
			for name, v := range claims {
				c[name] = v
			}
			mutate(c)
			tok := jwt.NewWithClaims(method, c)
			if kid != "" {
				tok.Header["kid"] = kid
			}
			s, err := tok.SignedString(k)
			require.NoError(t, err)
			return s
		}
		keep := func(jwt.MapClaims) {}
		cases := map[string]string{
			"alg none":          sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, keep, "k1"),
			"wrong key":         sign(jwt.SigningMethodHS256, []byte("another-key-another-key-another-key!"), keep, "k1"),
			"unknown kid":       sign(jwt.SigningMethodHS256, key, keep, "k9"),
			"HS512 not pinned":  sign(jwt.SigningMethodHS512, key, keep, "k1"),
			"missing exp":       sign(jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { delete(c, "exp") }, "k1"),
			"wrong audience":    sign(jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { c["aud"] = []string{"other-api"} }, "k1"),
			"wrong issuer":      sign(jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { c["iss"] = "evil" }, "k1"),
			"not access type":   sign(jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { c["typ"] = "refresh" }, "k1"),
			"role escalated":    sign(jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { c["role"] = "auditor" }, "k1"),
			"stale version":     sign(jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { c["tv"] = 0 }, "k1"),
			"refresh as access": tokens["refresh_token"].(string),
			"garbage":           "not.a.jwt",
			"tampered payload":  valid[:strings.LastIndex(valid, ".")] + ".AAAA",
		}
		for name, tok := range cases {
			resp := e.Call(http.MethodGet, "/api/v1/me", tok, nil)
			assert.Equal(t, http.StatusUnauthorized, resp.Status, name)
		}
		noBearer := e.Do(apitest.Request{Method: http.MethodGet, Path: "/api/v1/me", Headers: map[string]string{"Authorization": "Basic " + valid}})
		assert.Equal(t, http.StatusUnauthorized, noBearer.Status)

		e.Clock.Advance(15*time.Minute + 31*time.Second)
		expired := e.Call(http.MethodGet, "/api/v1/me", valid, nil)
		assert.Equal(t, http.StatusUnauthorized, expired.Status, "expired beyond leeway")
		assert.Equal(t, "auth.invalid_token", expired.ErrorCode())
	})
}

func TestKeyRotationAcceptsPreviousKey(t *testing.T) {
	apitest.Each(t, func(t *testing.T, old *apitest.Env) {
		token := old.Token("huayang-admin")
		rotated := apitest.New(t, old.DB, func(c *config.Config) {
			c.Auth.JWTPreviousKeys = []string{"k1:" + c.Auth.JWTSigningKey}
			c.Auth.JWTKeyID = "k2"
			c.Auth.JWTSigningKey = "a-brand-new-signing-key-for-rotation-2027"
		})
		assert.Equal(t, http.StatusOK, rotated.Call(http.MethodGet, "/api/v1/me", token, nil).Status, "tokens signed with the previous key still verify")
		fresh := rotated.Token("linxi-admin")
		assert.Equal(t, http.StatusUnauthorized, old.Call(http.MethodGet, "/api/v1/me", fresh, nil).Status, "the old server does not know k2")
	})
}
