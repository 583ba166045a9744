package account_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
)

func TestCreateAccountWithGeneratedPassword(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		resp := e.Call(http.MethodPost, "/api/v1/accounts", admin, map[string]any{
			"username": "Linxi-Lecturer", "display_name": "李律师", "role": "lecturer", "unit_id": e.UnitID("linxi"), "phone": "13912345678",
		})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		created := resp.Map(t)
		password := created["initial_password"].(string)
		assert.Equal(t, "linxi-lecturer", created["username"], "usernames are stored lower-case")
		assert.Equal(t, "139****5678", created["phone"], "phones are masked")
		assert.Equal(t, true, created["must_change_password"])
		assert.NotContains(t, string(resp.Body), "13912345678")

		var stored string
		require.NoError(t, e.DB.Table("accounts").Select("phone_enc").Where("username = ?", "linxi-lecturer").Scan(&stored).Error)
		assert.NotContains(t, stored, "13912345678", "phone is encrypted at rest")

		// Login by phone works; until the password changes only /me, password and logout are open.
		tokens := e.Login("13912345678", password)
		access := tokens["access_token"].(string)
		blocked := e.Call(http.MethodGet, "/api/v1/units", access, nil)
		assert.Equal(t, http.StatusForbidden, blocked.Status)
		assert.Equal(t, "auth.password_change_required", blocked.ErrorCode())
		require.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/me", access, nil).Status)
		changed := e.Call(http.MethodPut, "/api/v1/me/password", access, map[string]string{"current_password": password, "new_password": "Lawyer#2026x"})
		require.Equal(t, http.StatusOK, changed.Status, "%s", changed.Body)
		assert.Equal(t, false, changed.Map(t)["account"].(map[string]any)["must_change_password"])

		dup := e.Call(http.MethodPost, "/api/v1/accounts", admin, map[string]any{
			"username": "linxi-lecturer", "display_name": "x", "role": "lecturer", "unit_id": e.UnitID("linxi"),
		})
		assert.Equal(t, http.StatusConflict, dup.Status)
		assert.Equal(t, "account.username_taken", dup.ErrorCode())
		dupPhone := e.Call(http.MethodPost, "/api/v1/accounts", admin, map[string]any{
			"username": "another", "display_name": "x", "role": "lecturer", "unit_id": e.UnitID("linxi"), "phone": "13912345678",
		})
		assert.Equal(t, http.StatusConflict, dupPhone.Status)
		assert.Equal(t, "account.phone_taken", dupPhone.ErrorCode())
	})
}

func TestAccountScopeAndEscalation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		huayangAdmin := e.Token("huayang-admin")
		huayang, linxi := e.UnitID("huayang"), e.UnitID("linxi")
		linxiAdminID, selfID := e.AccountID("linxi-admin"), e.AccountID("huayang-admin")

		cases := []struct {
			name   string
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"create in other township", http.MethodPost, "/api/v1/accounts", map[string]any{"username": "x-admin", "display_name": "x", "role": "admin", "unit_id": linxi}, 422, "account.unit_not_found"},
			{"create in the county", http.MethodPost, "/api/v1/accounts", map[string]any{"username": "x-admin", "display_name": "x", "role": "admin", "unit_id": e.UnitID("jixi")}, 422, "account.unit_not_found"},
			{"create a learner", http.MethodPost, "/api/v1/accounts", map[string]any{"username": "x-learner", "display_name": "x", "role": "learner", "unit_id": huayang}, 422, "request.validation"},
			{"read other township's admin", http.MethodGet, fmt.Sprintf("/api/v1/accounts/%d", linxiAdminID), nil, 404, "account.not_found"},
			{"edit other township's admin", http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", linxiAdminID), map[string]any{"status": "disabled"}, 404, "account.not_found"},
			{"reset other's password", http.MethodPost, fmt.Sprintf("/api/v1/accounts/%d/password-reset", linxiAdminID), nil, 404, "account.not_found"},
			{"move self to the county", http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", selfID), map[string]any{"unit_id": e.UnitID("jixi")}, 403, "account.self_change"},
			{"change own role", http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", selfID), map[string]any{"role": "auditor"}, 403, "account.self_change"},
			{"disable self", http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", selfID), map[string]any{"status": "disabled"}, 403, "account.self_change"},
		}
		for _, c := range cases {
			resp := e.Call(c.method, c.path, huayangAdmin, c.body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
		}
		rename := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", selfID), huayangAdmin, map[string]any{"display_name": "华阳镇法宣专干"})
		require.Equal(t, http.StatusOK, rename.Status, "own display name may change")

		list := e.Call(http.MethodGet, "/api/v1/accounts?page_size=100", huayangAdmin, nil).Map(t)
		assert.EqualValues(t, 4, list["total"], "only accounts of the own subtree: the admin and three learners")
		for _, item := range list["items"].([]any) {
			assert.Equal(t, "华阳镇", item.(map[string]any)["unit_name"])
		}
	})
}

func TestDisableRevokesAndResetUnlocks(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		target := e.AccountID("linxi-admin")
		victim := e.Login("linxi-admin", app.DemoPassword)
		access := victim["access_token"].(string)

		disabled := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", target), admin, map[string]any{"status": "disabled"})
		require.Equal(t, http.StatusOK, disabled.Status, "%s", disabled.Body)
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", access, nil).Status, "disable revokes at once")
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": victim["refresh_token"].(string)}).Status)
		login := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "linxi-admin", "password": app.DemoPassword})
		assert.Equal(t, http.StatusForbidden, login.Status)
		assert.Equal(t, "auth.account_disabled", login.ErrorCode())

		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", target), admin, map[string]any{"status": "active"}).Status)
		for i := 0; i < 5; i++ {
			e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "linxi-admin", "password": "Wrong#Pass1"})
		}
		locked := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/accounts/%d", target), admin, nil).Map(t)
		assert.NotEmpty(t, locked["locked_until"], "the lock shows to admins")

		reset := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/accounts/%d/password-reset", target), admin, nil)
		require.Equal(t, http.StatusOK, reset.Status, "%s", reset.Body)
		fresh := reset.Map(t)["initial_password"].(string)
		tokens := e.Login("linxi-admin", fresh)
		assert.Equal(t, true, tokens["account"].(map[string]any)["must_change_password"])

		roleChange := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/accounts/%d", target), admin, map[string]any{"role": "lecturer"})
		require.Equal(t, http.StatusOK, roleChange.Status)
		assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", tokens["access_token"].(string), nil).Status, "role change revokes tokens")
	})
}

