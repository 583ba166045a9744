package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/certificate"
	"github.com/xuefa/xuefa/internal/consultation"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/integration"
	"github.com/xuefa/xuefa/internal/lawreport"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/practice"
	"github.com/xuefa/xuefa/internal/questionbank"
	"github.com/xuefa/xuefa/internal/quiz"
	"github.com/xuefa/xuefa/internal/reminder"
	"github.com/xuefa/xuefa/internal/study"
	"github.com/xuefa/xuefa/internal/supervision"
	"github.com/xuefa/xuefa/internal/unit"
	"github.com/xuefa/xuefa/internal/wechat"
	"github.com/xuefa/xuefa/internal/yearend"
)

// Handlers are every domain's HTTP handlers.
type Handlers struct {
	Accounts      *account.Handler
	Units         *unit.Handler
	Audit         *audit.Handler
	Learners      *learner.Handler
	Campaigns     *campaign.Handler
	Credits       *credit.Handler
	Study         *study.Handler
	Events        *event.Handler
	Oversight     *supervision.Handler
	Reminders     *reminder.Handler
	Banks         *questionbank.Handler
	Practice      *practice.Handler
	LawReports    *lawreport.Handler
	Consultations *consultation.Handler
	Integration   *integration.Handler
	WeChat        *wechat.Handler
	Quiz          *quiz.Handler
	Exams         *exam.Handler
	YearEnd       *yearend.Handler
	Certificates  *certificate.Handler
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
	player   = auth.RoleParticipant

	// uploadLimit is the body limit of file imports: a 20,000-row sheet with room to spare.
	uploadLimit = 10 << 20
)

