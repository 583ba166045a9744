// Command xuefa is the law-study month platform API server.
//
//	@title						xuefa API
//	@version					1.0
//	@description				JSON REST API of the county's 机关集中学法月 (law-study month): accounts, units and roles; learners and credits; courses and study; question banks, practice and exams; law events, 述法 reports and consultations; supervision and reminders; the New-Year quiz; integration clients and webhooks. Errors use one envelope {"error": {"code", "message", "fields"}, "request_id"}; lists use {"items", "total", "page", "page_size"}. See api/README.md for the auth flow and error codes.
//	@BasePath					/
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by an access token from POST /api/v1/auth/login (people) or POST /api/v1/auth/token (integration clients).
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
