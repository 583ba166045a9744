package main

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// The replica-killed-mid-exam drill: examinees of a unit made for the run sit an exam made for
// the run through the balancer, each saving an answer every ~2 s. Replica a2 is killed with
// SIGKILL (a crash: nothing drained) while they write, and started again later. Then most
// examinees resume (GET their attempt: every answer the API acknowledged must be there) and
// submit; the others abandon the exam, and the sweeper of whichever replicas run finalises
// their attempts after the deadline. It passes when no acknowledged answer is lost, every
// examinee could resume and submit, and every attempt was graded exactly once (one result
// row per examinee; each wrong answer in the wrong-answer book once).
const (
	examinees     = 500
	saveEvery     = 2 * time.Second
	savePhase     = 40 * time.Second
	breakAt       = 12 * time.Second // into the save phase
	repairAt      = 26 * time.Second
	abandonEvery  = 10 // every tenth examinee abandons
	examWindow    = 80 * time.Second
	sweepDeadline = 150 * time.Second // after the window closes
)

// examinee is one learner sitting the drill's exam, with what the API acknowledged.
type examinee struct {
	*client
	username  string
	password  string
	attempt   int64
	questions []paperQuestion

	mu      sync.Mutex
	acked   map[int64]string          // question → last answer answered 2xx
	unknown map[int64]map[string]bool // question → answers sent after it whose outcome is unknown
}

type paperQuestion struct {
	QuestionID int64    `json:"question_id"`
	Options    []string `json:"options"`
	Answer     *string  `json:"answer"`
}

type attemptView struct {
	ID        int64           `json:"id"`
	Status    string          `json:"status"`
	Questions []paperQuestion `json:"questions"`
}

func replicaKilledMidExam(d *drill) error {
	return d.midExam(outage{what: "a2", down: []string{"kill-replica", "2"}, up: []string{"start-replica", "2"}})
}

// dbNodeDownMidExam is the same exam with the writer Galera node stopped (SIGTERM) instead,
// and started again, while WeChat participants play a quiz round too (exam_quiz.go): the
// database-node drill with exam autosaves and quiz submits.
func dbNodeDownMidExam(d *drill) error {
	return d.midExam(outage{what: "n1", down: []string{"stop-node", "1"}, up: []string{"start-node", "1"}, quiz: true})
}

// outage is what a mid-exam drill breaks at breakAt and repairs at repairAt: cluster.sh
// commands; quiz adds the quiz load of exam_quiz.go to the autosaves.
type outage struct {
	what     string
	down, up []string
	quiz     bool
}

func (d *drill) midExam(o outage) error {
	admin, err := login(d.newClient(0), "admin", demoPassword)
	if err != nil {
		return err
	}
	setup := time.Now()
	unitID, err := d.drillUnit(admin)
	if err != nil {
		return err
	}
	people, err := d.enrol(admin, unitID, examinees)
	if err != nil {
		return err
	}
	// The quiz is made before the exam: the exam closes examWindow after it is created.
	var quiz *quizLoad
	if o.quiz {
		if quiz, err = d.newQuizLoad(admin, people); err != nil {
			return err
		}
		defer quiz.hook.remove(admin, d.name)
	}
	examID, err := d.drillExam(admin, unitID, examWindow, 1)
	if err != nil {
		return err
	}
	if err := startAttempts(examID, people); err != nil {
		return err
	}
	fmt.Printf("%s: %d examinees enrolled, logged in and started in %.1f s\n", d.name, len(people), time.Since(setup).Seconds())

	var played func() error
	began := time.Now()
	if quiz != nil {
		played = quiz.run(savePhase)
	}
	saves, took := d.autosave(people, o)
	saves.report(d.name+" autosave", took, len(people))
	var quizErr error
	if quiz != nil {
		quizErr = played() // a start answered what no participant expects; the checks run anyway
		quiz.report(time.Since(began))
	}
	submitted, retried, err := resumeAndSubmit(people)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d examinees resumed with every acknowledged answer and submitted (%d submits retried); %d abandoned\n",
		d.name, submitted, retried, len(people)-submitted)
	err = d.checkExam(examID, people)
	if quiz != nil {
		err = errors.Join(err, quizErr, quiz.check(unitID, examID))
	}
	return err
}

