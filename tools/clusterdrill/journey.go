package main

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// The journey drill: an admin, learners and WeChat participants use the product through the
// balancer, whose round robin sends consecutive requests of one client to different replicas,
// and the drill checks that every replica tells the same story:
//
//   - setup (admin): a unit and twelve learners for the run, a 60 s course, an exam, an event, a
//     quiz round with prizes, a webhook to a receiver the drill runs on 127.0.0.1, a manual
//     reminder sent by three taps at once on the three replicas, a reminder rule due now;
//   - ten learners study the course for 66 s (each heartbeat sent twice at once, as a phone
//     retrying), sit the exam (autosaves through the balancer, the paper read back on every
//     replica, the submit sent twice at once on two replicas with one Idempotency-Key) and check
//     in to the event (twice at once each: with one key, or a double tap without);
//   - twelve WeChat participants log in (one twice at once), play the round and submit twice at
//     once; the round board is read on each replica directly and compared; the admin closes the
//     round and draws on three replicas at once; the draw is recomputed; winners claim;
//   - reminders: one manual reminder per learner whichever tap won, one run of the rule, one
//     inbox message per reminder, one WeChat subscribe message per bound learner;
//   - credits: /me/credits on every replica equals what the journey earned, and the ledger;
//   - the webhook got every event of the journey exactly once, signed;
//   - a password changed on one replica revokes the old token on all three at once.
//
// The learners of the run are new accounts, so every figure checked is known in advance. The
// replicas must run wechat.mode live against the fake of `clusterdrill wechat-fake`, with
// integration.allow_private_webhooks and wechat.reminder_template_id as cluster.sh writes them.
// The drill's client sends a request answered 503 again after its Retry-After, as the
// mini-program should (meter, journey_checks.go); the last check, "no server errors", fails on
// any answer 5xx or none, unless -busy-ok lets through the 503s that the resend got past.
const (
	journeyLearners     = 10 // study, sit the exam, check in
	journeyLaggards     = 2  // do nothing: sure targets of the reminder rule; they bind WeChat
	journeyParticipants = 12 // WeChat users playing the quiz round
	courseSeconds       = 60 // the shortest course the API takes
	beatEvery           = 22 * time.Second
	roundOpen           = 50 * time.Second
	quizQuestions       = 5
	settle              = 15 * time.Second // how long a replica may lag another's write before a check fails
	reminderTemplate    = "drill-reminder" // cluster.sh's wechat.reminder_template_id
)

// journey is one run of the drill and what it made and saw.
type journey struct {
	*drill
	meter   *meter
	verdict verdicts
	began   time.Time

	admin      *client
	campaign   int64
	unitID     int64
	bankID     int64
	keys       answerKey
	learners   []*examinee // journeyLearners active ones, then the laggards
	learnerIDs []int64
	lagging    bool // the laggards' pace was behind at the start (the rule must remind them)

	courseID, examID, eventID, activityID, roundID, ruleID int64
	roundEnds, ruleAt                                      time.Time
	players                                                []*player
	attended, graded                                       []int64  // learners checked in, attempts graded
	bound                                                  []string // openids of the laggards bound to WeChat
	fakeCalls                                              map[string]int
	ledger                                                 map[int64]int64 // entry id → amount (cents), of the run's learners
	hook                                                   *hookReceiver
}

func runJourney(d *drill) error {
	m := newMeter(http.DefaultTransport, d.api)
	http.DefaultTransport = m
	j := &journey{drill: d, meter: m, began: time.Now()}
	err := j.walk()
	j.serverErrors()
	j.report()
	if err != nil {
		return err
	}
	if failed, total := j.verdict.failed(); failed > 0 {
		return fmt.Errorf("%d of %d checks failed", failed, total)
	}
	return nil
}

func (j *journey) walk() error {
	if err := j.setup(); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	defer j.cleanup()
	studied := make(chan struct{})
	go func() {
		defer close(studied)
		j.study()
	}()
	j.exam()
	j.event()
	j.quizPlay()
	<-studied
	j.quizBoard()
	j.quizDraw()
	j.reminders()
	j.credits()
	j.webhooks()
	j.password()
	return nil
}

// on is c sent to replica i (0-based) directly, with the same token and phone address.
func (j *journey) on(c *client, i int) *client {
	return &client{api: strings.TrimSpace(j.replicas[i%len(j.replicas)]), http: c.http, token: c.token, ip: c.ip}
}

type idOnly struct {
	ID int64 `json:"id"`
}

// bankQuestion is a question of the bank with its key, in the bank's option order.
type bankQuestion struct {
	ID      int64    `json:"id"`
	Type    string   `json:"type"`
	Options []string `json:"options"`
	Answer  string   `json:"answer"`
}

// answerKey is the bank's questions with their keys, by id.
type answerKey map[int64]bankQuestion

