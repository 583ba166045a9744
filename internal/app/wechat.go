package app

import (
	"context"
	"net/http"
	"time"

	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/ratelimit"
	"github.com/xuefa/xuefa/internal/wechat"
	"github.com/xuefa/xuefa/internal/wechat/wechatfake"
)

// wireWeChat builds the WeChat client for the configured mode (none when off) and the login
// service. The access token is cached in Redis when Redis is configured, so replicas share it.
func (a *App) wireWeChat(limiter ratelimit.Limiter, now func() time.Time) {
	wc := a.Config.WeChat
	var api wechat.API
	if wc.Mode == config.WeChatLive || wc.Mode == config.WeChatFake {
		httpClient := &http.Client{Timeout: wc.Timeout.Std()}
		cfg := wechat.ClientConfig{BaseURL: wc.BaseURL, AppID: wc.AppID, Secret: wc.Secret, HTTP: httpClient, Now: now}
		if wc.Mode == config.WeChatFake {
			a.FakeWeChat = wechatfake.New()
			httpClient.Transport = a.FakeWeChat.Transport()
			cfg.BaseURL, cfg.AppID, cfg.Secret = "http://wechat.fake", "wx-fake-appid", "fake-secret"
			if wc.ReminderTemplateID == "" { // so the demo's wechat reminders go somewhere
				wc.ReminderTemplateID = "fake-reminder-template"
			}
		}
		if a.Redis != nil {
			cfg.Tokens = wechat.NewRedisTokens(a.Redis, "xuefa:wechat:token:", now)
		}
		a.WeChatClient = wechat.NewClient(cfg)
		api = a.WeChatClient
	}
	a.WeChat = wechat.NewService(wechat.Deps{
		DB: a.DB, Store: wechat.NewStore(a.DB), API: api, Accounts: a.Accounts, Audit: a.Audit, Limiter: limiter,
		RootUnit: func(ctx context.Context) (int64, error) {
			u, err := a.Units.Root(ctx)
			if err != nil {
				return 0, err
			}
			return u.ID, nil
		},
		Log: a.Log, Now: now,
		Settings: wechat.Settings{
			LoginPerIPPerMinute: wc.LoginPerIPPerMinute, LoginPerOpenIDPerMinute: wc.LoginPerOpenIDPerMinute,
			ReminderTemplateID: wc.ReminderTemplateID, ReminderPage: wc.ReminderPage, MiniProgramState: wc.MiniProgramState,
		},
	})
}
