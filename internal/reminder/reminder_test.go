package reminder_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/reminder"
)

func campaignID(t *testing.T, e *apitest.Env) int64 {
	var id int64
	require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&id).Error)
	return id
}

func learnerID(t *testing.T, e *apitest.Env, name string) int64 {
	var id int64
	require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
	return id
}

// An admin reminds the lagging learners of a township; the demo learner reads it in the inbox.
func TestManualReminderReachesTheInbox(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := campaignID(t, e)
		e.Clock.Set(time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)) // day 21: everyone without credits lags
		admin := e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string)
		resp := e.Call(http.MethodPost, "/api/v1/reminders", admin, map[string]any{"campaign_id": c, "unit_id": e.UnitID("huayang"), "status": "lagging"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		assert.EqualValues(t, 3, resp.Map(t)["reminded"])

		again := e.Call(http.MethodPost, "/api/v1/reminders", admin, map[string]any{"campaign_id": c, "learner_ids": []int64{learnerID(t, e, "张伟")}}).Map(t)
		assert.EqualValues(t, 0, again["reminded"])
		assert.EqualValues(t, 1, again["skipped"], "throttled: reminded less than 24 hours ago")

		n, err := e.App.Reminders.DispatchOnce(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 3, n)

		learner := e.Login("13800000001", "Xuefa@2026")["access_token"].(string)
		inbox := e.Call(http.MethodGet, "/api/v1/me/messages", learner, nil).Map(t)
		require.EqualValues(t, 1, inbox["total"])
		assert.EqualValues(t, 1, inbox["unread"])
		msg := inbox["items"].([]any)[0].(map[string]any)
		assert.Contains(t, msg["body"], "按活动进度今天应达到 10.32 学分")
		read := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/me/messages/%d/read", int64(msg["id"].(float64))), learner, nil)
		assert.Equal(t, http.StatusNoContent, read.Status)
		assert.EqualValues(t, 0, e.Call(http.MethodGet, "/api/v1/me/messages", learner, nil).Map(t)["unread"])
		other := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/me/messages/%d/read", int64(msg["id"].(float64))), e.Token("13800000002"), nil)
		assert.Equal(t, http.StatusNotFound, other.Status, "not their message")

		lagging := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/lagging?campaign_id=%d", e.UnitID("huayang"), c), admin, nil).Map(t)
		for _, item := range lagging["items"].([]any) {
			assert.EqualValues(t, 1, item.(map[string]any)["reminders_sent"], "the lagging list shows reminders already sent")
		}
		list := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/reminders?campaign_id=%d", c), admin, nil).Map(t)
		assert.EqualValues(t, 3, list["total"])
		d := list["items"].([]any)[0].(map[string]any)["deliveries"].([]any)[0].(map[string]any)
		assert.Equal(t, "sent", d["status"])

		e.Clock.Advance(25 * time.Hour)
		admin = e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string)
		later := e.Call(http.MethodPost, "/api/v1/reminders", admin, map[string]any{"campaign_id": c, "learner_ids": []int64{learnerID(t, e, "张伟")}}).Map(t)
		assert.EqualValues(t, 1, later["reminded"], "a day later the learner may be reminded again")
	})
}

func TestReminderScoping(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := campaignID(t, e)
		resp := e.Call(http.MethodPost, "/api/v1/reminders", e.Token("huayang-admin"), map[string]any{
			"campaign_id": c, "learner_ids": []int64{learnerID(t, e, "张伟"), learnerID(t, e, "刘洋")}, // 刘洋 is in 临溪镇
		})
		assert.Equal(t, http.StatusNotFound, resp.Status)
		var n int64
		require.NoError(t, e.DB.Table("reminders").Count(&n).Error)
		assert.EqualValues(t, 0, n, "nothing written")
		unit := e.Call(http.MethodPost, "/api/v1/reminders", e.Token("huayang-admin"), map[string]any{"campaign_id": c, "unit_id": e.UnitID("linxi")})
		assert.Equal(t, http.StatusNotFound, unit.Status)
		neither := e.Call(http.MethodPost, "/api/v1/reminders", e.Token("huayang-admin"), map[string]any{"campaign_id": c})
		assert.Contains(t, neither.ErrorFields(), "learner_ids")
		badChannel := e.Call(http.MethodPost, "/api/v1/reminders", e.Token("huayang-admin"), map[string]any{"campaign_id": c, "unit_id": e.UnitID("huayang"), "channels": []string{"pigeon"}})
		assert.Contains(t, badChannel.ErrorFields(), "channels[0]")
	})
}