// newClient is a client of its own connection pool; k > 0 gives it a phone's address of its own.
func (d *drill) newClient(k int) *client {
	c := &client{api: d.api, http: &http.Client{Timeout: 30 * time.Second}}
	if k > 0 {
		c.ip = fmt.Sprintf("10.%d.%d.%d", 100+k/65536, k/256%256, k%256)
	}
	return c
}

// drillUnit makes the unit of this run's examinees, under the admin's own unit.
func (d *drill) drillUnit(admin *client) (int64, error) {
	var me struct {
		UnitID int64 `json:"unit_id"`
	}
	if code := admin.call(http.MethodGet, "/api/v1/me", nil, &me); code != http.StatusOK {
		return 0, fmt.Errorf("GET /me: status %d", code)
	}
	var u struct {
		ID int64 `json:"id"`
	}
	body := map[string]any{"parent_id": me.UnitID, "code": "drill-" + d.run, "name": "演练考场 " + d.run, "kind": "other"}
	if code := admin.call(http.MethodPost, "/api/v1/units", body, &u); code != http.StatusCreated {
		return 0, fmt.Errorf("create the drill's unit: status %d", code)
	}
	return u.ID, nil
}

// enrol creates the examinees (eight at a time: each costs argon2id hashes), logs them in, each
// from a phone address of its own (logins are rate limited per address), and has them change
// the initial password, as the API requires.
func (d *drill) enrol(admin *client, unitID int64, n int) ([]*examinee, error) {
	people := make([]*examinee, n)
	password := "Drill#" + d.run
	phonePrefix := time.Now().Unix() % 100000
	err := fanOut(len(people), 8, func(i int) error {
		phone := fmt.Sprintf("19%05d%04d", phonePrefix, i)
		body := map[string]any{"name": fmt.Sprintf("考生%03d", i+1), "unit_id": unitID, "track": "general", "phone": phone, "password": password}
		if code := admin.call(http.MethodPost, "/api/v1/learners", body, nil); code != http.StatusCreated {
			return fmt.Errorf("create examinee %d: status %d %s", i, code, admin.lastFailure())
		}
		c, err := login(d.newClient(i+1), phone, password)
		if err != nil {
			return err
		}
		// A password an admin chose must be changed at the first login; the answer is a new token.
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		change := map[string]string{"current_password": password, "new_password": password + "!x"}
		if code := c.call(http.MethodPut, "/api/v1/me/password", change, &tok); code != http.StatusOK {
			return fmt.Errorf("examinee %d changes the initial password: status %d %s", i, code, c.lastFailure())
		}
		c.token = tok.AccessToken
		people[i] = &examinee{client: c, username: phone, password: password + "!x", acked: map[int64]string{}, unknown: map[int64]map[string]bool{}}
		return nil
	})
	return people, err
}

// drillExam publishes an exam of ten single-choice questions for the drill's unit, open for
// window from now (options not shuffled, so the letters sent are the letters stored).
func (d *drill) drillExam(admin *client, unitID int64, window time.Duration, attempts int) (int64, error) {
	var banks struct {
		Items []idOnly `json:"items"`
	}
	campaign, err := activeCampaign(admin)
	if err != nil {
		return 0, err
	}
	if code := admin.call(http.MethodGet, "/api/v1/question-banks", nil, &banks); code != http.StatusOK || len(banks.Items) == 0 {
		return 0, fmt.Errorf("no question bank (status %d)", code)
	}
	now := time.Now().UTC()
	body := map[string]any{
		"campaign_id": campaign, "title": "集群演练考试 " + d.run,
		"opens_at": now.Add(-time.Minute), "closes_at": now.Add(window), "duration_minutes": 60, "max_attempts": attempts,
		"pass_score": 60, "audience_tracks": []string{"general"}, "audience_unit_ids": []int64{unitID}, "review_policy": "after_submit", "shuffle_questions": true,
		"blueprints": []any{map[string]any{"track": "general", "sections": []any{
			map[string]any{"title": "单项选择题", "bank_id": banks.Items[0].ID, "type": "single", "count": 10, "points": 10}}}},
	}
	var e struct {
		ID int64 `json:"id"`
	}
	if code := admin.call(http.MethodPost, "/api/v1/exams", body, &e); code != http.StatusCreated {
		return 0, fmt.Errorf("create the drill's exam: status %d %s", code, admin.lastFailure())
	}
	if code := admin.call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/publish", e.ID), nil, nil); code != http.StatusOK {
		return 0, fmt.Errorf("publish the drill's exam: status %d %s", code, admin.lastFailure())
	}
	return e.ID, nil
}

