package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The quiz half of db-node-down-mid-exam (issue 23: "stop one Galera node during quiz submits
// and exam autosaves"). Before the exam the admin makes a quiz activity credited in the active
// campaign, with a round open for the run that allows quizPlays plays per participant, and a
// webhook of credit.awarded and exam.attempt_graded to a receiver the drill runs. quizPlayers
// WeChat participants log in (codes unique to the run); every quizBoundEvery-th binds its
// WeChat to an examinee, so its plays are a learner's and earn the campaign's quiz credit.
// During the autosave phase, and so through the outage, each plays the round again and again:
// start, answer for 2–4 s (a random number of questions right), submit with an
// Idempotency-Key, sent again with the same key after Retry-After on a failure until it is
// answered 2xx (for at most quizRetryFor), pause 1–3 s. After the exam's checks the drill reads
// the database: every play answered 2xx is stored once, submitted with the score it was
// answered; no participant has more plays stored than starts it sent (a start answered 5xx may
// have stored a play nobody knows of: it stays active, off the boards, until its deadline);
// the round board holds each participant's best stored play and nothing waits for it; each
// stored play of a bound learner has one quiz ledger entry, the learner's quiz credit is what
// the campaign's rule and daily cap allow and equals the summary; and every credit.awarded and
// exam.attempt_graded of the run reached the webhook exactly once.
const (
	quizPlayers     = 100 // the round board's page (at most 100) shows them all
	quizBoundEvery  = 4   // participants 0, 4, 8, … bind their WeChat to examinee 0, 4, 8, …
	quizPlays       = 20  // plays_per_round; the start rate limit (10 a minute per account) keeps each to ~8
	quizPlaySeconds = 60  // seconds_per_play: longer than an answer and the submit's retries
	quizRoundOpen   = 5 * time.Minute
	quizRetryFor    = 30 * time.Second // how long a submit is sent again with its key
	quizMaxWait     = 5 * time.Second  // the longest Retry-After the drill waits
)

// quizHookEvents are the events the mid-exam drill's webhook subscribes to.
var quizHookEvents = []string{"credit.awarded", "exam.attempt_graded"}

// quizPlayer is a WeChat participant of the drill's round and what the API answered it. Only
// its own goroutine writes these while the plays run.
type quizPlayer struct {
	*client
	name    string // the fake WeChat's code "dev-<name>" logs this user in
	account int64
	learner int64 // the examinee's learner id when bound (its plays earn credit)
	started int   // starts answered 201
	unknown int   // starts answered 5xx or not at all: each may have stored a play
	results map[int64]quizResult
	gaveUp  map[int64]bool // plays whose submit was never answered 2xx
}

// quizResult is the part of a submit's answer the drill checks.
type quizResult struct {
	PlayID     int64 `json:"play_id"`
	Score      int   `json:"score"`
	DurationMs int64 `json:"duration_ms"`
	Flagged    bool  `json:"flagged"`
	key        string
}

// quizLoad is the quiz half of a mid-exam drill.
type quizLoad struct {
	d                                     *drill
	admin                                 *client
	campaign, bankID, activityID, roundID int64
	keys                                  answerKey
	hook                                  *hookReceiver
	players                               []*quizPlayer
	t                                     *tally // every start and submit (writes: the submits)

	mu                        sync.Mutex
	submits, resent           int
	startFailed, submitFailed map[int]int // answers other than 2xx, by status (0: none)
	wrong                     []string    // submits answered 2xx with another play or score than sent
}

// newQuizLoad makes the activity, round and webhook and logs the participants in.
func (d *drill) newQuizLoad(admin *client, people []*examinee) (*quizLoad, error) {
	q := &quizLoad{d: d, admin: admin, t: &tally{failed: map[int]int{}}, startFailed: map[int]int{}, submitFailed: map[int]int{}}
	var err error
	if q.campaign, err = activeCampaign(admin); err != nil {
		return nil, err
	}
	if q.bankID, q.keys, err = bankKeys(admin); err != nil {
		return nil, err
	}
	round := quizRound{campaign: q.campaign, bankID: q.bankID, endsAt: time.Now().Add(quizRoundOpen), plays: quizPlays, secondsPerPlay: quizPlaySeconds}
	if q.activityID, q.roundID, err = round.create(admin, d.run); err != nil {
		return nil, err
	}
	if q.hook, err = startHook(admin, d.run, quizHookEvents); err != nil {
		return nil, err
	}
	q.players = make([]*quizPlayer, quizPlayers)
	err = fanOut(len(q.players), 8, func(i int) error {
		p := &quizPlayer{client: d.newClient(5000 + i), name: fmt.Sprintf("xfdrill-%s-q%d", d.run, i),
			results: map[int64]quizResult{}, gaveUp: map[int64]bool{}}
		t, code := wechatLogin(p.client, p.name)
		if code != http.StatusOK || !t.NewUser {
			return fmt.Errorf("participant %d logs in by WeChat: status %d, new user %v %s", i, code, t.NewUser, p.lastFailure())
		}
		p.token = t.AccessToken
		if i%quizBoundEvery == 0 && i < len(people) {
			e := people[i]
			var bound wechatTokens
			if code := p.call(http.MethodPost, "/api/v1/auth/wechat/bind", map[string]string{"phone": e.username, "password": e.password}, &bound); code != http.StatusOK {
				return fmt.Errorf("participant %d binds WeChat to examinee %d: status %d %s", i, i, code, p.lastFailure())
			}
			p.token = bound.AccessToken
			var st standing
			if code := p.call(http.MethodGet, fmt.Sprintf("/api/v1/me/credits?campaign_id=%d", q.campaign), nil, &st); code != http.StatusOK || st.LearnerID == 0 {
				return fmt.Errorf("bound participant %d reads their credits: status %d %s", i, code, p.lastFailure())
			}
			p.learner = st.LearnerID
		}
		if p.account = accountOf(p.client, p.token); p.account == 0 {
			return fmt.Errorf("participant %d: GET /me refused", i)
		}
		q.players[i] = p
		return nil
	})
	if err != nil {
		q.hook.remove(admin, d.name)
		return nil, err
	}
	bound := 0
	for _, p := range q.players {
		if p.learner > 0 {
			bound++
		}
	}
	fmt.Printf("%s: quiz round %d (activity %d, %d plays each, credited in campaign %d), webhook %d; %d WeChat participants logged in, %d bound to examinees\n",
		d.name, q.roundID, q.activityID, quizPlays, q.campaign, q.hook.id, len(q.players), bound)
	return q, nil
}

// run has every participant play for phase from now; the function it returns waits for them.
func (q *quizLoad) run(phase time.Duration) func() error {
	until := time.Now().Add(phase)
	errs := make([]error, len(q.players))
	var wg sync.WaitGroup
	for i, p := range q.players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = q.play(p, i, until)
		}()
	}
	return func() error {
		wg.Wait()
		_, first := firstError(errs)
		return first
	}
}

