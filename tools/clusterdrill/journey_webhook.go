package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// hookReceiver is the webhook receiver the drill runs on a free loopback port: it verifies each
// delivery's signature as docs/integrators.md tells integrators to, and counts deliveries by
// event id.
type hookReceiver struct {
	srv *http.Server
	url string
	id  int64

	mu       sync.Mutex
	secret   string
	received int
	byID     map[string]int
	events   map[string]hookEvent
	bad      []string
}

type hookEvent struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// hookEvents are the event types the drill subscribes to.
var hookEvents = []string{"credit.awarded", "event.attendance_recorded", "exam.attempt_graded", "quiz.round_drawn"}

func (j *journey) startHook() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	h := &hookReceiver{url: "http://" + ln.Addr().String() + "/xuefa/webhook", byID: map[string]int{}, events: map[string]hookEvent{}}
	h.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	j.hook = h
	var out struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	body := map[string]any{"url": h.url, "events": hookEvents, "description": "集群演练 " + j.run}
	if code := j.admin.call(http.MethodPost, "/api/v1/integration/webhooks", body, &out); code != http.StatusCreated {
		return fmt.Errorf("register the webhook: status %d %s", code, j.admin.lastFailure())
	}
	h.mu.Lock()
	h.id, h.secret = out.ID, out.Secret
	h.mu.Unlock()
	return nil
}

func (h *hookReceiver) close() { _ = h.srv.Close() }

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.secret == "" { // a delivery racing the registration's answer: try again later
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	h.received++
	var e hookEvent
	switch {
	case json.Unmarshal(body, &e) != nil || e.ID == "":
		h.bad = append(h.bad, "unreadable body")
	case !verifySignature(h.secret, r.Header.Get("X-Xuefa-Signature"), body, time.Now()):
		h.bad = append(h.bad, "bad signature on "+e.ID)
	case r.Header.Get("X-Xuefa-Event-Id") != e.ID || r.Header.Get("X-Xuefa-Event") != e.Type:
		h.bad = append(h.bad, "headers do not match the body of "+e.ID)
	}
	h.byID[e.ID]++
	if _, seen := h.events[e.ID]; !seen {
		h.events[e.ID] = e
	}
	w.WriteHeader(http.StatusNoContent)
}

// verifySignature is docs/integrators.md's recipe: X-Xuefa-Signature is
// t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>, within 5 minutes.
func verifySignature(secret, header string, body []byte, now time.Time) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" || now.Sub(time.Unix(t, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	return hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig))
}

// webhooks waits until the receiver has every event the journey caused (an exam.attempt_graded
// per attempt, an event.attendance_recorded per check-in, a credit.awarded per ledger entry of
// the run's learners, the round's quiz.round_drawn), then 12 s more for late copies, and checks
// each arrived exactly once (one event id, one delivery), signed.
func (j *journey) webhooks() {
	want := map[string]bool{fmt.Sprintf("quiz.round_drawn:%d", j.roundID): true}
	for _, id := range j.graded {
		want[fmt.Sprintf("exam.attempt_graded:%d", id)] = true
	}
	for _, id := range j.attended {
		want[fmt.Sprintf("event.attendance_recorded:%d", id)] = true
	}
	for id := range j.ledger {
		want[fmt.Sprintf("credit.awarded:%d", id)] = true
	}
	ours := map[int64]bool{}
	for _, id := range j.learnerIDs {
		ours[id] = true
	}
	// key names what an event reports, for the events of this run ("" for others).
	key := func(e hookEvent) string {
		var d struct {
			AttemptID int64 `json:"attempt_id"`
			ExamID    int64 `json:"exam_id"`
			EventID   int64 `json:"event_id"`
			LearnerID int64 `json:"learner_id"`
			EntryID   int64 `json:"entry_id"`
			RoundID   int64 `json:"round_id"`
		}
		_ = json.Unmarshal(e.Data, &d)
		switch {
		case e.Type == "exam.attempt_graded" && d.ExamID == j.examID:
			return fmt.Sprintf("%s:%d", e.Type, d.AttemptID)
		case e.Type == "event.attendance_recorded" && d.EventID == j.eventID:
			return fmt.Sprintf("%s:%d", e.Type, d.LearnerID)
		case e.Type == "credit.awarded" && ours[d.LearnerID]:
			return fmt.Sprintf("%s:%d", e.Type, d.EntryID)
		case e.Type == "quiz.round_drawn" && d.RoundID == j.roundID:
			return fmt.Sprintf("%s:%d", e.Type, d.RoundID)
		}
		return ""
	}
	tally := func() (events map[string]int, deliveries map[string]int, all int) {
		j.hook.mu.Lock()
		defer j.hook.mu.Unlock()
		events, deliveries = map[string]int{}, map[string]int{}
		for id, e := range j.hook.events {
			if k := key(e); k != "" {
				events[k]++
				deliveries[k] += j.hook.byID[id]
			}
		}
		return events, deliveries, j.hook.received
	}
	began := time.Now()
	for time.Since(began) < 90*time.Second {
		events, _, _ := tally()
		missing := 0
		for k := range want {
			if events[k] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		time.Sleep(time.Second)
	}
	complete := time.Since(began)
	time.Sleep(12 * time.Second)
	events, deliveries, all := tally()
	missing, doubled, extra := 0, 0, 0
	byType := map[string]int{}
	for k := range want {
		switch {
		case events[k] == 0:
			missing++
		case events[k] > 1 || deliveries[k] > 1:
			doubled++
		}
	}
	for k := range want {
		byType[k[:strings.IndexByte(k, ':')]]++
	}
	for k := range events {
		if !want[k] {
			extra++
		}
	}
	j.hook.mu.Lock()
	bad := append([]string(nil), j.hook.bad...)
	j.hook.mu.Unlock()
	j.verdict.check("webhook", missing == 0 && doubled == 0 && extra == 0 && len(bad) == 0,
		"%d events expected (%v), all in %v after the journey; %d deliveries received in all; missing %d, delivered more than once %d, unexpected %d, unsigned or malformed %d %v",
		len(want), byType, complete.Round(time.Millisecond), all, missing, doubled, extra, len(bad), firstN(bad, 3))
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }
