package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/consultation"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/lawreport"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/study"
	"github.com/xuefa/xuefa/internal/unit"
)

// Handlers are every domain's HTTP handlers.
type Handlers struct {
	Accounts  *account.Handler
	Units     *unit.Handler
	Audit     *audit.Handler
	Learners  *learner.Handler
	Campaigns *campaign.Handler
	Credits   *credit.Handler
	Study     *study.Handler
	// LawReports and Consultations serve 述法 reports and the consultation channel.
	LawReports    *lawreport.Handler
	Consultations *consultation.Handler
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
	admin    = auth.RoleAdmin
	auditor  = auth.RoleAuditor
	lecturer = auth.RoleLecturer
	student  = auth.RoleLearner
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
		{http.MethodGet, "/api/v1/learners/:id", only(admin), h.Learners.Get},
		{http.MethodPatch, "/api/v1/learners/:id", only(admin), h.Learners.Update},
		{http.MethodPost, "/api/v1/learners/:id/leave", only(admin), h.Learners.Leave},
		{http.MethodGet, "/api/v1/learners/:id/pii", only(admin), h.Learners.PII},

		{http.MethodGet, "/api/v1/learners/:id/credits", only(admin), h.Credits.LearnerCredits},

		{http.MethodGet, "/api/v1/campaigns", only(admin, lecturer, student), h.Campaigns.List},
		{http.MethodPost, "/api/v1/campaigns", only(admin), h.Campaigns.Create},
		{http.MethodGet, "/api/v1/campaigns/:id", only(admin, lecturer, student), h.Campaigns.Get},
		{http.MethodPatch, "/api/v1/campaigns/:id", only(admin), h.Campaigns.Update},

		{http.MethodGet, "/api/v1/me/credits", only(student), h.Credits.Mine},
		{http.MethodGet, "/api/v1/me/credits/ledger", only(student), h.Credits.MyLedger},
		{http.MethodPost, "/api/v1/credits/adjustments", only(admin), h.Credits.Adjust},
		{http.MethodGet, "/api/v1/credits/leaderboard", only(admin), h.Credits.Leaderboard},

		{http.MethodGet, "/api/v1/courses", only(admin), h.Study.ListCourses},
		{http.MethodPost, "/api/v1/courses", only(admin), h.Study.CreateCourse},
		{http.MethodGet, "/api/v1/courses/:id", only(admin, student), h.Study.GetCourse},
		{http.MethodPatch, "/api/v1/courses/:id", only(admin), h.Study.UpdateCourse},
		{http.MethodPost, "/api/v1/courses/:id/sessions", only(student), h.Study.Start},
		{http.MethodPut, "/api/v1/study-sessions/:id/heartbeat", only(student), h.Study.Heartbeat},
		{http.MethodPost, "/api/v1/study-sessions/:id/finish", only(student), h.Study.Finish},
		{http.MethodGet, "/api/v1/me/courses", only(student), h.Study.MyCourses},

		{http.MethodPost, "/api/v1/law-reports", only(admin, student), h.LawReports.Create},
		{http.MethodGet, "/api/v1/law-reports", only(admin, student), h.LawReports.List},
		{http.MethodGet, "/api/v1/law-reports/:id", only(admin, student), h.LawReports.Get},
		{http.MethodPut, "/api/v1/law-reports/:id", only(student), h.LawReports.Revise},
		{http.MethodPost, "/api/v1/law-reports/:id/reviews", only(admin), h.LawReports.Review},
		{http.MethodGet, "/api/v1/me/law-reports", only(student), h.LawReports.Mine},

		{http.MethodPost, "/api/v1/consultations", only(student, auth.RoleParticipant), h.Consultations.Ask},
		{http.MethodGet, "/api/v1/consultations", only(admin), h.Consultations.List},
		{http.MethodPost, "/api/v1/consultations/:id/answer", only(admin), h.Consultations.Answer},
		{http.MethodGet, "/api/v1/me/consultations", only(student, auth.RoleParticipant), h.Consultations.Mine},

		{http.MethodGet, "/api/v1/audit-logs", only(admin, auditor), h.Audit.List},

		{http.MethodGet, "/api/v1/openapi.json", public(), s.openAPI},
	}
}
