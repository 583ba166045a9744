package wechat_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/config"
)

func wxLogin(e *apitest.Env, code string) *apitest.Response {
	return e.Call(http.MethodPost, "/api/v1/auth/wechat", "", map[string]string{"code": code})
}

func accountOf(t *testing.T, r *apitest.Response) (id int64, role string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	acct := r.Map(t)["account"].(map[string]any)
	return int64(acct["id"].(float64)), acct["role"].(string)
}

func token(t *testing.T, r *apitest.Response) string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return r.Map(t)["access_token"].(string)
}

func auditCount(t *testing.T, e *apitest.Env, action, outcome string) int64 {
	var n int64
	require.NoError(t, e.DB.Table("audit_logs").Where("action = ? AND outcome = ?", action, outcome).Count(&n).Error)
	return n
}

// A new WeChat user becomes a participant; the same user comes back to the same account; bad,
// reused and high-risk codes are refused with clear codes; every attempt is audited.
func TestWeChatLogin(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		first := wxLogin(e, "dev-alice")
		id, role := accountOf(t, first)
		assert.Equal(t, "participant", role)
		assert.Equal(t, true, first.Map(t)["new_user"])
		again := wxLogin(e, "dev-alice")
		againID, _ := accountOf(t, again)
		assert.Equal(t, id, againID, "a returning openid gets its account back")
		assert.Equal(t, false, again.Map(t)["new_user"])
		other, _ := accountOf(t, wxLogin(e, "dev-bob"))
		assert.NotEqual(t, id, other)

		me := e.Call(http.MethodGet, "/api/v1/me", token(t, again), nil)
		assert.Equal(t, http.StatusOK, me.Status)
		ask := e.Call(http.MethodGet, "/api/v1/me/consultations", token(t, wxLogin(e, "dev-alice")), nil)
		assert.Equal(t, http.StatusOK, ask.Status, "participants reach their routes")

		once := e.App.FakeWeChat.IssueCode("o-carol")
		_, _ = accountOf(t, wxLogin(e, once))
		for _, tc := range []struct {
			code   string
			status int
			want   string
		}{
			{"bad-code", http.StatusUnauthorized, "wechat.invalid_code"},
			{once, http.StatusUnauthorized, "wechat.code_used"},
			{"risky-mallory", http.StatusForbidden, "wechat.high_risk_user"},
		} {
			r := wxLogin(e, tc.code)
			assert.Equal(t, tc.status, r.Status, "%s: %s", tc.code, r.Body)
			assert.Equal(t, tc.want, r.ErrorCode(), tc.code)
		}
		assert.Contains(t, wxLogin(e, "bad-code").ErrorFields(), "code")
		empty := e.Call(http.MethodPost, "/api/v1/auth/wechat", "", map[string]string{})
		assert.Equal(t, http.StatusUnprocessableEntity, empty.Status)
		assert.Contains(t, empty.ErrorFields(), "code")

		assert.EqualValues(t, 5, auditCount(t, e, "auth.wechat_login", "success"))
		assert.EqualValues(t, 4, auditCount(t, e, "auth.wechat_login", "failure"))
		var n int64
		require.NoError(t, e.DB.Table("wechat_identities").Count(&n).Error)
		assert.EqualValues(t, 3, n)

		// The session_key never reaches a client or a log line.
		for _, body := range e.Responses() {
			assert.NotContains(t, body, "session_key")
			assert.NotContains(t, body, "fake-session-key")
		}
		assert.NotContains(t, e.Logs(), "fake-session-key")
		assert.NotContains(t, e.Logs(), "fake-secret")
	})
}

// Twenty first logins of one new user at once create one participant.
func TestConcurrentFirstLogins(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var wg sync.WaitGroup
		ids := make([]int64, 20)
		statuses := make([]int, 20)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := wxLogin(e, "dev-dave")
				statuses[i] = r.Status
				if r.Status == http.StatusOK {
					ids[i], _ = accountOf(t, r)
				}
			}()
		}
		wg.Wait()
		for i := range ids {
			require.Equal(t, http.StatusOK, statuses[i])
			assert.Equal(t, ids[0], ids[i])
		}
		var n int64
		require.NoError(t, e.DB.Table("accounts").Where("role = ?", "participant").Count(&n).Error)
		assert.EqualValues(t, 1, n)
	}, func(c *config.Config) { c.WeChat.LoginPerOpenIDPerMinute = 100 })
}