// play has one participant start, answer and submit plays until `until`.
func (q *quizLoad) play(p *quizPlayer, i int, until time.Time) error {
	time.Sleep(rand.N(saveEvery))
	for time.Now().Before(until) {
		var paper struct {
			ID        int64 `json:"id"`
			Questions []struct {
				QuestionID int64    `json:"question_id"`
				Options    []string `json:"options"`
			} `json:"questions"`
		}
		began := time.Now()
		code, h := p.exchange(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/plays", q.roundID), nil, &paper, nil)
		q.t.add(code, time.Since(began))
		if code != http.StatusCreated {
			q.count(q.startFailed, code)
		}
		switch {
		case code == http.StatusCreated:
			p.started++
		case code == 0 || code >= 500:
			p.unknown++
			time.Sleep(retryAfter(h))
			continue
		case code == http.StatusTooManyRequests:
			time.Sleep(retryAfter(h))
			continue
		case code == http.StatusConflict && strings.Contains(p.lastFailure(), "quiz.play_active"):
			// A start answered 5xx stored a play after all: it runs until its deadline.
			time.Sleep(quizMaxWait)
			continue
		case code == http.StatusConflict && strings.Contains(p.lastFailure(), "quiz.no_plays_left"):
			return nil
		default:
			return fmt.Errorf("participant %d starts a play: status %d %s", i, code, p.lastFailure())
		}
		correct := rand.N(quizQuestions + 1)
		answers := []map[string]any{}
		for k, qu := range paper.Questions {
			answer := ""
			if k < correct {
				answer, _ = q.keys.answers(qu.QuestionID, qu.Options)
			}
			answers = append(answers, map[string]any{"question_id": qu.QuestionID, "answer": answer})
		}
		time.Sleep(2*time.Second + rand.N(2*time.Second))
		q.submit(p, paper.ID, answers, correct*10)
		time.Sleep(time.Second + rand.N(2*time.Second))
	}
	return nil
}

// submit sends a play's answers with an Idempotency-Key, and again with the same key after
// Retry-After while the answer is a failure, for at most quizRetryFor.
func (q *quizLoad) submit(p *quizPlayer, play int64, answers []map[string]any, score int) {
	key := fmt.Sprintf("drill-%s-quiz-%d", q.d.run, play)
	path := fmt.Sprintf("/api/v1/quiz/plays/%d/submit", play)
	body := map[string]any{"answers": answers}
	first := time.Now()
	for try := 0; ; try++ {
		var res quizResult
		began := time.Now()
		code, h := p.exchange(http.MethodPost, path, body, &res, map[string]string{"Idempotency-Key": key})
		q.t.add(code, time.Since(began))
		q.t.writes.Add(1)
		q.mu.Lock()
		q.submits++
		q.resent += min(try, 1)
		if code < 200 || code >= 300 {
			q.submitFailed[code]++
		} else if res.PlayID != play || res.Score != score || res.Flagged {
			q.wrong = append(q.wrong, fmt.Sprintf("play %d answered play %d, score %d (want %d), flagged %v", play, res.PlayID, res.Score, score, res.Flagged))
		}
		q.mu.Unlock()
		if code >= 200 && code < 300 {
			res.key = key
			p.results[play] = res
			return
		}
		if code >= 400 && code < 500 && code != http.StatusTooManyRequests || time.Since(first) > quizRetryFor {
			p.gaveUp[play] = true
			return
		}
		time.Sleep(retryAfter(h))
	}
}

func (q *quizLoad) count(m map[int]int, code int) {
	q.mu.Lock()
	m[code]++
	q.mu.Unlock()
}

// retryAfter is the wait an answer asks for (1 s when it names none), at most quizMaxWait.
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s > 0 {
		return min(time.Duration(s)*time.Second, quizMaxWait)
	}
	return time.Second
}

