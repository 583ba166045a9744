package main

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// runOptions say how hard and how long to drive each scenario.
type runOptions struct {
	Rate      int
	Duration  time.Duration
	Warmup    time.Duration
	Scenarios string
	Samples   int
	Explain   bool
	RateFor   map[string]int // per-scenario rates overriding Rate
	Clients   int            // > 0: drive each scenario with this many clients as fast as answered
	Requests  int            // requests of each saturated run
	Repeat    int            // measured runs per scenario; the table shows the median by p99
	Profile   string         // a CPU profile of each scenario's measured run to Profile.<scenario>
	Rounds    int            // times the whole list of scenarios runs, so baselines alternate with the rest
}

// inflight counts the API requests being served.
type inflight struct {
	next http.Handler
	n    atomic.Int64
}

func (h *inflight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.n.Add(1)
	defer h.n.Add(-1)
	h.next.ServeHTTP(w, r)
}

// waitIdle waits (at most max) until the API serves no request and no other connection runs a
// query on this schema.
func waitIdle(ctx context.Context, db *sql.DB, api *inflight, max time.Duration) (time.Duration, error) {
	began := time.Now()
	for {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.processlist
			WHERE db = DATABASE() AND command = 'Query' AND id <> CONNECTION_ID()`).Scan(&n); err != nil {
			return 0, err
		}
		if (n == 0 && api.n.Load() == 0) || time.Since(began) > max {
			return time.Since(began), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// loadAverage is the 1-minute load average ("?" where /proc is missing): the bench shares the
// machine, and a busy neighbour shows here.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(raw))[0]
}

// benchEnv is the running API and baseline with logged-in actors.
type benchEnv struct {
	app        *app.App
	sqlDB      *sql.DB
	api, base  string // base URLs on loopback
	campaignID int64
	county     string // access token of the root admin
	township   string // access token of a township admin
	learners   []sampleLearner
}

type sampleLearner struct {
	LearnerID, UnitID int64
	Phone             string
	Token             string
	SessionID         int64
	Position          int
}

func runCommand(ctx context.Context, dsn string, opts runOptions, getenv func(string) string, out io.Writer) error {
	if opts.Rate < 1 || opts.Duration <= 0 || opts.Samples < 1 {
		return errors.New("need rate ≥ 1, duration > 0, samples ≥ 1")
	}
	names, err := pickScenarios(opts.Scenarios)
	if err != nil {
		return err
	}
	cfg, err := benchConfig(dsn, getenv)
	if err != nil {
		return err
	}
	// The bench logs its sample learners in from one loopback address.
	cfg.Auth.LoginPerIPPerMinute = max(cfg.Auth.LoginPerIPPerMinute, 10*opts.Samples)
	// The tokens logged in at setup must outlive a long run (verifying costs the same).
	cfg.Auth.AccessTTL = max(cfg.Auth.AccessTTL, config.Duration(3*time.Hour))
	a, err := app.New(cfg, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	// A schema seeded by an older harness gets the newer migrations (indexes) first.
	if err := database.Migrate(ctx, a.DB); err != nil {
		return err
	}
	capture := newCaptureLogger(a.DB.Logger)
	a.DB.Logger = capture
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	if err := createScratch(ctx, sqlDB); err != nil {
		return err
	}

	env := &benchEnv{app: a, sqlDB: sqlDB}
	api := &inflight{next: a.Server.Handler()}
	stop, err := env.serve(api)
	if err != nil {
		return err
	}
	defer stop()

	if err := printMachine(ctx, sqlDB, out); err != nil {
		return err
	}
	began := time.Now()
	if err := env.prepare(ctx, cfg.Crypto.DataKey, opts.Samples); err != nil {
		return err
	}
	fmt.Fprintf(out, "setup: %d learners logged in over %d units, with an open study session each (%.1f s)\n\n",
		len(env.learners), countUnits(env.learners), time.Since(began).Seconds())

	var rounds [][]outcome
	for range max(opts.Rounds, 1) {
		var results []outcome
		for _, name := range names {
			o, err := env.measureScenario(ctx, name, opts, api, out)
			if err != nil {
				return err
			}
			results = append(results, o)
		}
		rounds = append(rounds, results)
	}
	results := rounds[len(rounds)-1]
	fmt.Fprintln(out)
	printTable(out, results)
	if opts.Clients > 0 {
		printRatios(out, rounds)
	}
	if opts.Explain {
		fmt.Fprintln(out)
		return env.explain(ctx, capture, names, out)
	}
	return nil
}

// serveLoopback serves h on a free loopback port.
func serveLoopback(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// createScratch makes the table the baseline INSERT writes to.
func createScratch(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_scratch (
		id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL, created_at DATETIME(6) NOT NULL
	) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`)
	return err
}

// serve serves api and the baseline on loopback, side by side; stop stops both.
func (e *benchEnv) serve(api http.Handler) (stop func(), err error) {
	var stopAPI, stopBase func()
	if e.api, stopAPI, err = serveLoopback(api); err != nil {
		return nil, err
	}
	if e.base, stopBase, err = serveLoopback(baselineHandler(e.sqlDB)); err != nil {
		stopAPI()
		return nil, err
	}
	return func() { stopBase(); stopAPI() }, nil
}

