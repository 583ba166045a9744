package reminder_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/reminder"
)

func at(day, hour, minute int) time.Time { // a Shanghai wall time in November 2026, as UTC
	return time.Date(2026, 11, day, hour, minute, 0, 0, time.FixedZone("CST", 8*3600)).UTC()
}

func createRule(t *testing.T, e *apitest.Env, body map[string]any) int64 {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/reminder-rules", e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string), body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return int64(resp.Map(t)["id"].(float64))
}

func count(t *testing.T, e *apitest.Env, table, where string, args ...any) int64 {
	var n int64
	require.NoError(t, e.DB.Table(table).Where(where, args...).Count(&n).Error)
	return n
}

// A daily lagging rule runs once at its time, throttles per learner, and escalates.
func TestLaggingRuleRunsOnceThrottlesAndEscalates(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(at(21, 8, 0))
		id := createRule(t, e, map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "credits_lagging",
			"send_at": "09:00", "min_interval_days": 3, "escalate_after": 2, "enabled": true})
		ctx := context.Background()

		e.Clock.Set(at(21, 8, 59))
		ran, err := e.App.Reminders.RunDue(ctx)
		require.NoError(t, err)
		assert.Zero(t, ran, "not before 09:00 Beijing time")

		e.Clock.Set(at(21, 9, 1))
		ran, err = e.App.Reminders.RunDue(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, ran)
		assert.EqualValues(t, 3, count(t, e, "reminders", "rule_id = ?", id), "华阳镇's three learners are all behind on day 21")
		var lagging []string
		require.NoError(t, e.DB.Table("webhook_events").Where("type = ?", "learner.lagging").Order("id").Pluck("data", &lagging).Error)
		require.Len(t, lagging, 3, "one learner.lagging event per reminded learner")
		var first map[string]any
		require.NoError(t, json.Unmarshal([]byte(lagging[0]), &first))
		assert.EqualValues(t, id, first["rule_id"])
		assert.EqualValues(t, e.UnitID("huayang"), first["unit_id"])
		assert.Positive(t, first["lag"])
		var paths []string
		require.NoError(t, e.DB.Table("webhook_events").Where("type = ?", "learner.lagging").Distinct().Pluck("unit_path", &paths).Error)
		assert.Len(t, paths, 1, "each event belongs to the learner's township (webhooks there hear it)")
		ran, _ = e.App.Reminders.RunDue(ctx)
		assert.Zero(t, ran, "once a day")

		e.Clock.Set(at(22, 9, 1))
		ran, _ = e.App.Reminders.RunDue(ctx)
		assert.Equal(t, 1, ran)
		assert.EqualValues(t, 3, count(t, e, "reminders", "rule_id = ?", id), "throttled: at most once per learner every 3 days")

		e.Clock.Set(at(24, 9, 1))
		_, err = e.App.Reminders.RunDue(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 6, count(t, e, "reminders", "rule_id = ?", id))
		admins := count(t, e, "messages", "title = ? AND account_id = ?", "督学汇总", e.AccountID("huayang-admin"))
		assert.EqualValues(t, 1, admins, "reminded twice and still behind: the unit admin's digest")
	})
}

// Two schedulers (two replicas on one database) run a rule once.
func TestOnlyOneReplicaRunsARule(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(at(21, 8, 0))
		createRule(t, e, map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "credits_lagging",
			"send_at": "09:00", "enabled": true})
		other := apitest.New(t, e.DB)
		other.Clock.Set(at(21, 9, 5))
		e.Clock.Set(at(21, 9, 5))
		var wg sync.WaitGroup
		results := make([]int, 2)
		for i, svc := range []*reminder.Service{e.App.Reminders, other.App.Reminders} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := svc.RunDue(context.Background())
				assert.NoError(t, err)
				results[i] = n
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, results[0]+results[1], "exactly one replica ran it")
		assert.EqualValues(t, 3, count(t, e, "reminders", "rule_id IS NOT NULL"))
	})
}

// Deliveries created inside the quiet hours wait for their end.
func TestQuietHoursDelayDeliveries(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(at(21, 6, 0))
		createRule(t, e, map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "credits_lagging",
			"send_at": "06:30", "quiet_start": "22:00", "quiet_end": "08:00", "enabled": true})
		e.Clock.Set(at(21, 6, 31))
		_, err := e.App.Reminders.RunDue(context.Background())
		require.NoError(t, err)
		var due []time.Time
		require.NoError(t, e.DB.Table("reminder_deliveries").Pluck("next_attempt_at", &due).Error)
		require.Len(t, due, 3)
		for _, d := range due {
			assert.True(t, d.Equal(at(21, 8, 0)), "due at 08:00 Beijing time, got %s", d)
		}
		n, _ := e.App.Reminders.DispatchOnce(context.Background())
		assert.Zero(t, n, "nothing goes out during the quiet hours")
		e.Clock.Set(at(21, 8, 0))
		n, _ = e.App.Reminders.DispatchOnce(context.Background())
		assert.Equal(t, 3, n)
	})
}

