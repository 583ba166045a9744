package quiz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/quiz"
)

// Submits that committed but whose board write never ran (a crash after the submit) are folded
// in by the next process's flush, including a player improving twice in one batch; the boards
// and bucket counts come out as if written one by one.
func TestPendingPlaysSurviveARestart(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		f := newRound(t, e, map[string]any{"plays_per_round": 3, "plays_per_day": 3})
		var tokens []string
		for i, runs := range [][]int{{2, 4, 5}, {5}, {3, 3}, {0}} {
			tok := participant(t, e, fmt.Sprintf("p-crash-%d", i), fmt.Sprintf("玩家%d", i))
			tokens = append(tokens, tok)
			for _, n := range runs {
				playRound(t, e, tok, f.roundID, n, 20*time.Second)
			}
		}
		require.NoError(t, e.App.Quiz.FlushBoards(ctx))
		boards := []string{quiz.RoundBoard(f.roundID), quiz.ActivityBoard(f.activityID)}
		want := map[string][]quiz.Standing{}
		for _, b := range boards {
			top, err := e.App.Quiz.Board.Top(ctx, b, 100)
			require.NoError(t, err)
			require.Len(t, top, 4)
			want[b] = top
		}

		// The crash: every play still pending, nothing on the boards (in one transaction, so a
		// flush the last submit scheduled cannot see half of it).
		require.NoError(t, e.DB.Transaction(func(tx *gorm.DB) error {
			for _, b := range boards {
				if err := tx.Exec("DELETE FROM quiz_scores WHERE board = ?", b).Error; err != nil {
					return err
				}
				if err := tx.Exec("DELETE FROM quiz_score_buckets WHERE board = ?", b).Error; err != nil {
					return err
				}
			}
			return tx.Exec("UPDATE quiz_plays SET board_pending = ? WHERE round_id = ? AND status = 'submitted'", true, f.roundID).Error
		}))

		restarted := quiz.NewService(e.App.Quiz.Deps)
		require.NoError(t, restarted.FlushBoards(ctx))
		for _, b := range boards {
			got, err := e.App.Quiz.Board.Top(ctx, b, 100)
			require.NoError(t, err)
			assert.Equal(t, want[b], got, b)
			var counted int64
			require.NoError(t, e.DB.Raw("SELECT COALESCE(SUM(n), 0) FROM quiz_score_buckets WHERE board = ?", b).Scan(&counted).Error)
			assert.EqualValues(t, 4, counted, "bucket counts of %s", b)
			for i, s := range got {
				me, err := e.App.Quiz.Board.Rank(ctx, b, s.AccountID)
				require.NoError(t, err)
				assert.EqualValues(t, i+1, me.Rank, "%s rank %d from the buckets", b, i+1)
			}
		}
		var pending int64
		require.NoError(t, e.DB.Raw("SELECT COUNT(*) FROM quiz_plays WHERE board_pending = ?", true).Scan(&pending).Error)
		assert.Zero(t, pending)
		assert.EqualValues(t, 5, want[boards[0]][0].Score/10, "the best of 2, 4, 5 right")
	})
}
