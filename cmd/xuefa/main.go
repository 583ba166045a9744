// Command xuefa is the law-study month platform API server.
//
//	@title						xuefa API
//	@version					1.0
//	@description				JSON REST API of the county's 机关集中学法月 (law-study month): accounts, units, roles and audit today; learners, credits, exams, events and the New-Year quiz as they land. Errors use one envelope {"error": {"code", "message", "fields"}, "request_id"}; lists use {"items", "total", "page", "page_size"}. See api/README.md for the auth flow and error codes.
//	@BasePath					/
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by an access token from POST /api/v1/auth/login.
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