// bankKeys reads the bank drillExam draws from (the first listed) with its keys.
func bankKeys(admin *client) (int64, answerKey, error) {
	var banks struct {
		Items []idOnly `json:"items"`
	}
	if code := admin.call(http.MethodGet, "/api/v1/question-banks", nil, &banks); code != http.StatusOK || len(banks.Items) == 0 {
		return 0, nil, fmt.Errorf("no question bank (status %d)", code)
	}
	bankID, keys := banks.Items[0].ID, answerKey{}
	for page := 1; ; page++ {
		var qs struct {
			Items []bankQuestion `json:"items"`
			Total int            `json:"total"`
		}
		path := fmt.Sprintf("/api/v1/question-banks/%d/questions?page=%d&page_size=100", bankID, page)
		if code := admin.call(http.MethodGet, path, nil, &qs); code != http.StatusOK {
			return 0, nil, fmt.Errorf("list the bank's questions: status %d %s", code, admin.lastFailure())
		}
		for _, q := range qs.Items {
			keys[q.ID] = q
		}
		if len(qs.Items) == 0 || page*100 >= qs.Total {
			return bankID, keys, nil
		}
	}
}

// answers returns the right answer to a question in the letters of shown (the options as a
// paper shows them) and a wrong one.
func (k answerKey) answers(question int64, shown []string) (right, wrong string) {
	q, ok := k[question]
	if !ok {
		return "A", "B"
	}
	switch q.Type {
	case "single", "multiple":
		var letters []string
		for _, l := range q.Answer {
			if k := int(l - 'A'); k >= 0 && k < len(q.Options) {
				if at := slices.Index(shown, q.Options[k]); at >= 0 {
					letters = append(letters, string(rune('A'+at)))
				}
			}
		}
		sort.Strings(letters)
		right = strings.Join(letters, "")
		for k := range shown {
			if w := string(rune('A' + k)); w != right {
				return right, w
			}
		}
		return right, ""
	case "judge":
		if q.Answer == "true" {
			return "true", "false"
		}
		return "false", "true"
	default:
		right, _, _ = strings.Cut(q.Answer, "|")
		return right, "演练错答"
	}
}

func (j *journey) setup() error {
	var err error
	if j.admin, err = login(j.newClient(0), "admin", demoPassword); err != nil {
		return err
	}
	if j.campaign, err = activeCampaign(j.admin); err != nil {
		return err
	}
	if j.bankID, j.keys, err = bankKeys(j.admin); err != nil {
		return err
	}
	if j.hook, err = startHook(j.admin, j.run, hookEvents); err != nil {
		return err
	}
	if j.unitID, err = j.drillUnit(j.admin); err != nil {
		return err
	}
	if j.learners, err = j.enrol(j.admin, j.unitID, journeyLearners+journeyLaggards); err != nil {
		return err
	}
	j.learnerIDs = make([]int64, len(j.learners))
	for i, p := range j.learners {
		var st standing
		if code := p.call(http.MethodGet, fmt.Sprintf("/api/v1/me/credits?campaign_id=%d", j.campaign), nil, &st); code != http.StatusOK {
			return fmt.Errorf("learner %d reads their credits: status %d %s", i, code, p.lastFailure())
		}
		j.learnerIDs[i] = st.LearnerID
		j.lagging = st.Pace == "lagging" || st.Pace == "far_behind"
	}
	if err := j.content(); err != nil {
		return err
	}
	if err := j.bindWeChat(); err != nil {
		return err
	}
	j.manualReminders()
	return j.reminderRule()
}

// content is what the admin makes for the run: course, exam, event, quiz activity and round.
func (j *journey) content() error {
	var out idOnly
	course := map[string]any{"campaign_id": j.campaign, "title": "集群演练课程 " + j.run, "kind": "article",
		"body": "集群演练：本课用于检验学习时长在各副本间一致计算。", "duration_seconds": courseSeconds,
		"tracks": []string{"general"}, "credit": 1, "status": "published"}
	if code := j.admin.call(http.MethodPost, "/api/v1/courses", course, &out); code != http.StatusCreated {
		return fmt.Errorf("create the course: status %d %s", code, j.admin.lastFailure())
	}
	j.courseID = out.ID
	var err error
	if j.examID, err = j.drillExam(j.admin, j.unitID, 10*time.Minute, 1); err != nil {
		return err
	}
	now := time.Now().UTC()
	event := map[string]any{"campaign_id": j.campaign, "unit_id": j.unitID, "type": "lecture", "title": "集群演练法治讲坛 " + j.run,
		"venue_name": "演练会场", "starts_at": now.Add(-10 * time.Minute), "ends_at": now.Add(time.Hour), "credits": 2}
	if code := j.admin.call(http.MethodPost, "/api/v1/events", event, &out); code != http.StatusCreated {
		return fmt.Errorf("create the event: status %d %s", code, j.admin.lastFailure())
	}
	j.eventID = out.ID
	event["status"] = "published"
	if code := j.admin.call(http.MethodPut, fmt.Sprintf("/api/v1/events/%d", j.eventID), event, nil); code != http.StatusOK {
		return fmt.Errorf("publish the event: status %d %s", code, j.admin.lastFailure())
	}
	j.roundEnds = time.Now().Add(roundOpen)
	round := quizRound{bankID: j.bankID, endsAt: j.roundEnds, plays: 1, secondsPerPlay: 120,
		prizes: []any{map[string]any{"name": "一等奖", "stock": 1}, map[string]any{"name": "二等奖", "stock": 2}}}
	if j.activityID, j.roundID, err = round.create(j.admin, j.run); err != nil {
		return err
	}
	fmt.Printf("%s: unit %d, %d learners, course %d, exam %d, event %d, quiz round %d, webhook %d (receiver %s)\n",
		j.name, j.unitID, len(j.learners), j.courseID, j.examID, j.eventID, j.roundID, j.hook.id, j.hook.url)
	return nil
}

