package event_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

func eventID(t *testing.T, e *apitest.Env, title string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("events").Select("id").Where("title = ?", title).Scan(&id).Error)
	require.NotZero(t, id, title)
	return id
}

const lecture = "法治讲坛：民法典与基层治理" // on now (seeded around the clock), registration required, 2 credits at check-in

func code(t *testing.T, e *apitest.Env, id int64) string {
	t.Helper()
	resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d/checkin-code", id), e.Token("lecturer-wang"), nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)["token"].(string)
}

func scan(e *apitest.Env, token string, id int64, body map[string]any) *apitest.Response {
	return e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/checkins", id), token, body)
}

// The demo flow: a learner registers, checks in with the organiser's code and sees credits.
func TestRegisterCheckInAndEarnCredits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := eventID(t, e, lecture)
		learnerToken := e.Token("13800000001")
		upcoming := e.Call(http.MethodGet, "/api/v1/me/events", learnerToken, nil).Map(t)
		assert.GreaterOrEqual(t, upcoming["total"], float64(3), "lecture, court hearing, law delivery (not the leader-only warning education)")

		notYet := scan(e, learnerToken, id, map[string]any{"token": code(t, e, id)})
		assert.Equal(t, "checkin.not_registered", notYet.ErrorCode())

		reg := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/registrations", id), learnerToken, nil)
		require.Equal(t, http.StatusCreated, reg.Status, "%s", reg.Body)
		assert.Equal(t, "registered", reg.Map(t)["status"])
		assert.Equal(t, "event.already_registered", e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/registrations", id), learnerToken, nil).ErrorCode())

		in := scan(e, learnerToken, id, map[string]any{"token": code(t, e, id)})
		require.Equal(t, http.StatusOK, in.Status, "%s", in.Body)
		assert.EqualValues(t, 2, in.Map(t)["credits_awarded"])
		assert.Equal(t, "checkin.duplicate", scan(e, learnerToken, id, map[string]any{"token": code(t, e, id)}).ErrorCode())

		e.Clock.Advance(10 * time.Minute)
		out := scan(e, learnerToken, id, map[string]any{"token": code(t, e, id)})
		require.Equal(t, http.StatusOK, out.Status, "%s", out.Body)
		assert.Equal(t, true, out.Map(t)["checked_out"])
		assert.EqualValues(t, 0, out.Map(t)["credits_awarded"], "credited once, at check-in")
		assert.Equal(t, "checkin.already_checked_out", scan(e, learnerToken, id, map[string]any{"token": code(t, e, id)}).ErrorCode())

		credits := e.Call(http.MethodGet, "/api/v1/me/credits", e.Login("13800000001", "Xuefa@2026")["access_token"].(string), nil).Map(t)
		assert.EqualValues(t, 2, credits["by_source"].(map[string]any)["event"])

		attended := e.Call(http.MethodGet, "/api/v1/me/events?filter=attended", learnerToken, nil).Map(t)
		assert.EqualValues(t, 1, attended["total"])
		report := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d/attendance", id), e.Token("lecturer-wang"), nil).Map(t)
		assert.EqualValues(t, 1, report["attended"])
		assert.EqualValues(t, 1, report["credited"])

		stats := e.Call(http.MethodGet, "/api/v1/events/stats", e.Token("admin"), nil).Map(t)
		assert.EqualValues(t, 4, stats["events"])
		assert.EqualValues(t, 1, stats["attended"])
		reach := stats["delivery_reach"].([]any)
		require.Len(t, reach, 1)
		assert.Equal(t, "学校", reach[0].(map[string]any)["venue_type"])
		assert.EqualValues(t, 600, reach[0].(map[string]any)["audience_reached"])
	})
}

// Codes rotate every 30 s and live at most 60 s; forged, foreign and replayed codes are refused.
func TestCheckinCodeRotationAndForgery(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := eventID(t, e, lecture)
		token := e.Token("13800000002")
		require.Equal(t, http.StatusCreated, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/registrations", id), token, nil).Status)

		first := code(t, e, id)
		e.Clock.Advance(30 * time.Second)
		second := code(t, e, id)
		assert.NotEqual(t, first, second, "the code rotates")
		e.Clock.Advance(31 * time.Second)
		expired := scan(e, token, id, map[string]any{"token": first})
		assert.Equal(t, http.StatusUnprocessableEntity, expired.Status)
		assert.Equal(t, "checkin.code_expired", expired.ErrorCode(), "a replayed code after rotation")

		forged := []byte(code(t, e, id))
		forged[len(forged)-2] ^= 1
		assert.Equal(t, "checkin.invalid_code", scan(e, token, id, map[string]any{"token": string(forged)}).ErrorCode())
		assert.Equal(t, "checkin.invalid_code", scan(e, token, id, map[string]any{"token": "garbage"}).ErrorCode())

		hearing := eventID(t, e, "旁听庭审：一起行政处罚案件")
		assert.Equal(t, http.StatusConflict, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d/checkin-code", hearing), e.Token("admin"), nil).Status, "tomorrow's hearing is not open for check-in yet")
		other := scan(e, token, hearing, map[string]any{"token": code(t, e, id)})
		assert.Equal(t, "checkin.outside_window", other.ErrorCode())

		ok := scan(e, token, id, map[string]any{"token": code(t, e, id)})
		assert.Equal(t, http.StatusOK, ok.Status, "%s", ok.Body)

		e.Clock.Advance(5 * time.Hour)
		late := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d/checkin-code", id), e.Login("lecturer-wang", "Xuefa@2026")["access_token"].(string), nil)
		assert.Equal(t, "checkin.outside_window", late.ErrorCode(), "no codes long after the end")
	})
}

