package integration_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/integration"
	"github.com/xuefa/xuefa/internal/platform/config"
)

// receiver is an integrator's endpoint: it verifies every signature the way docs/integrators.md
// tells integrators to, checks every delivery against the contract (x-webhooks in
// api/openapi.yaml), and answers with the scripted statuses (then 200).
type receiver struct {
	t        *testing.T
	mu       sync.Mutex
	secret   string
	script   []int
	received []delivered
	srv      *httptest.Server
}

type delivered struct {
	Status   int
	Verified bool
	Header   http.Header
	Body     []byte
	Payload  map[string]any
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{t: t, script: script}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	status := http.StatusOK
	if len(r.script) > 0 {
		status, r.script = r.script[0], r.script[1:]
	}
	d := delivered{Status: status, Header: req.Header.Clone(), Body: body, Verified: verify(r.secret, req.Header.Get("X-Xuefa-Signature"), body)}
	_ = json.Unmarshal(body, &d.Payload)
	if err := apitest.CheckWebhook(req.Header, body); err != nil {
		r.t.Errorf("a delivery does not match the contract: %v", err) // Errorf: not the test's goroutine
	}
	r.received = append(r.received, d)
	w.WriteHeader(status)
}

func (r *receiver) all() []delivered {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivered(nil), r.received...)
}

// verify is the Go snippet of docs/integrators.md (without the freshness check: the test
// clock is fake).
func verify(secret, header string, body []byte) bool {
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
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil || sig == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

func allowPrivate(c *config.Config) { c.Integration.AllowPrivateWebhooks = true }

func subscribe(t *testing.T, e *apitest.Env, tok, url string, events ...string) (int64, string) {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/integration/webhooks", tok, map[string]any{"url": url, "events": events, "description": "测试"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	m := resp.Map(t)
	return int64(m["id"].(float64)), m["secret"].(string)
}

func adjust(t *testing.T, e *apitest.Env, f fixture, amount string) {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/credits/adjustments", e.Token("huayang-admin"),
		fmt.Sprintf(`{"learner_id": %d, "campaign_id": %d, "amount": %s, "reason": "补录线下学习"}`, f.learnerID, f.campaignID, amount))
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
}

func deliveries(t *testing.T, e *apitest.Env, tok string, webhookID int64) []map[string]any {
	t.Helper()
	resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/integration/webhooks/%d/deliveries", webhookID), tok, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var out struct {
		Items []map[string]any `json:"items"`
	}
	resp.JSON(t, &out)
	return out.Items
}

func dispatch(t *testing.T, e *apitest.Env) int {
	t.Helper()
	n, err := e.App.Dispatcher.DispatchOnce(context.Background())
	require.NoError(t, err)
	return n
}

