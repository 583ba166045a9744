package learner_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// Personal data never appears unmasked in any response or log line, except the audited reveal.
func TestPIINeverLeaksIntoResponsesOrLogs(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		resp := create(t, e, admin, newLearner(e, "huayang"))
		require.Equal(t, http.StatusCreated, resp.Status)
		id := int64(resp.Map(t)["id"].(float64))
		password := resp.Map(t)["initial_password"].(string)

		// Everything an admin and the learner would normally do.
		e.Call(http.MethodGet, "/api/v1/learners?page_size=100", admin, nil)
		e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d", id), admin, nil)
		e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/learners/%d", id), admin, map[string]any{"position": "队长", "phone": phone, "id_card": idCard})
		e.Call(http.MethodGet, "/api/v1/accounts?page_size=100", admin, nil)
		create(t, e, admin, newLearner(e, "huayang")) // a duplicate: the 409 must not echo the values
		e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": phone, "password": "Wrong#Pass1"})
		tokens := e.Login(phone, password)
		e.Call(http.MethodGet, "/api/v1/me", tokens["access_token"].(string), nil)
		e.Call(http.MethodGet, "/api/v1/me/credits", tokens["access_token"].(string), nil)
		e.Call(http.MethodGet, "/api/v1/audit-logs?page_size=100", e.Token("admin"), nil)

		reveal := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/pii", id), admin, nil)
		require.Equal(t, http.StatusOK, reveal.Status)

		for _, body := range e.Responses() {
			if strings.HasPrefix(body, "GET /api/v1/learners/") && strings.Contains(body, "/pii ") {
				continue // the one audited place that shows them
			}
			assert.NotContains(t, body, "13912340001", "phone in %s", body)
			assert.NotContains(t, body, idCard, "ID number in %s", body)
			assert.NotContains(t, body, "1101051949", "ID number digits in %s", body)
		}
		logs := e.Logs()
		require.NotEmpty(t, logs, "the app logged requests")
		assert.NotContains(t, logs, "13912340001")
		assert.NotContains(t, logs, "1101051949")
		assert.NotContains(t, logs, password)
		assert.NotContains(t, logs, tokens["access_token"].(string)[:40])
	})
}