// fakeSMS fails the first failures sends, then succeeds; it counts what it actually delivered
// per idempotency key, like a provider that deduplicates.
type fakeSMS struct {
	mu        sync.Mutex
	failures  int
	calls     int
	delivered map[string]int
}

func (f *fakeSMS) Send(_ context.Context, _, _, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.failures {
		return errors.New("provider unavailable")
	}
	if f.delivered == nil {
		f.delivered = map[string]int{}
	}
	f.delivered[key]++
	return nil
}

func remindOneBySMS(t *testing.T, e *apitest.Env) {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/reminders", e.Token("huayang-admin"), map[string]any{
		"campaign_id": campaignID(t, e), "learner_ids": []int64{learnerID(t, e, "张伟")}, "channels": []string{"sms"},
	})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
}

func deliveryState(t *testing.T, e *apitest.Env) reminder.Delivery {
	var d reminder.Delivery
	require.NoError(t, e.DB.Order("id DESC").Take(&d).Error)
	return d
}

// A failing channel is retried with backoff (1, 2, 4, 8 minutes) and then given up as dead.
func TestSMSRetriesWithBackoffThenDies(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		sms := &fakeSMS{failures: 100}
		e.App.Reminders.SMS = sms
		remindOneBySMS(t, e)
		ctx := context.Background()
		for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute} {
			_, err := e.App.Reminders.DispatchOnce(ctx)
			require.NoError(t, err)
			d := deliveryState(t, e)
			assert.Equal(t, reminder.StatusPending, d.Status)
			assert.Equal(t, attempt+1, d.Attempts)
			assert.Equal(t, e.Clock.Now().Add(wait).Truncate(time.Microsecond), d.NextAttemptAt.UTC(), "backoff after attempt %d", attempt+1)
			n, _ := e.App.Reminders.DispatchOnce(ctx)
			assert.Zero(t, n, "not due before the backoff ends")
			e.Clock.Advance(wait)
		}
		_, err := e.App.Reminders.DispatchOnce(ctx)
		require.NoError(t, err)
		d := deliveryState(t, e)
		assert.Equal(t, reminder.StatusDead, d.Status)
		assert.Equal(t, reminder.MaxAttempts, d.Attempts)
		assert.Equal(t, "provider unavailable", d.LastError)
	})
}

// A dispatcher that dies between sending and marking leaves its claim to lapse: the next one
// resends with the same idempotency key, so a deduplicating provider delivers one text.
func TestCrashBetweenSendAndMarkReusesTheKey(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		sms := &fakeSMS{}
		e.App.Reminders.SMS = sms
		remindOneBySMS(t, e)
		ctx := context.Background()
		// The crashed dispatcher: it claimed the delivery and reached the provider, then died.
		claimed, err := reminder.NewStore(e.DB).Claim(ctx, e.Clock.Now(), e.Clock.Now().Add(2*time.Minute), 10)
		require.NoError(t, err)
		require.Len(t, claimed, 1)
		require.NoError(t, sms.Send(ctx, "13800000001", "…", fmt.Sprintf("xuefa-reminder-%d", claimed[0].ID)))

		n, err := e.App.Reminders.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "still claimed by the dead dispatcher")
		e.Clock.Advance(3 * time.Minute)
		n, err = e.App.Reminders.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the lapsed claim is picked up")
		assert.Equal(t, reminder.StatusSent, deliveryState(t, e).Status)
		n, _ = e.App.Reminders.DispatchOnce(ctx)
		assert.Zero(t, n, "sent, never again")
		assert.Equal(t, 2, sms.calls, "resent once after the crash")
		assert.Len(t, sms.delivered, 1, "both sends carried the same idempotency key")
	})
}
