package server

import (
	"context"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Access is a route's guard.
type Access struct {
	Public bool
	// Roles may call the route; empty with Public false means any authenticated role.
	Roles []auth.Role
	// BeforePasswordChange lets accounts that must change their password through.
	BeforePasswordChange bool
	// BodyLimit, when positive, replaces the server's default request-body limit (uploads).
	BodyLimit int64
	// Scope an integrator's token must carry to call the route (integrators only; other
	// roles are unaffected). An integrator may never call a route without one.
	Scope string
}

func public() Access                 { return Access{Public: true} }
func signedIn() Access               { return Access{} }
func only(roles ...auth.Role) Access { return Access{Roles: roles} }
func passwordChange() Access         { return Access{BeforePasswordChange: true} }

// upTo lets the route take bodies up to limit bytes instead of the server's default (uploads).
func (a Access) upTo(limit int64) Access { a.BodyLimit = limit; return a }

// scoped names the scope integrators need on the route.
func (a Access) scoped(scope string) Access { a.Scope = scope; return a }

// Allows reports whether the role may call a route with this guard (for integrators, given
// the route's scope: see Permits).
func (a Access) Allows(r auth.Role) bool {
	if r == auth.RoleIntegrator && a.Scope == "" {
		return false
	}
	return len(a.Roles) == 0 || slices.Contains(a.Roles, r)
}

// Permits reports whether the actor may call the route: its role is allowed and, for an
// integrator, its token carries the route's scope.
func (a Access) Permits(actor auth.Actor) bool {
	if !a.Allows(actor.Role) {
		return false
	}
	return actor.Role != auth.RoleIntegrator || actor.HasScope(a.Scope)
}

// Authenticator turns verified token claims into an Actor checked against current state.
type Authenticator interface {
	Authenticate(ctx context.Context, c *auth.Claims) (auth.Actor, error)
}

var (
	errPasswordChangeRequired = apperr.Forbidden("auth.password_change_required", "请先修改初始密码")
	errScopeMissing           = apperr.Forbidden("auth.scope_missing", "客户端未获授权访问此接口")
	errBadToken               = apperr.Unauthorized("auth.invalid_token", "登录凭证无效或已过期，请重新登录")
)

// guard authenticates the bearer token and enforces the route's Access.
func guard(a Access, issuer *auth.Issuer, authn Authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		raw := bearerToken(c)
		if raw == "" {
			httpx.Fail(c, apperr.ErrUnauthenticated)
			return
		}
		claims, err := issuer.Verify(raw)
		if err != nil {
			httpx.Fail(c, errBadToken)
			return
		}
		actor, err := authn.Authenticate(c.Request.Context(), claims)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		httpx.SetActor(c, actor)
		if actor.MustChangePassword && !a.BeforePasswordChange {
			httpx.Fail(c, errPasswordChangeRequired)
			return
		}
		if !a.Allows(actor.Role) {
			httpx.Fail(c, apperr.ErrForbidden)
			return
		}
		if !a.Permits(actor) {
			httpx.Fail(c, errScopeMissing.WithFields(apperr.Field("scope", "需要授权范围 "+a.Scope)))
			return
		}
		c.Next()
	}
}
