package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/unit"
)

// Handlers are every domain's HTTP handlers.
type Handlers struct {
	Accounts *account.Handler
	Units    *unit.Handler
	Audit    *audit.Handler
	Learners *learner.Handler
}

// Route is one endpoint and its guard. Every route of the API is listed in Routes, so the
// whole authorization policy reads in this one file.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Handler gin.HandlerFunc
}

const (
	admin   = auth.RoleAdmin
	auditor = auth.RoleAuditor

	// uploadLimit is the body limit of file imports: a 20,000-row sheet with room to spare.
	uploadLimit = 10 << 20
)

// Routes lists every endpoint under /api/v1 with its guard, one line each.
func (s *Server) Routes(h Handlers) []Route {
	return []Route{
		{http.MethodPost, "/api/v1/auth/login", public(), h.Accounts.Login},
		{http.MethodPost, "/api/v1/auth/refresh", public(), h.Accounts.Refresh},
		{http.MethodPost, "/api/v1/auth/logout", passwordChange(), h.Accounts.Logout},
		{http.MethodGet, "/api/v1/me", passwordChange(), h.Accounts.Me},
		{http.MethodPut, "/api/v1/me/password", passwordChange(), h.Accounts.ChangePassword},

		{http.MethodGet, "/api/v1/units", only(admin), h.Units.List},
		{http.MethodPost, "/api/v1/units", only(admin), h.Units.Create},
		{http.MethodGet, "/api/v1/units/:id", only(admin), h.Units.Get},
		{http.MethodPatch, "/api/v1/units/:id", only(admin), h.Units.Update},
		{http.MethodDelete, "/api/v1/units/:id", only(admin), h.Units.Delete},

		{http.MethodGet, "/api/v1/accounts", only(admin), h.Accounts.List},
		{http.MethodPost, "/api/v1/accounts", only(admin), h.Accounts.Create},
		{http.MethodGet, "/api/v1/accounts/:id", only(admin), h.Accounts.Get},
		{http.MethodPatch, "/api/v1/accounts/:id", only(admin), h.Accounts.Update},
		{http.MethodPost, "/api/v1/accounts/:id/password-reset", only(admin), h.Accounts.ResetPassword},

		{http.MethodGet, "/api/v1/learners", only(admin), h.Learners.List},
		{http.MethodPost, "/api/v1/learners", only(admin), h.Learners.Create},
		{http.MethodGet, "/api/v1/learners/import-template", only(admin), h.Learners.ImportTemplate},
		{http.MethodPost, "/api/v1/learners/import", only(admin).upTo(uploadLimit), h.Learners.Import},
		{http.MethodGet, "/api/v1/learners/export", only(admin), h.Learners.Export},
		{http.MethodGet, "/api/v1/learners/:id", only(admin), h.Learners.Get},
		{http.MethodPatch, "/api/v1/learners/:id", only(admin), h.Learners.Update},
		{http.MethodPost, "/api/v1/learners/:id/leave", only(admin), h.Learners.Leave},
		{http.MethodGet, "/api/v1/learners/:id/pii", only(admin), h.Learners.PII},
		{http.MethodPost, "/api/v1/learners/:id/password-reset", only(admin), h.Learners.ResetPassword},

		{http.MethodGet, "/api/v1/audit-logs", only(admin, auditor), h.Audit.List},

		{http.MethodGet, "/api/v1/openapi.json", public(), s.openAPI},
	}
}