// activeCampaign is the first active campaign c sees (the demo county has one).
func activeCampaign(c *client) (int64, error) {
	var campaigns struct {
		Items []idOnly `json:"items"`
	}
	if code := c.call(http.MethodGet, "/api/v1/campaigns?status=active", nil, &campaigns); code != http.StatusOK || len(campaigns.Items) == 0 {
		return 0, fmt.Errorf("no active campaign (status %d)", code)
	}
	return campaigns.Items[0].ID, nil
}

func startAttempts(examID int64, people []*examinee) error {
	return fanOut(len(people), 16, func(i int) error {
		var a attemptView
		if code := people[i].call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/attempts", examID), nil, &a); code != http.StatusCreated {
			return fmt.Errorf("examinee %d starts: status %d %s", i, code, people[i].lastFailure())
		}
		people[i].attempt, people[i].questions = a.ID, a.Questions
		return nil
	})
}

// autosave has every examinee save a random answer to a random question every ~saveEvery for
// savePhase, with the outage from breakAt to repairAt.
func (d *drill) autosave(people []*examinee, o outage) (*tally, time.Duration) {
	t := &tally{failed: map[int]int{}}
	var wg sync.WaitGroup
	began := time.Now()
	for _, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(rand.N(saveEvery))
			for time.Since(began) < savePhase {
				p.saveOne(t)
				time.Sleep(saveEvery/2 + rand.N(saveEvery))
			}
		}()
	}
	time.Sleep(breakAt)
	broken := time.Now()
	if err := d.cluster(o.down...); err != nil {
		fmt.Println(err)
	}
	time.Sleep(time.Until(began.Add(repairAt)))
	if err := d.cluster(o.up...); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%s: %s down for %.1f s\n", d.name, o.what, time.Since(broken).Seconds())
	wg.Wait()
	return t, time.Since(began)
}

func (p *examinee) saveOne(t *tally) {
	q := p.questions[rand.N(len(p.questions))]
	answer := string(rune('A' + rand.N(len(q.Options))))
	p.mu.Lock()
	defer p.mu.Unlock() // one request at a time per examinee, as from one phone
	began := time.Now()
	code := p.call(http.MethodPut, fmt.Sprintf("/api/v1/attempts/%d/answers/%d", p.attempt, q.QuestionID), map[string]any{"answer": answer}, nil)
	t.add(code, time.Since(began))
	t.writes.Add(1)
	switch {
	case code >= 200 && code < 300:
		p.acked[q.QuestionID] = answer
		delete(p.unknown, q.QuestionID)
	case code == 0 || code >= 500:
		if p.unknown[q.QuestionID] == nil {
			p.unknown[q.QuestionID] = map[string]bool{}
		}
		p.unknown[q.QuestionID][answer] = true
	}
}

// possible reports whether a stored answer is one the API's answers allow: the last answer
// acknowledged, or one sent after it whose outcome is unknown.
func (p *examinee) possible(question int64, stored *string) bool {
	acked, ok := p.acked[question]
	if stored == nil {
		return !ok
	}
	return (ok && *stored == acked) || p.unknown[question][*stored]
}