func TestWeChatLoginRateLimits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for i := 0; i < 2; i++ {
			require.Equal(t, http.StatusOK, wxLogin(e, "dev-erin").Status)
		}
		r := wxLogin(e, "dev-erin")
		assert.Equal(t, http.StatusTooManyRequests, r.Status)
		assert.Equal(t, "auth.rate_limited", r.ErrorCode())
		assert.NotEmpty(t, r.Header.Get("Retry-After"))
		assert.Equal(t, http.StatusOK, wxLogin(e, "dev-frank").Status, "another user from the same address still gets in")
		assert.Equal(t, http.StatusOK, wxLogin(e, "dev-grace").Status)
		ip := wxLogin(e, "dev-heidi")
		assert.Equal(t, http.StatusTooManyRequests, ip.Status, "5 per IP per minute")
		other := e.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/wechat", Body: map[string]string{"code": "dev-heidi"},
			Headers: map[string]string{"X-Forwarded-For": "203.0.113.9"}})
		assert.Equal(t, http.StatusTooManyRequests, other.Status, "X-Forwarded-For from an untrusted peer is ignored")
		e.Clock.Advance(61 * 1e9)
		assert.Equal(t, http.StatusOK, wxLogin(e, "dev-heidi").Status, "the window passed")
	}, func(c *config.Config) {
		c.WeChat.LoginPerIPPerMinute = 5
		c.WeChat.LoginPerOpenIDPerMinute = 2
	})
}

// A participant binds their WeChat to a learner by phone and password; WeChat login then signs
// in as the learner; unbinding (audited) returns them to the participant.
func TestBindAndUnbind(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		participant := token(t, wxLogin(e, "dev-zhangwei"))
		bad := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone": "13800000001", "password": "wrong-Pass1"})
		assert.Equal(t, http.StatusUnauthorized, bad.Status)
		assert.Equal(t, "auth.invalid_credentials", bad.ErrorCode())
		neither := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone": "13800000001"})
		assert.Equal(t, http.StatusUnprocessableEntity, neither.Status)
		assert.Contains(t, neither.ErrorFields(), "phone_code")
		badPhone := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone": "12", "password": "x"})
		assert.Contains(t, badPhone.ErrorFields(), "phone")

		bound := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone": "13800000001", "password": "Xuefa@2026"})
		learnerID, role := accountOf(t, bound)
		assert.Equal(t, "learner", role)
		credits := e.Call(http.MethodGet, "/api/v1/me/credits", token(t, bound), nil)
		assert.Equal(t, http.StatusOK, credits.Status, "the learner token works: %s", credits.Body)

		again := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone": "13800000001", "password": "Xuefa@2026"})
		assert.Equal(t, http.StatusConflict, again.Status)
		assert.Equal(t, "wechat.already_bound", again.ErrorCode())

		login := wxLogin(e, "dev-zhangwei")
		id, role := accountOf(t, login)
		assert.Equal(t, learnerID, id, "WeChat login now signs in as the learner")
		assert.Equal(t, "learner", role)

		// Another WeChat user cannot take the same learner.
		stranger := token(t, wxLogin(e, "dev-stranger"))
		taken := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", stranger, map[string]string{"phone": "13800000001", "password": "Xuefa@2026"})
		assert.Equal(t, http.StatusConflict, taken.Status)
		assert.Equal(t, "wechat.learner_already_bound", taken.ErrorCode())

		// Only participants bind; only learners unbind.
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", e.Token("13800000002"), map[string]string{"phone_code": "x"}).Status)
		notBound := e.Call(http.MethodDelete, "/api/v1/auth/wechat/bind", e.Token("13800000002"), nil)
		assert.Equal(t, http.StatusConflict, notBound.Status)
		assert.Equal(t, "wechat.not_bound", notBound.ErrorCode())
		staff := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", e.Token("huayang-admin"), map[string]string{"phone_code": "x"})
		assert.Equal(t, http.StatusForbidden, staff.Status)

		un := e.Call(http.MethodDelete, "/api/v1/auth/wechat/bind", token(t, login), nil)
		assert.Equal(t, http.StatusNoContent, un.Status, "%s", un.Body)
		back, role := accountOf(t, wxLogin(e, "dev-zhangwei"))
		assert.Equal(t, "participant", role)
		assert.NotEqual(t, learnerID, back)
		assert.EqualValues(t, 1, auditCount(t, e, "wechat.bind", "success"))
		assert.EqualValues(t, 1, auditCount(t, e, "wechat.unbind", "success"))
		assert.GreaterOrEqual(t, auditCount(t, e, "wechat.bind", "failure"), int64(1))

		// Now the stranger may bind that learner.
		assert.Equal(t, http.StatusOK, e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", stranger, map[string]string{"phone": "13800000001", "password": "Xuefa@2026"}).Status)
	})
}

