package reminder_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/reminder"
	"github.com/xuefa/xuefa/internal/wechat"
	"github.com/xuefa/xuefa/internal/wechat/wechatfake"
)

const reminderTemplate = "tmpl-reminder"

func withTemplate(c *config.Config) { c.WeChat.ReminderTemplateID = reminderTemplate }

// bindZhangWei binds 张伟 to WeChat user "zhangwei" and records `accepts` subscribe allowances.
func bindZhangWei(t *testing.T, e *apitest.Env, accepts int) {
	t.Helper()
	login := e.Call(http.MethodPost, "/api/v1/auth/wechat", "", map[string]string{"code": "dev-zhangwei"})
	require.Equal(t, http.StatusOK, login.Status, "%s", login.Body)
	bind := e.Call(http.MethodPost, "/api/v1/auth/wechat/bind", login.Map(t)["access_token"].(string),
		map[string]string{"phone": "13800000001", "password": "Xuefa@2026"})
	require.Equal(t, http.StatusOK, bind.Status, "%s", bind.Body)
	learner := bind.Map(t)["access_token"].(string)
	for i := 0; i < accepts; i++ {
		r := e.Call(http.MethodPut, "/api/v1/me/wechat-subscriptions", learner,
			map[string]any{"items": []map[string]string{{"template_id": reminderTemplate, "result": "accept"}}})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	}
}

func remindByWeChat(t *testing.T, e *apitest.Env, names ...string) {
	t.Helper()
	ids := make([]int64, 0, len(names))
	for _, n := range names {
		ids = append(ids, learnerID(t, e, n))
	}
	admin := e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string) // fresh: tests move the clock
	resp := e.Call(http.MethodPost, "/api/v1/reminders", admin, map[string]any{
		"campaign_id": campaignID(t, e), "learner_ids": ids, "channels": []string{"wechat"},
	})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
}

func allowance(t *testing.T, e *apitest.Env) wechat.Subscription {
	t.Helper()
	var s wechat.Subscription
	require.NoError(t, e.DB.Where("template_id = ?", reminderTemplate).Take(&s).Error)
	return s
}

// A bound learner with an allowance gets one subscribe message; the allowance is spent with the
// sent mark; dispatching again sends nothing more; a learner not bound is skipped, not retried.
func TestWeChatChannelSendsOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		bindZhangWei(t, e, 2)
		remindByWeChat(t, e, "张伟", "王芳")
		ctx := context.Background()
		n, err := e.App.Reminders.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		for i := 0; i < 3; i++ {
			n, _ = e.App.Reminders.DispatchOnce(ctx)
			assert.Zero(t, n)
		}
		sent := e.App.FakeWeChat.Sent()
		require.Len(t, sent, 1, "one message, never twice")
		assert.Equal(t, wechatfake.OpenID("zhangwei"), sent[0].ToUser)
		assert.Equal(t, reminderTemplate, sent[0].TemplateID)
		assert.Equal(t, "学法提醒", sent[0].Data["thing1"]["value"])
		assert.LessOrEqual(t, len([]rune(sent[0].Data["thing2"]["value"])), 20)
		assert.Equal(t, 1, allowance(t, e).Remaining, "one allowance spent")

		var ds []reminder.Delivery
		require.NoError(t, e.DB.Order("id").Find(&ds).Error)
		require.Len(t, ds, 2)
		byStatus := map[string]reminder.Delivery{ds[0].Status: ds[0], ds[1].Status: ds[1]}
		assert.Equal(t, 1, byStatus[reminder.StatusSent].Attempts)
		assert.Equal(t, "learner not bound to WeChat", byStatus[reminder.StatusSkipped].LastError)

		list := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/reminders?campaign_id=%d", campaignID(t, e)), e.Token("huayang-admin"), nil)
		require.Equal(t, http.StatusOK, list.Status, "%s", list.Body)
		assert.Contains(t, string(list.Body), `"status":"skipped"`)
	}, withTemplate)
}

