package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/server"
)

// Version is set by main from its build-time ldflags.
type Version string

const usage = `usage: xuefa [serve|migrate up|migrate down|migrate status|seed|version|healthcheck|help] [--config FILE]

  serve        run the API server (default). In dev mode it migrates and seeds an empty database.
  migrate      up | down | status: apply, roll back one, or list migrations
  seed         fill an empty database with a demo county and print the logins
  version      print the version (also --version)
  help         print this (also --help)
  healthcheck  exit 0 when the local server's /healthz answers 200 (for container HEALTHCHECK)

Settings: defaults < configs/xuefa.yaml (or --config FILE) < XUEFA_* environment variables.
`

// Run is the whole program; main only calls it with the process's arguments and environment.
// It exits 0 on success, 1 when the command failed and 2 when it was used wrongly.
func Run(ctx context.Context, version Version, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "serve", "migrate", "seed", "healthcheck":
	default:
		return usageError(stderr, fmt.Sprintf("unknown command %q", cmd))
	}
	sub := ""
	if cmd == "migrate" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return usageError(stderr, "migrate needs a step: up, down or status")
		}
		sub, rest = rest[0], rest[1:]
		if sub != "up" && sub != "down" && sub != "status" {
			return usageError(stderr, fmt.Sprintf("unknown migrate step %q (up, down or status)", sub))
		}
	}
	fs := flag.NewFlagSet("xuefa "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configPath := fs.String("config", "", "YAML config file (default configs/xuefa.yaml when present)")
	showVersion := fs.Bool("version", false, "print the version")
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		return usageError(stderr, err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	switch {
	case cmd == "version" || *showVersion:
		fmt.Fprintln(stdout, "xuefa", version)
		return 0
	case cmd == "healthcheck":
		return healthcheck(ctx, getenv, *configPath, stderr)
	}
	cfg, err := loadConfig(*configPath, getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	log := newLogger(stderr, cfg.Log.Level)
	if err := runWithConfig(ctx, cmd, sub, cfg, log, stdout); err != nil {
		log.Error(cmd+" failed", "error", err.Error())
		return 1
	}
	return 0
}

// usageError says what was wrong, then how to use the program, and exits 2.
func usageError(stderr io.Writer, problem string) int {
	fmt.Fprintf(stderr, "xuefa: %s\n\n%s", problem, usage)
	return 2
}

func runWithConfig(ctx context.Context, cmd, sub string, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	a, err := New(cfg, log, Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	switch cmd {
	case "migrate":
		return a.migrate(ctx, sub, stdout)
	case "seed":
		if err := database.Migrate(ctx, a.DB); err != nil {
			return err
		}
		if err := a.SeedDemo(ctx, stdout); err != nil {
			return err
		}
		return a.EnsureRoot(ctx, stdout)
	default:
		log.Info("starting", "config", cfg.Masked())
		// Take the address first: a port in use is reported before any migrating or seeding.
		ln, err := net.Listen("tcp", cfg.HTTP.Addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		if cfg.HTTP.MetricsAddr != "" {
			metrics, err := net.Listen("tcp", cfg.HTTP.MetricsAddr)
			if err != nil {
				return fmt.Errorf("http.metrics_addr: %w", err)
			}
			defer metrics.Close()
			go a.ServeMetrics(ctx, metrics)
		} else if !cfg.MetricsOnAPI() {
			log.Warn("metrics are not served: set http.metrics_addr (e.g. 127.0.0.1:9090) to scrape them")
		}
		if err := a.prepare(ctx, stdout); err != nil {
			return err
		}
		return a.Serve(ctx, ln)
	}
}

// prepare migrates and seeds in dev mode, and always makes sure the root admin exists.
func (a *App) prepare(ctx context.Context, stdout io.Writer) error {
	if a.Config.Mode == config.ModeDev {
		if err := database.Migrate(ctx, a.DB); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := a.SeedDemo(ctx, stdout); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	if a.Config.Mode == config.ModeProduction && a.Config.Bootstrap.AdminPassword != "" {
		if msg := auth.CheckPolicy(a.Config.Bootstrap.AdminPassword); msg != "" {
			return fmt.Errorf("bootstrap.admin_password: %s", msg)
		}
	}
	if err := a.EnsureRoot(ctx, stdout); err != nil {
		return fmt.Errorf("bootstrap (in production run `xuefa migrate up` first): %w", err)
	}
	return nil
}

func (a *App) migrate(ctx context.Context, sub string, stdout io.Writer) error {
	m, err := database.NewMigrator(a.DB)
	if err != nil {
		return err
	}
	switch sub {
	case "up":
		if err := m.Up(ctx); err != nil {
			return err
		}
		return m.Status(ctx, stdout)
	case "down":
		return m.Down(ctx)
	case "status":
		return m.Status(ctx, stdout)
	default:
		return fmt.Errorf("migrate: unknown step %q (up, down, status)", sub)
	}
}

// Serve answers on ln until ctx ends, then shuts down gracefully: readiness turns 503 at once,
// in-flight requests finish within http.shutdown_timeout, then the caller closes the pool.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Background work runs beside the server and stops with it: the reminder scheduler and the
	// webhook dispatcher and the exam deadline sweeper.
	workers, stopWorkers := context.WithCancel(context.Background())
	var background sync.WaitGroup
	background.Add(3)
	go func() {
		defer background.Done()
		if err := a.Reminders.Schedule(workers); err != nil {
			a.Log.Error("reminder scheduler", "error", err.Error())
		}
	}()
	go func() {
		defer background.Done()
		a.Dispatcher.Run(workers, a.Config.Integration.DispatchInterval.Std())
	}()
	go func() {
		defer background.Done()
		a.Exams.RunSweeper(workers, a.Log)
	}()
	defer func() {
		stopWorkers()
		background.Wait()
	}()
	a.Log.Info("listening", "addr", ln.Addr().String(), "swagger", swaggerURL(ln.Addr()),
		"mode", a.Config.Mode, "database", a.Config.Database.Driver)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Server.SetReady(false)
	a.Log.Info("shutting down", "timeout", a.Config.HTTP.ShutdownTimeout.Std().String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.Config.HTTP.ShutdownTimeout.Std())
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.Log.Info("stopped")
	return nil
}

// swaggerURL is where a person on this machine opens the API docs.
func swaggerURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return server.SwaggerPath
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + server.SwaggerPath
}

// ServeMetrics answers /metrics on ln until ctx ends (production keeps it off the API listener).
func (a *App) ServeMetrics(ctx context.Context, ln net.Listener) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Server.MetricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	a.Log.Info("metrics listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.Log.Error("metrics server", "error", err.Error())
	}
}

func loadConfig(path string, getenv func(string) string) (config.Config, error) {
	if path == "" {
		path = getenv("XUEFA_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat("configs/xuefa.yaml"); err == nil {
			path = "configs/xuefa.yaml"
		}
	}
	return config.Load(path, getenv)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// healthcheck asks the local server's /healthz, for container health checks.
func healthcheck(ctx context.Context, getenv func(string) string, configPath string, stderr io.Writer) int {
	cfg, err := loadConfig(configPath, getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	_, port, err := net.SplitHostPort(cfg.HTTP.Addr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "healthz:", resp.Status)
		return 1
	}
	return 0
}