// baselineHandler is bare gin: one small JSON, and one INSERT through the API's own pool.
func baselineHandler(db *sql.DB) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/baseline/json", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok", "time": time.Now().UTC()})
	})
	e.POST("/baseline/insert", func(c *gin.Context) {
		res, err := db.ExecContext(c.Request.Context(), "INSERT INTO bench_scratch (note, created_at) VALUES (?, ?)", "baseline", time.Now().UTC())
		if err != nil {
			c.JSON(http.StatusInternalServerError, gin.H{"error": "insert failed"})
			return
		}
		id, _ := res.LastInsertId()
		c.JSON(http.StatusCreated, gin.H{"id": id})
	})
	// One learner's summary row by primary key: what a read of one learner's standing costs
	// at the least (issue 21 compares GET /me/credits and its ledger with it).
	e.GET("/baseline/select", func(c *gin.Context) {
		var learnerID, campaignID, total int64
		err := db.QueryRowContext(c.Request.Context(), "SELECT learner_id, campaign_id, total FROM credit_summaries WHERE learner_id = ? LIMIT 1",
			c.Query("id")).Scan(&learnerID, &campaignID, &total)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			c.JSON(http.StatusInternalServerError, gin.H{"error": "select failed"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"learner_id": learnerID, "campaign_id": campaignID, "total": total})
	})
	e.GET("/baseline/page", func(c *gin.Context) { ledgerPage(c, db) })
	return e
}

// ledgerEntry is a row of the bare ledger page.
type ledgerEntry struct {
	ID        int64     `json:"id"`
	Source    string    `json:"source"`
	SourceID  string    `json:"source_id"`
	Amount    int64     `json:"amount"`
	Requested int64     `json:"requested"`
	Reason    string    `json:"reason"`
	Day       string    `json:"day"`
	CreatedAt time.Time `json:"created_at"`
}

// ledgerPage is a learner's ledger page as GET /me/credits/ledger reads it (20 rows, newest
// first, with their count, one statement) scanned and encoded bare: what a page costs at the
// least on this database, so its ratio to the point SELECT is the ceiling of the ledger's.
func ledgerPage(c *gin.Context, db *sql.DB) {
	learner, campaign := c.Query("id"), c.Query("campaign_id")
	rows, err := db.QueryContext(c.Request.Context(), `SELECT id, source, source_id, amount, requested, reason, day, created_at,
		(SELECT COUNT(*) FROM credit_ledger c WHERE c.learner_id = ? AND c.campaign_id = ?)
		FROM credit_ledger WHERE learner_id = ? AND campaign_id = ? ORDER BY created_at DESC, id DESC LIMIT 20`,
		learner, campaign, learner, campaign)
	if err != nil {
		c.JSON(http.StatusInternalServerError, gin.H{"error": "select failed"})
		return
	}
	defer rows.Close()
	items, total := []ledgerEntry{}, int64(0)
	for rows.Next() {
		var r ledgerEntry
		if err := rows.Scan(&r.ID, &r.Source, &r.SourceID, &r.Amount, &r.Requested, &r.Reason, &r.Day, &r.CreatedAt, &total); err != nil {
			c.JSON(http.StatusInternalServerError, gin.H{"error": "scan failed"})
			return
		}
		items = append(items, r)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": 1, "page_size": 20})
}

func printMachine(ctx context.Context, db *sql.DB, out io.Writer) error {
	var version, pool string
	if err := db.QueryRowContext(ctx, "SELECT VERSION(), @@innodb_buffer_pool_size").Scan(&version, &pool); err != nil {
		return err
	}
	fmt.Fprintf(out, "machine: %d CPUs (GOMAXPROCS %d), %s %s/%s, database %s (innodb_buffer_pool_size %s), %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, version, pool,
		time.Now().UTC().Format(time.RFC3339))
	counts := []string{"units", "accounts", "learners", "credit_summaries", "credit_daily", "credit_ledger"}
	parts := make([]string, 0, len(counts))
	for _, t := range counts {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return err
		}
		parts = append(parts, fmt.Sprintf("%s %d", t, n))
	}
	fmt.Fprintf(out, "dataset: %s\n", strings.Join(parts, ", "))
	return nil
}

