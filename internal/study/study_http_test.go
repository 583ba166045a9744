package study_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
)

// course returns the id of a seeded course by title.
func course(t *testing.T, e *apitest.Env, title string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("courses").Select("id").Where("title = ?", title).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

const constitution = "《中华人民共和国宪法》导读" // 600 s, completion credit 1

func start(t *testing.T, e *apitest.Env, token string, courseID int64) int64 {
	t.Helper()
	resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/sessions", courseID), token, nil)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return int64(resp.Map(t)["id"].(float64))
}

func beat(e *apitest.Env, token string, sessionID int64, position int) *apitest.Response {
	return e.Call(http.MethodPut, fmt.Sprintf("/api/v1/study-sessions/%d/heartbeat", sessionID), token, map[string]int{"position": position})
}

// A learner studies a course in several short sessions and sees credits rise with an explanation.
func TestStudyInShortSessionsEarnsCredits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var token string
		courseID := course(t, e, constitution)
		position := 0
		for _, beats := range []int{7, 7, 6} { // three sittings of 210, 210 and 180 s
			e.Clock.Advance(2 * time.Hour)                                            // the learner did something else in between
			token = e.Login("13800000001", app.DemoPassword)["access_token"].(string) // a new sitting, a new login
			sessionID := start(t, e, token, courseID)
			for i := 0; i < beats; i++ {
				e.Clock.Advance(30 * time.Second)
				position += 30
				resp := beat(e, token, sessionID, position)
				require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				assert.EqualValues(t, 30, resp.Map(t)["credited_seconds"])
			}
			fin := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/study-sessions/%d/finish", sessionID), token, map[string]int{"position": position})
			require.Equal(t, http.StatusOK, fin.Status)
			assert.Equal(t, true, fin.Map(t)["ended"])
		}
		courses := e.Call(http.MethodGet, "/api/v1/me/courses", token, nil).Map(t)["items"].([]any)
		var mine map[string]any
		for _, c := range courses {
			if c.(map[string]any)["title"] == constitution {
				mine = c.(map[string]any)
			}
		}
		require.NotNil(t, mine)
		assert.EqualValues(t, 600, mine["verified_seconds"])
		assert.EqualValues(t, 100, mine["percent"])
		assert.NotEmpty(t, mine["completed_at"])

		credits := e.Call(http.MethodGet, "/api/v1/me/credits", token, nil).Map(t)
		// 10 verified minutes × 0.1 + completion credit 1 = 2.
		assert.EqualValues(t, 2, credits["total"])
		assert.EqualValues(t, 2, credits["by_source"].(map[string]any)["study"])
		assert.Contains(t, credits["explanation"].([]any)[1], "每有效学习 1 分钟得 0.1 学分")
	})
}

func TestHeartbeatCheating(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		token := e.Token("13800000001")
		courseID := course(t, e, constitution)
		sessionID := start(t, e, token, courseID)

		e.Clock.Advance(30 * time.Second)
		ahead := beat(e, token, sessionID, 300)
		assert.Equal(t, http.StatusUnprocessableEntity, ahead.Status, "claims 300 s after 30 s")
		assert.Equal(t, "study.position_ahead", ahead.ErrorCode())

		ok := beat(e, token, sessionID, 30).Map(t)
		assert.EqualValues(t, 30, ok["credited_seconds"], "the refused beat credited nothing; this one credits the 30 s")

		again := beat(e, token, sessionID, 30).Map(t)
		assert.EqualValues(t, 0, again["credited_seconds"], "no time passed since the previous beat")

		e.Clock.Advance(10 * time.Minute)
		idle := beat(e, token, sessionID, 60).Map(t)
		assert.EqualValues(t, 0, idle["credited_seconds"], "a 10-minute gap is a pause, not study")

		e.Clock.Advance(90 * time.Second)
		long := beat(e, token, sessionID, 150).Map(t)
		assert.EqualValues(t, 60, long["credited_seconds"], "one beat credits at most 60 s")

		foreign := beat(e, e.Token("13800000002"), sessionID, 150)
		assert.Equal(t, http.StatusNotFound, foreign.Status, "another learner's session")

		// A new session on another course closes this one.
		other := start(t, e, token, course(t, e, "民法典婚姻家庭编要点"))
		e.Clock.Advance(30 * time.Second)
		ended := beat(e, token, sessionID, 180)
		assert.Equal(t, http.StatusConflict, ended.Status)
		assert.Equal(t, "study.session_ended", ended.ErrorCode())
		assert.Equal(t, http.StatusOK, beat(e, token, other, 30).Status)

		missing := beat(e, token, 99999, 0)
		assert.Equal(t, http.StatusNotFound, missing.Status)
		bad := e.Call(http.MethodPut, fmt.Sprintf("/api/v1/study-sessions/%d/heartbeat", other), token, `{"position": -5}`)
		assert.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		assert.Contains(t, bad.ErrorFields(), "position")

		var verified int
		require.NoError(t, e.DB.Table("course_progress").Select("verified_seconds").Where("course_id = ?", courseID).Scan(&verified).Error)
		assert.Equal(t, 90, verified, "30 + 0 + 0 + 60")
	})
}

