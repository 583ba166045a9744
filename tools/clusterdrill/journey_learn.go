package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// sessionView is a study session as the API answers it, the part the drill reads.
type sessionView struct {
	ID              int64      `json:"id"`
	VerifiedSeconds int        `json:"verified_seconds"`
	CreditedSeconds int        `json:"credited_seconds"`
	SessionVerified int        `json:"session_verified_seconds"`
	CourseCompleted bool       `json:"course_completed"`
	Ended           bool       `json:"ended"`
	CompletedAt     *time.Time `json:"completed_at"`
}

// study has every active learner study the 60 s course through the balancer: a session, two
// heartbeats 22 s apart each sent twice at once (a phone retrying; the copies land on different
// replicas), and the finish at 66 s. Time is credited only as the servers saw it pass: each
// learner ends with 60 verified seconds, never more than the time that passed, and the course
// completed, whichever replica answered which beat.
func (j *journey) study() {
	active := j.learners[:journeyLearners]
	var refused, idle atomic.Int64 // doubled beats refused 409; doubled beats answered 200 crediting nothing
	began := time.Now()
	errs := each(len(active), func(i int) error {
		p := active[i]
		var s sessionView
		if code := p.call(http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/sessions", j.courseID), nil, &s); code != http.StatusCreated {
			return fmt.Errorf("learner %d starts studying: status %d %s", i, code, p.lastFailure())
		}
		start := time.Now()
		beat := fmt.Sprintf("/api/v1/study-sessions/%d/heartbeat", s.ID)
		for k := 1; k <= 2; k++ {
			time.Sleep(time.Until(start.Add(time.Duration(k) * beatEvery)))
			pos := map[string]int{"position": int(time.Since(start).Seconds()) - 1}
			var a, b sessionView
			var ca, cb int
			together(func() { ca = p.call(http.MethodPut, beat, pos, &a) }, func() { cb = p.call(http.MethodPut, beat, pos, &b) })
			switch {
			case ca == http.StatusOK && cb == http.StatusOK:
				if min(a.CreditedSeconds, b.CreditedSeconds) == 0 {
					idle.Add(1)
				} else {
					return fmt.Errorf("learner %d: both copies of beat %d credited time (%d s and %d s)", i, k, a.CreditedSeconds, b.CreditedSeconds)
				}
			case ca == http.StatusOK && cb == http.StatusConflict, ca == http.StatusConflict && cb == http.StatusOK:
				refused.Add(1)
			default:
				return fmt.Errorf("learner %d: beat %d answered %d and %d %s", i, k, ca, cb, p.lastFailure())
			}
		}
		time.Sleep(time.Until(start.Add(3 * beatEvery)))
		var fin sessionView
		code := p.call(http.MethodPost, fmt.Sprintf("/api/v1/study-sessions/%d/finish", s.ID), map[string]int{"position": courseSeconds}, &fin)
		passed := int(time.Since(start).Seconds()) + 1
		switch {
		case code != http.StatusOK:
			return fmt.Errorf("learner %d finishes: status %d %s", i, code, p.lastFailure())
		case fin.VerifiedSeconds != courseSeconds || fin.CompletedAt == nil || !fin.Ended:
			return fmt.Errorf("learner %d finished with %d verified seconds, completed %v, ended %v", i, fin.VerifiedSeconds, fin.CompletedAt != nil, fin.Ended)
		case fin.SessionVerified > passed:
			return fmt.Errorf("learner %d was credited %d s in %d s", i, fin.SessionVerified, passed)
		}
		return nil
	})
	bad, first := firstError(errs)
	j.verdict.check("study", bad == 0, "%d learners studied the %d s course for %.0f s, each heartbeat sent twice at once: %d completed with %d s verified (no more than the time that passed); doubled beats refused 409: %d, answered 200 crediting 0 s: %d%s",
		len(active), courseSeconds, time.Since(began).Seconds(), len(active)-bad, courseSeconds, refused.Load(), idle.Load(), errSuffix(first))
}

// submitted is the part of a submit's answer the drill compares.
type submitted struct {
	SubmittedAt *time.Time `json:"submitted_at"`
	Result      *struct {
		Score  float64 `json:"score"`
		Passed bool    `json:"passed"`
	} `json:"result"`
}

