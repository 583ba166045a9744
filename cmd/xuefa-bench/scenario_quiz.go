package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/questionbank"
	"github.com/xuefa/xuefa/internal/quiz"
)

// defaultQuizDSN is the quiz bench's own schema, so it never wipes the main bench dataset.
const defaultQuizDSN = "root:@tcp(127.0.0.1:3306)/xuefa_bench_quiz?parseTime=true&loc=UTC&charset=utf8mb4"

// quizOptions drive `xuefa-bench quiz`.
type quizOptions struct {
	Participants int           // participants who log in, start and submit
	BoardRows    int           // players already on the round's board (bulk-seeded)
	Workers      int           // concurrent clients of the closed-loop scenarios
	Duration     time.Duration // cap of each closed-loop scenario
	BoardRate    int           // req/s of the leaderboard scenario
	BoardFor     time.Duration // its duration
	Batch        int
	CPUProfile   string        // file for a CPU profile of the submit run
	Slice        time.Duration // the submits alternate with the baseline in slices this long (0: baseline, then submits)
}

// quizBench is the state of one quiz bench run.
type quizBench struct {
	env     *benchEnv
	client  *http.Client
	roundID int64
	players []quizPlayer
	meter   cpuMeter
}

type quizPlayer struct {
	username string
	token    string
	playID   int64
	answers  []byte
}

// quizCommand seeds its own schema (the demo county, a quiz round, participants with a fast
// password hash, and a board of BoardRows players), serves the API and the baseline on
// loopback and measures: 10,000 participants starting plays at once; quiz submit against the
// bare INSERT baseline, both closed-loop with the same clients; the leaderboard (top 100 + my
// rank) at a fixed rate.
func quizCommand(ctx context.Context, dsn string, o quizOptions, getenv func(string) string, out io.Writer) error {
	cfg, err := benchConfig(dsn, getenv)
	if err != nil {
		return err
	}
	cfg.Auth.LoginPerIPPerMinute = 1 << 30 // every participant logs in from loopback
	cfg.Auth.AccessTTL = config.Duration(3 * time.Hour)
	cfg.Quiz = config.Quiz{StartPerAccountPerMinute: 100, StartPerIPPerMinute: 1 << 30, SubmitPerAccountPerMinute: 100, SubmitPerIPPerMinute: 1 << 30}
	cfg.Database.MaxOpenConns = max(cfg.Database.MaxOpenConns, 40)
	began := time.Now()
	if err := resetSchema(ctx, dsn); err != nil {
		return err
	}
	a, err := openMigratedApp(ctx, cfg, dsn, cfg.Database.MaxOpenConns)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Seed(ctx, io.Discard); err != nil {
		return err
	}
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	if err := createScratch(ctx, sqlDB); err != nil {
		return err
	}
	b := &quizBench{env: &benchEnv{app: a, sqlDB: sqlDB}, meter: newCPUMeter()}
	if err := b.seed(ctx, dsn, o); err != nil {
		return err
	}
	fmt.Fprintf(out, "seed: demo county, round %d, %d participants, %d players on the board (%.1f s)\n",
		b.roundID, o.Participants, o.BoardRows, time.Since(began).Seconds())

	stop, err := b.env.serve(a.Server.Handler())
	if err != nil {
		return err
	}
	defer stop()
	if err := printMachine(ctx, sqlDB, out); err != nil {
		return err
	}
	b.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}}

	t0 := time.Now()
	login := b.closedLoop("login", o.Workers, time.Hour, len(b.players), func(i int) (int, error) {
		return b.login(ctx, i)
	})
	fmt.Fprintf(out, "setup: %d participants logged in (%.1f s, errors %d)\n\n", len(b.players), time.Since(t0).Seconds(), login.Errors)
	if login.Errors > 0 {
		return errors.New("logins failed")
	}

	var results []outcome
	start := b.closedLoop("quiz-start-10k", o.Workers, time.Hour, len(b.players), func(i int) (int, error) { return b.start(ctx, i) })
	fmt.Fprintf(out, "  %-22s %s   (all %d started in %.2f s)\n", start.Name, start.line(), start.Requests, start.Duration.Seconds())
	results = append(results, start)

	base, sub := b.submitsAndBaseline(ctx, o, out)
	fmt.Fprintf(out, "  %-22s %s\n", base.Name, base.line())
	fmt.Fprintf(out, "  %-22s %s   (%.2f× the baseline's throughput)\n", sub.Name, sub.line(), sub.Throughput/base.Throughput)
	results = append(results, base, sub)

	var n atomic.Uint64
	board := scenario{name: "quiz-leaderboard", targeter: func(t *vegeta.Target) error {
		p := b.players[int(n.Add(1)-1)%len(b.players)]
		t.Method, t.URL = http.MethodGet, fmt.Sprintf("%s/api/v1/quiz/rounds/%d/leaderboard?limit=100", b.env.api, b.roundID)
		t.Header = http.Header{"Authorization": []string{"Bearer " + p.token}}
		return nil
	}}
	attack(board, o.BoardRate, 3*time.Second)
	lb := attack(board, o.BoardRate, o.BoardFor)
	fmt.Fprintf(out, "  %-22s %s\n", lb.Name, lb.line())
	results = append(results, lb)

	fmt.Fprintln(out)
	fmt.Fprintln(out, "| scenario | load | requests | throughput (ok/s) | p50 | p99 | max | errors |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		load := fmt.Sprintf("closed loop, %d clients", o.Workers)
		if r.Name == lb.Name {
			load = fmt.Sprintf("%d req/s for %s", r.Rate, r.Duration)
		}
		fmt.Fprintf(out, "| %s | %s | %d | %.1f | %s | %s | %s | %.2f %% %s |\n", r.Name, load, r.Requests, r.Throughput,
			ms(r.P50), ms(r.P99), ms(r.Max), r.ErrorPct(), r.codes())
	}
	return b.explainRank(ctx, out)
}