// Scopes an integrator's token needs on the routes that admit integrators.
const (
	unitsRead      = integration.ScopeUnitsRead
	learnersRead   = integration.ScopeLearnersRead
	learnersWrite  = integration.ScopeLearnersWrite
	creditsRead    = integration.ScopeCreditsRead
	eventsRead     = integration.ScopeEventsRead
	examsRead      = integration.ScopeExamsRead
	webhooksManage = integration.ScopeWebhooksManage
	resultsRead    = integration.ScopeResultsRead
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

		{http.MethodPost, "/api/v1/auth/wechat", public(), h.WeChat.Login},
		{http.MethodPost, "/api/v1/auth/wechat/bind", only(auth.RoleParticipant), h.WeChat.Bind},
		{http.MethodDelete, "/api/v1/auth/wechat/bind", only(student), h.WeChat.Unbind},
		{http.MethodGet, "/api/v1/me/wechat-subscriptions", only(student), h.WeChat.Subscriptions},
		{http.MethodPut, "/api/v1/me/wechat-subscriptions", only(student), h.WeChat.RecordSubscriptions},

		{http.MethodGet, "/api/v1/units", only(admin, machine).scoped(unitsRead), h.Units.List},
		{http.MethodPost, "/api/v1/units", only(admin), h.Units.Create},
		{http.MethodGet, "/api/v1/units/ranking", only(admin), h.Oversight.Ranking},
		{http.MethodGet, "/api/v1/units/:id", only(admin, machine).scoped(unitsRead), h.Units.Get},
		{http.MethodGet, "/api/v1/units/:id/dashboard", only(admin), h.Oversight.Dashboard},
		{http.MethodGet, "/api/v1/units/:id/lagging", only(admin), h.Oversight.Lagging},
		{http.MethodGet, "/api/v1/units/:id/lagging/export", only(admin), h.Oversight.ExportLagging},
		{http.MethodPatch, "/api/v1/units/:id", only(admin), h.Units.Update},
		{http.MethodDelete, "/api/v1/units/:id", only(admin), h.Units.Delete},

		{http.MethodGet, "/api/v1/accounts", only(admin), h.Accounts.List},
		{http.MethodPost, "/api/v1/accounts", only(admin), h.Accounts.Create},
		{http.MethodGet, "/api/v1/accounts/:id", only(admin), h.Accounts.Get},
		{http.MethodPatch, "/api/v1/accounts/:id", only(admin), h.Accounts.Update},
		{http.MethodPost, "/api/v1/accounts/:id/password-reset", only(admin), h.Accounts.ResetPassword},

		{http.MethodGet, "/api/v1/learners", only(admin, machine).scoped(learnersRead), h.Learners.List},
		{http.MethodPost, "/api/v1/learners", only(admin), h.Learners.Create},
		{http.MethodGet, "/api/v1/learners/import-template", only(admin), h.Learners.ImportTemplate},
		{http.MethodPost, "/api/v1/learners/import", only(admin).upTo(uploadLimit), h.Learners.Import},
		{http.MethodGet, "/api/v1/learners/export", only(admin), h.Learners.Export},
		{http.MethodGet, "/api/v1/learners/:id", only(admin, machine).scoped(learnersRead), h.Learners.Get},
		{http.MethodPatch, "/api/v1/learners/:id", only(admin), h.Learners.Update},
		{http.MethodPost, "/api/v1/learners/:id/leave", only(admin), h.Learners.Leave},
		{http.MethodGet, "/api/v1/learners/:id/pii", only(admin), h.Learners.PII},
		{http.MethodPost, "/api/v1/learners/:id/password-reset", only(admin), h.Learners.ResetPassword},

		{http.MethodGet, "/api/v1/learners/:id/credits", only(admin, machine).scoped(creditsRead), h.Credits.LearnerCredits},

		{http.MethodGet, "/api/v1/campaigns", only(admin, lecturer, student), h.Campaigns.List},
		{http.MethodPost, "/api/v1/campaigns", only(admin), h.Campaigns.Create},
		{http.MethodGet, "/api/v1/campaigns/:id", only(admin, lecturer, student), h.Campaigns.Get},
		{http.MethodPatch, "/api/v1/campaigns/:id", only(admin), h.Campaigns.Update},
		{http.MethodGet, "/api/v1/campaigns/:id/formula", only(admin), h.YearEnd.GetFormula},
		{http.MethodPut, "/api/v1/campaigns/:id/formula", only(admin), h.YearEnd.PutFormula},
		{http.MethodGet, "/api/v1/campaigns/:id/exemptions", only(admin), h.YearEnd.ListExemptions},
		{http.MethodPut, "/api/v1/campaigns/:id/exemptions/:learner_id", only(admin), h.YearEnd.PutExemption},
		{http.MethodDelete, "/api/v1/campaigns/:id/exemptions/:learner_id", only(admin), h.YearEnd.DeleteExemption},
		{http.MethodGet, "/api/v1/campaigns/:id/results", only(admin, machine).scoped(resultsRead), h.YearEnd.Results},
		{http.MethodGet, "/api/v1/me/year-result", only(student), h.YearEnd.MyYearResult},
		{http.MethodPost, "/api/v1/campaigns/:id/close", only(admin), h.YearEnd.CloseCampaign},
		{http.MethodPost, "/api/v1/campaigns/:id/reopen", only(admin), h.YearEnd.ReopenCampaign},
		{http.MethodGet, "/api/v1/campaigns/:id/closes", only(admin), h.YearEnd.ListCloses},
		{http.MethodGet, "/api/v1/campaigns/:id/report", only(admin, machine).scoped(resultsRead), h.YearEnd.Report},
		{http.MethodGet, "/api/v1/campaigns/:id/report/export", only(admin), h.YearEnd.ExportReport},
		{http.MethodGet, "/api/v1/campaigns/:id/results/export", only(admin), h.YearEnd.ExportResults},
		{http.MethodGet, "/api/v1/learners/:id/record", only(admin, machine).scoped(resultsRead), h.YearEnd.LearnerRecord},
		{http.MethodGet, "/api/v1/me/record", only(student), h.YearEnd.MyRecord},
		{http.MethodGet, "/api/v1/units/:id/record/export", only(admin), h.YearEnd.ExportUnitRecord},

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
		{http.MethodGet, "/api/v1/events/:id/attendance/export", only(admin, lecturer), h.Events.ExportAttendance},
		{http.MethodPut, "/api/v1/events/:id/summary", only(admin, lecturer), h.Events.SaveSummary},
		{http.MethodGet, "/api/v1/me/events", only(student), h.Events.MyEvents},

		{http.MethodPost, "/api/v1/reminders", only(admin), h.Reminders.Manual},
		{http.MethodGet, "/api/v1/reminders", only(admin), h.Reminders.List},
		{http.MethodGet, "/api/v1/reminders/effect", only(admin), h.Reminders.Effect},
		{http.MethodGet, "/api/v1/reminder-rules", only(admin), h.Reminders.ListRules},
		{http.MethodPost, "/api/v1/reminder-rules", only(admin), h.Reminders.CreateRule},
		{http.MethodGet, "/api/v1/reminder-rules/:id", only(admin), h.Reminders.GetRule},
		{http.MethodPut, "/api/v1/reminder-rules/:id", only(admin), h.Reminders.ReplaceRule},
		{http.MethodDelete, "/api/v1/reminder-rules/:id", only(admin), h.Reminders.DeleteRule},
		{http.MethodGet, "/api/v1/me/messages", signedIn(), h.Reminders.Inbox},
		{http.MethodPost, "/api/v1/me/messages/:id/read", signedIn(), h.Reminders.MarkRead},

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

		{http.MethodGet, "/api/v1/question-banks", only(admin, student), h.Banks.ListBanks},
		{http.MethodPost, "/api/v1/question-banks", only(admin), h.Banks.CreateBank},
		{http.MethodGet, "/api/v1/question-banks/:id", only(admin, student), h.Banks.GetBank},
		{http.MethodPatch, "/api/v1/question-banks/:id", only(admin), h.Banks.UpdateBank},
		{http.MethodDelete, "/api/v1/question-banks/:id", only(admin), h.Banks.DeleteBank},
		{http.MethodGet, "/api/v1/question-banks/:id/questions", only(admin), h.Banks.ListQuestions},
		{http.MethodPost, "/api/v1/question-banks/:id/questions", only(admin), h.Banks.CreateQuestion},
		{http.MethodPost, "/api/v1/question-banks/:id/questions/import", only(admin).upTo(questionbank.MaxImportBytes), h.Banks.Import},
		{http.MethodGet, "/api/v1/question-banks/:id/questions/export", only(admin), h.Banks.Export},
		{http.MethodGet, "/api/v1/questions/import-template", only(admin), h.Banks.Template},
		{http.MethodGet, "/api/v1/questions/:id", only(admin), h.Banks.GetQuestion},
		{http.MethodPatch, "/api/v1/questions/:id", only(admin), h.Banks.UpdateQuestion},
		{http.MethodDelete, "/api/v1/questions/:id", only(admin), h.Banks.DeleteQuestion},
		{http.MethodGet, "/api/v1/questions/:id/versions", only(admin), h.Banks.Versions},
		{http.MethodGet, "/api/v1/questions/:id/stats", only(admin), h.Banks.Stats},

		{http.MethodPost, "/api/v1/practice/sessions", only(student), h.Practice.Start},
		{http.MethodGet, "/api/v1/practice/sessions/:id", only(student), h.Practice.Get},
		{http.MethodPost, "/api/v1/practice/sessions/:id/answers", only(student), h.Practice.Answer},
		{http.MethodGet, "/api/v1/me/wrong-questions", only(student), h.Practice.ListWrong},
		{http.MethodDelete, "/api/v1/me/wrong-questions/:question_id", only(student), h.Practice.RemoveWrong},
		{http.MethodGet, "/api/v1/me/favourites", only(student), h.Practice.ListFavourites},
		{http.MethodPut, "/api/v1/me/favourites/:question_id", only(student), h.Practice.AddFavourite},
		{http.MethodDelete, "/api/v1/me/favourites/:question_id", only(student), h.Practice.RemoveFavourite},

		{http.MethodGet, "/api/v1/exams", only(admin, machine).scoped(examsRead), h.Exams.List},
		{http.MethodPost, "/api/v1/exams", only(admin), h.Exams.Create},
		{http.MethodGet, "/api/v1/exams/:id", only(admin, machine).scoped(examsRead), h.Exams.Get},
		{http.MethodPut, "/api/v1/exams/:id", only(admin), h.Exams.Replace},
		{http.MethodDelete, "/api/v1/exams/:id", only(admin), h.Exams.Delete},
		{http.MethodPost, "/api/v1/exams/:id/publish", only(admin), h.Exams.Publish},
		{http.MethodPost, "/api/v1/exams/:id/close", only(admin), h.Exams.Close},
		{http.MethodGet, "/api/v1/exams/:id/results", only(admin, machine).scoped(examsRead), h.Exams.Results},
		{http.MethodGet, "/api/v1/exams/:id/results/export", only(admin), h.Exams.ExportResults},
		{http.MethodGet, "/api/v1/exams/:id/stats", only(admin, machine).scoped(examsRead), h.Exams.Stats},
		{http.MethodPost, "/api/v1/exams/:id/attempts", only(student), h.Exams.Start},
		{http.MethodGet, "/api/v1/me/exams", only(student), h.Exams.MyExams},
		{http.MethodGet, "/api/v1/attempts/:id", only(student), h.Exams.GetAttempt},
		{http.MethodPut, "/api/v1/attempts/:id/answers/:question_id", only(student), h.Exams.SaveAnswer},
		{http.MethodPost, "/api/v1/attempts/:id/submit", only(student), h.Exams.Submit},
		{http.MethodGet, "/api/v1/attempts/:id/review", only(student), h.Exams.Review},

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

		{http.MethodPost, "/api/v1/quiz/activities", only(admin), h.Quiz.CreateActivity},
		{http.MethodGet, "/api/v1/quiz/activities", only(admin), h.Quiz.ListActivities},
		{http.MethodGet, "/api/v1/quiz/activities/:id", only(admin), h.Quiz.GetActivity},
		{http.MethodPatch, "/api/v1/quiz/activities/:id", only(admin), h.Quiz.UpdateActivity},
		{http.MethodDelete, "/api/v1/quiz/activities/:id", only(admin), h.Quiz.DeleteActivity},
		{http.MethodPost, "/api/v1/quiz/activities/:id/rounds", only(admin), h.Quiz.CreateRound},
		{http.MethodGet, "/api/v1/quiz/activities/:id/rounds", only(admin), h.Quiz.ListRounds},
		{http.MethodGet, "/api/v1/quiz/activities/:id/leaderboard", only(admin, student, player), h.Quiz.ActivityLeaderboard},
		{http.MethodGet, "/api/v1/quiz/rounds/current", only(student, player), h.Quiz.Current},
		{http.MethodPost, "/api/v1/quiz/rounds/:id/plays", only(student, player), h.Quiz.Start},
		{http.MethodGet, "/api/v1/quiz/rounds/:id/leaderboard", only(admin, student, player), h.Quiz.RoundLeaderboard},
		{http.MethodGet, "/api/v1/quiz/rounds/:id/flags", only(admin), h.Quiz.Flags},
		{http.MethodPost, "/api/v1/quiz/rounds/:id/close", only(admin), h.Quiz.Close},
		{http.MethodPost, "/api/v1/quiz/rounds/:id/draw", only(admin), h.Quiz.Draw},
		{http.MethodGet, "/api/v1/quiz/rounds/:id/draw", public(), h.Quiz.GetDraw},

		{http.MethodGet, "/api/v1/certificates/keys", public(), h.Certificates.Keys},
		{http.MethodGet, "/api/v1/certificates/:code", public(), h.Certificates.Get},
		{http.MethodPost, "/api/v1/certificates/:code/revoke", only(admin), h.Certificates.Revoke},
		{http.MethodGet, "/api/v1/me/certificates", only(student), h.Certificates.Mine},
		{http.MethodGet, "/api/v1/quiz/rounds/:id/prizes", only(admin), h.Quiz.RoundPrizes},
		{http.MethodGet, "/api/v1/quiz/rounds/:id/prizes/export", only(admin), h.Quiz.ExportPrizes},
		{http.MethodPost, "/api/v1/quiz/plays/:id/submit", only(student, player), h.Quiz.Submit},
		{http.MethodPost, "/api/v1/quiz/plays/:id/clear-flag", only(admin), h.Quiz.ClearFlag},
		{http.MethodGet, "/api/v1/me/prizes", only(student, player), h.Quiz.MyPrizes},
		{http.MethodPost, "/api/v1/me/prizes/:id/claim", only(student, player), h.Quiz.Claim},

		{http.MethodGet, "/api/v1/openapi.json", public(), s.openAPI},
	}
}

// RouteTable is the route list without handlers, for tools that describe the API (the
// OpenAPI generator reads every operation's roles and scope from it).
func RouteTable() []Route { return (&Server{}).Routes(Handlers{}) }
