package reminder_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// A double-tapped manual reminder reminds the learner once: the second is throttled.
func TestManualReminderDoubleTapRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c, learner := campaignID(t, e), learnerID(t, e, "张伟")
		e.Clock.Set(time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC))
		body := map[string]any{"campaign_id": c, "learner_ids": []int64{learner}}
		for i := range 8 {
			e.Clock.Advance(25 * time.Hour) // past the throttle of the last round
			admin := e.Login("huayang-admin", "Xuefa@2026")["access_token"].(string)
			tap := func() *apitest.Response { return e.Call(http.MethodPost, "/api/v1/reminders", admin, body) }
			before := count(t, e, "reminders", "learner_id = ? AND campaign_id = ?", learner, c)
			a, b := apitest.Race(tap, tap)
			require.Equal(t, http.StatusCreated, a.Status, "%s", a.Body)
			require.Equal(t, http.StatusCreated, b.Status, "%s", b.Body)
			reminded := a.Map(t)["reminded"].(float64) + b.Map(t)["reminded"].(float64)
			assert.EqualValues(t, 1, reminded, "round %d: the learner was reminded twice", i)
			assert.EqualValues(t, before+1, count(t, e, "reminders", "learner_id = ? AND campaign_id = ?", learner, c))
		}
	})
}

// A rule replaced while it is deleted stays deleted: the replace answers 200 before the delete
// or 404 after it, and never brings the rule back.
func TestRuleReplaceDeleteRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		body := map[string]any{"campaign_id": campaignID(t, e), "unit_id": e.UnitID("huayang"), "kind": "credits_lagging",
			"send_at": "09:00", "enabled": true}
		for range 8 {
			id := createRule(t, e, body)
			path := fmt.Sprintf("/api/v1/reminder-rules/%d", id)
			edited := map[string]any{"send_at": "10:00"}
			for k, v := range body {
				if k != "send_at" {
					edited[k] = v
				}
			}
			put, del := apitest.Race(
				func() int { return e.Call(http.MethodPut, path, admin, edited).Status },
				func() int { return e.Call(http.MethodDelete, path, admin, nil).Status })
			assert.Equal(t, http.StatusNoContent, del)
			assert.Contains(t, []int{http.StatusOK, http.StatusNotFound}, put)
			assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, admin, nil).Status, "the deleted rule came back")
		}
	})
}
