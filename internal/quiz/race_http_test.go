package quiz_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// parallel runs fn n times at once and counts the statuses.
func parallel(n int, fn func(i int) *apitest.Response) map[int]int {
	var mu sync.Mutex
	out := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := fn(i)
			mu.Lock()
			out[r.Status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func TestTwentyConcurrentStartsGiveOnePlay(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, nil)
		tok := participant(t, e, "p-racer", "赛跑者")
		got := parallel(20, func(int) *apitest.Response {
			return e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/plays", f.roundID), tok, nil)
		})
		assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: 19}, got)
		var n int64
		require.NoError(t, e.DB.Table("quiz_plays").Where("round_id = ?", f.roundID).Count(&n).Error)
		assert.EqualValues(t, 1, n)
	}, highLimits)
}

func TestFiftyConcurrentSubmitsGradeOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, nil)
		tok := participant(t, e, "p-retry", "重试者")
		p := startPlay(t, e, tok, f.roundID)
		e.Clock.Advance(20 * time.Second)
		body := answers(t, e, p, 4)
		var mu sync.Mutex
		scores := map[any]int{}
		got := parallel(50, func(i int) *apitest.Response {
			key := "same-key" // half retry the same request, half send their own key
			if i%2 == 1 {
				key = fmt.Sprintf("other-%d", i)
			}
			r := submit(e, tok, p.ID, key, body)
			if r.Status == http.StatusOK {
				mu.Lock()
				scores[r.Map(t)["score"]]++
				mu.Unlock()
			}
			return r
		})
		assert.Equal(t, 50, got[http.StatusOK]+got[http.StatusConflict])
		assert.GreaterOrEqual(t, got[http.StatusOK], 1)
		assert.LessOrEqual(t, got[http.StatusOK], 25, "only the winning key's retries replay")
		assert.Equal(t, map[any]int{float64(40): got[http.StatusOK]}, scores, "every 200 is the same result")
		require.NoError(t, e.App.Quiz.FlushBoards(context.Background()), "the boards are written behind the submit")
		var rows int64
		require.NoError(t, e.DB.Table("quiz_scores").Where("board = ?", fmt.Sprintf("round:%d", f.roundID)).Count(&rows).Error)
		assert.EqualValues(t, 1, rows)
		var n int64
		require.NoError(t, e.DB.Table("quiz_score_buckets").Select("COALESCE(SUM(n), 0)").Where("board = ?", fmt.Sprintf("round:%d", f.roundID)).Scan(&n).Error)
		assert.EqualValues(t, 1, n, "the play counted once")
	}, highLimits)
}

func TestSubmitAfterDeadlineIsRejected(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, map[string]any{"seconds_per_question": nil, "seconds_per_play": 60, "plays_per_round": 2})
		tok := participant(t, e, "p-late", "迟到者")
		p := startPlay(t, e, tok, f.roundID)
		assert.Equal(t, 1, p.PlaysLeft)
		e.Clock.Advance(61 * time.Second)
		r := submit(e, tok, p.ID, "", answers(t, e, p, 5))
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Equal(t, "quiz.deadline_passed", r.ErrorCode())
		// The expired play no longer blocks a new one; it used one of the two plays.
		p2 := startPlay(t, e, tok, f.roundID)
		assert.Equal(t, 0, p2.PlaysLeft)
		e.Clock.Advance(10 * time.Second)
		require.Equal(t, http.StatusOK, submit(e, tok, p2.ID, "", answers(t, e, p2, 5)).Status)
		assert.Equal(t, "quiz.no_plays_left", e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/plays", f.roundID), tok, nil).ErrorCode())
	})
}

