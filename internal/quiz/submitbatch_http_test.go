package quiz_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// Submits of many players at once are written in shared batches (group commit): each play must
// still get its own score, answers and board entry, none swapped with a batch neighbour's.
func TestConcurrentSubmitsOfManyPlayersAreEachRecorded(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, nil)
		const players = 30
		type entry struct {
			token  string
			play   play
			body   []map[string]any
			nRight int
		}
		entries := make([]entry, players)
		for i := range entries {
			tok := participant(t, e, fmt.Sprintf("p-batch-%d", i), fmt.Sprintf("批量%d", i))
			p := startPlay(t, e, tok, f.roundID)
			entries[i] = entry{token: tok, play: p, nRight: i % 6}
			entries[i].body = answers(t, e, p, entries[i].nRight)
		}
		e.Clock.Advance(30 * time.Second)
		scores, ranks := make([]float64, players), make([]float64, players)
		got := parallel(players, func(i int) *apitest.Response {
			r := submit(e, entries[i].token, entries[i].play.ID, fmt.Sprintf("key-%d", i), entries[i].body)
			if r.Status == http.StatusOK {
				m := r.Map(t)
				scores[i], ranks[i] = m["score"].(float64), m["rank"].(float64)
			}
			return r
		})
		require.Equal(t, map[int]int{http.StatusOK: players}, got)
		for i, en := range entries {
			assert.EqualValues(t, 10*en.nRight, scores[i], "player %d's answer", i)
			// Who is counted ahead depends on timing, but only players scoring at least as much can be.
			atLeastAsGood := 0
			for j, other := range entries {
				if j != i && other.nRight >= en.nRight {
					atLeastAsGood++
				}
			}
			assert.LessOrEqual(t, ranks[i], float64(1+atLeastAsGood), "player %d's rank", i)
			assert.GreaterOrEqual(t, ranks[i], float64(1))
			var row struct {
				Status         string
				Score          int
				CorrectCount   int
				IdempotencyKey string
			}
			require.NoError(t, e.DB.Table("quiz_plays").Select("status, score, correct_count, idempotency_key").Where("id = ?", en.play.ID).Scan(&row).Error)
			assert.Equal(t, "submitted", row.Status)
			assert.Equal(t, 10*en.nRight, row.Score, "player %d's stored score", i)
			assert.Equal(t, en.nRight, row.CorrectCount)
			assert.Equal(t, fmt.Sprintf("key-%d", i), row.IdempotencyKey)
		}
		require.NoError(t, e.App.Quiz.FlushBoards(context.Background()))
		var n int64
		require.NoError(t, e.DB.Table("quiz_score_buckets").Select("COALESCE(SUM(n), 0)").Where("board = ?", fmt.Sprintf("round:%d", f.roundID)).Scan(&n).Error)
		assert.EqualValues(t, players, n, "every play on the board once")
	}, highLimits)
}

// The rank a submit answers with counts flushed players in the process's rank index (or in SQL
// while it loads) and unflushed ones as pending; either way it must match the board's order.
func TestSubmitRanksMatchTheBoardAcrossFlushes(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, nil)
		var earlier []int // scores of those who submitted before (all take 10 s, so ties go to them)
		for i, nRight := range []int{3, 5, 1, 5, 0, 4, 2, 5, 3, 1, 4, 0} {
			tok := participant(t, e, fmt.Sprintf("p-rank-%d", i), fmt.Sprintf("名次%d", i))
			p := startPlay(t, e, tok, f.roundID)
			e.Clock.Advance(10 * time.Second)
			r := submit(e, tok, p.ID, "", answers(t, e, p, nRight))
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			want := 1
			for _, s := range earlier {
				if s >= 10*nRight {
					want++
				}
			}
			assert.EqualValues(t, want, r.Map(t)["rank"], "player %d (score %d)", i, 10*nRight)
			earlier = append(earlier, 10*nRight)
			if i%3 == 2 {
				require.NoError(t, e.App.Quiz.FlushBoards(context.Background()))
			}
			if i == 3 { // from here on certainly from the index
				require.NoError(t, e.App.Quiz.LoadRankIndex(context.Background(), f.roundID))
			}
		}
	}, highLimits)
}

// A replica ranks submits on its own copy of the round board; the plays another replica folds
// reach it through the drift check (stored bucket counts and checksums), including a player who
// improves within one bucket, which leaves the bucket's count as it was.
func TestSubmitRanksSeeAnotherReplicasFolds(t *testing.T) {
	apitest.Each(t, func(t *testing.T, one *apitest.Env) {
		ctx := context.Background()
		f := newRound(t, one, map[string]any{"plays_per_round": 2, "plays_per_day": 2})
		other := apitest.New(t, one.DB, highLimits)
		t.Cleanup(other.App.Close)
		// All three score 30 within one bucket of duration (10,240–11,263 ms).
		a := participant(t, one, "p-one-a", "甲一")
		playRound(t, one, a, f.roundID, 3, 10_800*time.Millisecond)
		require.NoError(t, one.App.Quiz.FlushBoards(ctx))
		require.NoError(t, one.App.Quiz.LoadRankIndex(ctx, f.roundID))

		b := participant(t, other, "p-other-b", "乙二")
		playRound(t, other, b, f.roundID, 3, 11_000*time.Millisecond)
		require.NoError(t, other.App.Quiz.FlushBoards(ctx))
		require.NoError(t, one.App.Quiz.CheckRankIndex(ctx, f.roundID))
		playRound(t, other, b, f.roundID, 3, 10_300*time.Millisecond) // b moves ahead of a, same bucket
		require.NoError(t, other.App.Quiz.FlushBoards(ctx))
		require.NoError(t, one.App.Quiz.CheckRankIndex(ctx, f.roundID))

		c := participant(t, one, "p-one-c", "丙三")
		got := playRound(t, one, c, f.roundID, 3, 10_500*time.Millisecond)
		assert.EqualValues(t, 2, got["rank"], "b (10.3 s) ahead, a (10.8 s) behind")
		board := one.Call(http.MethodGet, fmt.Sprintf("/api/v1/quiz/rounds/%d/leaderboard", f.roundID), c, nil)
		require.Equal(t, http.StatusOK, board.Status, "%s", board.Body)
		assert.EqualValues(t, 2, board.Map(t)["me"].(map[string]any)["rank"], "the board agrees")
	}, highLimits)
}
