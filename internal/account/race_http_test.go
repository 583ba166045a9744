package account_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
)

func call(e *apitest.Env, method, path, token string, body any) func() *apitest.Response {
	return func() *apitest.Response { return e.Call(method, path, token, body) }
}

func login(e *apitest.Env, username, password string) func() *apitest.Response {
	return call(e, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
}

// assertSignedOut checks that a login's tokens no longer work.
func assertSignedOut(t *testing.T, e *apitest.Env, tokens *apitest.Response, msg string) {
	t.Helper()
	m := tokens.Map(t)
	assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", m["access_token"].(string), nil).Status, "access token: %s", msg)
	assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodPost, "/api/v1/auth/refresh", "",
		map[string]string{"refresh_token": m["refresh_token"].(string)}).Status, "refresh token: %s", msg)
}

func tokenVersion(t *testing.T, e *apitest.Env, id int64) int64 {
	t.Helper()
	var v int64
	require.NoError(t, e.DB.Table("accounts").Select("token_version").Where("id = ?", id).Scan(&v).Error)
	return v
}

// An admin's password reset racing the user's own change or a login with the old password:
// the reset's password works afterwards and nothing the old password opened survives it.
func TestPasswordResetRaces(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		const user = "lecturer-wang"
		id := e.AccountID(user)
		reset := call(e, http.MethodPost, fmt.Sprintf("/api/v1/accounts/%d/password-reset", id), admin, nil)
		password := app.DemoPassword
		for i := range 8 {
			own := e.Login(user, password)["access_token"].(string)
			next := fmt.Sprintf("Own-Choice-%d!", i)
			changed, resetResp := apitest.Race(call(e, http.MethodPut, "/api/v1/me/password", own,
				map[string]string{"current_password": password, "new_password": next}), reset)
			require.Equal(t, http.StatusOK, resetResp.Status, "%s", resetResp.Body)
			assert.Contains(t, []int{http.StatusOK, http.StatusUnauthorized, http.StatusUnprocessableEntity}, changed.Status, "%s", changed.Body)
			password = resetResp.Map(t)["initial_password"].(string)
			if !assert.Equal(t, http.StatusOK, login(e, user, password)().Status, "the reset's password works (the change answered %d)", changed.Status) {
				password = next
			}
			if changed.Status == http.StatusOK {
				assertSignedOut(t, e, changed, "a change racing a reset")
			}

			before := tokenVersion(t, e, id)
			old, resetResp := apitest.Race(login(e, user, password), reset)
			require.Equal(t, http.StatusOK, resetResp.Status, "%s", resetResp.Body)
			assert.Contains(t, []int{http.StatusOK, http.StatusUnauthorized}, old.Status, "%s", old.Body)
			if old.Status == http.StatusOK {
				assertSignedOut(t, e, old, "a login with the password a reset replaced")
			}
			password = resetResp.Map(t)["initial_password"].(string)
			assert.Equal(t, before+1, tokenVersion(t, e, id))
		}
	})
}

// Revoking writes at once (a reset, a role change, the user's own password change) each bump
// the token version: none is lost.
func TestTokenVersionBumpsRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		const user = "lecturer-wang"
		id := e.AccountID(user)
		path := fmt.Sprintf("/api/v1/accounts/%d", id)
		reset := call(e, http.MethodPost, path+"/password-reset", admin, nil)
		password := app.DemoPassword
		for i := range 8 {
			before := tokenVersion(t, e, id)
			role, resetResp := apitest.Race(call(e, http.MethodPatch, path, admin, map[string]any{"role": "auditor"}), reset)
			require.Equal(t, http.StatusOK, role.Status, "%s", role.Body)
			require.Equal(t, http.StatusOK, resetResp.Status, "%s", resetResp.Body)
			assert.Equal(t, before+2, tokenVersion(t, e, id), "a role change and a reset at once")
			password = resetResp.Map(t)["initial_password"].(string)

			own := e.Login(user, password)["access_token"].(string)
			before = tokenVersion(t, e, id)
			next := fmt.Sprintf("Own-Choice-%d!", i)
			changed, role := apitest.Race(call(e, http.MethodPut, "/api/v1/me/password", own,
				map[string]string{"current_password": password, "new_password": next}), call(e, http.MethodPatch, path, admin, map[string]any{"role": "lecturer"}))
			require.Equal(t, http.StatusOK, role.Status, "%s", role.Body)
			require.Contains(t, []int{http.StatusOK, http.StatusUnauthorized}, changed.Status, "%s", changed.Body)
			if changed.Status == http.StatusOK {
				password = next
				assert.Equal(t, before+2, tokenVersion(t, e, id), "a role change and a password change at once")
			}
		}
	})
}

