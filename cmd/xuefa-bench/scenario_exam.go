package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// examOptions shape the exam scenario (issue 5): examinees sit one 50-question paper each,
// autosave every AutosaveEvery for AutosaveFor, then all submit within SubmitWindow (those
// first papers are nearly blank and fail); then, once per client count in Clients, every
// examinee sits a fresh exam, answers it as a real examinee would (every question saved, 80 %
// right, 15 % wrong, 5 % blank: see answerAll), and the submits run at saturation next to the
// baseline INSERT, both driven by that many clients. So a saturated submit is a typical one:
// it passes (nearly all do), earns the learner's exam credit and puts about 10 questions in
// the wrong-answer book. A submit waits for its group commit, so 16 clients leave the server
// partly idle (each batch holds at most the 16 submits in flight); the best figure of each
// side over the rounds is the saturated throughput.
type examOptions struct {
	Examinees     int
	AutosaveEvery time.Duration
	AutosaveFor   time.Duration
	SubmitWindow  time.Duration
	Clients       []int  // concurrent clients of each saturation round
	CPUProfile    string // file for a CPU profile of the last round's saturated submits
}

type examinee struct {
	Token     string
	AttemptID int64
	Questions []examQuestion
}

type examQuestion struct {
	QuestionID int64  `json:"question_id"`
	Type       string `json:"type"`
}

func examCommand(ctx context.Context, dsn string, opts examOptions, getenv func(string) string, out io.Writer) error {
	if opts.Examinees < 1 || opts.AutosaveEvery <= 0 || opts.SubmitWindow <= 0 || len(opts.Clients) == 0 || slices.Min(opts.Clients) < 1 {
		return errors.New("need examinees ≥ 1, autosave-every > 0, submit-window > 0, workers ≥ 1")
	}
	cfg, err := benchConfig(dsn, getenv)
	if err != nil {
		return err
	}
	cfg.Auth.LoginPerIPPerMinute = max(cfg.Auth.LoginPerIPPerMinute, 10*opts.Examinees)
	cfg.Auth.LoginPerAccountPerMinute = max(cfg.Auth.LoginPerAccountPerMinute, 100)
	cfg.Auth.AccessTTL = max(cfg.Auth.AccessTTL, config.Duration(3*time.Hour))
	// Errors only, on stderr: a failed request's cause is in the log.
	a, err := app.New(cfg, slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := database.Migrate(ctx, a.DB); err != nil {
		return err
	}
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	if err := createScratch(ctx, sqlDB); err != nil {
		return err
	}
	env := &benchEnv{app: a, sqlDB: sqlDB}
	stop, err := env.serve(a.Server.Handler())
	if err != nil {
		return err
	}
	defer stop()
	if err := printMachine(ctx, sqlDB, out); err != nil {
		return err
	}

	began := time.Now()
	examID, err := env.benchExam(ctx)
	if err != nil {
		return err
	}
	people, err := env.examinees(ctx, opts.Examinees)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "setup: exam %d published, %d examinees with tokens (%.1f s)\n", examID, len(people), time.Since(began).Seconds())
	began = time.Now()
	if err := env.startAll(ctx, examID, people, 8); err != nil {
		return err
	}
	fmt.Fprintf(out, "setup: %d attempts started, 50 questions each (%.1f s)\n\n", len(people), time.Since(began).Seconds())

	n := len(people)
	autosaveRate := max(1, int(float64(n)/opts.AutosaveEvery.Seconds()))
	save := attack(env.autosaves(people), autosaveRate, opts.AutosaveFor)
	fmt.Fprintf(out, "  %-22s %s\n", save.Name, save.line())
	submitRate := max(1, int(float64(n)/opts.SubmitWindow.Seconds()))
	sub := attack(env.submits(people), submitRate, opts.SubmitWindow+2*time.Second)
	fmt.Fprintf(out, "  %-22s %s\n", sub.Name, sub.line())
	if err := env.auditExam(ctx, out, examID, n); err != nil {
		return err
	}

	// Saturation: for each client count, a fresh exam, every examinee's attempt at it answered,
	// then as many submits as the clients can push, next to the baseline INSERT driven the same
	// way.
	results := []outcome{save, sub}
	var ratios, cpuRatios []string
	var bestBase, bestSub float64
	for k, clients := range opts.Clients {
		base, subSat, err := env.saturation(ctx, out, people, clients, profileIf(opts.CPUProfile, k == len(opts.Clients)-1))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-30s %s\n", base.Name, base.line())
		fmt.Fprintf(out, "  %-30s %s\n", subSat.Name, subSat.line())
		results = append(results, base, subSat)
		ratios = append(ratios, fmt.Sprintf("%.2f× with %d clients", subSat.Throughput/base.Throughput, clients))
		bestBase, bestSub = max(bestBase, base.Throughput), max(bestSub, subSat.Throughput)
		if c := cpuRatio(base, subSat); c != "" {
			cpuRatios = append(cpuRatios, fmt.Sprintf("%s with %d clients", c, clients))
		}
	}
	fmt.Fprintln(out)
	printTable(out, results)
	fmt.Fprintf(out, "\nsubmit throughput at saturation: %.2f× the baseline INSERT (best of each: %.1f / %.1f ok/s; %s)\n",
		bestSub/bestBase, bestSub, bestBase, strings.Join(ratios, ", "))
	if len(cpuRatios) > 0 {
		fmt.Fprintf(out, "CPU a baseline INSERT costs over the CPU a submit costs (the ratio a CPU-bound machine allows): %s\n", strings.Join(cpuRatios, ", "))
	}
	return nil
}

// cpuRatio is the CPU per baseline request over the CPU per submit, "" when not measured.
func cpuRatio(base, sub outcome) string {
	if base.CPU.total() <= 0 || sub.CPU.total() <= 0 || base.Requests == 0 || sub.Requests == 0 {
		return ""
	}
	perBase := base.CPU.total().Seconds() / float64(base.Requests)
	perSub := sub.CPU.total().Seconds() / float64(sub.Requests)
	return fmt.Sprintf("%.2f×", perBase/perSub)
}

// saturation publishes a fresh exam, starts and answers every examinee's attempt at it, then
// drives the baseline INSERT and the submits with the given number of clients, flat out. Each
// round has its exam so that every round's submits do the same work: a first result, a pass
// and its exam credit.
func (e *benchEnv) saturation(ctx context.Context, out io.Writer, people []examinee, clients int, profile string) (outcome, outcome, error) {
	began := time.Now()
	examID, err := e.benchExam(ctx)
	if err != nil {
		return outcome{}, outcome{}, err
	}
	if err := e.startAll(ctx, examID, people, 8); err != nil {
		return outcome{}, outcome{}, err
	}
	if err := e.answerAll(ctx, people, 8); err != nil {
		return outcome{}, outcome{}, err
	}
	fmt.Fprintf(out, "setup: exam %d, %d attempts started and answered (%.1f s)\n", examID, len(people), time.Since(began).Seconds())
	// The baseline sends five times as many requests, so that it runs about as long as the
	// submits (a run of 2,000 INSERTs lasts half a second, too short to be steady).
	n := len(people)
	base := saturate(ctx, fmt.Sprintf("baseline-insert (%d clients)", clients), clients, 5*n, func(int) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodPost, e.base+"/baseline/insert", nil)
	})
	sub := profiled(profile, func() outcome {
		return saturate(ctx, fmt.Sprintf("exam-submit (max, %d clients)", clients), clients, n, func(i int) (*http.Request, error) {
			return submitRequest(ctx, e.api, people[i])
		})
	})
	return base, sub, e.auditExam(ctx, out, examID, n)
}

// auditExam checks, right after an exam's submits (before the next exam's wrong answers touch
// the book), what issue 21 asks of the bell: each of the n attempts graded once with one result,
// every pass credited, every wrong or blank answer in its learner's wrong-answer book.
func (e *benchEnv) auditExam(ctx context.Context, out io.Writer, examID int64, n int) error {
	var submitted, results, passed, credited, wrong, inBook int64
	err := e.sqlDB.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM exam_attempts a WHERE a.exam_id = ? AND a.status = 'submitted'),
		(SELECT COUNT(*) FROM exam_results r WHERE r.exam_id = ? AND r.attempts = 1),
		(SELECT COUNT(*) FROM exam_results r WHERE r.exam_id = ? AND r.passed),
		(SELECT COUNT(*) FROM exam_results r JOIN credit_ledger l ON l.learner_id = r.learner_id
			AND l.source = 'exam' AND l.source_id = ? WHERE r.exam_id = ? AND r.passed),
		(SELECT COALESCE(SUM(a.question_count - a.correct_count), 0) FROM exam_attempts a WHERE a.exam_id = ?),
		(SELECT COUNT(*) FROM exam_attempts a JOIN exam_attempt_items i ON i.attempt_id = a.id
			JOIN wrong_questions w ON w.account_id = a.account_id AND w.question_id = i.question_id
			AND w.last_wrong_at >= a.submitted_at WHERE a.exam_id = ?)`,
		examID, examID, examID, strconv.FormatInt(examID, 10), examID, examID, examID).
		Scan(&submitted, &results, &passed, &credited, &wrong, &inBook)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  checked exam %d: %d of %d attempts graded, %d results of one attempt, %d of %d passes credited, %d of %d wrong answers in the book\n",
		examID, submitted, n, results, credited, passed, inBook, wrong)
	if submitted != int64(n) || results != int64(n) || credited != passed || inBook != wrong {
		return fmt.Errorf("exam %d: the submits left missing or doubled work (see the line above)", examID)
	}
	return nil
}

// profileIf is path when on, else "" (no profile).
func profileIf(path string, on bool) string {
	if !on {
		return ""
	}
	return path
}

// benchExam creates and publishes the bench exam as the county admin: 50 questions per track
// from the demo bank (25 single, 5 multiple, 18 judge, 2 fill), shuffled, open for 3 hours.
func (e *benchEnv) benchExam(ctx context.Context) (int64, error) {
	if err := e.sqlDB.QueryRowContext(ctx, "SELECT id FROM campaigns WHERE status = 'active' ORDER BY id LIMIT 1").Scan(&e.campaignID); err != nil {
		return 0, fmt.Errorf("no active campaign: seed first (%w)", err)
	}
	var bankID int64
	if err := e.sqlDB.QueryRowContext(ctx, "SELECT id FROM question_banks WHERE name = ?", questionbank.DemoBankName).Scan(&bankID); err != nil {
		return 0, fmt.Errorf("no demo bank: %w", err)
	}
	var err error
	if e.county, err = e.login(ctx, "admin", app.DemoPassword); err != nil {
		return 0, err
	}
	sections := []map[string]any{
		{"title": "单选", "bank_id": bankID, "type": "single", "count": 25, "points": 2},
		{"title": "多选", "bank_id": bankID, "type": "multiple", "count": 5, "points": 4},
		{"title": "判断", "bank_id": bankID, "type": "judge", "count": 18, "points": 1},
		{"title": "填空", "bank_id": bankID, "type": "fill", "count": 2, "points": 1},
	}
	var blueprints []map[string]any
	for _, t := range []string{"leader", "general", "judicial"} {
		blueprints = append(blueprints, map[string]any{"track": t, "sections": sections})
	}
	now := time.Now().UTC()
	body := map[string]any{"campaign_id": e.campaignID, "title": "压测考试 " + now.Format(time.DateTime), "description": "",
		"opens_at": now.Add(-time.Minute), "closes_at": now.Add(3 * time.Hour), "duration_minutes": 180, "max_attempts": 10,
		"pass_score": 60, "shuffle_questions": true, "shuffle_options": true, "review_policy": "after_submit", "blueprints": blueprints}
	var created struct {
		ID int64 `json:"id"`
	}
	if err := e.call(ctx, http.MethodPost, "/api/v1/exams", e.county, body, http.StatusCreated, &created); err != nil {
		return 0, err
	}
	return created.ID, e.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/publish", created.ID), e.county, nil, http.StatusOK, nil)
}

// examinees are the first n active learners (by id), each with an access token signed by the
// API's own issuer: the same token the login would return (and verified the same way on every
// request), without n argon2id password checks at setup (about 0.6 s each on this machine).
func (e *benchEnv) examinees(ctx context.Context, n int) ([]examinee, error) {
	rows, err := e.sqlDB.QueryContext(ctx, `SELECT a.id, a.display_name, a.unit_id, u.path, a.token_version
		FROM learners l JOIN accounts a ON a.id = l.account_id JOIN units u ON u.id = a.unit_id
		WHERE l.status = 'active' ORDER BY l.id LIMIT ?`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []examinee
	for rows.Next() {
		var actor auth.Actor
		var version int64
		if err := rows.Scan(&actor.AccountID, &actor.Name, &actor.UnitID, &actor.UnitPath, &version); err != nil {
			return nil, err
		}
		actor.Role = auth.RoleLearner
		token, _, err := e.app.Accounts.Issuer.Issue(auth.TokenSubject{Actor: actor, TokenVersion: version})
		if err != nil {
			return nil, err
		}
		out = append(out, examinee{Token: token})
	}
	if len(out) < n {
		return nil, fmt.Errorf("only %d learners: seed more", len(out))
	}
	return out, rows.Err()
}

// startAll starts one attempt for every examinee.
func (e *benchEnv) startAll(ctx context.Context, examID int64, people []examinee, workers int) error {
	return parallel(ctx, workers, len(people), func(i int) error {
		var a struct {
			ID        int64          `json:"id"`
			Questions []examQuestion `json:"questions"`
		}
		path := fmt.Sprintf("/api/v1/exams/%d/attempts", examID)
		err := e.call(ctx, http.MethodPost, path, people[i].Token, nil, http.StatusCreated, &a)
		if err != nil && people[i].AttemptID != 0 && strings.Contains(err.Error(), "exam.attempt_in_progress") {
			// A submit of the previous phase timed out on the client: submit again (idempotent).
			if err := e.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/attempts/%d/submit", people[i].AttemptID), people[i].Token, nil, http.StatusOK, nil); err != nil {
				return err
			}
			err = e.call(ctx, http.MethodPost, path, people[i].Token, nil, http.StatusCreated, &a)
		}
		if err != nil {
			return err
		}
		people[i].AttemptID, people[i].Questions = a.ID, a.Questions
		return nil
	})
}

// autosaves cycles over examinees, each saving their next question.
func (e *benchEnv) autosaves(people []examinee) scenario {
	var n atomic.Uint64
	answers := map[string]string{"single": `{"answer":"A"}`, "multiple": `{"answer":"AB"}`, "judge": `{"answer":"true"}`, "fill": `{"answer":"法治"}`}
	return scenario{name: "exam-autosave", targeter: func(t *vegeta.Target) error {
		i := n.Add(1) - 1
		p := people[i%uint64(len(people))]
		q := p.Questions[(i/uint64(len(people)))%uint64(len(p.Questions))]
		t.Method, t.URL = http.MethodPut, fmt.Sprintf("%s/api/v1/attempts/%d/answers/%d", e.api, p.AttemptID, q.QuestionID)
		t.Body = []byte(answers[q.Type])
		t.Header = http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + p.Token}}
		return nil
	}}
}

// submits submits every examinee's attempt once, then stops.
func (e *benchEnv) submits(people []examinee) scenario {
	var n atomic.Uint64
	return scenario{name: "exam-submit", targeter: func(t *vegeta.Target) error {
		i := n.Add(1) - 1
		if i >= uint64(len(people)) {
			return vegeta.ErrNoTargets
		}
		p := people[i]
		t.Method, t.URL = http.MethodPost, fmt.Sprintf("%s/api/v1/attempts/%d/submit", e.api, p.AttemptID)
		t.Header = http.Header{"Authorization": {"Bearer " + p.Token}, "Idempotency-Key": {fmt.Sprintf("bench-%d", p.AttemptID)}}
		return nil
	}}
}

func submitRequest(ctx context.Context, api string, p examinee) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/attempts/%d/submit", api, p.AttemptID), nil)
	if err == nil {
		req.Header.Set("Authorization", "Bearer "+p.Token)
	}
	return req, err
}

// saturate sends n requests from a fixed number of clients as fast as they are answered.
func saturate(ctx context.Context, name string, clients, n int, build func(i int) (*http.Request, error)) outcome {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	o := outcome{Name: name, Codes: map[string]int{}}
	lat := make([]time.Duration, n)
	codes := make([]int, n)
	meter := newCPUMeter()
	cpuBefore, began := meter.read(), time.Now()
	_ = parallel(ctx, clients, n, func(i int) error {
		req, err := build(i)
		if err != nil {
			return err
		}
		t0 := time.Now()
		res, err := client.Do(req)
		lat[i] = time.Since(t0)
		if err != nil {
			return nil
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		codes[i] = res.StatusCode
		return nil
	})
	o.Duration, o.CPU = time.Since(began), meter.read().since(cpuBefore)
	ok := 0
	for _, c := range codes {
		if c >= 200 && c < 300 {
			ok++
		} else {
			o.Errors++
			o.Codes[fmt.Sprint(c)]++
		}
	}
	o.Requests, o.Throughput = n, float64(ok)/o.Duration.Seconds()
	o.Rate = int(float64(n) / o.Duration.Seconds())
	sorted := append([]time.Duration(nil), lat...)
	slices.Sort(sorted)
	o.P50, o.P99, o.P999, o.Max = quantile(sorted, 0.5), quantile(sorted, 0.99), quantile(sorted, 0.999), sorted[len(sorted)-1]
	return o
}

// parallel runs fn(0..n-1) on workers goroutines and returns the first error.
func parallel(ctx context.Context, workers, n int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
