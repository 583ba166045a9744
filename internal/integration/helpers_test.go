package integration_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/config"
)

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// bigBody lets a 1,001-item sync through the body limit so the item cap answers.
func bigBody(c *config.Config) { c.HTTP.BodyLimitBytes = 4 << 20 }

// oauthError is the token endpoint's RFC 6749 §5.2 error answer.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCode        string `json:"error_code"`
	RequestID        string `json:"request_id"`
}

// oauthErrorOf decodes resp as an RFC 6749 §5.2 error and checks what every such answer
// holds: a top-level string "error", an error_description of the characters the RFC allows,
// the request id and the no-store headers.
func oauthErrorOf(t *testing.T, resp *apitest.Response) oauthError {
	t.Helper()
	var raw map[string]any
	require.NoError(t, json.Unmarshal(resp.Body, &raw), "body: %s", resp.Body)
	require.IsType(t, "", raw["error"], "error is the RFC 6749 code, not the API envelope: %s", resp.Body)
	var out oauthError
	resp.JSON(t, &out)
	assert.NotEmpty(t, out.ErrorDescription, "%s", resp.Body)
	for _, ch := range []byte(out.ErrorDescription) {
		assert.True(t, ch >= 0x20 && ch <= 0x7E && ch != '"' && ch != '\\', "error_description holds %q (RFC 6749 §5.2): %s", ch, resp.Body)
	}
	assert.NotEmpty(t, out.RequestID)
	assert.Equal(t, resp.Header.Get("X-Request-ID"), out.RequestID)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "no-cache", resp.Header.Get("Pragma"))
	assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	return out
}