// credit.awarded reaches a receiver that fails twice: retried with exponential backoff on the
// injected clock, signed, logged, and redeliverable; the request that caused the event never
// waits for the receiver.
func TestWebhookDeliveryWithRetries(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		rcv := newReceiver(t, http.StatusInternalServerError, http.StatusServiceUnavailable)
		tok := e.ClientToken(e.CreateClient("huayang", "webhooks:manage"), "")
		id, secret := subscribe(t, e, tok, rcv.srv.URL+"/hook", "credit.awarded")
		rcv.secret = secret
		assert.True(t, strings.HasPrefix(secret, "whsec_"))

		adjust(t, e, f, "2.5")
		assert.Empty(t, rcv.all(), "nothing is sent inside the request")

		assert.Equal(t, 1, dispatch(t, e), "attempt 1")
		log := deliveries(t, e, tok, id)
		require.Len(t, log, 1)
		assert.Equal(t, "pending", log[0]["status"])
		assert.EqualValues(t, 1, log[0]["attempts"])
		assert.EqualValues(t, 500, log[0]["response_status"])
		next, err := time.Parse(time.RFC3339, log[0]["next_attempt_at"].(string))
		require.NoError(t, err)
		assert.Equal(t, e.Clock.Now().Add(30*time.Second).Unix(), next.Unix(), "first backoff: 30 s")

		assert.Equal(t, 0, dispatch(t, e), "not due yet")
		e.Clock.Advance(30 * time.Second)
		assert.Equal(t, 1, dispatch(t, e), "attempt 2")
		e.Clock.Advance(59 * time.Second)
		assert.Equal(t, 0, dispatch(t, e), "second backoff is 60 s")
		e.Clock.Advance(time.Second)
		assert.Equal(t, 1, dispatch(t, e), "attempt 3")

		got := rcv.all()
		require.Len(t, got, 3)
		for _, d := range got {
			assert.True(t, d.Verified, "every attempt is signed with the webhook's secret")
			assert.Equal(t, "credit.awarded", d.Header.Get("X-Xuefa-Event"))
		}
		p := got[2].Payload
		assert.Equal(t, got[0].Payload["id"], p["id"], "retries carry the same event id")
		assert.Equal(t, "credit.awarded", p["type"])
		assert.NotEmpty(t, p["created_at"])
		data := p["data"].(map[string]any)
		assert.EqualValues(t, f.learnerID, data["learner_id"])
		assert.EqualValues(t, 2.5, data["amount"])
		assert.EqualValues(t, 2.5, data["total"])
		assert.Equal(t, "adjustment", data["source"])

		log = deliveries(t, e, tok, id)
		assert.Equal(t, "succeeded", log[0]["status"])
		assert.EqualValues(t, 3, log[0]["attempts"])
		assert.EqualValues(t, 200, log[0]["response_status"])
		assert.Nil(t, log[0]["next_attempt_at"])

		// Manual redelivery: a new delivery of the same event.
		red := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/integration/webhooks/%d/deliveries/%d/redeliver", id, int64(log[0]["id"].(float64))), tok, nil)
		require.Equal(t, http.StatusAccepted, red.Status, "%s", red.Body)
		assert.Equal(t, 1, dispatch(t, e))
		got = rcv.all()
		require.Len(t, got, 4)
		assert.Equal(t, p["id"], got[3].Payload["id"])
		assert.True(t, got[3].Verified)
		assert.Len(t, deliveries(t, e, tok, id), 2)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/integration/webhooks/%d/deliveries/999999/redeliver", id), tok, nil).Status)
	}, allowPrivate)
}

// event.attendance_recorded from a manual attendance; webhooks get only their subtree's events
// and the types they subscribed to.
func TestWebhookAttendanceAndRouting(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		huayang, linxi, everything := newReceiver(t), newReceiver(t), newReceiver(t)
		h := e.ClientToken(e.CreateClient("huayang", "webhooks:manage"), "")
		l := e.ClientToken(e.CreateClient("linxi", "webhooks:manage"), "")
		_, huayang.secret = subscribe(t, e, h, huayang.srv.URL, "event.attendance_recorded")
		_, linxi.secret = subscribe(t, e, l, linxi.srv.URL, "event.attendance_recorded", "credit.awarded")
		_, everything.secret = subscribe(t, e, e.Token("admin"), everything.srv.URL, "credit.awarded", "event.attendance_recorded")

		resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/attendance", f.rootEventID), e.Token("admin"),
			map[string]any{"learner_id": f.learnerID, "reason": "签到设备故障，现场登记"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		for dispatch(t, e) > 0 {
		}
		require.Len(t, huayang.all(), 1, "the township's own learner")
		p := huayang.all()[0].Payload
		assert.Equal(t, "event.attendance_recorded", p["type"])
		data := p["data"].(map[string]any)
		assert.EqualValues(t, f.rootEventID, data["event_id"])
		assert.EqualValues(t, f.learnerID, data["learner_id"])
		assert.Equal(t, "manual", data["source"])
		assert.True(t, huayang.all()[0].Verified)
		assert.Empty(t, linxi.all(), "another township's webhook hears nothing")
		types := []string{}
		for _, d := range everything.all() {
			types = append(types, d.Payload["type"].(string))
			assert.True(t, d.Verified)
		}
		assert.ElementsMatch(t, []string{"event.attendance_recorded", "credit.awarded"}, types, "the county admin's webhook hears the credit too")
	}, allowPrivate)
}