// Binding by the getPhoneNumber code: the phone must belong to an active learner.
func TestBindByPhoneCode(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.App.FakeWeChat.AddPhoneCode("pc-ok", "13800000002")
		participant := token(t, wxLogin(e, "dev-li"))
		unknown := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone_code": "dev-phone-13999999999"})
		assert.Equal(t, http.StatusNotFound, unknown.Status)
		assert.Equal(t, "wechat.learner_not_found", unknown.ErrorCode())
		badCode := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone_code": "nope"})
		assert.Equal(t, http.StatusUnprocessableEntity, badCode.Status)
		assert.Equal(t, "wechat.invalid_phone_code", badCode.ErrorCode())
		assert.Contains(t, badCode.ErrorFields(), "phone_code")

		ok := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone_code": "pc-ok"})
		_, role := accountOf(t, ok)
		assert.Equal(t, "learner", role)
		assert.NotContains(t, string(ok.Body), "13800000002", "the phone stays masked")
	})
}

// The learner records what wx.requestSubscribeMessage answered.
func TestSubscriptions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		notBound := e.Call(http.MethodPut, "/api/v1/me/wechat-subscriptions", e.Token("13800000002"),
			map[string]any{"items": []map[string]string{{"template_id": "tmpl-reminder", "result": "accept"}}})
		assert.Equal(t, http.StatusConflict, notBound.Status)
		assert.Equal(t, "wechat.not_bound", notBound.ErrorCode())

		participant := token(t, wxLogin(e, "dev-zhangwei"))
		learner := token(t, e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant, map[string]string{"phone": "13800000001", "password": "Xuefa@2026"}))
		put := func(items ...map[string]string) *apitest.Response {
			return e.Call(http.MethodPut, "/api/v1/me/wechat-subscriptions", learner, map[string]any{"items": items})
		}
		accept := map[string]string{"template_id": "tmpl-reminder", "result": "accept"}
		put(accept)
		r := put(accept, map[string]string{"template_id": "tmpl-other", "result": "reject"})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		items := r.Map(t)["items"].([]any)
		require.Len(t, items, 2)
		other, reminder := items[0].(map[string]any), items[1].(map[string]any)
		assert.Equal(t, "tmpl-other", other["template_id"])
		assert.Equal(t, "declined", other["status"])
		assert.EqualValues(t, 2, reminder["remaining"])
		for i := 0; i < 60; i++ {
			put(accept)
		}
		got := e.Call(http.MethodGet, "/api/v1/me/wechat-subscriptions", learner, nil).Map(t)["items"].([]any)
		assert.EqualValues(t, 50, got[1].(map[string]any)["remaining"], "capped")

		bad := put(map[string]string{"template_id": "tmpl-reminder", "result": "maybe"})
		assert.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		assert.True(t, strings.Contains(strings.Join(bad.ErrorFields(), ","), "result"), "%v", bad.ErrorFields())
		empty := e.Call(http.MethodPut, "/api/v1/me/wechat-subscriptions", learner, map[string]any{"items": []any{}})
		assert.Contains(t, empty.ErrorFields(), "items")
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/me/wechat-subscriptions", participant, nil).Status)

		assert.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, "/api/v1/auth/wechat/bind", learner, nil).Status)
		var n int64
		require.NoError(t, e.DB.Table("wechat_subscriptions").Count(&n).Error)
		assert.Zero(t, n, "unbinding drops the allowances of that openid")
	})
}

// With WeChat off, login answers 503 wechat.disabled and nothing is created.
func TestWeChatOff(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		r := wxLogin(e, "dev-alice")
		assert.Equal(t, http.StatusServiceUnavailable, r.Status)
		assert.Equal(t, "wechat.disabled", r.ErrorCode())
		assert.Nil(t, e.App.WeChatClient)
		var n int64
		require.NoError(t, e.DB.Table("wechat_identities").Count(&n).Error)
		assert.Zero(t, n)
	}, func(c *config.Config) { c.WeChat.Mode = config.WeChatOff })
}

// A bound learner who left (account disabled) is refused at WeChat login like at password login.
func TestWeChatLoginOfDisabledLearner(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		participant := token(t, wxLogin(e, "dev-zhangwei"))
		learnerID, _ := accountOf(t, e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", participant,
			map[string]string{"phone": "13800000001", "password": "Xuefa@2026"}))
		require.NoError(t, e.DB.Table("accounts").Where("id = ?", learnerID).Update("status", "disabled").Error)
		r := wxLogin(e, "dev-zhangwei")
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.Equal(t, "auth.account_disabled", r.ErrorCode())
		assert.EqualValues(t, 1, auditCount(t, e, "auth.wechat_login", "failure"))
	})
}