// 43101: the learner refused (or WeChat has no quota for them). The allowance is marked declined,
// the delivery skipped without retry, and later reminders are skipped without calling WeChat.
func TestWeChatChannel43101(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		bindZhangWei(t, e, 3)
		e.App.FakeWeChat.Decline(wechatfake.OpenID("zhangwei"), true)
		remindByWeChat(t, e, "张伟")
		ctx := context.Background()
		_, err := e.App.Reminders.DispatchOnce(ctx)
		require.NoError(t, err)
		d := deliveryState(t, e)
		assert.Equal(t, reminder.StatusSkipped, d.Status)
		assert.Contains(t, d.LastError, "43101")
		assert.Equal(t, 1, d.Attempts)
		sub := allowance(t, e)
		assert.Equal(t, wechat.SubDeclined, sub.Status)
		assert.Zero(t, sub.Remaining)

		e.Clock.Advance(25 * time.Hour)
		e.App.FakeWeChat.Decline(wechatfake.OpenID("zhangwei"), false)
		calls := e.App.FakeWeChat.Calls("cgi-bin/message/subscribe/send")
		remindByWeChat(t, e, "张伟")
		e.Clock.Advance(time.Hour) // past every backoff: nothing is retried
		_, err = e.App.Reminders.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, reminder.StatusSkipped, deliveryState(t, e).Status)
		assert.Equal(t, calls, e.App.FakeWeChat.Calls("cgi-bin/message/subscribe/send"), "no allowance: WeChat not called")
		assert.Empty(t, e.App.FakeWeChat.Sent())
	}, withTemplate)
}

// An access token superseded elsewhere (40001) is refreshed once and the send succeeds in the
// same attempt; transient failures are retried with the channel's backoff; the allowance is
// spent once, when the message finally goes.
func TestWeChatChannelRefreshAndRetries(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		bindZhangWei(t, e, 1)
		ctx := context.Background()
		_ = e.App.WeChatClient.SendSubscribe(ctx, wechat.SubscribeMessage{ToUser: "o-warmup", TemplateID: "t"}) // caches a token
		e.App.FakeWeChat.InvalidateTokens()
		remindByWeChat(t, e, "张伟")
		_, err := e.App.Reminders.DispatchOnce(ctx)
		require.NoError(t, err)
		d := deliveryState(t, e)
		assert.Equal(t, reminder.StatusSent, d.Status, d.LastError)
		assert.Equal(t, 1, d.Attempts)
		assert.Equal(t, 2, e.App.FakeWeChat.Calls("cgi-bin/stable_token"), "one forced refresh")

		// A second reminder meets a 502 and a system-busy answer, then goes through.
		e.Clock.Advance(25 * time.Hour)
		r := e.Call(http.MethodPut, "/api/v1/me/wechat-subscriptions", e.Login("13800000001", "Xuefa@2026")["access_token"].(string),
			map[string]any{"items": []map[string]string{{"template_id": reminderTemplate, "result": "accept"}}})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		e.App.FakeWeChat.FailSends(502, -1)
		remindByWeChat(t, e, "张伟")
		for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
			_, err := e.App.Reminders.DispatchOnce(ctx)
			require.NoError(t, err)
			d := deliveryState(t, e)
			assert.Equal(t, reminder.StatusPending, d.Status)
			assert.Equal(t, attempt+1, d.Attempts)
			assert.Equal(t, 1, allowance(t, e).Remaining, "not spent by a failure")
			e.Clock.Advance(wait)
		}
		_, err = e.App.Reminders.DispatchOnce(ctx)
		require.NoError(t, err)
		d = deliveryState(t, e)
		assert.Equal(t, reminder.StatusSent, d.Status)
		assert.Equal(t, 3, d.Attempts)
		assert.Zero(t, allowance(t, e).Remaining)
		assert.Len(t, e.App.FakeWeChat.Sent(), 3, "warm-up, first and second reminder")
	}, withTemplate)
}

// Two dispatchers racing over the same outbox send each message once.
func TestWeChatChannelConcurrentDispatchers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		bindZhangWei(t, e, 5)
		remindByWeChat(t, e, "张伟")
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = e.App.Reminders.DispatchOnce(context.Background())
			}()
		}
		wg.Wait()
		assert.Len(t, e.App.FakeWeChat.Sent(), 1)
		assert.Equal(t, 4, allowance(t, e).Remaining)
		assert.Equal(t, reminder.StatusSent, deliveryState(t, e).Status)
	}, withTemplate)
}

// Reminder rules may pick the wechat channel.
func TestRuleWithWeChatChannel(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		r := e.Call(http.MethodPost, "/api/v1/reminder-rules", e.Token("huayang-admin"), map[string]any{
			"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "credits_lagging", "send_at": "09:00",
			"channels": []string{"inbox", "wechat"}, "min_interval_days": 3, "enabled": true,
		})
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		assert.Equal(t, []any{"inbox", "wechat"}, r.Map(t)["channels"])
	}, withTemplate)
}
