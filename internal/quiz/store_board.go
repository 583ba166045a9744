package quiz

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// SQLBoard is the leaderboard in quiz_scores, ranked through per-bucket counts in
// quiz_score_buckets. It joins the caller's transaction.
type SQLBoard struct {
	db *gorm.DB
}

// NewSQLBoard builds the SQL leaderboard.
func NewSQLBoard(db *gorm.DB) *SQLBoard { return &SQLBoard{db: db} }

func (b *SQLBoard) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, b.db) }

// Put implements Leaderboard. It avoids INSERT ... ON DUPLICATE KEY UPDATE: under MySQL's
// repeatable read that takes gap locks, and concurrent submits of new players (neighbouring
// account ids, or new buckets) then queue behind each other. A plain INSERT of a new row and
// UPDATEs by primary key take only record locks.
func (b *SQLBoard) Put(ctx context.Context, board string, old *Standing, next Standing) error {
	key := RankKey(next.Score, next.DurationMs)
	row := Score{Board: board, AccountID: next.AccountID, PlayID: next.PlayID, Score: next.Score,
		DurationMs: next.DurationMs, SubmittedMs: next.SubmittedMs, RankKey: key}
	if err := b.putRow(ctx, row, old == nil); err != nil {
		return err
	}
	newBucket := key >> bucketShift
	if old != nil {
		oldBucket := RankKey(old.Score, old.DurationMs) >> bucketShift
		if oldBucket == newBucket {
			return nil
		}
		if err := b.conn(ctx).Model(&Bucket{}).Where("board = ? AND bucket = ?", board, oldBucket).
			UpdateColumn("n", gorm.Expr("n - 1")).Error; err != nil {
			return err
		}
	}
	return b.countIn(ctx, board, newBucket)
}

func (b *SQLBoard) putRow(ctx context.Context, row Score, fresh bool) error {
	if fresh {
		err := b.conn(ctx).Create(&row).Error
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			return err
		}
	}
	return b.conn(ctx).Model(&Score{}).Where("board = ? AND account_id = ?", row.Board, row.AccountID).
		Updates(map[string]any{"play_id": row.PlayID, "score": row.Score, "duration_ms": row.DurationMs,
			"submitted_ms": row.SubmittedMs, "rank_key": row.RankKey}).Error
}

// countIn adds one player to a bucket, creating it on first use.
func (b *SQLBoard) countIn(ctx context.Context, board string, bucket int64) error {
	inc := func() (int64, error) {
		res := b.conn(ctx).Model(&Bucket{}).Where("board = ? AND bucket = ?", board, bucket).UpdateColumn("n", gorm.Expr("n + 1"))
		return res.RowsAffected, res.Error
	}
	if n, err := inc(); err != nil || n == 1 {
		return err
	}
	err := b.conn(ctx).Create(&Bucket{Board: board, Bucket: bucket, N: 1}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		_, err = inc()
	}
	return err
}

// Top implements Leaderboard with the rank index.
func (b *SQLBoard) Top(ctx context.Context, board string, n int) ([]Standing, error) {
	var rows []Score
	err := b.conn(ctx).Where("board = ?", board).Order("rank_key, submitted_ms, account_id").Limit(n).Find(&rows).Error
	out := make([]Standing, len(rows))
	for i, r := range rows {
		out[i] = standing(r)
		out[i].Rank = int64(i + 1)
	}
	return out, err
}

// Get returns a player's row on a board without ranking it (nil when absent).
func (b *SQLBoard) Get(ctx context.Context, board string, accountID int64) (*Standing, error) {
	var row Score
	err := b.conn(ctx).Where("board = ? AND account_id = ?", board, accountID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := standing(row)
	return &s, nil
}

// Rank implements Leaderboard: the players in better buckets (a sum over bucket counts) plus
// the better players of the same bucket (a short index range).
func (b *SQLBoard) Rank(ctx context.Context, board string, accountID int64) (*Standing, error) {
	me, err := b.Get(ctx, board, accountID)
	if err != nil || me == nil {
		return me, err
	}
	return b.RankOf(ctx, board, *me)
}

// RankOf ranks a standing known to be on the board (saves reading it back).
func (b *SQLBoard) RankOf(ctx context.Context, board string, me Standing) (*Standing, error) {
	accountID := me.AccountID
	key := RankKey(me.Score, me.DurationMs)
	bucket := key >> bucketShift
	var above struct{ N int64 }
	if err := b.conn(ctx).Model(&Bucket{}).Select("COALESCE(SUM(n), 0) AS n").
		Where("board = ? AND bucket < ?", board, bucket).Scan(&above).Error; err != nil {
		return nil, err
	}
	var within int64
	err := b.conn(ctx).Model(&Score{}).
		Where("board = ? AND rank_key >= ? AND rank_key <= ?", board, bucket<<bucketShift, key).
		Where("rank_key < ? OR (rank_key = ? AND (submitted_ms < ? OR (submitted_ms = ? AND account_id < ?)))",
			key, key, me.SubmittedMs, me.SubmittedMs, accountID).
		Count(&within).Error
	me.Rank = above.N + within + 1
	return &me, err
}

// EligiblePlays lists the play ids of a round board with at least minScore, ascending, and
// the account behind each.
func (b *SQLBoard) EligiblePlays(ctx context.Context, board string, minScore int) ([]int64, map[int64]int64, error) {
	var rows []struct{ PlayID, AccountID int64 }
	err := b.conn(ctx).Model(&Score{}).Select("play_id, account_id").Where("board = ? AND score >= ?", board, minScore).
		Order("play_id").Scan(&rows).Error
	ids := make([]int64, len(rows))
	owners := make(map[int64]int64, len(rows))
	for i, r := range rows {
		ids[i], owners[r.PlayID] = r.PlayID, r.AccountID
	}
	return ids, owners, err
}

func standing(r Score) Standing {
	return Standing{AccountID: r.AccountID, PlayID: r.PlayID, Score: r.Score, DurationMs: r.DurationMs, SubmittedMs: r.SubmittedMs}
}
