package quiz_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// Admin writes on one activity race each other: a round is never created under an activity
// being deleted (nor the delete failed by it), and an update of a deleted activity is a 404.
func TestActivityWritesRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := rootAdmin(e)
		now := e.Clock.Now()
		round := map[string]any{
			"name": "第一轮", "starts_at": now.Format(time.RFC3339), "ends_at": now.Add(10 * time.Minute).Format(time.RFC3339),
			"question_count": 5, "bank_ids": []int64{demoBankID(t, e)}, "seconds_per_question": 20,
		}
		activity := func() string {
			resp := e.Call(http.MethodPost, "/api/v1/quiz/activities", admin, map[string]any{"name": "竞态活动", "audience": "public"})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			return fmt.Sprintf("/api/v1/quiz/activities/%d", int64(resp.Map(t)["id"].(float64)))
		}
		call := func(method, path string, body any) func() int {
			return func() int { return e.Call(method, path, admin, body).Status }
		}
		for range 8 {
			path := activity()
			del, created := apitest.Race(call(http.MethodDelete, path, nil), call(http.MethodPost, path+"/rounds", round))
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusNotFound}, {http.StatusConflict, http.StatusCreated}}, [2]int{del, created})

			path = activity()
			del, patched := apitest.Race(call(http.MethodDelete, path, nil), call(http.MethodPatch, path, map[string]any{"name": "改名"}))
			assert.Contains(t, [][2]int{{http.StatusNoContent, http.StatusNotFound}, {http.StatusNoContent, http.StatusOK}}, [2]int{del, patched})
		}
		var orphans int64
		require.NoError(t, e.DB.Table("quiz_rounds").Where("activity_id NOT IN (SELECT id FROM quiz_activities)").Count(&orphans).Error)
		assert.Zero(t, orphans)
	})
}

// Releasing a flagged play races closing its round: either the play is released before the
// eligible list is fixed and counts in it, or the release is refused; the round can be drawn.
func TestClearFlagRacesClose(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		bot := participant(t, e, "p-bot", "机器人甲")
		type flagged struct {
			round fixture
			play  int64
		}
		var cases []flagged
		for range 8 {
			f := newRound(t, e, nil)
			r := playRound(t, e, bot, f.roundID, 5, 2*time.Second)
			require.Equal(t, true, r["flagged"])
			cases = append(cases, flagged{f, int64(r["play_id"].(float64))})
		}
		e.Clock.Set(cases[len(cases)-1].round.endsAt)
		for i, c := range cases {
			admin := c.round.admin
			var clearCode string
			clear := func() int {
				r := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/plays/%d/clear-flag", c.play), admin, nil)
				clearCode = r.ErrorCode()
				return r.Status
			}
			var closed drawRecord
			var closeBody string
			closeRound := func() int {
				r := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/close", c.round.roundID), admin, nil)
				closeBody = string(r.Body)
				if r.Status == http.StatusOK {
					_ = json.Unmarshal(r.Body, &closed)
				}
				return r.Status
			}
			cleared, closedStatus := apitest.Race(clear, closeRound)
			require.Equal(t, http.StatusOK, closedStatus, "case %d: %s", i, closeBody)
			if cleared == http.StatusOK {
				assert.Equal(t, 1, closed.EligibleCount, "case %d: a released play counts", i)
			} else {
				assert.Equal(t, [2]any{http.StatusConflict, "quiz.round_closed"}, [2]any{cleared, clearCode}, "case %d", i)
				assert.Equal(t, 0, closed.EligibleCount, "case %d", i)
			}
			drawn := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", c.round.roundID), admin, map[string]any{})
			assert.Equal(t, http.StatusOK, drawn.Status, "case %d (clear %d): %s", i, cleared, drawn.Body)
		}
	}, highLimits)
}