// A webhook failing too many times in a row is disabled; re-enabling resumes it.
func TestWebhookAutoDisable(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		rcv := newReceiver(t, 500, 500, 500, 500)
		client := e.CreateClient("huayang", "webhooks:manage")
		tok := e.ClientToken(client, "")
		id, secret := subscribe(t, e, tok, rcv.srv.URL, "credit.awarded")
		rcv.secret = secret
		adjust(t, e, f, "1")
		adjust(t, e, f, "1.5")
		assert.Equal(t, 2, dispatch(t, e))
		e.Clock.Advance(30 * time.Second)
		assert.Equal(t, 1, dispatch(t, e), "the third failure disables the webhook before the next one is tried")
		hook := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/integration/webhooks/%d", id), tok, nil).Map(t)
		assert.Equal(t, "disabled", hook["status"])
		assert.Equal(t, "consecutive_failures", hook["disabled_reason"])
		assert.EqualValues(t, 3, hook["consecutive_failures"])
		e.Clock.Advance(time.Hour)
		assert.Equal(t, 0, dispatch(t, e), "a disabled webhook gets nothing")
		tok = e.ClientToken(client, "")

		enabled := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/integration/webhooks/%d", id), tok, map[string]any{"status": "active"})
		require.Equal(t, http.StatusOK, enabled.Status, "%s", enabled.Body)
		assert.EqualValues(t, 0, enabled.Map(t)["consecutive_failures"])
		assert.Equal(t, 2, dispatch(t, e), "pending deliveries resume")
		ok := 0
		for _, d := range deliveries(t, e, tok, id) {
			if d["status"] == "succeeded" {
				ok++
			}
		}
		assert.Equal(t, 1, ok, "one more scripted failure, then success")
	}, allowPrivate, func(c *config.Config) { c.Integration.WebhookDisableAfter = 3 })
}

// A receiver that times out is a failed attempt, retried later; it never blocks the request.
func TestWebhookTimeout(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(func() { close(release); slow.Close() })
		tok := e.ClientToken(e.CreateClient("huayang", "webhooks:manage"), "")
		id, _ := subscribe(t, e, tok, slow.URL, "credit.awarded")
		adjust(t, e, f, "1")
		assert.Equal(t, 1, dispatch(t, e))
		log := deliveries(t, e, tok, id)
		assert.Equal(t, "pending", log[0]["status"])
		assert.Equal(t, "timeout", log[0]["last_error"])
	}, allowPrivate, func(c *config.Config) { c.Integration.WebhookTimeout = config.Duration(200 * time.Millisecond) })
}

// SSRF: targets on loopback, link-local (cloud metadata), private ranges, and names resolving
// to them are refused unless the server allows private webhooks.
func TestWebhookSSRF(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tok := e.ClientToken(e.CreateClient("huayang", "webhooks:manage"), "")
		for _, url := range []string{
			"http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook", "http://[::1]/hook",
			"http://localhost/hook", "https://192.168.1.10/hook", "http://172.16.5.4/", "http://[fd00::1]/", "http://0.0.0.0/",
			"http://[fe80::1]/", "http://224.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/",
			"ftp://example.com/hook", "http://user:pw@93.184.216.34/hook", "/relative", "http://no-such-host.invalid/hook",
		} {
			resp := e.Call(http.MethodPost, "/api/v1/integration/webhooks", tok, map[string]any{"url": url, "events": []string{"credit.awarded"}})
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %s", url, resp.Body)
			assert.Equal(t, "webhook.url_not_allowed", resp.ErrorCode(), url)
		}
		ok := e.Call(http.MethodPost, "/api/v1/integration/webhooks", tok, map[string]any{"url": "https://93.184.216.34/hook", "events": []string{"credit.awarded"}})
		assert.Equal(t, http.StatusCreated, ok.Status, "a public address: %s", ok.Body)
		id := int64(ok.Map(t)["id"].(float64))
		moved := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/integration/webhooks/%d", id), tok, map[string]any{"url": "http://169.254.169.254/"})
		assert.Equal(t, http.StatusUnprocessableEntity, moved.Status, "updates are checked too")

		badEvents := e.Call(http.MethodPost, "/api/v1/integration/webhooks", tok, map[string]any{"url": "https://93.184.216.34/", "events": []string{"everything"}})
		assert.Equal(t, http.StatusUnprocessableEntity, badEvents.Status)
		assert.Contains(t, badEvents.ErrorFields(), "events")
	})
}