// A login or password change racing a disable: once the account is enabled again, nothing
// that either opened works (a disable signs the account out everywhere).
func TestDisableRaces(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		const user = "lecturer-wang"
		path := fmt.Sprintf("/api/v1/accounts/%d", e.AccountID(user))
		status := func(s string) func() *apitest.Response {
			return call(e, http.MethodPatch, path, admin, map[string]any{"status": s})
		}
		password := app.DemoPassword
		for i := range 8 {
			in, disabled := apitest.Race(login(e, user, password), status("disabled"))
			require.Equal(t, http.StatusOK, disabled.Status, "%s", disabled.Body)
			assert.Contains(t, []int{http.StatusOK, http.StatusForbidden}, in.Status, "%s", in.Body)
			require.Equal(t, http.StatusOK, status("active")().Status)
			if in.Status == http.StatusOK {
				assertSignedOut(t, e, in, "a login racing a disable")
			}

			own := e.Login(user, password)["access_token"].(string)
			next := fmt.Sprintf("Own-Choice-%d!", i)
			changed, disabled := apitest.Race(call(e, http.MethodPut, "/api/v1/me/password", own,
				map[string]string{"current_password": password, "new_password": next}), status("disabled"))
			require.Equal(t, http.StatusOK, disabled.Status, "%s", disabled.Body)
			require.Contains(t, []int{http.StatusOK, http.StatusUnauthorized}, changed.Status, "%s", changed.Body)
			require.Equal(t, http.StatusOK, status("active")().Status)
			if changed.Status == http.StatusOK {
				password = next
				assertSignedOut(t, e, changed, "a password change racing a disable")
			}
		}
	})
}

// Two refreshes with one token: at most one succeeds, and the reuse signs the session out.
// Concurrent wrong passwords are all counted: five lock the account.
func TestRefreshAndLockoutRaces(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for range 8 {
			tokens := e.Login("huayang-admin", app.DemoPassword)
			refresh := call(e, http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tokens["refresh_token"].(string)})
			a, b := apitest.Race(refresh, refresh)
			ok := 0
			for _, r := range []*apitest.Response{a, b} {
				if r.Status == http.StatusOK {
					ok++
					assertSignedOut(t, e, r, "the winner of a reused refresh")
				} else {
					assert.Equal(t, http.StatusUnauthorized, r.Status, "%s", r.Body)
				}
			}
			assert.LessOrEqual(t, ok, 1)
			assert.Equal(t, http.StatusUnauthorized, e.Call(http.MethodGet, "/api/v1/me", tokens["access_token"].(string), nil).Status)
		}

		var wg sync.WaitGroup
		statuses := make([]int, 5)
		for i := range statuses {
			wg.Add(1)
			go func() { defer wg.Done(); statuses[i] = login(e, "linxi-admin", "Wrong#Pass1")().Status }()
		}
		wg.Wait()
		assert.Contains(t, statuses, http.StatusLocked, "five failures at once lock the account: %v", statuses)
		assert.Equal(t, http.StatusLocked, login(e, "linxi-admin", app.DemoPassword)().Status)
	})
}

// An account created in, or moved to, a unit being deleted: either the delete wins (422
// unit_id) or it sees the account (409 unit.in_use).
func TestAccountInDeletedUnitRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		newUnit := func(code string) int64 {
			resp := e.Call(http.MethodPost, "/api/v1/units", admin, map[string]any{"parent_id": e.UnitID("huayang"), "code": code, "name": code, "kind": "other"})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			return int64(resp.Map(t)["id"].(float64))
		}
		unitPath := func(id int64) string { return fmt.Sprintf("/api/v1/units/%d", id) }
		moving := fmt.Sprintf("/api/v1/accounts/%d", e.AccountID("auditor"))
		want := func(created int) [][2]int {
			return [][2]int{{http.StatusNoContent, http.StatusUnprocessableEntity}, {http.StatusConflict, created}}
		}
		for i := range 8 {
			unitID := newUnit(fmt.Sprintf("race-%d", i))
			deleted, created := apitest.Race(call(e, http.MethodDelete, unitPath(unitID), admin, nil), call(e, http.MethodPost, "/api/v1/accounts", admin,
				map[string]any{"username": fmt.Sprintf("race-%d", i), "display_name": "并发", "role": "lecturer", "unit_id": unitID}))
			assert.Contains(t, want(http.StatusCreated), [2]int{deleted.Status, created.Status}, "delete and create in: %s", created.Body)

			unitID = newUnit(fmt.Sprintf("race-m%d", i))
			deleted, moved := apitest.Race(call(e, http.MethodDelete, unitPath(unitID), admin, nil), call(e, http.MethodPatch, moving, admin, map[string]any{"unit_id": unitID}))
			assert.Contains(t, want(http.StatusOK), [2]int{deleted.Status, moved.Status}, "delete and move into: %s", moved.Body)
			if moved.Status == http.StatusOK {
				require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, moving, admin, map[string]any{"unit_id": e.UnitID("jixi")}).Status)
			}
		}
	})
}