// seed creates the round, the participants and the board.
func (b *quizBench) seed(ctx context.Context, dsn string, o quizOptions) error {
	a := b.env.app
	root, err := a.Units.Root(ctx)
	if err != nil {
		return err
	}
	system := auth.Actor{Name: "system", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}
	act, err := a.Quiz.CreateActivity(ctx, system, quiz.ActivityInput{UnitID: root.ID, Name: "bench 新年学法微活动", Audience: quiz.AudiencePublic})
	if err != nil {
		return err
	}
	var bankID int64
	if err := b.env.sqlDB.QueryRowContext(ctx, "SELECT id FROM question_banks WHERE name = ?", questionbank.DemoBankName).Scan(&bankID); err != nil {
		return err
	}
	zero := 0
	now := time.Now().UTC()
	r, err := a.Quiz.CreateRound(ctx, system, act.ID, quiz.RoundInput{Name: "bench", StartsAt: now.Add(-time.Minute),
		EndsAt: now.Add(3 * time.Hour), QuestionCount: 10, BankIDs: []int64{bankID}, SecondsPerPlay: 3600,
		MinMsPerAnswer: &zero, PrizeThreshold: 60, Prizes: []quiz.PrizeInput{{Name: "帆布袋", Stock: 100}}})
	if err != nil {
		return err
	}
	b.roundID = r.ID
	bdsn, err := bulkDSN(dsn, true)
	if err != nil {
		return err
	}
	bulk, err := sql.Open("mysql", bdsn)
	if err != nil {
		return err
	}
	defer bulk.Close()
	hash, err := auth.NewHasher(auth.FastPasswordParams()).Hash(app.DemoPassword)
	if err != nil {
		return err
	}
	accounts := newBulkTable("accounts", o.Batch, "username", "display_name", "password_hash", "role", "unit_id", "status",
		"token_version", "created_at", "updated_at")
	var args []any
	for i := range o.Participants {
		name := fmt.Sprintf("qp-%06d", i)
		args = append(args, name, "参赛者"+strconv.Itoa(i), hash, auth.RoleParticipant, root.ID, "active", 1, now, now)
		b.players = append(b.players, quizPlayer{username: name})
	}
	if err := accounts.insert(ctx, bulk, args); err != nil {
		return err
	}
	return b.seedBoard(ctx, bulk, o, now)
}

