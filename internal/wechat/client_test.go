package wechat_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/wechat"
	"github.com/xuefa/xuefa/internal/wechat/wechatfake"
)

const secret = "top-secret-app-secret"

func newClient(t *testing.T, now func() time.Time, tokens wechat.TokenCache) (*wechat.Client, *wechatfake.Server) {
	t.Helper()
	fake, srv := wechatfake.NewServer()
	t.Cleanup(srv.Close)
	return wechat.NewClient(wechat.ClientConfig{BaseURL: srv.URL, AppID: "wx-test", Secret: secret, Now: now, Tokens: tokens}), fake
}

func TestCode2Session(t *testing.T) {
	c, fake := newClient(t, nil, nil)
	ctx := context.Background()
	s, err := c.Code2Session(ctx, "dev-alice")
	require.NoError(t, err)
	assert.Equal(t, wechatfake.OpenID("alice"), s.OpenID)

	code := fake.IssueCode("o-once")
	s, err = c.Code2Session(ctx, code)
	require.NoError(t, err)
	assert.Equal(t, "o-once", s.OpenID)
	for _, tc := range []struct {
		code string
		want int
	}{{code, wechat.CodeCodeUsed}, {"bad-code", wechat.CodeInvalidCode}, {"risky-mallory", wechat.CodeHighRiskUser}} {
		_, err = c.Code2Session(ctx, tc.code)
		var we *wechat.Error
		require.ErrorAs(t, err, &we, tc.code)
		assert.Equal(t, tc.want, we.Code, tc.code)
		assert.True(t, wechat.IsCode(err, tc.want))
		assert.NotContains(t, err.Error(), secret)
	}
}

// The access token is fetched once and reused; WeChat's 40001 (token superseded) forces one
// refresh and one retry; a token near its expiry is renewed before use.
func TestAccessTokenCachingAndRefresh(t *testing.T) {
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c, fake := newClient(t, clock, nil)
	ctx := context.Background()
	msg := wechat.SubscribeMessage{ToUser: "o1", TemplateID: "t1", Data: map[string]map[string]string{"thing1": {"value": "x"}}}
	require.NoError(t, c.SendSubscribe(ctx, msg))
	require.NoError(t, c.SendSubscribe(ctx, msg))
	assert.Equal(t, 1, fake.Calls("cgi-bin/stable_token"), "cached")

	fake.InvalidateTokens()
	require.NoError(t, c.SendSubscribe(ctx, msg))
	assert.Equal(t, 2, fake.Calls("cgi-bin/stable_token"), "one forced refresh after 40001")
	assert.Equal(t, 4, fake.Calls("cgi-bin/message/subscribe/send"), "the failed send was retried once")

	mu.Lock()
	now = now.Add(7200*time.Second - 4*time.Minute) // inside the 5-minute renewal margin
	mu.Unlock()
	require.NoError(t, c.SendSubscribe(ctx, msg))
	assert.Equal(t, 3, fake.Calls("cgi-bin/stable_token"), "renewed before expiry")
	assert.Len(t, fake.Sent(), 4)

	fake.Decline("o1", true)
	err := c.SendSubscribe(ctx, msg)
	assert.True(t, wechat.IsCode(err, wechat.CodeSubscribeRefuse), "%v", err)
}

func TestPhoneNumber(t *testing.T) {
	c, fake := newClient(t, nil, nil)
	fake.AddPhoneCode("pc-1", "13800000009")
	phone, err := c.PhoneNumber(context.Background(), "pc-1")
	require.NoError(t, err)
	assert.Equal(t, "13800000009", phone)
	_, err = c.PhoneNumber(context.Background(), "pc-1")
	assert.True(t, wechat.IsCode(err, wechat.CodeInvalidCode), "a phone code works once")
}

// Transport errors would quote the request URL, and with it the secret: they must not.
func TestTransportErrorsHideTheSecret(t *testing.T) {
	c := wechat.NewClient(wechat.ClientConfig{BaseURL: "http://127.0.0.1:1", AppID: "wx", Secret: secret,
		HTTP: &http.Client{Timeout: time.Second}})
	_, err := c.Code2Session(context.Background(), "dev-x")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, err.Error(), "js_code")
	assert.True(t, strings.HasPrefix(err.Error(), "wechat sns/jscode2session"), err.Error())
}

// Replicas share the token through Redis: a second client finds the first one's token.
func TestRedisTokenCache(t *testing.T) {
	addr := os.Getenv("XUEFA_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("XUEFA_TEST_REDIS_ADDR not set; .ci/run sets it")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })
	prefix := "xuefa-test:wechat:" + t.Name() + time.Now().Format("150405.000000") + ":"
	fake, srv := wechatfake.NewServer()
	t.Cleanup(srv.Close)
	replica := func() *wechat.Client {
		return wechat.NewClient(wechat.ClientConfig{BaseURL: srv.URL, AppID: "wx-test", Secret: secret,
			Tokens: wechat.NewRedisTokens(rdb, prefix, time.Now)})
	}
	ctx := context.Background()
	msg := wechat.SubscribeMessage{ToUser: "o1", TemplateID: "t1"}
	require.NoError(t, replica().SendSubscribe(ctx, msg))
	require.NoError(t, replica().SendSubscribe(ctx, msg))
	assert.Equal(t, 1, fake.Calls("cgi-bin/stable_token"), "the second replica used the shared token")
	ttl, err := rdb.PTTL(ctx, prefix+"wx-test").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, time.Hour)
}