// exam has the active learners sit the run's exam: each saves a wrong answer to every question,
// then the right one (twenty autosaves through the balancer), reads the paper back on every
// replica directly (each must show the last answer acknowledged), and submits twice at once on
// two replicas with one Idempotency-Key (both answers the same result: graded once, 100).
func (j *journey) exam() {
	active := j.learners[:journeyLearners]
	if err := startAttempts(j.examID, active); err != nil {
		j.verdict.check("exam", false, "start: %v", err)
		return
	}
	var saves atomic.Int64
	submittedOK := make([]bool, len(active))
	errs := each(len(active), func(i int) error {
		p := active[i]
		save := func(q paperQuestion, answer string) error {
			saves.Add(1)
			path := fmt.Sprintf("/api/v1/attempts/%d/answers/%d", p.attempt, q.QuestionID)
			if code := p.call(http.MethodPut, path, map[string]any{"answer": answer}, nil); code < 200 || code > 299 {
				return fmt.Errorf("examinee %d saves: status %d %s", i, code, p.lastFailure())
			}
			p.acked[q.QuestionID] = answer
			return nil
		}
		for round := range 2 {
			for _, q := range p.questions {
				answer, wrong := j.keys.answers(q.QuestionID, q.Options)
				if round == 0 {
					answer = wrong
				}
				if err := save(q, answer); err != nil {
					return err
				}
			}
		}
		for r := range j.replicas {
			var a attemptView
			if code := j.on(p.client, r).call(http.MethodGet, fmt.Sprintf("/api/v1/attempts/%d", p.attempt), nil, &a); code != http.StatusOK {
				return fmt.Errorf("examinee %d reads the paper on a%d: status %d", i, r+1, code)
			}
			for _, q := range a.Questions {
				if q.Answer == nil || *q.Answer != p.acked[q.QuestionID] {
					return fmt.Errorf("examinee %d: a%d shows answer %v to question %d, acknowledged %q", i, r+1, q.Answer, q.QuestionID, p.acked[q.QuestionID])
				}
			}
		}
		key := map[string]string{"Idempotency-Key": fmt.Sprintf("journey-%s-submit-%d", j.run, p.attempt)}
		path := fmt.Sprintf("/api/v1/attempts/%d/submit", p.attempt)
		var a, b submitted
		var ca, cb int
		together(func() { ca = j.on(p.client, i).send(http.MethodPost, path, nil, &a, key) },
			func() { cb = j.on(p.client, i+1).send(http.MethodPost, path, nil, &b, key) })
		submittedOK[i] = ca == http.StatusOK || cb == http.StatusOK
		switch {
		case ca != http.StatusOK || cb != http.StatusOK:
			return fmt.Errorf("examinee %d submits twice at once: %d and %d %s", i, ca, cb, p.lastFailure())
		case a.Result == nil || b.Result == nil || !reflect.DeepEqual(a, b):
			return fmt.Errorf("examinee %d: the two submits answered different results", i)
		case a.Result.Score != 100 || !a.Result.Passed:
			return fmt.Errorf("examinee %d scored %v with every right answer saved", i, a.Result.Score)
		}
		return nil
	})
	for i, ok := range submittedOK {
		if ok { // graded: its exam.attempt_graded is due
			j.graded = append(j.graded, active[i].attempt)
		}
	}
	bad, first := firstError(errs)
	// The exam's results on every replica: one attempt each, all 100.
	var views []string
	for r := range j.replicas {
		var res struct {
			Items []struct {
				LearnerID int64    `json:"learner_id"`
				Attempts  int      `json:"attempts"`
				Score     *float64 `json:"score"`
				Passed    bool     `json:"passed"`
			} `json:"items"`
		}
		if code := j.on(j.admin, r).call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results?page_size=100", j.examID), nil, &res); code != http.StatusOK {
			views = append(views, fmt.Sprintf("a%d: status %d", r+1, code))
			continue
		}
		took, graded := 0, 0
		for _, it := range res.Items {
			if it.Score != nil {
				took++
				if it.Attempts == 1 && *it.Score == 100 && it.Passed {
					graded++
				}
			}
		}
		views = append(views, fmt.Sprintf("a%d: %d of %d took it, %d once with 100", r+1, took, len(res.Items), graded))
	}
	want := fmt.Sprintf("%d of %d took it, %d once with 100", len(active), len(j.learners), len(active))
	same := true
	for r, v := range views {
		same = same && v == fmt.Sprintf("a%d: %s", r+1, want)
	}
	j.verdict.check("exam", bad == 0 && same, "%d examinees, %d autosaves through the balancer, papers read back on %d replicas, submits doubled on two replicas with one key: %d failed%s; results %v",
		len(active), saves.Load(), len(j.replicas), bad, errSuffix(first), views)
}

// checkinView is the part of a check-in's answer the drill compares.
type checkinView struct {
	Attendance struct {
		CheckedInAt time.Time `json:"checked_in_at"`
	} `json:"attendance"`
}

