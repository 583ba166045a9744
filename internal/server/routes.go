package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/practice"
	"github.com/xuefa/xuefa/internal/questionbank"
	"github.com/xuefa/xuefa/internal/unit"
)

// Handlers are every domain's HTTP handlers.
type Handlers struct {
	Accounts *account.Handler
	Units    *unit.Handler
	Audit    *audit.Handler
	Banks    *questionbank.Handler
	Practice *practice.Handler
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
	learner = auth.RoleLearner
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

		{http.MethodGet, "/api/v1/audit-logs", only(admin, auditor), h.Audit.List},

		{http.MethodGet, "/api/v1/question-banks", only(admin, learner), h.Banks.ListBanks},
		{http.MethodPost, "/api/v1/question-banks", only(admin), h.Banks.CreateBank},
		{http.MethodGet, "/api/v1/question-banks/:id", only(admin, learner), h.Banks.GetBank},
		{http.MethodPatch, "/api/v1/question-banks/:id", only(admin), h.Banks.UpdateBank},
		{http.MethodDelete, "/api/v1/question-banks/:id", only(admin), h.Banks.DeleteBank},
		{http.MethodGet, "/api/v1/question-banks/:id/questions", only(admin), h.Banks.ListQuestions},
		{http.MethodPost, "/api/v1/question-banks/:id/questions", only(admin), h.Banks.CreateQuestion},
		{http.MethodPost, "/api/v1/question-banks/:id/questions/import", only(admin).upload(questionbank.MaxImportBytes), h.Banks.Import},
		{http.MethodGet, "/api/v1/question-banks/:id/questions/export", only(admin), h.Banks.Export},
		{http.MethodGet, "/api/v1/questions/import-template", only(admin), h.Banks.Template},
		{http.MethodGet, "/api/v1/questions/:id", only(admin), h.Banks.GetQuestion},
		{http.MethodPatch, "/api/v1/questions/:id", only(admin), h.Banks.UpdateQuestion},
		{http.MethodDelete, "/api/v1/questions/:id", only(admin), h.Banks.DeleteQuestion},
		{http.MethodGet, "/api/v1/questions/:id/versions", only(admin), h.Banks.Versions},
		{http.MethodGet, "/api/v1/questions/:id/stats", only(admin), h.Banks.Stats},

		{http.MethodPost, "/api/v1/practice/sessions", only(learner), h.Practice.Start},
		{http.MethodGet, "/api/v1/practice/sessions/:id", only(learner), h.Practice.Get},
		{http.MethodPost, "/api/v1/practice/sessions/:id/answers", only(learner), h.Practice.Answer},
		{http.MethodGet, "/api/v1/me/wrong-questions", only(learner), h.Practice.ListWrong},
		{http.MethodDelete, "/api/v1/me/wrong-questions/:question_id", only(learner), h.Practice.RemoveWrong},
		{http.MethodGet, "/api/v1/me/favourites", only(learner), h.Practice.ListFavourites},
		{http.MethodPut, "/api/v1/me/favourites/:question_id", only(learner), h.Practice.AddFavourite},
		{http.MethodDelete, "/api/v1/me/favourites/:question_id", only(learner), h.Practice.RemoveFavourite},

		{http.MethodGet, "/api/v1/openapi.json", public(), s.openAPI},
	}
}