// password logs a laggard in, changes the password on a1 and sends the old token to all three
// replicas at once: each must refuse it (the principal drop reaches them through Redis), the new
// one works everywhere and the old refresh token is dead.
func (j *journey) password() {
	p := j.learners[journeyLearners+1]
	c := j.newClient(3000)
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if code := c.call(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": p.username, "password": p.password}, &tok); code != http.StatusOK {
		j.verdict.check("password change revokes", false, "login: status %d %s", code, c.lastFailure())
		return
	}
	c.token = tok.AccessToken
	var warm []int
	for r := range j.replicas { // every replica has the principal cached
		warm = append(warm, j.on(c, r).call(http.MethodGet, "/api/v1/me", nil, nil))
	}
	var next struct {
		AccessToken string `json:"access_token"`
	}
	change := map[string]string{"current_password": p.password, "new_password": p.password + "y"}
	if code := j.on(c, 0).call(http.MethodPut, "/api/v1/me/password", change, &next); code != http.StatusOK {
		j.verdict.check("password change revokes", false, "change on a1: status %d %s", code, c.lastFailure())
		return
	}
	changed := time.Now()
	old := make([]int, len(j.replicas))
	each(len(j.replicas), func(r int) error {
		old[r] = j.on(c, r).call(http.MethodGet, "/api/v1/me", nil, nil)
		return nil
	})
	after := time.Since(changed)
	enrolled := j.on(p.client, 2).call(http.MethodGet, "/api/v1/me", nil, nil)
	c.token = next.AccessToken
	var fresh []int
	for r := range j.replicas {
		fresh = append(fresh, j.on(c, r).call(http.MethodGet, "/api/v1/me", nil, nil))
	}
	refresh := j.on(c, 1).call(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": tok.RefreshToken}, nil)
	ok := refresh == http.StatusUnauthorized && enrolled == http.StatusUnauthorized
	for r := range j.replicas {
		ok = ok && warm[r] == http.StatusOK && old[r] == http.StatusUnauthorized && fresh[r] == http.StatusOK
	}
	j.verdict.check("password change revokes", ok, "changed on a1; old token on a1–a3 %v within %v (cached before: %v), older token %d, new token %v, old refresh token %d",
		old, after.Round(time.Millisecond), warm, enrolled, fresh, refresh)
}

// cleanup removes what would outlive the run: the webhook (its receiver stops with the drill)
// and the reminder rule (it would run again tomorrow).
func (j *journey) cleanup() {
	if j.hook != nil {
		j.hook.remove(j.admin, j.name)
	}
	if j.ruleID > 0 {
		if code := j.admin.call(http.MethodDelete, fmt.Sprintf("/api/v1/reminder-rules/%d", j.ruleID), nil, nil); code != http.StatusNoContent {
			fmt.Printf("%s: could not delete reminder rule %d: status %d\n", j.name, j.ruleID, code)
		}
	}
}

// report prints the run's figures.
func (j *journey) report() {
	m := j.meter
	m.mu.Lock()
	defer m.mu.Unlock()
	var replicas []string
	for _, r := range slices.Sorted(maps.Keys(m.byReplica)) {
		replicas = append(replicas, fmt.Sprintf("%s %d", r, m.byReplica[r]))
	}
	balanced := 0
	for _, n := range m.byReplica {
		balanced += n
	}
	fmt.Printf("%s: %d requests in %.1f s: %d through the balancer (%s), %d to replicas directly; "+
		"%d of %d consecutive requests of one client (%.0f %%) answered by another replica than the one before\n",
		j.name, m.requests, time.Since(j.began).Seconds(), balanced, strings.Join(replicas, ", "), m.direct,
		m.switched, m.pairs, 100*float64(m.switched)/math.Max(1, float64(m.pairs)))
	fmt.Printf("%s: statuses %v; failed (no answer or 5xx) %d, of them 503 sent again after Retry-After %v", j.name, m.statuses, m.failed, m.retried)
	if len(m.failures) > 0 {
		fmt.Printf(": %s", strings.Join(m.failures, "; "))
	}
	fmt.Println()
	failed, total := j.verdict.failed()
	fmt.Printf("%s: %d checks, %d passed, %d failed\n", j.name, total, total-failed, failed)
}
