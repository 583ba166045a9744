package quiz_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/dbtest"
	"github.com/xuefa/xuefa/internal/quiz"
)

// testRedis connects to the Redis CI starts (XUEFA_TEST_REDIS_ADDR).
func testRedis(t *testing.T) *redis.Client {
	t.Helper()
	addr := os.Getenv("XUEFA_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("XUEFA_TEST_REDIS_ADDR not set; .ci/run sets it")
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.Ping(context.Background()).Err())
	return c
}

// standings is a history of puts with heavy ties: few scores, durations within a few buckets,
// shared submit times, and players improving (moving between buckets) several times.
func standings(seed uint64) [][2]quiz.Standing {
	rng := rand.New(rand.NewPCG(seed, 1))
	best := map[int64]quiz.Standing{}
	var out [][2]quiz.Standing
	for i := 0; i < 400; i++ {
		acct := int64(1 + rng.IntN(120))
		next := quiz.Standing{AccountID: acct, PlayID: int64(i + 1), Score: 10 * rng.IntN(4),
			DurationMs: int64(2000 + rng.IntN(3)*700 + rng.IntN(2)), SubmittedMs: 1_790_000_000_000 + int64(rng.IntN(40))}
		old, had := best[acct]
		if had && quiz.RankKey(next.Score, next.DurationMs) >= quiz.RankKey(old.Score, old.DurationMs) {
			continue
		}
		var prev quiz.Standing
		if had {
			prev = old
		}
		best[acct] = next
		out = append(out, [2]quiz.Standing{prev, next})
	}
	return out
}

// expected orders the final standings by the contract: score desc, duration asc, submit asc, account.
func expected(history [][2]quiz.Standing) []quiz.Standing {
	final := map[int64]quiz.Standing{}
	for _, h := range history {
		final[h[1].AccountID] = h[1]
	}
	var out []quiz.Standing
	for _, s := range final {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.DurationMs != b.DurationMs {
			return a.DurationMs < b.DurationMs
		}
		if a.SubmittedMs != b.SubmittedMs {
			return a.SubmittedMs < b.SubmittedMs
		}
		return a.AccountID < b.AccountID
	})
	for i := range out {
		out[i].Rank = int64(i + 1)
	}
	return out
}

// checkContract runs the same history through a board and checks Top and every Rank.
func checkContract(t *testing.T, ctx context.Context, lb quiz.Leaderboard, board string, history [][2]quiz.Standing) {
	t.Helper()
	for _, h := range history {
		var old *quiz.Standing
		if h[0].AccountID != 0 {
			o := h[0]
			old = &o
		}
		require.NoError(t, lb.Put(ctx, board, old, h[1]))
	}
	want := expected(history)
	top, err := lb.Top(ctx, board, 100)
	require.NoError(t, err)
	assert.Equal(t, want[:min(100, len(want))], top)
	for _, w := range want {
		got, err := lb.Rank(ctx, board, w.AccountID)
		require.NoError(t, err)
		require.NotNil(t, got)
		assert.Equal(t, w, *got, "account %d", w.AccountID)
	}
	none, err := lb.Rank(ctx, board, 999_999)
	require.NoError(t, err)
	assert.Nil(t, none)
}

func TestSQLLeaderboardContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		history := standings(7)
		require.NoError(t, database.WithTx(ctx, db, func(ctx context.Context) error {
			checkContract(t, ctx, quiz.NewSQLBoard(db), "round:1", history)
			return nil
		}))
	})
}

func TestRedisLeaderboardContract(t *testing.T) {
	client := testRedis(t)
	ctx := context.Background()
	rb := quiz.NewRedisBoard(client, fmt.Sprintf("xuefa:test:quiz:%d:", rand.Int64()))
	require.NoError(t, rb.Clear(ctx, "round:1"))
	t.Cleanup(func() { _ = rb.Clear(ctx, "round:1") })
	checkContract(t, ctx, rb, "round:1", standings(7))
}

// The same history through SQL and Redis answers the same, rank by rank.
func TestLeaderboardParitySQLAndRedis(t *testing.T) {
	client := testRedis(t)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		history := standings(11)
		sqlBoard := quiz.NewSQLBoard(db)
		rb := quiz.NewRedisBoard(client, fmt.Sprintf("xuefa:test:quiz:%d:", rand.Int64()))
		t.Cleanup(func() { _ = rb.Clear(ctx, "activity:3") })
		for _, h := range history {
			var old *quiz.Standing
			if h[0].AccountID != 0 {
				o := h[0]
				old = &o
			}
			require.NoError(t, sqlBoard.Put(ctx, "activity:3", old, h[1]))
			require.NoError(t, rb.Put(ctx, "activity:3", old, h[1]))
		}
		a, err := sqlBoard.Top(ctx, "activity:3", 100)
		require.NoError(t, err)
		b, err := rb.Top(ctx, "activity:3", 100)
		require.NoError(t, err)
		assert.Equal(t, a, b)
		for acct := int64(1); acct <= 120; acct++ {
			x, err := sqlBoard.Rank(ctx, "activity:3", acct)
			require.NoError(t, err)
			y, err := rb.Rank(ctx, "activity:3", acct)
			require.NoError(t, err)
			assert.Equal(t, x, y, "account %d", acct)
		}
	})
}

