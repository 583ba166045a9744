// Command xuefa-bench is the load harness (docs/performance.md): `seed` fills a MariaDB/MySQL schema
// with a large realistic dataset using multi-row INSERTs, `run` serves the real API and a bare
// baseline next to it on loopback and drives named scenarios with vegeta, printing throughput,
// p50/p99/max and errors side by side, then EXPLAINs and times the hot queries.
//
//	go run ./cmd/xuefa-bench seed
//	go run ./cmd/xuefa-bench run
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// defaultDSN is the bench schema on the local MariaDB; XUEFA_BENCH_DSN or -dsn override it.
const defaultDSN = "root:@tcp(127.0.0.1:3306)/xuefa_bench?parseTime=true&loc=UTC&charset=utf8mb4"

const usage = `usage: xuefa-bench <command> [flags]

commands:
  seed   drop and recreate the bench schema, migrate, and bulk-load the dataset
  run    serve the API and the baseline on loopback and drive the scenarios
  quiz   seed its own schema (xuefa_bench_quiz) and measure the New-Year quiz: 10,000 play
         starts, submit against the INSERT baseline, leaderboard over 1,000,000 players
  exam   the exam scenario: examinees autosave, then all submit, then submits at saturation
  scan   time the daily lagging scan (the root unit's credits-lagging reminder rule)
  close  seed its own schema (xuefa_bench_close): learners with credit summaries, the year's
         exam and make-up with results, a formula; then time the campaign's close-out

Run "xuefa-bench <command> -h" for its flags. The DSN comes from -dsn, else XUEFA_BENCH_DSN,
else ` + defaultDSN + `
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet("xuefa-bench "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("dsn", firstNonEmpty(getenv("XUEFA_BENCH_DSN"), defaultDSN), "MariaDB/MySQL DSN of the bench schema")
	var err error
	switch cmd {
	case "seed":
		spec := seedSpec{}
		fs.IntVar(&spec.Learners, "learners", 100_000, "learners (each with an account) to add")
		fs.IntVar(&spec.Ledger, "ledger", 5_000_000, "credit_ledger rows to add (exactly)")
		fs.IntVar(&spec.ExtraUnits, "units", 200, "units to add under the demo county (at most 207)")
		fs.IntVar(&spec.Batch, "batch", 2000, "rows per INSERT statement")
		fs.IntVar(&spec.Writers, "writers", 2, "connections inserting at once")
		fs.Uint64Var(&spec.Seed, "seed", 1, "random seed (the dataset is reproducible)")
		fs.BoolVar(&spec.UniqueChecks, "unique-checks", true, "false: SET unique_checks=0 on the bulk sessions (measured: no gain, see docs/performance.md)")
		if err = fs.Parse(rest); err != nil {
			return 2
		}
		err = seedCommand(ctx, *dsn, spec, getenv, stdout)
	case "run":
		opts := runOptions{}
		fs.IntVar(&opts.Rate, "rate", 200, "requests per second of each scenario")
		fs.DurationVar(&opts.Duration, "duration", 15*time.Second, "measured duration of each scenario")
		fs.DurationVar(&opts.Warmup, "warmup", 3*time.Second, "unmeasured warm-up before each scenario, at the same rate")
		fs.StringVar(&opts.Scenarios, "scenarios", strings.Join(scenarioNames, ","), "comma-separated scenarios to run")
		fs.IntVar(&opts.Samples, "samples", 50, "learners to log in (spread over units)")
		fs.IntVar(&opts.Repeat, "repeat", 1, "measured runs of each scenario; the table keeps the one with the median p99")
		fs.BoolVar(&opts.Explain, "explain", true, "after the scenarios, EXPLAIN and time the queries of one request of each")
		fs.IntVar(&opts.Clients, "clients", 0, "> 0: saturate instead of a fixed rate, with this many clients (issue 21's ratios)")
		fs.IntVar(&opts.Requests, "requests", 20000, "requests of each saturated run (with -clients)")
		fs.IntVar(&opts.Rounds, "rounds", 1, "with -clients: run the whole list this many times, each scenario's ratio taken to its baseline of the same round (the median is printed)")
		fs.StringVar(&opts.Profile, "cpuprofile", "", "write a CPU profile of each scenario's measured run to this path + \".<scenario>\"")
		rateFor := fs.String("rate-for", "", "per-scenario rates overriding -rate, e.g. leaderboard-county=20,heartbeat=100")
		if err = fs.Parse(rest); err != nil {
			return 2
		}
		if opts.RateFor, err = parseRates(*rateFor); err != nil {
			fmt.Fprintln(stderr, "xuefa-bench:", err)
			return 2
		}
		err = runCommand(ctx, *dsn, opts, getenv, stdout)
	case "quiz":
		o := quizOptions{}
		fs.IntVar(&o.Participants, "participants", 10_000, "participants who log in, start and submit a play")
		fs.IntVar(&o.BoardRows, "board", 1_000_000, "players bulk-seeded on the round's leaderboard")
		fs.IntVar(&o.Workers, "workers", 64, "concurrent clients of the closed-loop scenarios")
		fs.DurationVar(&o.Duration, "duration", 30*time.Second, "cap of each closed-loop scenario")
		fs.IntVar(&o.BoardRate, "board-rate", 200, "requests per second of the leaderboard scenario")
		fs.DurationVar(&o.BoardFor, "board-duration", 15*time.Second, "duration of the leaderboard scenario")
		fs.IntVar(&o.Batch, "batch", 2000, "rows per INSERT statement")
		fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the submit run to this file")
		fs.DurationVar(&o.Slice, "slice", time.Second, "the submits alternate with the baseline INSERT in slices this long (0: the baseline for -duration, then the submits)")
		if err = fs.Parse(rest); err != nil {
			return 2
		}
		d := *dsn
		if d == defaultDSN {
			d = defaultQuizDSN
		}
		err = quizCommand(ctx, d, o, getenv, stdout)
	case "exam":
		opts := examOptions{Clients: []int{16, 64}}
		fs.IntVar(&opts.Examinees, "examinees", 2000, "learners sitting the exam at once")
		fs.DurationVar(&opts.AutosaveEvery, "autosave-every", 10*time.Second, "how often each examinee autosaves")
		fs.DurationVar(&opts.AutosaveFor, "autosave-for", 30*time.Second, "measured autosave duration")
		fs.DurationVar(&opts.SubmitWindow, "submit-window", 10*time.Second, "every examinee submits within this window")
		fs.Func("workers", "concurrent clients of each saturation round, comma-separated (default 16,64)", func(v string) (err error) {
			opts.Clients, err = intList(v)
			return err
		})
		fs.StringVar(&opts.CPUProfile, "cpuprofile", "", "write a CPU profile of the saturated submit run to this file")
		if err = fs.Parse(rest); err != nil {
			return 2
		}
		err = examCommand(ctx, *dsn, opts, getenv, stdout)
	case "scan":
		repeat := fs.Int("repeat", 3, "timed runs of the scan and of the rule")
		if err = fs.Parse(rest); err != nil {
			return 2
		}
		err = scanCommand(ctx, *dsn, *repeat, getenv, stdout)
	case "close":
		o := closeOptions{}
		fs.IntVar(&o.Seed.Learners, "learners", 100_000, "learners (each with an account) to add")
		fs.IntVar(&o.Seed.Ledger, "ledger", 500_000, "credit_ledger rows to add (exactly; they make the summaries the close reads)")
		fs.IntVar(&o.Seed.ExtraUnits, "units", 200, "units to add under the demo county (at most 207)")
		fs.IntVar(&o.Seed.Batch, "batch", 2000, "rows per INSERT statement")
		fs.IntVar(&o.Seed.Writers, "writers", 2, "connections inserting at once")
		fs.Uint64Var(&o.Seed.Seed, "seed", 1, "random seed (the dataset is reproducible)")
		fs.IntVar(&o.ExamShare, "exam-share", 92, "percent of learners with a result of the main exam")
		fs.IntVar(&o.Repeat, "repeat", 1, "closes to time, each after reopening the previous one")
		fs.BoolVar(&o.Reuse, "reuse", false, "keep the schema of an earlier run (no seeding): reopen its campaign and close it again")
		if err = fs.Parse(rest); err != nil {
			return 2
		}
		o.Seed.UniqueChecks = true
		d := *dsn
		if d == defaultDSN {
			d = defaultCloseDSN
		}
		err = closeCommand(ctx, d, o, getenv, stdout)
	case "-h", "help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "xuefa-bench:", err)
		return 1
	}
	return 0
}

// parseRates reads "name=rate,name=rate".
func parseRates(list string) (map[string]int, error) {
	out := map[string]int{}
	for _, item := range strings.Split(list, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		name, value, ok := strings.Cut(item, "=")
		rate, err := strconv.Atoi(value)
		if !ok || err != nil || rate < 1 {
			return nil, fmt.Errorf("-rate-for: %q is not scenario=rate", item)
		}
		if _, err := pickScenarios(name); err != nil {
			return nil, err
		}
		out[name] = rate
	}
	return out, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// benchConfig is the app's configuration for the bench: defaults and XUEFA_* environment (so a
// real data key can be given), on MySQL at dsn.
func benchConfig(dsn string, getenv func(string) string) (config.Config, error) {
	cfg, err := config.Load("", getenv)
	if err != nil {
		return cfg, err
	}
	cfg.Database.Driver, cfg.Database.DSN = database.MySQL, dsn
	return cfg, nil
}

var benchSchemaName = regexp.MustCompile(`^[A-Za-z0-9_]*bench[A-Za-z0-9_]*$`)

// resetSchema drops and recreates the DSN's database. It refuses names without "bench" so a
// mistyped DSN cannot wipe a real database.
func resetSchema(ctx context.Context, dsn string) error {
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return err
	}
	name := cfg.DBName
	if !benchSchemaName.MatchString(name) {
		return fmt.Errorf("refusing to recreate database %q: its name must contain \"bench\"", name)
	}
	cfg.DBName = ""
	server, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer server.Close()
	for _, stmt := range []string{
		"DROP DATABASE IF EXISTS `" + name + "`",
		"CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
	} {
		if _, err := server.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// bulkDSN is dsn with client-side interpolation, so a multi-row INSERT is one round trip
// instead of prepare, execute and close; uniqueChecks false turns InnoDB's unique checks off
// for those sessions (the generator makes unique keys by construction).
func bulkDSN(dsn string, uniqueChecks bool) (string, error) {
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", err
	}
	cfg.InterpolateParams = true
	if !uniqueChecks {
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params["unique_checks"] = "0"
	}
	return cfg.FormatDSN(), nil
}

func seedCommand(ctx context.Context, dsn string, spec seedSpec, getenv func(string) string, out io.Writer) error {
	if spec.Learners < 1 || spec.Ledger < spec.Learners || spec.Batch < 1 || spec.Writers < 1 {
		return errors.New("need learners ≥ 1, ledger ≥ learners, batch ≥ 1, writers ≥ 1")
	}
	cfg, err := benchConfig(dsn, getenv)
	if err != nil {
		return err
	}
	began := time.Now()
	fmt.Fprintf(out, "seed: %s — %d learners, %d ledger rows, %d extra units, %d rows/INSERT, %d writers\n",
		config.MaskDSN(dsn), spec.Learners, spec.Ledger, spec.ExtraUnits, spec.Batch, spec.Writers)
	if err := resetSchema(ctx, dsn); err != nil {
		return err
	}
	a, err := openMigratedApp(ctx, cfg, dsn, 10)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(out, "  %-34s %8.1f s\n", "schema + migrations", time.Since(began).Seconds())
	bdsn, err := bulkDSN(dsn, spec.UniqueChecks)
	if err != nil {
		return err
	}
	bulk, err := sql.Open("mysql", bdsn)
	if err != nil {
		return err
	}
	defer bulk.Close()
	bulk.SetMaxOpenConns(spec.Writers + 1)
	bulk.SetMaxIdleConns(spec.Writers + 1)
	if spec.Hasher == nil {
		spec.Hasher = auth.NewHasher(auth.DefaultPasswordParams())
	}
	if spec.Sealer, err = crypto.NewSealer(cfg.Crypto.DataKey); err != nil {
		return err
	}
	res, err := seedDataset(ctx, a, bulk, spec, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  %-34s %8.1f s\n", "total", time.Since(began).Seconds())
	names := make([]string, 0, len(res.Counts))
	for n := range res.Counts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(out, "  %-20s %10d\n", n, res.Counts[n])
	}
	fmt.Fprintf(out, "Every learner's password is %s; log in by phone (bench learner k: %s…).\n", app.DemoPassword, benchPhone(0)[:7])
	return nil
}

// intList parses "16,64".
func intList(v string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// openMigratedApp opens the bench database with conns connections, migrates it and wires the
// application on it (the caller closes the app, which closes the database).
func openMigratedApp(ctx context.Context, cfg config.Config, dsn string, conns int) (*app.App, error) {
	db, err := database.Open(database.Options{Driver: database.MySQL, DSN: dsn, MaxOpenConns: conns, MaxIdleConns: conns})
	if err != nil {
		return nil, err
	}
	if err := database.Migrate(ctx, db); err != nil {
		_ = database.Close(db)
		return nil, err
	}
	a, err := app.New(cfg, slog.New(slog.DiscardHandler), app.Options{DB: db})
	if err != nil {
		_ = database.Close(db)
		return nil, err
	}
	return a, nil
}