// Webhooks belong to their client: other clients get 404, township admins 403, the county
// admin sees all; deleting removes the log.
func TestWebhookOwnership(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a := e.ClientToken(e.CreateClient("huayang", "webhooks:manage"), "")
		b := e.ClientToken(e.CreateClient("linxi", "webhooks:manage"), "")
		id, _ := subscribe(t, e, a, "https://93.184.216.34/a", "credit.awarded")
		path := fmt.Sprintf("/api/v1/integration/webhooks/%d", id)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, b, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path+"/deliveries", b, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodDelete, path, b, nil).Status)
		assert.EqualValues(t, 0, e.Call(http.MethodGet, "/api/v1/integration/webhooks", b, nil).Map(t)["total"])
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/integration/webhooks", e.Token("huayang-admin"), nil).Status)
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, path, e.Token("huayang-admin"), nil).Status)
		assert.EqualValues(t, 1, e.Call(http.MethodGet, "/api/v1/integration/webhooks", e.Token("admin"), nil).Map(t)["total"])
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, path, e.Token("admin"), nil).Status)
		assert.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, path, a, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, a, nil).Status)
		var audited int64
		require.NoError(t, e.DB.Table("audit_logs").Where("action IN ('webhook.create','webhook.delete')").Count(&audited).Error)
		assert.EqualValues(t, 2, audited)
	})
}

// The dialer refuses forbidden addresses at delivery time too, so a host that passed the check
// and later resolves to a private address (DNS rebinding) still gets nothing.
func TestWebhookDialTimeCheck(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		rcv := newReceiver(t)
		tok := e.ClientToken(e.CreateClient("huayang", "webhooks:manage"), "")
		id, _ := subscribe(t, e, tok, "https://93.184.216.34/hook", "credit.awarded")
		require.NoError(t, e.DB.Table("webhooks").Where("id = ?", id).Update("url", rcv.srv.URL).Error) // "rebinding"
		adjust(t, e, f, "1")
		assert.Equal(t, 1, dispatch(t, e))
		assert.Empty(t, rcv.all())
		log := deliveries(t, e, tok, id)
		assert.Contains(t, log[0]["last_error"], "not allowed")
	})
}

// Events no webhook wants leave nothing behind; a disabled client's webhooks get nothing.
func TestWebhookOutboxHousekeeping(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		adjust(t, e, f, "1")
		var events int64
		require.NoError(t, e.DB.Table("webhook_events").Count(&events).Error)
		assert.EqualValues(t, 1, events, "written in the award's transaction")
		assert.Equal(t, 0, dispatch(t, e))
		require.NoError(t, e.DB.Table("webhook_events").Count(&events).Error)
		assert.EqualValues(t, 0, events, "no subscriber: dropped")

		rcv := newReceiver(t)
		client := e.CreateClient("huayang", "webhooks:manage")
		_, rcv.secret = subscribe(t, e, e.ClientToken(client, ""), rcv.srv.URL, "credit.awarded")
		adjust(t, e, f, "1")
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, clientPath(client.ID, "/disable"), e.Token("admin"), nil).Status)
		assert.Equal(t, 0, dispatch(t, e))
		assert.Empty(t, rcv.all())
	}, allowPrivate)
}

