package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"gorm.io/gorm/logger"
)

// captureLogger wraps the app's GORM logger and, while on, records every statement with its
// values (as GORM renders them for the dialect).
type captureLogger struct {
	logger.Interface
	on   atomic.Bool
	mu   sync.Mutex
	stmt []captured
}

type captured struct {
	SQL  string
	Took time.Duration
	Rows int64
}

func newCaptureLogger(inner logger.Interface) *captureLogger { return &captureLogger{Interface: inner} }

func (c *captureLogger) LogMode(logger.LogLevel) logger.Interface { return c }

func (c *captureLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	c.Interface.Trace(ctx, begin, fc, err)
	if !c.on.Load() {
		return
	}
	took := time.Since(begin)
	sql, rows := fc()
	c.mu.Lock()
	c.stmt = append(c.stmt, captured{SQL: sql, Took: took, Rows: rows})
	c.mu.Unlock()
}

func (c *captureLogger) start() {
	c.mu.Lock()
	c.stmt = nil
	c.mu.Unlock()
	c.on.Store(true)
}

func (c *captureLogger) stop() []captured {
	c.on.Store(false)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmt
}

// explain makes one request of each API scenario with statement capture on, then prints every
// statement, EXPLAINs it, and times each plain SELECT over repeated runs (idle server).
func (e *benchEnv) explain(ctx context.Context, capture *captureLogger, names []string, out io.Writer) error {
	fmt.Fprintln(out, "## Queries per request (one request each, EXPLAIN and timing on an idle server)")
	for _, name := range names {
		if strings.HasPrefix(name, "baseline") {
			continue
		}
		method, url, token, body := e.request(name)(0)
		if err := e.explainOne(ctx, capture, name, method, url, token, body, out); err != nil {
			return err
		}
	}
	if slices.Contains(names, "heartbeat") {
		method, url, token, body, err := e.creditingBeat(ctx)
		if err != nil {
			return err
		}
		return e.explainOne(ctx, capture, "heartbeat that credits a minute", method, url, token, body, out)
	}
	return nil
}

// creditingBeat prepares a heartbeat that credits: a sample learner starts a course they have
// not finished, the session's last beat is moved 61 s back (bench data only), and the beat
// reports a minute further on, so it crosses a verified minute and awards it through the ledger.
func (e *benchEnv) creditingBeat(ctx context.Context) (method, url, token string, body []byte, err error) {
	l := e.learners[0]
	var course int64
	if err = e.sqlDB.QueryRowContext(ctx, `SELECT c.id FROM courses c JOIN learners l ON l.id = ?
		LEFT JOIN course_progress p ON p.course_id = c.id AND p.learner_id = l.id
		WHERE c.campaign_id = ? AND c.status = 'published' AND FIND_IN_SET(l.track, c.tracks) > 0
		AND c.duration_seconds - COALESCE(p.verified_seconds, 0) >= 120 ORDER BY c.sort_order, c.id LIMIT 1`,
		l.LearnerID, e.campaignID).Scan(&course); err != nil {
		return "", "", "", nil, fmt.Errorf("a course to credit: %w", err)
	}
	var sess struct {
		ID              int64 `json:"id"`
		PositionSeconds int   `json:"position_seconds"`
	}
	if err = e.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/sessions", course), l.Token, nil, http.StatusCreated, &sess); err != nil {
		return "", "", "", nil, err
	}
	if _, err = e.sqlDB.ExecContext(ctx, "UPDATE study_sessions SET last_beat_at = last_beat_at - INTERVAL 61 SECOND WHERE id = ?", sess.ID); err != nil {
		return "", "", "", nil, err
	}
	return http.MethodPut, fmt.Sprintf("%s/api/v1/study-sessions/%d/heartbeat", e.api, sess.ID), l.Token,
		[]byte(fmt.Sprintf(`{"position":%d}`, sess.PositionSeconds+60)), nil
}

// explainOne makes one request with statement capture on, then prints, EXPLAINs and times its
// statements.
func (e *benchEnv) explainOne(ctx context.Context, capture *captureLogger, name, method, url, token string, body []byte, out io.Writer) error {
	capture.start()
	var answer struct {
		Credited *int `json:"credited_seconds"`
	}
	err := e.call(ctx, method, strings.TrimPrefix(url, e.api), token, jsonBody(body), http.StatusOK, &answer)
	stmts := capture.stop()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(out, "\n### %s: %d statements", name, len(stmts))
	if answer.Credited != nil {
		fmt.Fprintf(out, " (credited %d s)", *answer.Credited)
	}
	fmt.Fprintln(out)
	for i, s := range stmts {
		fmt.Fprintf(out, "\n%d. (%s, %d rows) %s\n", i+1, ms(s.Took), s.Rows, oneLine(s.SQL, 600))
		verb := strings.ToUpper(strings.Fields(s.SQL)[0])
		if verb != "SELECT" && verb != "UPDATE" && verb != "DELETE" {
			continue
		}
		plan, err := explainPlan(ctx, e.sqlDB, s.SQL)
		if err != nil {
			fmt.Fprintf(out, "   EXPLAIN failed: %v\n", err)
			continue
		}
		fmt.Fprint(out, plan)
		if verb == "SELECT" && !strings.Contains(strings.ToUpper(s.SQL), "FOR UPDATE") {
			p50, p99, err := timeQuery(ctx, e.sqlDB, s.SQL, 100)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "   timed ×100: p50 %s, p99 %s\n", ms(p50), ms(p99))
		}
	}
	return nil
}

func jsonBody(b []byte) any {
	if b == nil {
		return nil
	}
	return jsonRaw(b)
}

// jsonRaw marshals as itself.
type jsonRaw []byte

func (j jsonRaw) MarshalJSON() ([]byte, error) { return j, nil }

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// explainPlan runs EXPLAIN and formats its rows compactly.
func explainPlan(ctx context.Context, db *sql.DB, stmt string) (string, error) {
	rows, err := db.QueryContext(ctx, "EXPLAIN "+stmt)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		parts := []string{}
		for i, c := range cols {
			if c == "id" || !vals[i].Valid || vals[i].String == "" {
				continue
			}
			parts = append(parts, c+"="+vals[i].String)
		}
		fmt.Fprintf(&b, "   EXPLAIN: %s\n", strings.Join(parts, " "))
	}
	return b.String(), rows.Err()
}

// timeQuery runs a SELECT n times, reading every row, and returns p50 and p99.
func timeQuery(ctx context.Context, db *sql.DB, stmt string, n int) (time.Duration, time.Duration, error) {
	lat := make([]time.Duration, 0, n)
	for range n {
		began := time.Now()
		rows, err := db.QueryContext(ctx, stmt)
		if err != nil {
			return 0, 0, err
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, 0, err
		}
		lat = append(lat, time.Since(began))
	}
	slices.Sort(lat)
	return quantile(lat, 0.5), quantile(lat, 0.99), nil
}