func createEvent(t *testing.T, e *apitest.Env, body map[string]any) int64 {
	t.Helper()
	admin := e.Token("admin")
	resp := e.Call(http.MethodPost, "/api/v1/events", admin, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := int64(resp.Map(t)["id"].(float64))
	body["status"] = "published"
	pub := e.Call(http.MethodPut, fmt.Sprintf("/api/v1/events/%d", id), admin, body)
	require.Equal(t, http.StatusOK, pub.Status, "%s", pub.Body)
	return id
}

func baseEvent(e *apitest.Env, campaignID int64) map[string]any {
	return map[string]any{
		"campaign_id": campaignID, "unit_id": e.UnitID("jixi"), "type": "warning_education", "title": "测试活动",
		"starts_at": apitest.Start.Add(-10 * time.Minute).Format(time.RFC3339), "ends_at": apitest.Start.Add(2 * time.Hour).Format(time.RFC3339),
	}
}

func campaign(t *testing.T, e *apitest.Env) int64 {
	var id int64
	require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&id).Error)
	return id
}

// Geofence boundary (200 m around the venue) and the presence minimum.
func TestGeofenceAndPresenceMinimum(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		body := baseEvent(e, campaign(t, e))
		body["geofence"] = map[string]any{"lat": 30.0, "lng": 118.0, "radius_m": 200}
		body["min_minutes"] = 60
		body["credits"] = 3
		id := createEvent(t, e, body)
		adminCode := func() string { // a fresh login each time: the fake clock outlives access tokens
			admin := e.Login("admin", "Xuefa@2026")["access_token"].(string)
			return e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d/checkin-code", id), admin, nil).Map(t)["token"].(string)
		}
		token := e.Token("13800000003")
		// One degree of latitude is about 111,195 m: 0.0017° ≈ 189 m inside, 0.0019° ≈ 211 m outside.
		assert.Equal(t, "checkin.location_required", scan(e, token, id, map[string]any{"token": adminCode()}).ErrorCode())
		outside := scan(e, token, id, map[string]any{"token": adminCode(), "lat": 30.0019, "lng": 118.0})
		assert.Equal(t, "checkin.outside_geofence", outside.ErrorCode())
		assert.Contains(t, string(outside.Body), "211")
		inside := scan(e, token, id, map[string]any{"token": adminCode(), "lat": 30.0017, "lng": 118.0})
		require.Equal(t, http.StatusOK, inside.Status, "%s", inside.Body)
		assert.EqualValues(t, 0, inside.Map(t)["credits_awarded"], "a minimum presence is required first")

		e.Clock.Advance(40 * time.Minute)
		token = e.Login("13800000003", "Xuefa@2026")["access_token"].(string)
		early := scan(e, token, id, map[string]any{"token": adminCode(), "lat": 30.0, "lng": 118.0}).Map(t)
		assert.Equal(t, true, early["checked_out"])
		assert.EqualValues(t, 0, early["credits_awarded"], "30 minutes inside the event's hours is under the 60-minute minimum")

		other := e.Token("13800000005") // 临溪镇
		require.Equal(t, http.StatusOK, scan(e, other, id, map[string]any{"token": adminCode(), "lat": 30.0, "lng": 118.0}).Status)
		e.Clock.Advance(61 * time.Minute)
		other = e.Login("13800000005", "Xuefa@2026")["access_token"].(string)
		full := scan(e, other, id, map[string]any{"token": adminCode(), "lat": 30.0, "lng": 118.0}).Map(t)
		assert.EqualValues(t, 3, full["credits_awarded"], "61 minutes present earns the event's credits")
	})
}