// With Redis configured, the API reads boards from Redis; they agree with the SQL record.
func TestRedisWiredBoardsMatchSQL(t *testing.T) {
	addr := testRedis(t).Options().Addr
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		require.NotNil(t, e.App.Quiz.Redis)
		f := newRound(t, e, nil)
		for _, b := range []string{quiz.RoundBoard(f.roundID), quiz.ActivityBoard(f.activityID)} {
			require.NoError(t, e.App.Quiz.Redis.Clear(ctx, b)) // ids repeat across dialects and runs
		}
		var last string
		for i, n := range []int{3, 5, 3, 0, 5} {
			last = participant(t, e, fmt.Sprintf("p-redis-%d", i), fmt.Sprintf("玩家%d号", i))
			playRound(t, e, last, f.roundID, n, 20*time.Second)
		}
		for _, path := range []string{fmt.Sprintf("/api/v1/quiz/rounds/%d/leaderboard", f.roundID), fmt.Sprintf("/api/v1/quiz/activities/%d/leaderboard", f.activityID)} {
			b := getBoard(t, e, last, path)
			require.Len(t, b.Items, 5)
			require.NotNil(t, b.Me)
			assert.EqualValues(t, 2, b.Me.Rank, "5 right in 20 s, submitted after the first 5-right player")
		}
		for _, board := range []string{quiz.RoundBoard(f.roundID), quiz.ActivityBoard(f.activityID)} {
			fromSQL, err := e.App.Quiz.Board.Top(ctx, board, 100)
			require.NoError(t, err)
			fromRedis, err := e.App.Quiz.Redis.Top(ctx, board, 100)
			require.NoError(t, err)
			assert.Equal(t, fromSQL, fromRedis)
		}
	}, highLimits, func(c *config.Config) { c.Redis.Addr = addr })
}

// A fold whose commit answer was lost (a database node leaving as it committed) left Redis
// with a player's older standing: the next flush copies the stored standings of that fold's
// players to Redis again, and a put replaces the player's member whatever the caller thought
// was there (one member per player).
func TestRedisMendedAfterAFailedFold(t *testing.T) {
	addr := testRedis(t).Options().Addr
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		f := newRound(t, e, nil)
		boards := []string{quiz.RoundBoard(f.roundID), quiz.ActivityBoard(f.activityID)}
		for _, b := range boards {
			require.NoError(t, e.App.Quiz.Redis.Clear(ctx, b))
		}
		for i, n := range []int{5, 3} {
			playRound(t, e, participant(t, e, fmt.Sprintf("p-mend-%d", i), fmt.Sprintf("玩家%d号", i)), f.roundID, n, 20*time.Second)
		}
		require.NoError(t, e.App.Quiz.FlushBoards(ctx))
		var plays []quiz.Play
		require.NoError(t, e.DB.Where("round_id = ?", f.roundID).Order("id").Find(&plays).Error)
		require.Len(t, plays, 2)

		best := plays[0]
		for _, b := range boards { // Redis missed the best play's write: it holds an older standing
			require.NoError(t, e.App.Quiz.Redis.Put(ctx, b, nil, quiz.Standing{AccountID: best.AccountID, PlayID: best.ID, Score: 0, DurationMs: 50_000, SubmittedMs: 1}))
			top, err := e.App.Quiz.Redis.Top(ctx, b, 10)
			require.NoError(t, err)
			assert.Len(t, top, 2, "one member per player after a put that did not name the old one")
		}
		e.App.Quiz.NoteFailedFold([]quiz.Play{best})
		require.NoError(t, e.App.Quiz.FlushBoards(ctx))
		for _, b := range boards {
			fromSQL, err := e.App.Quiz.Board.Top(ctx, b, 10)
			require.NoError(t, err)
			fromRedis, err := e.App.Quiz.Redis.Top(ctx, b, 10)
			require.NoError(t, err)
			assert.Equal(t, fromSQL, fromRedis, "%s mended from the stored standings", b)
		}
	}, highLimits, func(c *config.Config) { c.Redis.Addr = addr })
}
