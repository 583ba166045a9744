package quiz

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Standing is one player's place on a board. Boards order by score (desc), then duration
// (asc), then submit time (asc), then account id.
type Standing struct {
	AccountID   int64
	PlayID      int64
	Score       int
	DurationMs  int64
	SubmittedMs int64
	Rank        int64 // 1-based; set by reads
}

// Rank keys pack score and duration into one integer below 2^53, so a float64 (a Redis
// sorted-set score) holds it exactly and both implementations order identically.
const (
	durationBits = 27 // ~37 hours of summed play time
	maxScore     = 1<<24 - 1
	maxDuration  = 1<<durationBits - 1
	bucketShift  = 10 // buckets of ~1 s of duration within one score
)

// RankKey orders standings ascending: higher score first, then shorter duration.
func RankKey(score int, durationMs int64) int64 {
	score = min(max(score, 0), maxScore)
	durationMs = min(max(durationMs, 0), maxDuration)
	return int64(maxScore-score)<<durationBits | durationMs
}

func fromRankKey(k int64) (score int, durationMs int64) {
	return maxScore - int(k>>durationBits), k & maxDuration
}

// RoundBoard and ActivityBoard name boards.
func RoundBoard(id int64) string    { return fmt.Sprintf("round:%d", id) }
func ActivityBoard(id int64) string { return fmt.Sprintf("activity:%d", id) }

// Leaderboard stores and ranks standings. The SQL implementation is the record (written in
// the submit transaction); the Redis one is a shared read index written after commit.
type Leaderboard interface {
	// Put replaces a player's standing (old is what was there before, nil for none).
	Put(ctx context.Context, board string, old *Standing, next Standing) error
	// Top returns the first n standings.
	Top(ctx context.Context, board string, n int) ([]Standing, error)
	// Rank returns a player's standing with its rank, nil when the player is not on the board.
	Rank(ctx context.Context, board string, accountID int64) (*Standing, error)
}

// RedisBoard keeps each board as a sorted set (score = rank key; equal keys order by member,
// which starts with the zero-padded submit time and account id) and a hash from account id to
// member.
type RedisBoard struct {
	client *redis.Client
	prefix string
}

// NewRedisBoard builds a Redis leaderboard; keys start with prefix.
func NewRedisBoard(client *redis.Client, prefix string) *RedisBoard {
	return &RedisBoard{client: client, prefix: prefix}
}

func (r *RedisBoard) keys(board string) (set, who string) {
	return r.prefix + board, r.prefix + board + ":who"
}

func member(s Standing) string {
	return fmt.Sprintf("%013d:%019d:%d", s.SubmittedMs, s.AccountID, s.PlayID)
}

func parseMember(m string, key float64) (Standing, error) {
	parts := strings.Split(m, ":")
	if len(parts) != 3 {
		return Standing{}, fmt.Errorf("quiz board: bad member %q", m)
	}
	var s Standing
	var err1, err2, err3 error
	s.SubmittedMs, err1 = strconv.ParseInt(parts[0], 10, 64)
	s.AccountID, err2 = strconv.ParseInt(parts[1], 10, 64)
	s.PlayID, err3 = strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Standing{}, fmt.Errorf("quiz board: bad member %q", m)
	}
	s.Score, s.DurationMs = fromRankKey(int64(key))
	return s, nil
}

// putScript replaces a player's member: it removes the one the who hash names, not the caller's
// idea of the old standing, so a board that missed a write (a fold whose commit answer was lost,
// see Service.remirror) is mended by the next one instead of keeping two members of one player.
var putScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[2], ARGV[1])
if cur then redis.call('ZREM', KEYS[1], cur) end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1`)

// Put implements Leaderboard atomically (a script); old is not needed, the who hash says it.
func (r *RedisBoard) Put(ctx context.Context, board string, _ *Standing, next Standing) error {
	set, who := r.keys(board)
	return putScript.Run(ctx, r.client, []string{set, who}, strconv.FormatInt(next.AccountID, 10),
		strconv.FormatInt(RankKey(next.Score, next.DurationMs), 10), member(next)).Err()
}

// Top implements Leaderboard.
func (r *RedisBoard) Top(ctx context.Context, board string, n int) ([]Standing, error) {
	set, _ := r.keys(board)
	zs, err := r.client.ZRangeWithScores(ctx, set, 0, int64(n)-1).Result()
	if err != nil {
		return nil, err
	}
	out := make([]Standing, 0, len(zs))
	for i, z := range zs {
		s, err := parseMember(z.Member.(string), z.Score)
		if err != nil {
			return nil, err
		}
		s.Rank = int64(i + 1)
		out = append(out, s)
	}
	return out, nil
}

// Rank implements Leaderboard.
func (r *RedisBoard) Rank(ctx context.Context, board string, accountID int64) (*Standing, error) {
	set, who := r.keys(board)
	m, err := r.client.HGet(ctx, who, strconv.FormatInt(accountID, 10)).Result()
	if err == redis.Nil {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pipe := r.client.Pipeline()
	rank := pipe.ZRank(ctx, set, m)
	score := pipe.ZScore(ctx, set, m)
	if _, err := pipe.Exec(ctx); err != nil {
		if err == redis.Nil {
			return nil, nil
		}
		return nil, err
	}
	s, err := parseMember(m, score.Val())
	if err != nil {
		return nil, err
	}
	s.Rank = rank.Val() + 1
	return &s, nil
}

// Clear removes a board (tests and rebuilds).
func (r *RedisBoard) Clear(ctx context.Context, board string) error {
	set, who := r.keys(board)
	return r.client.Del(ctx, set, who).Err()
}

func millis(t time.Time) int64 { return t.UnixMilli() }