// Every delivery matches its event type's schema and headers in the contract (x-webhooks in
// api/openapi.yaml): credit.awarded, event.attendance_recorded and learner.lagging here;
// exam.attempt_graded, quiz.round_drawn and campaign.closed in the exam, quiz and yearend
// packages' webhook tests.
func TestWebhookDeliveriesMatchTheContract(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		rcv := newReceiver(t)
		_, rcv.secret = subscribe(t, e, e.Token("admin"), rcv.srv.URL, integration.AllEvents()...)

		adjust(t, e, f, "2.5")
		resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/attendance", f.rootEventID), e.Token("admin"),
			map[string]any{"learner_id": f.learnerID, "reason": "签到设备故障，现场登记"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)

		// A credits_lagging rule reminds 华阳镇's learners, behind on day 21 (as in the reminder
		// package's tests); tokens are fetched after the clock moved.
		shanghai := time.FixedZone("CST", 8*3600)
		e.Clock.Set(time.Date(2026, 11, 21, 8, 0, 0, 0, shanghai))
		rule := e.Call(http.MethodPost, "/api/v1/reminder-rules", e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string),
			map[string]any{"campaign_id": f.campaignID, "unit_id": e.UnitID("huayang"), "kind": "credits_lagging", "send_at": "09:00",
				"min_interval_days": 3, "escalate_after": 2, "enabled": true})
		require.Equal(t, http.StatusCreated, rule.Status, "%s", rule.Body)
		e.Clock.Set(time.Date(2026, 11, 21, 9, 1, 0, 0, shanghai))
		ran, err := e.App.Reminders.RunDue(context.Background())
		require.NoError(t, err)
		require.Equal(t, 1, ran)

		for dispatch(t, e) > 0 {
		}
		seen := map[string]int{}
		for _, d := range rcv.all() {
			require.NoError(t, apitest.CheckWebhook(d.Header, d.Body))
			assert.True(t, d.Verified)
			seen[d.Header.Get("X-Xuefa-Event")]++
		}
		for _, typ := range []string{"credit.awarded", "event.attendance_recorded", "learner.lagging"} {
			assert.Positive(t, seen[typ], "a %s delivery was checked: %v", typ, seen)
		}

		// The check has teeth: a body or a header that breaks the contract is refused.
		d := rcv.all()[0]
		var bad map[string]any
		require.NoError(t, json.Unmarshal(d.Body, &bad))
		bad["data"].(map[string]any)["learner_id"] = "12"
		body, err := json.Marshal(bad)
		require.NoError(t, err)
		assert.Error(t, apitest.CheckWebhook(d.Header, body), "a data field of the wrong type")
		h := d.Header.Clone()
		h.Del("X-Xuefa-Signature")
		assert.Error(t, apitest.CheckWebhook(h, d.Body), "a missing signature")
		h = d.Header.Clone()
		h.Set("X-Xuefa-Event", "credit.revoked")
		assert.Error(t, apitest.CheckWebhook(h, d.Body), "an event type the contract does not know")
	}, allowPrivate)
}

