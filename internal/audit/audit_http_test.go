package audit_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestAuditLogRecordsWritesAndLogins(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "huayang-admin", "password": "Wrong#Pass1"})
		created := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": e.UnitID("huayang"), "code": "hy-x", "name": "华阳新单位", "kind": "other"})
		require.Equal(t, http.StatusCreated, created.Status)
		unitID := int64(created.Map(t)["id"].(float64))

		auditor := e.Token("auditor")
		all := e.Call(http.MethodGet, "/api/v1/audit-logs?page_size=100", auditor, nil)
		require.Equal(t, http.StatusOK, all.Status, "%s", all.Body)

		writes := e.Call(http.MethodGet, "/api/v1/audit-logs?action=unit.create&resource_type=unit&resource_id="+fmt.Sprint(unitID), auditor, nil).Map(t)
		require.EqualValues(t, 1, writes["total"])
		entry := writes["items"].([]any)[0].(map[string]any)
		assert.Equal(t, "success", entry["outcome"])
		assert.EqualValues(t, e.AccountID("admin"), entry["actor_id"])
		assert.Equal(t, "admin", entry["actor_role"])
		assert.NotEmpty(t, entry["request_id"])
		assert.Equal(t, "192.0.2.1", entry["ip"])
		assert.Equal(t, "华阳新单位", entry["detail"].(map[string]any)["name"])

		failed := e.Call(http.MethodGet, "/api/v1/audit-logs?action=auth.login&outcome=failure", auditor, nil).Map(t)
		require.EqualValues(t, 1, failed["total"])
		assert.Equal(t, "wrong_password", failed["items"].([]any)[0].(map[string]any)["detail"].(map[string]any)["reason"])

		ok := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/audit-logs?action=auth.login&outcome=success&actor_id=%d", e.AccountID("auditor")), auditor, nil).Map(t)
		assert.EqualValues(t, 1, ok["total"], "the auditor's own login is there too")

		from := url.QueryEscape(apitest.Start.Add(time.Hour).Format(time.RFC3339))
		none := e.Call(http.MethodGet, "/api/v1/audit-logs?from="+from, auditor, nil).Map(t)
		assert.EqualValues(t, 0, none["total"], "time filter")
		bad := e.Call(http.MethodGet, "/api/v1/audit-logs?from=yesterday", auditor, nil)
		assert.Equal(t, http.StatusBadRequest, bad.Status)
		assert.Contains(t, bad.ErrorFields(), "from")
	})
}

func TestAuditLogAccess(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/audit-logs", e.Token("admin"), nil).Status, "root admin")
		township := e.Call(http.MethodGet, "/api/v1/audit-logs", e.Token("huayang-admin"), nil)
		assert.Equal(t, http.StatusForbidden, township.Status, "a township admin is not an auditor")
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/audit-logs", e.Token("lecturer-wang"), nil).Status)
		// An auditor reads the audit log and nothing else.
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/units", e.Token("auditor"), nil).Status)
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/accounts", e.Token("auditor"), nil).Status)
		// There is no way to change the log through the API.
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			resp := e.Call(m, "/api/v1/audit-logs", e.Token("admin"), map[string]any{})
			assert.Equal(t, http.StatusMethodNotAllowed, resp.Status, m)
		}
	})
}

func TestTownshipAuditorSeesOwnSubtreeOnly(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		created := e.Call(http.MethodPost, "/api/v1/accounts", admin, map[string]any{
			"username": "hy-auditor", "display_name": "华阳审计员", "role": "auditor", "unit_id": e.UnitID("huayang"), "password": "Audit#2026x",
		})
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		e.Token("huayang-admin")
		e.Token("linxi-admin")
		tokens := e.Login("hy-auditor", "Audit#2026x")
		changed := e.Call(http.MethodPut, "/api/v1/me/password", tokens["access_token"].(string), map[string]string{"current_password": "Audit#2026x", "new_password": "Audit#2027y"})
		require.Equal(t, http.StatusOK, changed.Status)
		list := e.Call(http.MethodGet, "/api/v1/audit-logs?page_size=100", changed.Map(t)["access_token"].(string), nil).Map(t)
		names := map[string]bool{}
		for _, item := range list["items"].([]any) {
			names[item.(map[string]any)["actor_name"].(string)] = true
		}
		assert.True(t, names["huayang-admin"], "sees logins of its township")
		assert.False(t, names["linxi-admin"], "does not see other townships")
		assert.False(t, names["admin"], "does not see the county")
	})
}