// 200 learners racing for the last 50 places: exactly 50 registered, the rest wait-listed;
// a cancellation promotes the first in line.
func TestCapacityRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		body := baseEvent(e, campaign(t, e))
		body["capacity"], body["registration_required"] = 50, true
		id := createEvent(t, e, body)
		ctx := context.Background()
		actors := make([]auth.Actor, 200)
		for i := range actors {
			l, err := e.App.Learners.Seed(ctx, learner.Profile{Name: fmt.Sprintf("学员%03d", i), UnitID: e.UnitID("huayang"),
				Track: learner.TrackGeneral, Phone: fmt.Sprintf("137%08d", i)}, "Xuefa@2026")
			require.NoError(t, err)
			actors[i] = auth.Actor{AccountID: l.AccountID, Role: auth.RoleLearner, UnitID: l.UnitID, UnitPath: fmt.Sprintf("/1/%d/", e.UnitID("huayang"))}
		}
		var wg sync.WaitGroup
		statuses := make([]event.RegistrationStatus, len(actors))
		for i, a := range actors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reg, err := e.App.Events.Register(ctx, a, id)
				if assert.NoError(t, err) {
					statuses[i] = reg.Status
				}
			}()
		}
		wg.Wait()
		count := map[event.RegistrationStatus]int{}
		for _, s := range statuses {
			count[s]++
		}
		assert.Equal(t, 50, count[event.Registered])
		assert.Equal(t, 150, count[event.Waitlisted])
		var registered int
		require.NoError(t, e.DB.Table("events").Select("registered_count").Where("id = ?", id).Scan(&registered).Error)
		assert.Equal(t, 50, registered)

		var leaver auth.Actor
		for i, s := range statuses {
			if s == event.Registered {
				leaver = actors[i]
				break
			}
		}
		var first int64
		require.NoError(t, e.DB.Table("event_registrations").Select("learner_id").Where("event_id = ? AND status = 'waitlisted'", id).Order("id").Limit(1).Scan(&first).Error)
		require.NoError(t, e.App.Events.CancelRegistration(ctx, leaver, id))
		var promoted string
		require.NoError(t, e.DB.Table("event_registrations").Select("status").Where("event_id = ? AND learner_id = ?", id, first).Scan(&promoted).Error)
		assert.Equal(t, "registered", promoted, "the longest-waiting learner takes the freed place")
		require.NoError(t, e.DB.Table("events").Select("registered_count").Where("id = ?", id).Scan(&registered).Error)
		assert.Equal(t, 50, registered)
	})
}

func TestManualAttendanceIsAudited(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := eventID(t, e, lecture)
		var learnerID int64
		require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "黄强").Scan(&learnerID).Error)
		path := fmt.Sprintf("/api/v1/events/%d/attendance", id)
		missing := e.Call(http.MethodPost, path, e.Token("lecturer-wang"), map[string]any{"learner_id": learnerID})
		assert.Contains(t, missing.ErrorFields(), "reason")
		resp := e.Call(http.MethodPost, path, e.Token("lecturer-wang"), map[string]any{"learner_id": learnerID, "reason": "无智能手机，签到表登记"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		assert.EqualValues(t, 2, resp.Map(t)["credits_awarded"])
		again := e.Call(http.MethodPost, path, e.Token("lecturer-wang"), map[string]any{"learner_id": learnerID, "reason": "重复"})
		assert.Equal(t, "attendance.already_recorded", again.ErrorCode())
		var audited int64
		require.NoError(t, e.DB.Table("audit_logs").Where("action = 'event.mark_attendance' AND resource_id = ?", fmt.Sprint(id)).Count(&audited).Error)
		assert.EqualValues(t, 1, audited)

		export := e.Call(http.MethodGet, path+"/export", e.Token("lecturer-wang"), nil)
		require.Equal(t, http.StatusOK, export.Status)
		book, err := excelize.OpenReader(bytes.NewReader(export.Body))
		require.NoError(t, err)
		rows, err := book.GetRows("出勤")
		require.NoError(t, err)
		require.Len(t, rows, 2)
		assert.Equal(t, []string{"黄强", "县司法局"}, rows[1][:2])
		assert.Equal(t, "manual", rows[1][4])
	})
}