// Ten prize units, 500 concurrent claims by their ten winners: exactly ten claims, stock 0.
func TestFiveHundredConcurrentClaimsAgainstStockTen(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, map[string]any{"prizes": []map[string]any{{"name": "帆布袋", "stock": 10}}, "claim_hours": 1})
		users := make([]string, 12)
		for i := range users {
			users[i] = fmt.Sprintf("p-claim-%02d", i)
			tok := participant(t, e, users[i], fmt.Sprintf("玩家%02d", i))
			playRound(t, e, tok, f.roundID, 3, 15*time.Second)
		}
		e.Clock.Set(f.endsAt)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/close", f.roundID), f.admin, nil).Status)
		got := parallel(5, func(int) *apitest.Response {
			return e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", f.roundID), f.admin, map[string]any{})
		})
		assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusConflict: 4}, got, "concurrent draws: one draws")

		type prize struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		winners := map[string]prize{}
		for _, u := range users {
			var list struct {
				Items []prize `json:"items"`
			}
			e.Call(http.MethodGet, "/api/v1/me/prizes", e.Token(u), nil).JSON(t, &list)
			if len(list.Items) == 1 {
				winners[u] = list.Items[0]
			}
		}
		require.Len(t, winners, 10)
		var names []string
		for u := range winners {
			names = append(names, u)
		}
		claim := map[string]any{"name": "张三", "phone": "13800138000", "address": "安徽省宣城市绩溪县华阳镇某路1号"}
		got = parallel(500, func(i int) *apitest.Response {
			u := names[i%10]
			return e.Do(apitest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/me/prizes/%d/claim", winners[u].ID),
				Token: e.Token(u), Body: claim, Headers: map[string]string{"Idempotency-Key": fmt.Sprintf("k-%d", i)}})
		})
		assert.Equal(t, map[int]int{http.StatusOK: 10, http.StatusConflict: 490}, got)
		var remaining int
		require.NoError(t, e.DB.Table("quiz_prizes").Select("remaining").Where("round_id = ?", f.roundID).Scan(&remaining).Error)
		assert.Equal(t, 0, remaining)
		var claimed int64
		require.NoError(t, e.DB.Table("quiz_awards").Where("round_id = ? AND status = ?", f.roundID, "claimed").Count(&claimed).Error)
		assert.EqualValues(t, 10, claimed)

		// Sealed at rest, masked in lists; the same key replays, and the export opens it.
		var enc string
		require.NoError(t, e.DB.Table("quiz_awards").Select("phone_enc").Where("round_id = ? AND status = ?", f.roundID, "claimed").Limit(1).Scan(&enc).Error)
		assert.NotContains(t, enc, "13800138000")
		list := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/quiz/rounds/%d/prizes", f.roundID), f.admin, nil)
		require.Equal(t, http.StatusOK, list.Status)
		assert.NotContains(t, string(list.Body), "13800138000")
		assert.Contains(t, string(list.Body), "138****8000")
		export := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/quiz/rounds/%d/prizes/export", f.roundID), f.admin, nil)
		require.Equal(t, http.StatusOK, export.Status)
		assert.Equal(t, "PK", string(export.Body[:2]), "an xlsx (zip) file")
	}, highLimits)
}

func TestUnclaimedPrizeExpires(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, map[string]any{"claim_hours": 1})
		tok := participant(t, e, "p-slow", "慢领者")
		playRound(t, e, tok, f.roundID, 2, 15*time.Second)
		e.Clock.Set(f.endsAt)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/close", f.roundID), f.admin, nil).Status)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", f.roundID), f.admin, map[string]any{}).Status)
		e.Clock.Advance(61 * time.Minute)
		tok = freshToken(e, "p-slow")
		var list struct {
			Items []struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			} `json:"items"`
		}
		e.Call(http.MethodGet, "/api/v1/me/prizes", tok, nil).JSON(t, &list)
		require.Len(t, list.Items, 1)
		assert.Equal(t, "expired", list.Items[0].Status)
		r := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/me/prizes/%d/claim", list.Items[0].ID), tok,
			map[string]any{"name": "慢领者", "phone": "13900139000", "address": "安徽省宣城市绩溪县临溪镇"})
		assert.Equal(t, "quiz.prize_expired", r.ErrorCode())
	})
}