// A burst larger than a batch (an exam bell writes thousands of events in seconds) leaves the
// outbox in one dispatch: every wanted event delivered once, every unwanted one dropped, also
// with two dispatchers at it.
func TestDispatchDrainsABurst(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		rcv := newReceiver(t)
		_, rcv.secret = subscribe(t, e, e.ClientToken(e.CreateClient("huayang", "webhooks:manage"), ""), rcv.srv.URL, "credit.awarded")
		var huayang, linxi string
		require.NoError(t, e.DB.Table("units").Select("path").Where("id = ?", e.UnitID("huayang")).Scan(&huayang).Error)
		require.NoError(t, e.DB.Table("units").Select("path").Where("id = ?", e.UnitID("linxi")).Scan(&linxi).Error)
		const wanted, unwanted = 260, 140 // more than a fan-out batch (200) and a delivery batch (50)
		paths, data := make([]string, 0, wanted+unwanted), make([]any, 0, wanted+unwanted)
		for i := range wanted + unwanted {
			path := huayang
			if i%2 == 1 && i/2 < unwanted { // interleaved, so that every batch holds both
				path = linxi
			}
			paths = append(paths, path)
			data = append(data, credit.AwardedEvent{EntryID: int64(i + 1), LearnerID: f.learnerID, CampaignID: f.campaignID,
				Source: credit.SourceAdjustment, SourceID: fmt.Sprint(i), Amount: 100, Total: 100, Reason: "补录", AwardedAt: time.Now().UTC()})
		}
		require.NoError(t, e.App.Integration.EmitMany(context.Background(), credit.EventCreditAwarded, paths, data))

		// Two replicas' dispatchers at once: each event fanned out once, each delivery sent once.
		var wg sync.WaitGroup
		attempts := make([]int, 2)
		for i := range attempts {
			wg.Add(1)
			go func() { defer wg.Done(); attempts[i] = dispatch(t, e) }()
		}
		wg.Wait()
		assert.Equal(t, wanted, attempts[0]+attempts[1])
		got := map[string]bool{}
		for _, d := range rcv.all() {
			got[d.Header.Get(integration.EventIDHeader)] = true
		}
		assert.Len(t, got, wanted, "every wanted event delivered")
		assert.Len(t, rcv.all(), wanted, "none twice")
		var pending, kept int64
		require.NoError(t, e.DB.Table("webhook_events").Where("fanned_out_at IS NULL").Count(&pending).Error)
		require.NoError(t, e.DB.Table("webhook_events").Count(&kept).Error)
		assert.Zero(t, pending)
		assert.EqualValues(t, wanted, kept, "the unwanted are dropped, the delivered kept for redelivery")
	}, allowPrivate)
}

// The delivery log is kept for integration.delivery_retention (30 days by default): a finished
// delivery older than that goes, with the event it sent; a delivery still waiting (its webhook
// disabled) keeps its event, however old.
func TestDeliveryLogIsPrunedAfterItsRetention(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		root := e.Token("admin")
		ok, down := newReceiver(t), newReceiver(t, http.StatusServiceUnavailable)
		delivered, _ := subscribe(t, e, root, ok.srv.URL, "credit.awarded")
		waiting, _ := subscribe(t, e, root, down.srv.URL, "credit.awarded")
		adjust(t, e, f, "1")
		require.Equal(t, 2, dispatch(t, e))
		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/integration/webhooks/%d", waiting), root,
			map[string]any{"status": "disabled"}).Status)
		adjust(t, e, f, "1") // sent to the first webhook only
		require.Equal(t, 1, dispatch(t, e))
		old := deliveries(t, e, root, delivered)
		require.Len(t, old, 2)

		e.Clock.Advance(31 * 24 * time.Hour)
		township := e.Login("huayang-admin", app.DemoPassword)["access_token"].(string) // the cached tokens have expired
		require.Equal(t, http.StatusCreated, e.Call(http.MethodPost, "/api/v1/credits/adjustments", township,
			map[string]any{"learner_id": f.learnerID, "campaign_id": f.campaignID, "amount": 1, "reason": "补录"}).Status)
		dispatch(t, e) // today's delivery, kept

		root = e.Login("admin", app.DemoPassword)["access_token"].(string)
		kept := deliveries(t, e, root, delivered)
		require.Len(t, kept, 1, "the two finished a month ago are gone")
		assert.NotEqual(t, old[0]["id"], kept[0]["id"])
		pending := deliveries(t, e, root, waiting)
		require.Len(t, pending, 1, "a delivery still waiting stays")
		assert.Equal(t, "pending", pending[0]["status"])
		var events int64
		require.NoError(t, e.DB.Table("webhook_events").Count(&events).Error)
		assert.EqualValues(t, 2, events, "the event still waiting and today's; the one sent only to the first webhook is gone")

		redeliver := fmt.Sprintf("/api/v1/integration/webhooks/%d/deliveries/%d/redeliver", delivered, int64(old[1]["id"].(float64)))
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPost, redeliver, root, nil).Status, "a pruned delivery is not found")
	}, allowPrivate)
}
