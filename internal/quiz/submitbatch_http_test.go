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

// The rank a submit answers with counts flushed players through the bucket counts kept in
// memory and unflushed ones as pending; either way it must match the board's order.
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
		}
	}, highLimits)
}
