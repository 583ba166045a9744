package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/integration"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/study"
	"github.com/xuefa/xuefa/internal/unit"
)

// Handlers are every domain's HTTP handlers.
type Handlers struct {
	Accounts    *account.Handler
	Units       *unit.Handler
	Audit       *audit.Handler
	Learners    *learner.Handler
	Campaigns   *campaign.Handler
	Credits     *credit.Handler
	Study       *study.Handler
	Events      *event.Handler
	Integration *integration.Handler
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
	machine  = auth.RoleIntegrator
)

// Scopes an integrator's token needs on the routes that admit integrators.
const (
	unitsRead      = integration.ScopeUnitsRead
	learnersRead   = integration.ScopeLearnersRead
	learnersWrite  = integration.ScopeLearnersWrite
	creditsRead    = integration.ScopeCreditsRead
	eventsRead     = integration.ScopeEventsRead
	webhooksManage = integration.ScopeWebhooksManage
)

// Routes lists every endpoint under /api/v1 with its guard, one line each.
func (s *Server) Routes(h Handlers) []Route {
	return []Route{
		{http.MethodPost, "/api/v1/auth/login", public(), h.Accounts.Login},
		{http.MethodPost, "/api/v1/auth/refresh", public(), h.Accounts.Refresh},
		{http.MethodPost, "/api/v1/auth/token", public(), h.Integration.Token},
		{http.MethodPost, "/api/v1/auth/logout", passwordChange(), h.Accounts.Logout},
		{http.MethodGet, "/api/v1/me", passwordChange(), h.Accounts.Me},
		{http.MethodPut, "/api/v1/me/password", passwordChange(), h.Accounts.ChangePassword},

		{http.MethodGet, "/api/v1/units", only(admin, machine).scoped(unitsRead), h.Units.List},
		{http.MethodPost, "/api/v1/units", only(admin), h.Units.Create},
		{http.MethodGet, "/api/v1/units/:id", only(admin, machine).scoped(unitsRead), h.Units.Get},
		{http.MethodPatch, "/api/v1/units/:id", only(admin), h.Units.Update},
		{http.MethodDelete, "/api/v1/units/:id", only(admin), h.Units.Delete},

		{http.MethodGet, "/api/v1/accounts", only(admin), h.Accounts.List},
		{http.MethodPost, "/api/v1/accounts", only(admin), h.Accounts.Create},
		{http.MethodGet, "/api/v1/accounts/:id", only(admin), h.Accounts.Get},
		{http.MethodPatch, "/api/v1/accounts/:id", only(admin), h.Accounts.Update},
		{http.MethodPost, "/api/v1/accounts/:id/password-reset", only(admin), h.Accounts.ResetPassword},

		{http.MethodGet, "/api/v1/learners", only(admin, machine).scoped(learnersRead), h.Learners.List},
		{http.MethodPost, "/api/v1/learners", only(admin), h.Learners.Create},
		{http.MethodGet, "/api/v1/learners/:id", only(admin, machine).scoped(learnersRead), h.Learners.Get},
		{http.MethodPatch, "/api/v1/learners/:id", only(admin), h.Learners.Update},
		{http.MethodPost, "/api/v1/learners/:id/leave", only(admin), h.Learners.Leave},
		{http.MethodGet, "/api/v1/learners/:id/pii", only(admin), h.Learners.PII},

		{http.MethodGet, "/api/v1/learners/:id/credits", only(admin, machine).scoped(creditsRead), h.Credits.LearnerCredits},

		{http.MethodGet, "/api/v1/campaigns", only(admin, lecturer, student), h.Campaigns.List},
		{http.MethodPost, "/api/v1/campaigns", only(admin), h.Campaigns.Create},
		{http.MethodGet, "/api/v1/campaigns/:id", only(admin, lecturer, student), h.Campaigns.Get},
		{http.MethodPatch, "/api/v1/campaigns/:id", only(admin), h.Campaigns.Update},

		{http.MethodGet, "/api/v1/me/credits", only(student), h.Credits.Mine},
		{http.MethodGet, "/api/v1/me/credits/ledger", only(student), h.Credits.MyLedger},
		{http.MethodPost, "/api/v1/credits/adjustments", only(admin), h.Credits.Adjust},
		{http.MethodGet, "/api/v1/credits/leaderboard", only(admin, machine).scoped(creditsRead), h.Credits.Leaderboard},

		{http.MethodGet, "/api/v1/courses", only(admin), h.Study.ListCourses},
		{http.MethodPost, "/api/v1/courses", only(admin), h.Study.CreateCourse},
		{http.MethodGet, "/api/v1/courses/:id", only(admin, student), h.Study.GetCourse},
		{http.MethodPatch, "/api/v1/courses/:id", only(admin), h.Study.UpdateCourse},
		{http.MethodPost, "/api/v1/courses/:id/sessions", only(student), h.Study.Start},
		{http.MethodPut, "/api/v1/study-sessions/:id/heartbeat", only(student), h.Study.Heartbeat},
		{http.MethodPost, "/api/v1/study-sessions/:id/finish", only(student), h.Study.Finish},
		{http.MethodGet, "/api/v1/me/courses", only(student), h.Study.MyCourses},

		{http.MethodGet, "/api/v1/events", only(admin, lecturer, machine).scoped(eventsRead), h.Events.List},
		{http.MethodPost, "/api/v1/events", only(admin), h.Events.Create},
		{http.MethodGet, "/api/v1/events/stats", only(admin, machine).scoped(eventsRead), h.Events.Stats},
		{http.MethodGet, "/api/v1/events/:id", only(admin, lecturer, student, machine).scoped(eventsRead), h.Events.Get},
		{http.MethodPut, "/api/v1/events/:id", only(admin), h.Events.Replace},
		{http.MethodPost, "/api/v1/events/:id/registrations", only(student), h.Events.Register},
		{http.MethodDelete, "/api/v1/events/:id/registrations/me", only(student), h.Events.CancelRegistration},
		{http.MethodGet, "/api/v1/events/:id/registrations", only(admin, lecturer), h.Events.Registrations},
		{http.MethodGet, "/api/v1/events/:id/checkin-code", only(admin, lecturer), h.Events.CheckinCode},
		{http.MethodPost, "/api/v1/events/:id/checkins", only(student), h.Events.Checkin},
		{http.MethodPost, "/api/v1/events/:id/attendance", only(admin, lecturer), h.Events.MarkAttendance},
		{http.MethodGet, "/api/v1/events/:id/attendance", only(admin, lecturer), h.Events.Attendance},
		{http.MethodPut, "/api/v1/events/:id/summary", only(admin, lecturer), h.Events.SaveSummary},
		{http.MethodGet, "/api/v1/me/events", only(student), h.Events.MyEvents},

		{http.MethodGet, "/api/v1/audit-logs", only(admin, auditor), h.Audit.List},

		{http.MethodGet, "/api/v1/integration/clients", only(admin), h.Integration.ListClients},
		{http.MethodPost, "/api/v1/integration/clients", only(admin), h.Integration.CreateClient},
		{http.MethodGet, "/api/v1/integration/clients/:id", only(admin), h.Integration.GetClient},
		{http.MethodPatch, "/api/v1/integration/clients/:id", only(admin), h.Integration.UpdateClient},
		{http.MethodPost, "/api/v1/integration/clients/:id/secret", only(admin), h.Integration.RotateSecret},
		{http.MethodPost, "/api/v1/integration/clients/:id/disable", only(admin), h.Integration.DisableClient},
		{http.MethodPut, "/api/v1/integration/learners", only(admin, machine).scoped(learnersWrite), h.Learners.Sync},
		{http.MethodGet, "/api/v1/integration/webhooks", only(admin, machine).scoped(webhooksManage), h.Integration.ListWebhooks},
		{http.MethodPost, "/api/v1/integration/webhooks", only(admin, machine).scoped(webhooksManage), h.Integration.CreateWebhook},
		{http.MethodGet, "/api/v1/integration/webhooks/:id", only(admin, machine).scoped(webhooksManage), h.Integration.GetWebhook},
		{http.MethodPatch, "/api/v1/integration/webhooks/:id", only(admin, machine).scoped(webhooksManage), h.Integration.UpdateWebhook},
		{http.MethodDelete, "/api/v1/integration/webhooks/:id", only(admin, machine).scoped(webhooksManage), h.Integration.DeleteWebhook},
		{http.MethodGet, "/api/v1/integration/webhooks/:id/deliveries", only(admin, machine).scoped(webhooksManage), h.Integration.Deliveries},
		{http.MethodPost, "/api/v1/integration/webhooks/:id/deliveries/:delivery_id/redeliver", only(admin, machine).scoped(webhooksManage), h.Integration.Redeliver},

		{http.MethodGet, "/api/v1/openapi.json", public(), s.openAPI},
	}
}