// Attendance is recorded for what happened: not before the event starts, not in the future.
func TestManualAttendanceNotAhead(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var learnerID int64
		require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "黄强").Scan(&learnerID).Error)
		tomorrow := baseEvent(e, campaign(t, e))
		tomorrow["starts_at"] = apitest.Start.Add(24 * time.Hour).Format(time.RFC3339)
		tomorrow["ends_at"] = apitest.Start.Add(26 * time.Hour).Format(time.RFC3339)
		ahead := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/attendance", createEvent(t, e, tomorrow)), e.Token("admin"),
			map[string]any{"learner_id": learnerID, "reason": "提前登记"})
		assert.Equal(t, http.StatusConflict, ahead.Status, "%s", ahead.Body)
		assert.Equal(t, "event.not_started", ahead.ErrorCode())

		path := fmt.Sprintf("/api/v1/events/%d/attendance", createEvent(t, e, baseEvent(e, campaign(t, e))))
		future := e.Call(http.MethodPost, path, e.Token("admin"), map[string]any{"learner_id": learnerID, "reason": "签到表",
			"checked_out_at": apitest.Start.Add(time.Hour).Format(time.RFC3339)})
		assert.Equal(t, http.StatusUnprocessableEntity, future.Status, "%s", future.Body)
		assert.Contains(t, future.ErrorFields(), "checked_out_at")
		ok := e.Call(http.MethodPost, path, e.Token("admin"), map[string]any{"learner_id": learnerID, "reason": "签到表"})
		require.Equal(t, http.StatusCreated, ok.Status, "%s", ok.Body)
		var out time.Time
		require.NoError(t, e.DB.Table("event_attendance").Select("checked_out_at").Where("learner_id = ?", learnerID).Scan(&out).Error)
		assert.False(t, out.After(apitest.Start), "an event still running is checked out at now, not at its end")
	})
}

// BOLA: a township admin cannot reach another township's event through any endpoint.
func TestEventScoping(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := eventID(t, e, "送法进校园：未成年人保护法") // organised by 华阳镇
		linxi := e.Token("linxi-admin")
		replace := baseEvent(e, campaign(t, e))
		replace["unit_id"] = e.UnitID("linxi")
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/v1/events/%d", nil}, {http.MethodPut, "/api/v1/events/%d", replace},
			{http.MethodGet, "/api/v1/events/%d/registrations", nil}, {http.MethodGet, "/api/v1/events/%d/checkin-code", nil},
			{http.MethodGet, "/api/v1/events/%d/attendance", nil}, {http.MethodPost, "/api/v1/events/%d/attendance", map[string]any{"learner_id": 1, "reason": "越权"}},
			{http.MethodPut, "/api/v1/events/%d/summary", map[string]any{"summary": "越权"}},
		} {
			resp := e.Call(c.method, fmt.Sprintf(c.path, id), linxi, c.body)
			assert.Equal(t, http.StatusNotFound, resp.Status, "%s %s: %s", c.method, c.path, resp.Body)
		}
		linxiLearner := e.Token("13800000004")
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d", id), linxiLearner, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/registrations", id), linxiLearner, nil).Status)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d", id), e.Token("13800000001"), nil).Status, "华阳镇 learners see it")
		warning := eventID(t, e, "警示教育：以案为鉴")
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d", warning), e.Token("13800000001"), nil).Status, "leader-track only")
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d", warning), e.Token("13800000002"), nil).Status)
		hearing := eventID(t, e, "旁听庭审：一起行政处罚案件")
		masked := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d", hearing), e.Token("13800000001"), nil).Map(t)
		assert.Equal(t, "(2026)皖1824行初**号", masked["case_number"], "case numbers are masked for learners")
	})
}

func TestEventValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		cases := []struct {
			name   string
			mutate func(m map[string]any)
			field  string
		}{
			{"ends before start", func(m map[string]any) { m["ends_at"] = apitest.Start.Add(-time.Hour).Format(time.RFC3339) }, "ends_at"},
			{"delivery without venue type", func(m map[string]any) { m["type"] = "law_delivery" }, "venue_type"},
			{"bad venue type", func(m map[string]any) { m["type"], m["venue_type"] = "law_delivery", "菜市场" }, "venue_type"},
			{"unknown type", func(m map[string]any) { m["type"] = "party" }, "type"},
			{"geofence radius", func(m map[string]any) { m["geofence"] = map[string]any{"lat": 30, "lng": 118, "radius_m": 1} }, "geofence.radius_m"},
			{"unknown track", func(m map[string]any) { m["audience_tracks"] = []string{"expert"} }, "audience_tracks[0]"},
			{"organiser outside", func(m map[string]any) { m["organiser_ids"] = []int64{99999} }, "organiser_ids[0]"},
			{"min over duration", func(m map[string]any) { m["min_minutes"] = 500 }, "min_minutes"},
			{"published on create", func(m map[string]any) { m["status"] = "published" }, "status"},
		}
		for _, c := range cases {
			body := baseEvent(e, campaign(t, e))
			c.mutate(body)
			resp := e.Call(http.MethodPost, "/api/v1/events", admin, body)
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}
		var n int64
		require.NoError(t, e.DB.Table("events").Count(&n).Error)
		assert.EqualValues(t, 4, n)
	})
}