// seedBoard puts BoardRows players (synthetic account ids) on the round's board with random
// scores (10 questions × 10 points) and durations, and their bucket counts.
func (b *quizBench) seedBoard(ctx context.Context, bulk *sql.DB, o quizOptions, now time.Time) error {
	board := quiz.RoundBoard(b.roundID)
	rng := rand.New(rand.NewPCG(1, 2))
	scores := newBulkTable("quiz_scores", o.Batch, "board", "account_id", "play_id", "score", "duration_ms", "submitted_ms", "rank_key")
	type bucket struct{ n, chk int64 }
	buckets := map[int64]bucket{}
	args := make([]any, 0, o.Batch*7)
	for i := range o.BoardRows {
		correct := 0
		for range 10 {
			if rng.IntN(100) < 65 {
				correct++
			}
		}
		score, dur := correct*10, int64(8_000+rng.IntN(290_000))
		key, acct, at := quiz.RankKey(score, dur), int64(100_000_000+i), now.UnixMilli()-int64(rng.IntN(3_600_000))
		bk := buckets[key>>10]
		buckets[key>>10] = bucket{bk.n + 1, bk.chk + quiz.StandingChecksum(key, at, acct)}
		args = append(args, board, acct, acct, score, dur, at, key)
		if len(args) >= o.Batch*7 {
			if err := scores.insert(ctx, bulk, args); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	if err := scores.insert(ctx, bulk, args); err != nil {
		return err
	}
	bt := newBulkTable("quiz_score_buckets", o.Batch, "board", "bucket", "n", "chk")
	args = args[:0]
	for k, bk := range buckets {
		args = append(args, board, k, bk.n, bk.chk)
	}
	return bt.insert(ctx, bulk, args)
}

// do sends one request and decodes the answer; it returns the status.
func (b *quizBench) do(ctx context.Context, method, url, token string, body []byte, headers map[string]string, v any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, val := range headers {
		req.Header.Set(k, val)
	}
	res, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	// An answer nobody reads is drained through io.Discard's pooled buffer: reading it whole
	// (io.ReadAll) allocated ~12 KB per 3 KB submit answer in this process, and the collector
	// then charged that to the server measured next to it.
	if v == nil || res.StatusCode >= 300 {
		_, err = io.Copy(io.Discard, res.Body)
		return res.StatusCode, err
	}
	err = json.NewDecoder(res.Body).Decode(v)
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, err
}

func (b *quizBench) login(ctx context.Context, i int) (int, error) {
	body, _ := json.Marshal(map[string]string{"username": b.players[i].username, "password": app.DemoPassword})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	code, err := b.do(ctx, http.MethodPost, b.env.api+"/api/v1/auth/login", "", body, nil, &tok)
	b.players[i].token = tok.AccessToken
	return code, err
}

// start starts player i's play and prepares random answers to submit later.
func (b *quizBench) start(ctx context.Context, i int) (int, error) {
	var p struct {
		ID        int64 `json:"id"`
		Questions []struct {
			QuestionID int64    `json:"question_id"`
			Type       string   `json:"type"`
			Options    []string `json:"options"`
		} `json:"questions"`
	}
	code, err := b.do(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/quiz/rounds/%d/plays", b.env.api, b.roundID), b.players[i].token, nil, nil, &p)
	if err != nil || code != http.StatusCreated {
		return code, err
	}
	ans := make([]map[string]any, len(p.Questions))
	for k, q := range p.Questions {
		a := "true"
		switch {
		case len(q.Options) > 0:
			a = questionbank.Letter(rand.IntN(len(q.Options)))
		case q.Type == "fill":
			a = "宪法"
		case rand.IntN(2) == 0:
			a = "false"
		}
		ans[k] = map[string]any{"question_id": q.QuestionID, "answer": a}
	}
	b.players[i].playID = p.ID
	b.players[i].answers, err = json.Marshal(map[string]any{"answers": ans})
	return code, err
}

func (b *quizBench) submit(ctx context.Context, i int) (int, error) {
	p := b.players[i]
	if p.playID == 0 {
		return 0, errors.New("no play started")
	}
	return b.do(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/quiz/plays/%d/submit", b.env.api, p.playID), p.token, p.answers,
		map[string]string{"Idempotency-Key": "bench-" + strconv.FormatInt(p.playID, 10)}, nil)
}

// closedLoop runs fn with workers concurrent clients until n calls were made (n < 0: no limit)
// or d passed, and measures every call.
func (b *quizBench) closedLoop(name string, workers int, d time.Duration, n int, fn func(i int) (int, error)) outcome {
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	o := outcome{Name: name, Rate: workers, Codes: map[string]int{}}
	ok := 0
	cpuBefore := b.meter.read()
	began := time.Now()
	deadline := began.Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if (n >= 0 && i >= n) || time.Now().After(deadline) {
					return
				}
				t := time.Now()
				code, err := fn(i)
				took := time.Since(t)
				mu.Lock()
				lat = append(lat, took)
				if err != nil || code < 200 || code > 299 {
					o.Errors++
					key := strconv.Itoa(code)
					if err != nil {
						key = "error"
					}
					o.Codes[key]++
				} else {
					ok++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	o.Duration, o.CPU = time.Since(began), b.meter.read().since(cpuBefore)
	return o.measured(lat, ok)
}

// measured sets the figures of a closed-loop run from its latencies and successes, and keeps
// them so that runs can be pooled.
func (o outcome) measured(lat []time.Duration, ok int) outcome {
	o.Requests, o.ok, o.lat = len(lat), ok, lat
	o.Throughput = float64(ok) / o.Duration.Seconds()
	slices.Sort(lat)
	o.P50, o.P99, o.P999 = quantile(lat, 0.50), quantile(lat, 0.99), quantile(lat, 0.999)
	if len(lat) > 0 {
		o.Max = lat[len(lat)-1]
	}
	return o
}

// explainRank shows the plans of the rank queries for one participant.
func (b *quizBench) explainRank(ctx context.Context, out io.Writer) error {
	board := quiz.RoundBoard(b.roundID)
	var acct, key, submitted int64
	if err := b.env.sqlDB.QueryRowContext(ctx, "SELECT account_id, rank_key, submitted_ms FROM quiz_scores WHERE board = ? AND account_id < 100000000 LIMIT 1", board).
		Scan(&acct, &key, &submitted); err != nil {
		return err
	}
	bucket := key >> 10
	fmt.Fprintln(out, "\nEXPLAIN of the rank queries (one participant):")
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT COALESCE(SUM(n), 0) FROM quiz_score_buckets WHERE board = ? AND bucket < ?", []any{board, bucket}},
		{"SELECT COUNT(*) FROM quiz_scores WHERE board = ? AND rank_key >= ? AND rank_key <= ? AND (rank_key < ? OR (rank_key = ? AND (submitted_ms < ? OR (submitted_ms = ? AND account_id < ?))))",
			[]any{board, bucket << 10, key, key, key, submitted, submitted, acct}},
		{"SELECT * FROM quiz_scores WHERE board = ? ORDER BY rank_key, submitted_ms, account_id LIMIT 100", []any{board}},
	} {
		rows, err := b.env.sqlDB.QueryContext(ctx, "EXPLAIN "+q.sql, q.args...)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			line := ""
			for i, c := range cols {
				if c == "key" || c == "rows" || c == "type" || c == "Extra" {
					line += fmt.Sprintf(" %s=%s", c, vals[i].String)
				}
			}
			fmt.Fprintf(out, "  %.60s…%s\n", q.sql, line)
		}
		rows.Close()
	}
	return nil
}