// report prints the quiz load's figures.
func (q *quizLoad) report(took time.Duration) {
	q.t.report(q.d.name+" quiz", took, len(q.players))
	started, unknown, answered, gaveUp := 0, 0, 0, 0
	for _, p := range q.players {
		started, unknown, answered, gaveUp = started+p.started, unknown+p.unknown, answered+len(p.results), gaveUp+len(p.gaveUp)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	fmt.Printf("%s quiz: %d plays started (failed starts by status %v, %d of them 5xx or none), %d submits sent for %d plays (%d sent again with their key; failed answers by status %v); %d answered 2xx, %d never\n",
		q.d.name, started, q.startFailed, unknown, q.submits, answered+gaveUp, q.resent, q.submitFailed, answered, gaveUp)
}

// storedPlay is a play of the round as the database holds it.
type storedPlay struct {
	id, account        int64
	status, key        string
	score              int
	durationMs         int64
	flagged, onPending bool
}

// check reads the database after the exam's checks (see the top of this file); unitID and
// examID name what the webhook must have had of the exam half.
func (q *quizLoad) check(unitID, examID int64) error {
	db, err := sql.Open("mysql", q.d.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(q.wrong) > 0 {
		fail("%d submits answered with another play or score than sent: %s", len(q.wrong), strings.Join(firstN(q.wrong, 3), "; "))
	}

	// Every ranked play folded into the boards (each replica's board writer flushes within a
	// delay), then the plays.
	waited := time.Now()
	var pending int
	for {
		if err := db.QueryRow("SELECT COUNT(*) FROM quiz_plays WHERE round_id = ? AND board_pending = 1", q.roundID).Scan(&pending); err != nil {
			return err
		}
		if pending == 0 || time.Since(waited) > settle {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if pending > 0 {
		fail("%d plays still waiting for the boards %v later", pending, settle)
	}
	plays, err := q.storedPlays(db)
	if err != nil {
		return err
	}
	byAccount := map[int64][]storedPlay{}
	byID := map[int64]storedPlay{}
	keys := map[string]int{}
	for _, s := range plays {
		byAccount[s.account] = append(byAccount[s.account], s)
		byID[s.id] = s
		if s.key != "" {
			keys[s.key]++
		}
	}
	var answered, lost, doubled, orphans, unanswered, flagged int
	for _, n := range keys {
		doubled += n - 1
	}
	for _, p := range q.players {
		answered += len(p.results)
		for id, r := range p.results {
			s, ok := byID[id]
			if !ok || s.account != p.account || s.status != "submitted" || s.score != r.Score || s.durationMs != r.DurationMs || s.key != r.key {
				lost++
			}
		}
		mine := byAccount[p.account]
		extra := 0
		for _, s := range mine {
			_, acked := p.results[s.id]
			switch {
			case acked:
			case p.gaveUp[s.id] && s.status == "submitted":
				unanswered++ // stored although no answer said so: the key would have replayed it
			case p.gaveUp[s.id]:
			default:
				extra++ // a play the drill never heard of: only a start answered 5xx may make one
			}
			if s.flagged {
				flagged++
			}
		}
		// Beyond what the starts sent could have made, or the round allows: doubled.
		orphans += min(extra, p.unknown)
		doubled += max(extra-p.unknown, len(mine)-p.started-p.unknown, len(mine)-quizPlays, 0)
	}
	if flagged > 0 {
		fail("%d plays flagged (the round flags none)", flagged)
	}
	fmt.Printf("%s quiz: %d plays stored (%d submitted); %d answered 2xx, %d of them lost (missing, or another score, duration or key); %d doubled; %d stored by a start answered 5xx (left active); %d stored although their submit was never answered 2xx\n",
		q.d.name, len(plays), countIf(plays, func(s storedPlay) bool { return s.status == "submitted" }), answered, lost, doubled, orphans, unanswered)
	if lost > 0 || doubled > 0 {
		fail("%d plays answered 2xx lost, %d doubled", lost, doubled)
	}
	for _, p := range q.players {
		if len(p.gaveUp) > 0 {
			fail("participant %s: %d submits never answered 2xx in %v", p.name, len(p.gaveUp), quizRetryFor)
			break
		}
	}

	if msg := q.checkBoard(db, byAccount); msg != "" {
		fail("%s", msg)
	}
	if msg := q.checkCredits(db, byAccount); msg != "" {
		fail("%s", msg)
	}
	if msg := q.checkWebhook(db, unitID, examID); msg != "" {
		fail("%s", msg)
	}
	if len(problems) > 0 {
		return errors.New("quiz: " + strings.Join(problems, "; "))
	}
	return nil
}

func (q *quizLoad) storedPlays(db *sql.DB) ([]storedPlay, error) {
	rows, err := db.Query(`SELECT id, account_id, status, score, duration_ms, idempotency_key, flagged, board_pending
		FROM quiz_plays WHERE round_id = ?`, q.roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedPlay
	for rows.Next() {
		var s storedPlay
		if err := rows.Scan(&s.id, &s.account, &s.status, &s.score, &s.durationMs, &s.key, &s.flagged, &s.onPending); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func countIf[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}

// best is each participant's best submitted play, as "score/duration": score first, then the
// shorter duration.
func best(byAccount map[int64][]storedPlay) map[int64]string {
	out := map[int64]string{}
	for account, plays := range byAccount {
		var top *storedPlay
		for k, s := range plays {
			if s.status != "submitted" {
				continue
			}
			if top == nil || s.score > top.score || s.score == top.score && s.durationMs < top.durationMs {
				top = &plays[k]
			}
		}
		if top != nil {
			out[account] = fmt.Sprintf("%d/%d", top.score, top.durationMs)
		}
	}
	return out
}

// checkBoard reads the round board (as the admin, through the balancer) until it holds each
// participant's best stored play (at most settle), and the SQL board row of each participant.
func (q *quizLoad) checkBoard(db *sql.DB, byAccount map[int64][]storedPlay) string {
	bests := best(byAccount)
	want := slices.Sorted(func(yield func(string) bool) {
		for _, b := range bests {
			if !yield(b) {
				return
			}
		}
	})
	path := fmt.Sprintf("/api/v1/quiz/rounds/%d/leaderboard?limit=100", q.roundID)
	began := time.Now()
	var got []string
	var code int
	for {
		var board boardView
		code = q.admin.call(http.MethodGet, path, nil, &board)
		got = got[:0]
		for _, it := range board.Items {
			got = append(got, fmt.Sprintf("%d/%d", it.Score, it.DurationMs))
		}
		slices.Sort(got)
		if code == http.StatusOK && slices.Equal(got, want) || time.Since(began) > settle {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	rows, err := db.Query("SELECT account_id, score, duration_ms FROM quiz_scores WHERE board = ?", fmt.Sprintf("round:%d", q.roundID))
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	stored, wrongRows := 0, 0
	for rows.Next() {
		var account, duration int64
		var score int
		if err := rows.Scan(&account, &score, &duration); err != nil {
			return err.Error()
		}
		stored++
		if bests[account] != fmt.Sprintf("%d/%d", score, duration) {
			wrongRows++
		}
	}
	fmt.Printf("%s quiz: the round board lists %d participants (status %d), %d expected (each one's best stored play), equal %v after %v; %d SQL board rows, %d not the participant's best\n",
		q.d.name, len(got), code, len(want), slices.Equal(got, want), time.Since(began).Round(time.Millisecond), stored, wrongRows)
	if code != http.StatusOK || !slices.Equal(got, want) || stored != len(want) || wrongRows > 0 {
		return fmt.Sprintf("the round board (%d entries, status %d; %d SQL rows, %d wrong) does not hold the %d participants' best plays", len(got), code, stored, wrongRows, len(want))
	}
	return ""
}

// checkCredits checks the bound learners' quiz credit: one ledger entry per stored submitted
// play, the amounts the campaign's rule and daily cap allow, the summary equal to the ledger.
func (q *quizLoad) checkCredits(db *sql.DB, byAccount map[int64][]storedPlay) string {
	var c struct {
		Rules struct {
			QuizPerPlay json.Number            `json:"quiz_per_play"`
			DailyCaps   map[string]json.Number `json:"daily_caps"`
		} `json:"rules"`
	}
	if code := q.admin.call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d", q.campaign), nil, &c); code != http.StatusOK {
		return fmt.Sprintf("read campaign %d: status %d", q.campaign, code)
	}
	per, capped := cents(c.Rules.QuizPerPlay), cents(c.Rules.DailyCaps["quiz"])
	var learners, entries, plays, missing, doubled, wrongAmount, wrongSummary int
	var credited int64
	for _, p := range q.players {
		if p.learner == 0 {
			continue
		}
		learners++
		rows, err := db.Query("SELECT source_id, amount, day FROM credit_ledger WHERE learner_id = ? AND campaign_id = ? AND source = 'quiz'", p.learner, q.campaign)
		if err != nil {
			return err.Error()
		}
		bySource := map[string]int{}
		byDay := map[string][2]int64{} // day → entries, credited
		var sum int64
		for rows.Next() {
			var source, day string
			var amount int64
			if err := rows.Scan(&source, &amount, &day); err != nil {
				rows.Close()
				return err.Error()
			}
			bySource[source]++
			d := byDay[day]
			byDay[day] = [2]int64{d[0] + 1, d[1] + amount}
			sum += amount
			entries++
		}
		rows.Close()
		submitted := map[string]bool{}
		for _, s := range byAccount[p.account] {
			if s.status == "submitted" {
				submitted[fmt.Sprintf("play:%d", s.id)] = true
				plays++
			}
		}
		for s := range submitted {
			if bySource[s] == 0 {
				missing++
			}
		}
		for s, n := range bySource {
			if submitted[s] {
				doubled += n - 1
			} else {
				doubled += n // no stored play of this learner earns it
			}
		}
		for _, d := range byDay {
			want := d[0] * per
			if capped > 0 {
				want = min(want, capped)
			}
			if d[1] != want {
				wrongAmount++
			}
		}
		var summary int64
		if err := db.QueryRow("SELECT quiz FROM credit_summaries WHERE learner_id = ? AND campaign_id = ?", p.learner, q.campaign).Scan(&summary); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err.Error()
		}
		if summary != sum {
			wrongSummary++
		}
		credited += sum
	}
	fmt.Printf("%s quiz: %d bound learners, %d plays stored, %d quiz ledger entries (%.2f credits; %.2f a play, daily cap %.2f): missing %d, doubled or foreign %d, learner-days credited other than the rule allows %d, summaries not equal to the ledger %d\n",
		q.d.name, learners, plays, entries, float64(credited)/100, float64(per)/100, float64(capped)/100, missing, doubled, wrongAmount, wrongSummary)
	if missing > 0 || doubled > 0 || wrongAmount > 0 || wrongSummary > 0 {
		return fmt.Sprintf("quiz credits: %d missing, %d doubled, %d learner-days wrong, %d summaries wrong", missing, doubled, wrongAmount, wrongSummary)
	}
	return ""
}

// checkWebhook waits until the receiver has every credit.awarded of the run's learners (the
// examinees, some of whom played) and every exam.attempt_graded of the exam, and counts.
func (q *quizLoad) checkWebhook(db *sql.DB, unitID, examID int64) string {
	want := map[string]bool{}
	learners := map[int64]bool{}
	for _, query := range []struct {
		sql, key string
		arg      int64
	}{
		{"SELECT id FROM learners WHERE unit_id = ?", "", unitID},
		{"SELECT e.id FROM credit_ledger e JOIN learners l ON l.id = e.learner_id WHERE l.unit_id = ? AND e.amount <> 0", "credit.awarded", unitID},
		{"SELECT id FROM exam_attempts WHERE exam_id = ? AND status <> 'active'", "exam.attempt_graded", examID},
	} {
		rows, err := db.Query(query.sql, query.arg)
		if err != nil {
			return err.Error()
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err.Error()
			}
			if query.key == "" {
				learners[id] = true
			} else {
				want[fmt.Sprintf("%s:%d", query.key, id)] = true
			}
		}
		rows.Close()
	}
	key := func(e hookEvent) string {
		d := e.data()
		switch {
		case e.Type == "exam.attempt_graded" && d.ExamID == examID:
			return fmt.Sprintf("%s:%d", e.Type, d.AttemptID)
		case e.Type == "credit.awarded" && learners[d.LearnerID]:
			return fmt.Sprintf("%s:%d", e.Type, d.EntryID)
		}
		return ""
	}
	t := q.hook.await(want, key)
	var rows, events, retried, undelivered int
	err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT event_uid), COALESCE(SUM(attempts > 1), 0), COALESCE(SUM(status <> 'succeeded'), 0)
		FROM webhook_deliveries WHERE webhook_id = ?`, q.hook.id).Scan(&rows, &events, &retried, &undelivered)
	if err != nil {
		return err.Error()
	}
	fmt.Printf("%s: webhook %d: %d events expected (%v), all in %v; %d deliveries received; missing %d, delivered more than once %d, unexpected %d, unsigned or malformed %d; the outbox holds %d deliveries of %d events, %d tried more than once, %d not succeeded\n",
		q.d.name, q.hook.id, len(want), t.byType, t.complete.Round(time.Millisecond), t.all, t.missing, t.doubled, t.extra, len(t.bad), rows, events, retried, undelivered)
	if !t.ok() || rows != events || undelivered > 0 {
		return fmt.Sprintf("webhook: %d missing, %d doubled, %d unexpected, %d bad; %d delivery rows for %d events, %d not succeeded",
			t.missing, t.doubled, t.extra, len(t.bad), rows, events, undelivered)
	}
	return ""
}
