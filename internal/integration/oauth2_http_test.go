package integration_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/config"
)

// A standard OAuth 2.0 client library gets tokens from the real router, with the credentials in
// HTTP Basic, in the body or found by probing, and reads failures as RFC 6749 errors.
func TestTokenWithOAuth2Library(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		srv := httptest.NewServer(e.App.Server.Handler())
		t.Cleanup(srv.Close)
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
		c := e.CreateClient("huayang", "learners:read", "units:read")
		config := func(secret string, style oauth2.AuthStyle, scopes ...string) *clientcredentials.Config {
			return &clientcredentials.Config{ClientID: c.ClientID, ClientSecret: secret, TokenURL: srv.URL + "/api/v1/auth/token",
				Scopes: scopes, AuthStyle: style}
		}
		styles := map[string]oauth2.AuthStyle{"basic": oauth2.AuthStyleInHeader, "body": oauth2.AuthStyleInParams, "probe": oauth2.AuthStyleAutoDetect}
		for name, style := range styles {
			tok, err := config(c.Secret, style, "units:read").Token(ctx)
			require.NoError(t, err, name)
			assert.NotEmpty(t, tok.AccessToken, name)
			assert.Equal(t, "Bearer", tok.TokenType, name)
			assert.True(t, tok.Valid(), name)
			assert.WithinDuration(t, time.Now().Add(900*time.Second), tok.Expiry, time.Minute, name)
			assert.Equal(t, "units:read", tok.Extra("scope"), name)

			_, err = config("xfs_wrong", style).Token(ctx)
			var re *oauth2.RetrieveError
			require.ErrorAs(t, err, &re, name)
			assert.Equal(t, "invalid_client", re.ErrorCode, name)
			assert.Equal(t, "client authentication failed", re.ErrorDescription, name)
			assert.Equal(t, http.StatusUnauthorized, re.Response.StatusCode, name)
		}

		// The library's client carries the token to the API.
		resp, err := config(c.Secret, oauth2.AuthStyleInHeader).Client(ctx).Get(srv.URL + "/api/v1/units")
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)

		_, err = config(c.Secret, oauth2.AuthStyleInHeader, "credits:read").Token(ctx)
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "invalid_scope", re.ErrorCode)
		assert.Equal(t, http.StatusBadRequest, re.Response.StatusCode)
	})
}

// Rate limiting keeps the API envelope: the library reports the 429 with no RFC 6749 code, and
// Retry-After is on the response it hands back.
func TestTokenRateLimitWithOAuth2Library(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		srv := httptest.NewServer(e.App.Server.Handler())
		t.Cleanup(srv.Close)
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
		c := e.CreateClient("huayang", "units:read")
		cc := &clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.Secret, TokenURL: srv.URL + "/api/v1/auth/token",
			AuthStyle: oauth2.AuthStyleInHeader}
		for i := 0; i < 3; i++ {
			_, err := cc.Token(ctx)
			require.NoError(t, err, "token %d", i+1)
		}
		_, err := cc.Token(ctx)
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, http.StatusTooManyRequests, re.Response.StatusCode)
		assert.Empty(t, re.ErrorCode)
		assert.NotEmpty(t, re.Response.Header.Get("Retry-After"))
		assert.Contains(t, string(re.Body), `"code":"oauth.rate_limited"`)
	}, func(c *config.Config) { c.Integration.TokenPerClientPerMinute = 3 })
}