// prepare finds the campaign, logs in the county and a township admin and samples learners
// spread over units (the newest learner of every k-th unit), logs them in and opens a study
// session for each on the campaign's first course.
func (e *benchEnv) prepare(ctx context.Context, dataKey string, samples int) error {
	if err := e.sqlDB.QueryRowContext(ctx, "SELECT id FROM campaigns WHERE status = 'active' ORDER BY id LIMIT 1").Scan(&e.campaignID); err != nil {
		return fmt.Errorf("no active campaign: seed first (%w)", err)
	}
	var err error
	if e.county, err = e.login(ctx, "admin", app.DemoPassword); err != nil {
		return fmt.Errorf("root admin: %w", err)
	}
	if e.township, err = e.login(ctx, "huayang-admin", app.DemoPassword); err != nil {
		return fmt.Errorf("township admin: %w", err)
	}
	sealer, err := crypto.NewSealer(dataKey)
	if err != nil {
		return err
	}
	rows, err := e.sqlDB.QueryContext(ctx, `SELECT l.id, l.unit_id, a.phone_enc FROM learners l JOIN accounts a ON a.id = l.account_id
		WHERE l.id IN (SELECT MAX(id) FROM learners WHERE status = 'active' GROUP BY unit_id) ORDER BY l.unit_id`)
	if err != nil {
		return err
	}
	var all []sampleLearner
	for rows.Next() {
		var l sampleLearner
		var enc sql.NullString
		if err := rows.Scan(&l.LearnerID, &l.UnitID, &enc); err != nil {
			rows.Close()
			return err
		}
		if l.Phone, err = sealer.Open(enc.String); err != nil {
			rows.Close()
			return fmt.Errorf("learner %d: open phone (is the data key the seed's?): %w", l.LearnerID, err)
		}
		all = append(all, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(all) == 0 {
		return errors.New("no learners: seed first")
	}
	// Evenly spaced over the units, at most one per unit.
	n := min(samples, len(all))
	var course int64
	if err := e.sqlDB.QueryRowContext(ctx, `SELECT id FROM courses WHERE campaign_id = ? AND status = 'published'
		AND tracks = 'leader,general,judicial' ORDER BY sort_order, id LIMIT 1`, e.campaignID).Scan(&course); err != nil {
		return fmt.Errorf("no course for every track: %w", err)
	}
	for i := range n {
		l := all[i*len(all)/n]
		if l.Token, err = e.login(ctx, l.Phone, app.DemoPassword); err != nil {
			return fmt.Errorf("learner %d: %w", l.LearnerID, err)
		}
		var sess struct {
			ID              int64 `json:"id"`
			PositionSeconds int   `json:"position_seconds"`
		}
		if err := e.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/sessions", course), l.Token, nil, http.StatusCreated, &sess); err != nil {
			return fmt.Errorf("learner %d: start session: %w", l.LearnerID, err)
		}
		l.SessionID, l.Position = sess.ID, sess.PositionSeconds
		e.learners = append(e.learners, l)
	}
	return nil
}

func (e *benchEnv) login(ctx context.Context, username, password string) (string, error) {
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	err := e.call(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, http.StatusOK, &tokens)
	return tokens.AccessToken, err
}

// call makes one API request and decodes the answer, which must have status want.
func (e *benchEnv) call(ctx context.Context, method, path, token string, body any, want int, v any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.api+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(raw, v)
}

func countUnits(ls []sampleLearner) int {
	seen := map[int64]bool{}
	for _, l := range ls {
		seen[l.UnitID] = true
	}
	return len(seen)
}

// measureScenario runs one scenario (its warm-up, then opts.Repeat measured runs, keeping the
// one with the median p99) on an idle database and prints each run.
func (e *benchEnv) measureScenario(ctx context.Context, name string, opts runOptions, api *inflight, out io.Writer) (outcome, error) {
	if err := ctx.Err(); err != nil {
		return outcome{}, err
	}
	// An overloaded scenario leaves queries running after its clients gave up: start each
	// scenario on an idle database.
	if waited, err := waitIdle(ctx, e.sqlDB, api, 2*time.Minute); err != nil {
		return outcome{}, err
	} else if waited > time.Second {
		fmt.Fprintf(out, "  (waited %.0f s for the database to finish the previous scenario's queries)\n", waited.Seconds())
	}
	rate := opts.Rate
	if r, ok := opts.RateFor[name]; ok {
		rate = r
	}
	sc := e.scenario(name)
	measure := func(d time.Duration) outcome { return attack(sc, rate, d) }
	if opts.Clients > 0 {
		measure = func(d time.Duration) outcome {
			n := opts.Requests
			if d != opts.Duration {
				n = max(n/10, opts.Clients)
			}
			return e.saturateScenario(ctx, name, opts.Clients, n)
		}
	}
	if opts.Warmup > 0 {
		measure(opts.Warmup)
	}
	var runs []outcome
	for i := range max(opts.Repeat, 1) {
		if i > 0 {
			if _, err := waitIdle(ctx, e.sqlDB, api, 2*time.Minute); err != nil {
				return outcome{}, err
			}
		}
		load := loadAverage()
		o := profiled(profilePath(opts.Profile, name), func() outcome { return measure(opts.Duration) })
		o.Load = load + " → " + loadAverage()
		fmt.Fprintf(out, "  %-22s %s   load %s\n", name, o.line(), o.Load)
		runs = append(runs, o)
	}
	// With repeats, the table keeps the run with the median p99.
	slices.SortStableFunc(runs, func(a, b outcome) int { return cmp.Compare(a.P99, b.P99) })
	return runs[(len(runs)-1)/2], nil
}
