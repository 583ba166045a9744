package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/integration"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/server"
)

// tokensForEveryRole logs in one account of each role (creating the roles the seed lacks).
func tokensForEveryRole(t *testing.T, e *apitest.Env) map[auth.Role]string {
	t.Helper()
	unitID := e.UnitID("huayang")
	for _, r := range []auth.Role{auth.RoleLearner, auth.RoleParticipant} {
		_, err := e.App.Accounts.Provision(context.Background(), account.ProvisionInput{
			Username: "probe-" + string(r), DisplayName: string(r), Role: r, UnitID: unitID, Password: app.DemoPassword,
		})
		require.NoError(t, err)
	}
	return map[auth.Role]string{
		auth.RoleAdmin:       e.Token("huayang-admin"),
		auth.RoleLecturer:    e.Token("lecturer-wang"),
		auth.RoleAuditor:     e.Token("auditor"),
		auth.RoleLearner:     e.Token("probe-learner"),
		auth.RoleParticipant: e.Token("probe-participant"),
		// An integration client holding every scope: routes that do not admit integrators
		// still refuse it.
		auth.RoleIntegrator: e.ClientToken(e.CreateClient("huayang", integration.AllScopes()...), ""),
	}
}

func concrete(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "1"
		}
	}
	return strings.Join(parts, "/")
}

// Every non-public route answers 401 without a token, and 403 (or 404) to every role its guard
// excludes; every route is in the OpenAPI document (apitest checks each answer against it).
func TestRouteTableGuards(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tokens := tokensForEveryRole(t, e)
		var routes []server.Route = e.App.Server.Routes(server.Handlers{})
		require.NotEmpty(t, routes)
		for _, r := range routes {
			path := concrete(r.Path)
			if r.Access.Public {
				continue
			}
			resp := e.Call(r.Method, path, "", nil)
			assert.Equal(t, http.StatusUnauthorized, resp.Status, "%s %s without a token", r.Method, r.Path)
			assert.Equal(t, "auth.unauthenticated", resp.ErrorCode(), "%s %s", r.Method, r.Path)

			for _, role := range auth.AllRoles() {
				if r.Access.Allows(role) {
					continue
				}
				resp := e.Call(r.Method, path, tokens[role], map[string]any{})
				assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, resp.Status, "%s %s as %s", r.Method, r.Path, role)
			}
		}
	})
}

// Every route registered on the engine is in the route table (nothing bypasses routes.go).
func TestEngineRoutesAreAllInTheTable(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		table := map[string]bool{}
		for _, r := range e.App.Server.Routes(server.Handlers{}) {
			table[r.Method+" "+r.Path] = true
		}
		ops := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /swagger/*any": true, "GET /": true}
		for _, r := range e.App.Server.Engine().Routes() {
			key := r.Method + " " + r.Path
			assert.True(t, table[key] || ops[key], "%s is registered outside the route table", key)
		}
	})
}