// The event rule reminds registered learners the day before.
func TestEventTomorrowRule(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var hearing int64
		require.NoError(t, e.DB.Table("events").Select("id").Where("type = 'court_hearing'").Scan(&hearing).Error)
		reg := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/registrations", hearing), e.Token("13800000001"), nil)
		require.Equal(t, http.StatusCreated, reg.Status, "%s", reg.Body)
		createRule(t, e, map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "event_tomorrow",
			"send_at": "18:00", "enabled": true})
		e.Clock.Set(at(2, 18, 30)) // the seeded hearing is on Nov 3 at 09:00
		_, err := e.App.Reminders.RunDue(context.Background())
		require.NoError(t, err)
		var msg string
		require.NoError(t, e.DB.Table("reminders").Select("message").Where("rule_id IS NOT NULL").Scan(&msg).Error)
		assert.Contains(t, msg, "旁听庭审：一起行政处罚案件")
		assert.Contains(t, msg, "明天 09:00")
	})
}

func TestRuleValidationAndScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		base := func() map[string]any {
			return map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "credits_lagging", "send_at": "09:00"}
		}
		for field, mutate := range map[string]func(m map[string]any){
			"send_at":     func(m map[string]any) { m["send_at"] = "25:00" },
			"quiet_start": func(m map[string]any) { m["quiet_start"] = "22:00" },
			"unit_id":     func(m map[string]any) { m["unit_id"] = e.UnitID("linxi") },
			"kind":        func(m map[string]any) { m["kind"] = "birthday" },
		} {
			body := base()
			mutate(body)
			resp := e.Call(http.MethodPost, "/api/v1/reminder-rules", admin, body)
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %s", field, resp.Body)
			assert.Contains(t, resp.ErrorFields(), field)
		}
		id := createRule(t, e, base())
		path := fmt.Sprintf("/api/v1/reminder-rules/%d", id)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, e.Token("linxi-admin"), nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodDelete, path, e.Token("linxi-admin"), nil).Status)
		replaced := base()
		replaced["send_at"] = "10:30"
		resp := e.Call(http.MethodPut, path, admin, replaced)
		require.Equal(t, http.StatusOK, resp.Status)
		assert.Equal(t, "10:30", resp.Map(t)["send_at"])
		assert.Len(t, e.Call(http.MethodGet, "/api/v1/reminder-rules", admin, nil).Map(t)["items"], 1)
		assert.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, path, admin, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, admin, nil).Status)
	})
}

func TestReminderEffect(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := campaignID(t, e)
		e.Clock.Set(at(10, 10, 0)) // day 10: expected 4.91 (general) and 6.55 (leader)
		admin := e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string)
		resp := e.Call(http.MethodPost, "/api/v1/reminders", admin, map[string]any{"campaign_id": c, "unit_id": e.UnitID("huayang")})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		require.EqualValues(t, 3, resp.Map(t)["reminded"])

		e.Clock.Set(at(12, 10, 0))
		give := func(name string, whole int64) {
			_, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: learnerID(t, e, name), CampaignID: c,
				Source: credit.SourceExam, SourceID: "exam:effect", Amount: credit.Credits(whole, 0)})
			require.NoError(t, err)
		}
		give("张伟", 6) // made up a 4.91 lag
		give("李娜", 2) // did not

		early := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/reminders/effect?campaign_id=%d", c), e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string), nil).Map(t)
		assert.EqualValues(t, 3, early["waiting"], "too early to tell")

		e.Clock.Set(at(18, 10, 0))
		admin = e.Login("admin", "Xuefa@2026")["access_token"].(string)
		town := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/reminders/effect?campaign_id=%d&unit_id=%d", c, e.UnitID("huayang")), admin, nil)
		require.Equal(t, http.StatusOK, town.Status, "%s", town.Body)
		m := town.Map(t)
		assert.EqualValues(t, 3, m["reminded"])
		assert.EqualValues(t, 1, m["caught_up"])
		assert.EqualValues(t, 33.3, m["caught_up_rate"])
		assert.EqualValues(t, 0, m["lagging_not_reminded"])
		county := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/reminders/effect?campaign_id=%d", c), admin, nil).Map(t)
		assert.EqualValues(t, 9, county["lagging_not_reminded"], "the other units' learners were never reminded")
		bola := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/reminders/effect?campaign_id=%d&unit_id=%d", c, e.UnitID("linxi")), e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string), nil)
		assert.Equal(t, http.StatusNotFound, bola.Status)
	})
}
