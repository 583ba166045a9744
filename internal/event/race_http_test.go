package event_test

import (
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func eventPath(id int64) string { return fmt.Sprintf("/api/v1/events/%d", id) }

// Admin writes on one published event race each other: an edit never lands on an event a
// concurrent PUT just cancelled, and cancelling and finishing (the summary) never both succeed.
func TestEventWritesRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		body := baseEvent(e, campaign(t, e))
		call := func(method, path string, body any) func() int {
			return func() int { return e.Call(method, path, admin, body).Status }
		}
		state := func(id int64) (status, title string) {
			m := e.Call(http.MethodGet, eventPath(id), admin, nil).Map(t)
			return m["status"].(string), m["title"].(string)
		}
		for range 8 {
			id := createEvent(t, e, maps.Clone(body))
			edited, cancel := maps.Clone(body), maps.Clone(body)
			edited["title"], edited["status"] = "改名后的活动", "published"
			cancel["title"], cancel["status"] = "取消的活动", "cancelled"
			put, del := apitest.Race(call(http.MethodPut, eventPath(id), edited), call(http.MethodPut, eventPath(id), cancel))
			require.Equal(t, http.StatusOK, del)
			assert.Contains(t, []int{http.StatusOK, http.StatusConflict}, put)
			status, title := state(id)
			assert.Equal(t, "cancelled", status)
			assert.Equal(t, "取消的活动", title, "an edit landed on a cancelled event")

			id = createEvent(t, e, maps.Clone(body))
			sum, del := apitest.Race(call(http.MethodPut, eventPath(id)+"/summary", map[string]any{"summary": "活动已举行"}),
				call(http.MethodPut, eventPath(id), cancel))
			status, _ = state(id)
			switch {
			case sum == http.StatusOK && del == http.StatusConflict:
				assert.Equal(t, "finished", status)
			case sum == http.StatusConflict && del == http.StatusOK:
				assert.Equal(t, "cancelled", status)
			default:
				t.Errorf("summary %d and cancel %d: exactly one may succeed (event now %s)", sum, del, status)
			}
		}
	})
}

// A learner's double tap never frees or takes two places: a doubled cancel promotes one
// waitlisted learner, and a doubled registration takes one place and keeps it.
func TestRegistrationDoubleTapRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		first, second, third := e.Token("13800000001"), e.Token("13800000002"), e.Token("13800000003")
		body := baseEvent(e, campaign(t, e))
		body["capacity"], body["registration_required"] = 1, true
		call := func(method, path, token string) func() int {
			return func() int { return e.Call(method, path, token, nil).Status }
		}
		count := func(id int64, status string) int64 {
			var n int64
			require.NoError(t, e.DB.Table("event_registrations").Where("event_id = ? AND status = ?", id, status).Count(&n).Error)
			return n
		}
		registered := func(id int64) int {
			var n int
			require.NoError(t, e.DB.Table("events").Select("registered_count").Where("id = ?", id).Scan(&n).Error)
			return n
		}
		for range 8 {
			id := createEvent(t, e, maps.Clone(body))
			regs := eventPath(id) + "/registrations"
			for _, tok := range []string{first, second, third} {
				require.Equal(t, http.StatusCreated, e.Call(http.MethodPost, regs, tok, nil).Status)
			}
			a, b := apitest.Race(call(http.MethodDelete, regs+"/me", first), call(http.MethodDelete, regs+"/me", first))
			assert.ElementsMatch(t, []int{http.StatusNoContent, http.StatusNotFound}, []int{a, b})
			assert.EqualValues(t, 1, count(id, "registered"), "one cancellation promoted two learners")
			assert.EqualValues(t, 1, count(id, "waitlisted"))
			assert.Equal(t, 1, registered(id))

			// Back after a cancellation: a doubled registration takes one place.
			require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, regs+"/me", second, nil).Status)
			require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, regs+"/me", third, nil).Status)
			require.Equal(t, 0, registered(id))
			a, b = apitest.Race(call(http.MethodPost, regs, second), call(http.MethodPost, regs, second))
			assert.ElementsMatch(t, []int{http.StatusCreated, http.StatusConflict}, []int{a, b})
			assert.EqualValues(t, 1, count(id, "registered"), "the place was taken and the learner left waiting")
			assert.Equal(t, 1, registered(id))
		}
	})
}

// Learners checking in to one event at once each get their attendance: nobody's first scan
// waits on another's (on MySQL a locking read of the row not yet there locked the gap where
// every learner's row goes, and the inserts deadlocked one another past WithTx's retries,
// answering 503; the cluster journey drill saw 19 of 40 such scans fail).
func TestFirstCheckinsAtOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := eventID(t, e, lecture)
		var tokens []string
		for k := 1; k <= 12; k++ {
			token := e.Token(fmt.Sprintf("138000000%02d", k))
			if e.Call(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/registrations", id), token, nil).Status == http.StatusCreated {
				tokens = append(tokens, token)
			}
		}
		require.GreaterOrEqual(t, len(tokens), 6, "learners in the lecture's audience")
		qr := code(t, e, id)
		statuses := apitest.Crowd(len(tokens), func(i int) int {
			return scan(e, tokens[i], id, map[string]any{"token": qr}).Status
		})
		for i, s := range statuses {
			assert.Equal(t, http.StatusOK, s, "learner %d", i)
		}
		var attended int64
		require.NoError(t, e.DB.Table("event_attendance").Where("event_id = ?", id).Count(&attended).Error)
		assert.EqualValues(t, len(tokens), attended)
	})
}
