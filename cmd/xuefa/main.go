// Command xuefa is the law-study month platform API server.
//
//	@title						xuefa API
//	@version					1.0
//	@description				JSON REST API of the county's 机关集中学法月 (law-study month): accounts, units and roles; learners and credits; courses and study; question banks, practice and exams; law events, 述法 reports and consultations; supervision and reminders; the New-Year quiz; integration clients and webhooks. Errors use one envelope {"error": {"code", "message", "fields"}, "request_id"}; lists use {"items", "total", "page", "page_size"}. See api/README.md for the auth flow and error codes.
//	@license.name				Proprietary: the county's agencies and the integrators it admits
//	@license.url				TERMS.md
//	@BasePath					/
//
//	@tag.name					auth
//	@tag.description				Log in (password, WeChat), refresh and log out people; client-credentials tokens for integration clients.
//	@tag.name					me
//	@tag.description				The caller's own account, password and inbox; other /me endpoints sit with their domain.
//	@tag.name					accounts
//	@tag.description				Login accounts of admins, lecturers and auditors, scoped to the admin's unit subtree.
//	@tag.name					units
//	@tag.description				The unit tree (county → township/department → …) stored as materialised paths.
//	@tag.name					learners
//	@tag.description				State employees who study: records, tracks, imports and exports, encrypted personal data.
//	@tag.name					campaigns
//	@tag.description				One law-study month or year: dates, credit targets per track, credit rules, contacts.
//	@tag.name					credits
//	@tag.description				The append-only credit ledger (学分), standings, leaderboards and adjustments.
//	@tag.name					study
//	@tag.description				Courses and study sessions whose time is credited as the server sees it pass.
//	@tag.name					question-banks
//	@tag.description				Question banks owned by units.
//	@tag.name					questions
//	@tag.description				Versioned questions (single, multiple, judge, fill) with analysis and legal basis; imports.
//	@tag.name					practice
//	@tag.description				Practice sessions, the wrong-answer book (错题本) and favourites.
//	@tag.name					exams
//	@tag.description				Timed exams, make-ups, attempts with frozen papers, autosave, grading, results and statistics.
//	@tag.name					events
//	@tag.description				Law events (讲坛, 旁听庭审, 警示教育, 送法): registration, rotating-code check-in, attendance, summaries.
//	@tag.name					law-reports
//	@tag.description				Leaders' 述法 reports and their review.
//	@tag.name					consultations
//	@tag.description				Policy consultations asked by learners and the public, answered by admins.
//	@tag.name					supervision
//	@tag.description				Unit dashboards, rankings, lagging learners and reminders (rules, manual, effect).
//	@tag.name					year-end
//	@tag.description				Closing the year: the formula of the 年度成绩, exemptions, live and frozen results, close-out and reopen, unit reports and exports, the 学法档案.
//	@tag.name					quiz
//	@tag.description				The New-Year law micro-quiz: activities, rounds, plays, leaderboards, the provably fair draw, prizes.
//	@tag.name					certificates
//	@tag.description				Certificates of the year's target met: the public check of a code, the signing keys, revocation and the learner's own.
//	@tag.name					integration
//	@tag.description				Machine clients, their scopes and webhooks with signed deliveries.
//	@tag.name					audit
//	@tag.description				The append-only audit log.
//	@tag.name					ops
//	@tag.description				Health, readiness and the contract itself.
//
//	@securityDefinitions.oauth2.application	ClientCredentials
//	@tokenUrl								/api/v1/auth/token
//	@scope.learners:read					Read learners of the client's unit subtree
//	@scope.learners:write					Upsert learners by external id (HR sync)
//	@scope.credits:read						Read credits, standings and leaderboards
//	@scope.exams:read						Read exams and results
//	@scope.events:read						Read law events and their statistics
//	@scope.units:read						Read the unit tree
//	@scope.webhooks:manage					Manage the client's webhooks and read their delivery logs
//	@scope.results:read						Read the year's final results, unit reports and learners' 学法档案
//	@description							Integration clients (third-party systems): OAuth 2.0 client credentials. Send the token as "Authorization: Bearer <token>". See docs/integrators.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/xuefa/xuefa/internal/app"
)

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, app.Version(version), os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
