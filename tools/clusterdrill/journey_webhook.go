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

// hookData is the part of an event's data the drills match events by.
type hookData struct {
	AttemptID int64 `json:"attempt_id"`
	ExamID    int64 `json:"exam_id"`
	EventID   int64 `json:"event_id"`
	LearnerID int64 `json:"learner_id"`
	EntryID   int64 `json:"entry_id"`
	RoundID   int64 `json:"round_id"`
}

// data decodes what the drills match e by (zero fields when it does not say).
func (e hookEvent) data() hookData {
	var d hookData
	_ = json.Unmarshal(e.Data, &d)
	return d
}

// hookEvents are the event types the drill subscribes to.
var hookEvents = []string{"credit.awarded", "event.attendance_recorded", "exam.attempt_graded", "quiz.round_drawn"}

// startHook starts a receiver and has the admin register it as a webhook of events; the
// caller deletes it (remove) when the run ends.
func startHook(admin *client, run string, events []string) (*hookReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &hookReceiver{url: "http://" + ln.Addr().String() + "/xuefa/webhook", byID: map[string]int{}, events: map[string]hookEvent{}}
	h.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	var out struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	body := map[string]any{"url": h.url, "events": events, "description": "集群演练 " + run}
	if code := admin.call(http.MethodPost, "/api/v1/integration/webhooks", body, &out); code != http.StatusCreated {
		h.close()
		return nil, fmt.Errorf("register the webhook: status %d %s", code, admin.lastFailure())
	}
	h.mu.Lock()
	h.id, h.secret = out.ID, out.Secret
	h.mu.Unlock()
	return h, nil
}

func (h *hookReceiver) close() { _ = h.srv.Close() }

// remove deletes the webhook and stops the receiver.
func (h *hookReceiver) remove(admin *client, name string) {
	if code := admin.call(http.MethodDelete, fmt.Sprintf("/api/v1/integration/webhooks/%d", h.id), nil, nil); code != http.StatusNoContent {
		fmt.Printf("%s: could not delete webhook %d: status %d\n", name, h.id, code)
	}
	h.close()
}

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
		d := e.data()
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
	t := j.hook.await(want, key)
	j.verdict.check("webhook", t.ok(),
		"%d events expected (%v), all in %v after the journey; %d deliveries received in all; missing %d, delivered more than once %d, unexpected %d, unsigned or malformed %d %v",
		len(want), t.byType, t.complete.Round(time.Millisecond), t.all, t.missing, t.doubled, t.extra, len(t.bad), firstN(t.bad, 3))
}

// hookTally is what a receiver got of the events a run expected.
type hookTally struct {
	complete                time.Duration  // until every expected event had arrived (or the wait ended)
	byType                  map[string]int // expected events by type
	all                     int            // deliveries received in all, the run's or not
	missing, doubled, extra int            // expected and not received; received more than once (one event, or one id); the run's but not expected
	bad                     []string       // unsigned or malformed deliveries
}

func (t hookTally) ok() bool {
	return t.missing == 0 && t.doubled == 0 && t.extra == 0 && len(t.bad) == 0
}

// await waits until the receiver has every event of want (key names what an event reports,
// "type:id", "" for events not the run's), at most 90 s, then 12 s more for late copies, and
// counts: each must have arrived exactly once (one event id, one delivery), signed.
func (h *hookReceiver) await(want map[string]bool, key func(hookEvent) string) hookTally {
	tally := func() (events map[string]int, deliveries map[string]int, all int) {
		h.mu.Lock()
		defer h.mu.Unlock()
		events, deliveries = map[string]int{}, map[string]int{}
		for id, e := range h.events {
			if k := key(e); k != "" {
				events[k]++
				deliveries[k] += h.byID[id]
			}
		}
		return events, deliveries, h.received
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
	t := hookTally{complete: time.Since(began), byType: map[string]int{}}
	time.Sleep(12 * time.Second)
	events, deliveries, all := tally()
	t.all = all
	for k := range want {
		switch {
		case events[k] == 0:
			t.missing++
		case events[k] > 1 || deliveries[k] > 1:
			t.doubled++
		}
		t.byType[k[:strings.IndexByte(k, ':')]]++
	}
	for k := range events {
		if !want[k] {
			t.extra++
		}
	}
	h.mu.Lock()
	t.bad = append([]string(nil), h.bad...)
	h.mu.Unlock()
	return t
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }
