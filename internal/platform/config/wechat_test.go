package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/config"
)

// WeChat: fake by default in dev, off by default in production; production refuses the fake;
// live needs the app id and secret; the secret is masked when the config is logged.
func TestWeChatSettings(t *testing.T) {
	dev, err := config.Load("", env(nil))
	require.NoError(t, err)
	assert.Equal(t, config.WeChatFake, dev.WeChat.Mode)

	prod := func(extra map[string]string) map[string]string {
		m := map[string]string{"XUEFA_MODE": config.ModeProduction, "XUEFA_DATABASE_DRIVER": "mysql",
			"XUEFA_DATABASE_DSN": "u:p@tcp(db:3306)/xuefa", "XUEFA_AUTH_JWT_SIGNING_KEY": prodJWTKey, "XUEFA_CRYPTO_DATA_KEY": prodDataKey,
			"XUEFA_CERTIFICATES_SIGNING_KEY": prodCertKey}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cfg, err := config.Load("", env(prod(nil)))
	require.NoError(t, err)
	assert.Equal(t, config.WeChatOff, cfg.WeChat.Mode)

	_, err = config.Load("", env(prod(map[string]string{"XUEFA_WECHAT_MODE": "fake"})))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wechat.mode fake is for development only")

	_, err = config.Load("", env(prod(map[string]string{"XUEFA_WECHAT_MODE": "live", "XUEFA_WECHAT_APP_ID": "wx123"})))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wechat.app_id and wechat.secret are required")

	_, err = config.Load("", env(map[string]string{"XUEFA_WECHAT_MODE": "carrier-pigeon"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wechat.mode must be fake, live or off")

	live, err := config.Load("", env(prod(map[string]string{"XUEFA_WECHAT_MODE": "live", "XUEFA_WECHAT_APP_ID": "wx123", "XUEFA_WECHAT_SECRET": "s3cret-value"})))
	require.NoError(t, err)
	assert.Equal(t, "s3cret-value", live.WeChat.Secret)
	assert.Equal(t, "******", live.Masked().WeChat.Secret)
	assert.Equal(t, "wx123", live.Masked().WeChat.AppID)
}