// event has the admin show the check-in code and every active learner scan it twice at once on
// two replicas: the even ones with one Idempotency-Key (a retry: both answered alike), the odd
// ones without (a double tap: one check-in, the other 409 checkin.duplicate). Every replica then
// reports one attendance per learner, each credited.
func (j *journey) event() {
	var code struct {
		Token string `json:"token"`
	}
	if status := j.admin.call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d/checkin-code", j.eventID), nil, &code); status != http.StatusOK {
		j.verdict.check("event check-in", false, "check-in code: status %d %s", status, j.admin.lastFailure())
		return
	}
	active := j.learners[:journeyLearners]
	path := fmt.Sprintf("/api/v1/events/%d/checkins", j.eventID)
	var taps, retries atomic.Int64
	errs := each(len(active), func(i int) error {
		p := active[i]
		var key map[string]string
		if i%2 == 0 {
			key = map[string]string{"Idempotency-Key": fmt.Sprintf("journey-%s-checkin-%d", j.run, i)}
		}
		var a, b checkinView
		var ca, cb int
		scan := map[string]string{"token": code.Token}
		together(func() { ca = j.on(p.client, i).send(http.MethodPost, path, scan, &a, key) },
			func() { cb = j.on(p.client, i+1).send(http.MethodPost, path, scan, &b, key) })
		if key != nil {
			retries.Add(1)
			if ca != http.StatusOK || cb != http.StatusOK || !a.Attendance.CheckedInAt.Equal(b.Attendance.CheckedInAt) {
				return fmt.Errorf("learner %d scans twice with one key: %d and %d (%v, %v) %s", i, ca, cb, a.Attendance.CheckedInAt, b.Attendance.CheckedInAt, p.lastFailure())
			}
			return nil
		}
		taps.Add(1)
		if !(ca == http.StatusOK && cb == http.StatusConflict || ca == http.StatusConflict && cb == http.StatusOK) {
			return fmt.Errorf("learner %d double-taps: %d and %d %s", i, ca, cb, p.lastFailure())
		}
		return nil
	})
	bad, first := firstError(errs)
	var views []string
	ok := true
	for r := range j.replicas {
		var rep struct {
			Attended int `json:"attended"`
			Credited int `json:"credited"`
			Items    []struct {
				LearnerID int64 `json:"learner_id"`
			} `json:"items"`
		}
		status := j.on(j.admin, r).call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d/attendance", j.eventID), nil, &rep)
		if r == 0 {
			for _, it := range rep.Items {
				j.attended = append(j.attended, it.LearnerID)
			}
		}
		views = append(views, fmt.Sprintf("a%d: %d attended, %d credited, %d rows", r+1, rep.Attended, rep.Credited, len(rep.Items)))
		ok = ok && status == http.StatusOK && rep.Attended == len(active) && rep.Credited == len(active) && len(rep.Items) == len(active)
	}
	j.verdict.check("event check-in", bad == 0 && ok, "%d learners scanned twice at once on two replicas (%d with one key, %d double taps): %d wrong%s; attendance %v",
		len(active), retries.Load(), taps.Load(), bad, errSuffix(first), views)
}

// standing is what GET /me/credits answers, the part the drill reads.
type standing struct {
	LearnerID int64                  `json:"learner_id"`
	Total     json.Number            `json:"total"`
	Pace      string                 `json:"pace"`
	BySource  map[string]json.Number `json:"by_source"`
}

// credits reads every learner's credits on every replica: the same everywhere, what the
// journey earned (a 60 s course: one verified minute 0.1 and completion 1; the exam passed 10;
// the event 2), and the sum of the ledger.
func (j *journey) credits() {
	want := map[string]int64{"study": 110, "exam": 1000, "event": 200}
	j.ledger = map[int64]int64{}
	var mu sync.Mutex
	errs := each(len(j.learners), func(i int) error {
		p := j.learners[i]
		expect := want
		if i >= journeyLearners {
			expect = map[string]int64{}
		}
		var total int64
		for _, v := range expect {
			total += v
		}
		// The ledger first (its entries are what the webhook must have sent), then the standing
		// on every replica: the ledger's sum and the journey's figures.
		var ledger struct {
			Items []struct {
				ID     int64       `json:"id"`
				Amount json.Number `json:"amount"`
			} `json:"items"`
		}
		query := fmt.Sprintf("campaign_id=%d", j.campaign)
		if code := p.call(http.MethodGet, "/api/v1/me/credits/ledger?page_size=100&"+query, nil, &ledger); code != http.StatusOK {
			return fmt.Errorf("learner %d's ledger: status %d", i, code)
		}
		var sum int64
		mu.Lock()
		for _, e := range ledger.Items {
			sum += cents(e.Amount)
			j.ledger[e.ID] = cents(e.Amount)
		}
		mu.Unlock()
		for r := range j.replicas {
			var st standing
			if code := j.on(p.client, r).call(http.MethodGet, "/api/v1/me/credits?"+query, nil, &st); code != http.StatusOK {
				return fmt.Errorf("learner %d on a%d: status %d", i, r+1, code)
			}
			if cents(st.Total) != sum {
				return fmt.Errorf("learner %d on a%d: total %s, the ledger sums to %.2f", i, r+1, st.Total, float64(sum)/100)
			}
			if cents(st.Total) != total {
				return fmt.Errorf("learner %d on a%d: total %s, want %.2f", i, r+1, st.Total, float64(total)/100)
			}
			for source, n := range st.BySource {
				if cents(n) != expect[source] {
					return fmt.Errorf("learner %d on a%d: %s %s, want %.2f", i, r+1, source, n, float64(expect[source])/100)
				}
			}
		}
		return nil
	})
	bad, first := firstError(errs)
	j.verdict.check("credits on every replica", bad == 0, "%d learners × %d replicas: study 1.1 + exam 10 + event 2 = 13.1 each (laggards 0), ledgers agree; %d wrong%s",
		len(j.learners), len(j.replicas), bad, errSuffix(first))
}