func TestAccountListFiltersWithoutNPlusOne(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		all := e.Call(http.MethodGet, "/api/v1/accounts?page_size=100", admin, nil).Map(t)
		assert.EqualValues(t, 19, all["total"], "7 staff and 12 learners")
		for _, item := range all["items"].([]any) {
			assert.NotEmpty(t, item.(map[string]any)["unit_name"], "unit names come from the join")
		}
		admins := e.Call(http.MethodGet, "/api/v1/accounts?role=admin", admin, nil).Map(t)
		assert.EqualValues(t, 5, admins["total"])
		staff := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/accounts?unit_id=%d&role=lecturer", e.UnitID("sfj")), admin, nil).Map(t)
		assert.EqualValues(t, 1, staff["total"])
		q := e.Call(http.MethodGet, "/api/v1/accounts?q="+url.QueryEscape("王法"), admin, nil).Map(t)
		assert.EqualValues(t, 1, q["total"])
		bad := e.Call(http.MethodGet, "/api/v1/accounts?role=king", admin, nil)
		assert.Equal(t, http.StatusBadRequest, bad.Status)
		assert.Contains(t, bad.ErrorFields(), "role")
	})
}

func TestAccountBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		unitID := e.UnitID("huayang")
		base := func(mut func(m map[string]any)) map[string]any {
			m := map[string]any{"username": "new-admin", "display_name": "新管理员", "role": "admin", "unit_id": unitID}
			mut(m)
			return m
		}
		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"username starts with digit", base(func(m map[string]any) { m["username"] = "13800138000" }), 422, "username"},
			{"username too short", base(func(m map[string]any) { m["username"] = "ab" }), 422, "username"},
			{"bad phone", base(func(m map[string]any) { m["phone"] = "12345678901" }), 422, "phone"},
			{"weak password", base(func(m map[string]any) { m["password"] = "password" }), 422, "password"},
			{"unknown role", base(func(m map[string]any) { m["role"] = "root" }), 422, "role"},
			{"unit as string", base(func(m map[string]any) { m["unit_id"] = "huayang" }), 400, "unit_id"},
			{"missing display name", base(func(m map[string]any) { delete(m, "display_name") }), 422, "display_name"},
			{"mass assignment", base(func(m map[string]any) { m["token_version"] = 99 }), 400, "token_version"},
		}
		for _, c := range cases {
			resp := e.Call(http.MethodPost, "/api/v1/accounts", admin, c.body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}
		var n int64
		require.NoError(t, e.DB.Table("accounts").Where("role <> 'learner'").Count(&n).Error)
		assert.EqualValues(t, 7, n, "nothing was written")
	})
}
