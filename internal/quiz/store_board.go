package quiz

import (
	"context"
	"errors"
	"sort"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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

// aheadInBucket counts the players of a standing's bucket who rank before it (a short range
// of the rank index); its arguments come from aheadInBucketArgs.
const aheadInBucket = `SELECT COUNT(*) FROM quiz_scores WHERE board = ? AND rank_key >= ? AND rank_key <= ?
	AND (rank_key < ? OR (rank_key = ? AND (submitted_ms < ? OR (submitted_ms = ? AND account_id < ?))))`

func aheadInBucketArgs(board string, me Standing) []any {
	key := RankKey(me.Score, me.DurationMs)
	return []any{board, key >> bucketShift << bucketShift, key, key, key, me.SubmittedMs, me.SubmittedMs, me.AccountID}
}

// RankOf ranks a standing known to be on the board (saves reading it back): the players of
// better buckets plus the better players of its own bucket, in one statement.
func (b *SQLBoard) RankOf(ctx context.Context, board string, me Standing) (*Standing, error) {
	args := append([]any{board, RankKey(me.Score, me.DurationMs) >> bucketShift}, aheadInBucketArgs(board, me)...)
	var ahead int64
	err := b.conn(ctx).Raw(`SELECT (SELECT COALESCE(SUM(n), 0) FROM quiz_score_buckets WHERE board = ? AND bucket < ?) + (`+
		aheadInBucket+`)`, args...).Row().Scan(&ahead)
	me.Rank = ahead + 1
	return &me, err
}

// Buckets returns a board's bucket counts in bucket order.
func (b *SQLBoard) Buckets(ctx context.Context, board string) ([]BucketCount, error) {
	var out []BucketCount
	err := b.conn(ctx).Model(&Bucket{}).Select("bucket, n").Where("board = ? AND n <> 0", board).Order("bucket").Scan(&out).Error
	return out, err
}

// BoardStanding is a standing on a named board.
type BoardStanding struct {
	Board string
	Standing
}

// AheadInBuckets counts, for each standing, the players of its own bucket who rank before it,
// in one statement (one column per standing).
func (b *SQLBoard) AheadInBuckets(ctx context.Context, at []BoardStanding) ([]int64, error) {
	var sql strings.Builder
	var args []any
	sql.WriteString("SELECT ")
	for i, a := range at {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(" + aheadInBucket + ")")
		args = append(args, aheadInBucketArgs(a.Board, a.Standing)...)
	}
	out := make([]int64, len(at))
	dest := make([]any, len(at))
	for i := range out {
		dest[i] = &out[i]
	}
	err := b.conn(ctx).Raw(sql.String(), args...).Row().Scan(dest...)
	return out, err
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

// Load reads and locks players' rows on a board (absent players are missing from the map).
func (b *SQLBoard) Load(ctx context.Context, board string, accountIDs []int64) (map[int64]*Standing, error) {
	var rows []Score
	err := lockForUpdate(b.conn(ctx)).Where("board = ? AND account_id IN ?", board, accountIDs).Find(&rows).Error
	out := make(map[int64]*Standing, len(rows))
	for _, r := range rows {
		s := standing(r)
		out[r.AccountID] = &s
	}
	return out, err
}

// PutMany writes a batch of standings (each replacing its old one) in one multi-row upsert
// of rows and one of bucket counts. Only the board writer calls it, one batch at a time per
// process, so the upserts' gap locks have nobody to queue behind on one replica.
func (b *SQLBoard) PutMany(ctx context.Context, writes []boardWrite) error {
	if len(writes) == 0 {
		return nil
	}
	rows := make([]Score, len(writes))
	type bk struct {
		board  string
		bucket int64
	}
	delta := map[bk]int64{}
	for i, w := range writes {
		key := RankKey(w.next.Score, w.next.DurationMs)
		rows[i] = Score{Board: w.board, AccountID: w.next.AccountID, PlayID: w.next.PlayID, Score: w.next.Score,
			DurationMs: w.next.DurationMs, SubmittedMs: w.next.SubmittedMs, RankKey: key}
		delta[bk{w.board, key >> bucketShift}]++
		if w.old != nil {
			delta[bk{w.board, RankKey(w.old.Score, w.old.DurationMs) >> bucketShift}]--
		}
	}
	err := b.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "board"}, {Name: "account_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"play_id", "score", "duration_ms", "submitted_ms", "rank_key"}),
	}).CreateInBatches(rows, 500).Error
	if err != nil {
		return err
	}
	buckets := make([]Bucket, 0, len(delta))
	for k, n := range delta {
		if n != 0 {
			buckets = append(buckets, Bucket{Board: k.board, Bucket: k.bucket, N: n})
		}
	}
	if len(buckets) == 0 {
		return nil
	}
	sort.Slice(buckets, func(i, j int) bool { // one lock order for every writer
		if buckets[i].Board != buckets[j].Board {
			return buckets[i].Board < buckets[j].Board
		}
		return buckets[i].Bucket < buckets[j].Bucket
	})
	add := "quiz_score_buckets.n + excluded.n"
	if b.db.Dialector.Name() == "mysql" {
		add = "n + VALUES(n)"
	}
	return b.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "board"}, {Name: "bucket"}},
		DoUpdates: clause.Assignments(map[string]any{"n": gorm.Expr(add)}),
	}).CreateInBatches(buckets, 500).Error
}