// resumeAndSubmit has each examinee but every abandonEvery-th read their attempt back (on
// whichever replica answers), check every acknowledged answer is there, and submit with an
// Idempotency-Key, retrying the same key on a failure as a phone would.
func resumeAndSubmit(people []*examinee) (submitted, retried int, err error) {
	var mu sync.Mutex
	err = fanOut(len(people), 32, func(i int) error {
		if i%abandonEvery == 0 {
			return nil
		}
		p := people[i]
		var a attemptView
		if code := p.call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d", p.attempt), nil, &a); code != http.StatusOK {
			return fmt.Errorf("examinee %d resumes: status %d %s", i, code, p.lastFailure())
		}
		for _, q := range a.Questions {
			if !p.possible(q.QuestionID, q.Answer) {
				return fmt.Errorf("examinee %d resumed without an acknowledged answer to question %d", i, q.QuestionID)
			}
		}
		key := map[string]string{"Idempotency-Key": fmt.Sprintf("drill-%d-submit", p.attempt)}
		for try := 0; ; try++ {
			code := p.send(http.MethodPost, fmt.Sprintf("/api/v1/attempts/%d/submit", p.attempt), nil, nil, key)
			if code == http.StatusOK {
				mu.Lock()
				submitted, retried = submitted+1, retried+min(try, 1)
				mu.Unlock()
				return nil
			}
			if try == 4 {
				return fmt.Errorf("examinee %d could not submit: status %d %s", i, code, p.lastFailure())
			}
			time.Sleep(time.Second)
		}
	})
	return submitted, retried, err
}

// checkExam waits for the sweeper to finalise the abandoned attempts, then reads the database:
// every stored answer is one the API's answers allow, every attempt is graded, once.
func (d *drill) checkExam(examID int64, people []*examinee) error {
	db, err := sql.Open("mysql", d.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	waited := time.Now()
	for {
		var active int
		if err := db.QueryRow("SELECT COUNT(*) FROM exam_attempts WHERE exam_id = ? AND status = 'active'", examID).Scan(&active); err != nil {
			return err
		}
		if active == 0 {
			break
		}
		if time.Since(waited) > examWindow+sweepDeadline {
			return fmt.Errorf("%d attempts still active %.0f s later", active, time.Since(waited).Seconds())
		}
		time.Sleep(time.Second)
	}
	fmt.Printf("%s: every attempt finalised %.0f s after the submits (the exam closes %v after it is created; the sweeper runs every 30 s)\n",
		d.name, time.Since(waited).Seconds(), examWindow)
	lost := 0
	for _, p := range people {
		rows, err := db.Query("SELECT question_id, answer FROM exam_attempt_items WHERE attempt_id = ?", p.attempt)
		if err != nil {
			return err
		}
		for rows.Next() {
			var q int64
			var answer *string
			if err := rows.Scan(&q, &answer); err != nil {
				rows.Close()
				return err
			}
			if !p.possible(q, answer) {
				lost++
			}
		}
		rows.Close()
	}
	// Grading twice would count each wrong answer twice in the wrong-answer book (the examinees
	// are new accounts: the drill's exam is all their book holds). The outbox events are no
	// record here: without a webhook subscribed they are deleted once fanned out (with the quiz
	// load, a webhook is subscribed and quizLoad.checkWebhook counts its deliveries).
	var results, byDeadline, doubled int
	checks := []struct {
		into  *int
		query string
	}{
		{&results, "SELECT COUNT(*) FROM exam_results WHERE exam_id = ? AND attempts = 1"},
		{&byDeadline, "SELECT COUNT(*) FROM exam_attempts WHERE exam_id = ? AND finalised_by = 'deadline'"},
		{&doubled, `SELECT COUNT(*) FROM exam_attempts a WHERE a.exam_id = ? AND a.status = 'submitted' AND a.question_count - a.correct_count <>
			(SELECT COALESCE(SUM(w.wrong_count), 0) FROM wrong_questions w WHERE w.account_id = a.account_id)`},
	}
	for _, c := range checks {
		if err := db.QueryRow(c.query, examID).Scan(c.into); err != nil {
			return err
		}
	}
	fmt.Printf("%s: %d answers acknowledged but not stored; %d results (one attempt each), %d finalised by the deadline; %d attempts whose wrong answers were not booked exactly once\n",
		d.name, lost, results, byDeadline, doubled)
	if lost > 0 || results != len(people) || doubled > 0 {
		return fmt.Errorf("lost answers (%d), or results (%d) not one per examinee (%d), or attempts graded other than once (%d)",
			lost, results, len(people), doubled)
	}
	return nil
}

// fanOut runs do(0..n-1) on `workers` goroutines and returns the first error.
func fanOut(n, workers int, do func(i int) error) error {
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := do(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var first error
feed:
	for i := range n {
		select {
		case next <- i:
		case first = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil {
		select {
		case first = <-errs:
		default:
		}
	}
	return first
}