// Two heartbeats racing for the same interval credit it once.
func TestConcurrentHeartbeatsCreditOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		token := e.Token("13800000001")
		sessionID := start(t, e, token, course(t, e, constitution))
		e.Clock.Advance(30 * time.Second)
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = beat(e, token, sessionID, 30).Status
			}()
		}
		wg.Wait()
		var verified int
		require.NoError(t, e.DB.Table("course_progress").Select("verified_seconds").Where("learner_id = (SELECT id FROM learners WHERE name = '张伟')").Scan(&verified).Error)
		assert.Equal(t, 30, verified, "the interval counts once whatever the race: %v", statuses)
		for _, s := range statuses {
			assert.Contains(t, []int{http.StatusOK, http.StatusConflict}, s)
		}
	})
}

func TestCourseVisibilityAndAdmin(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var campaignID int64
		require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&campaignID).Error)
		admin := e.Token("admin")
		created := e.Call(http.MethodPost, "/api/v1/courses", admin, map[string]any{
			"campaign_id": campaignID, "title": "监察法要点", "kind": "article", "duration_seconds": 300, "tracks": []string{"leader"}, "credit": 0.5,
		})
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		id := int64(created.Map(t)["id"].(float64))
		learner := e.Token("13800000002") // 王芳, leader
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/courses/%d", id), learner, nil).Status, "drafts are hidden")
		published := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/courses/%d", id), admin, map[string]any{"status": "published"})
		require.Equal(t, http.StatusOK, published.Status)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/courses/%d", id), learner, nil).Status)
		general := e.Token("13800000001")
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/courses/%d", id), general, nil).Status, "not for the general track")
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/sessions", id), general, nil).Status)

		list := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/courses?campaign_id=%d", campaignID), admin, nil).Map(t)
		assert.EqualValues(t, 5, list["total"])
		bad := e.Call(http.MethodPost, "/api/v1/courses", admin, map[string]any{
			"campaign_id": campaignID, "title": "x", "kind": "podcast", "duration_seconds": 10, "tracks": []string{"expert"},
		})
		assert.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		assert.Subset(t, bad.ErrorFields(), []string{"kind", "duration_seconds", "tracks[0]"})
		township := e.Call(http.MethodPost, "/api/v1/courses", e.Token("huayang-admin"), map[string]any{
			"campaign_id": campaignID, "title": "越权课程", "kind": "article", "duration_seconds": 300, "tracks": []string{"leader"},
		})
		assert.Equal(t, http.StatusUnprocessableEntity, township.Status, "the county's campaign is not the township's to edit")
		assert.Equal(t, "course.campaign_not_found", township.ErrorCode())
	})
}

// Learners starting their first session on one course at once each get theirs (see
// Service.Start: at REPEATABLE READ they deadlocked on the active-session index's gap).
func TestFirstStartsAtOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		courseID := course(t, e, constitution)
		tokens := make([]string, 12)
		for k := range tokens {
			tokens[k] = e.Token(fmt.Sprintf("138000000%02d", k+1))
		}
		statuses := apitest.Crowd(len(tokens), func(i int) int {
			return e.Call(http.MethodPost, fmt.Sprintf("/api/v1/courses/%d/sessions", courseID), tokens[i], nil).Status
		})
		var open int64
		require.NoError(t, e.DB.Table("study_sessions").Where("course_id = ? AND active_learner_id IS NOT NULL", courseID).Count(&open).Error)
		started := 0
		for _, s := range statuses {
			if s == http.StatusCreated {
				started++
			} else {
				assert.Equal(t, http.StatusNotFound, s, "only a learner outside the course's audience may be refused")
			}
		}
		assert.GreaterOrEqual(t, started, 6)
		assert.EqualValues(t, started, open, "one open session per learner who started")
	})
}
