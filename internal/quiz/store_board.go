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

// Put implements Leaderboard (the board writer writes in batches: PutMany).
func (b *SQLBoard) Put(ctx context.Context, board string, old *Standing, next Standing) error {
	return b.PutMany(ctx, []boardWrite{{board: board, old: old, next: next}})
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

// BucketCount is a rank-key bucket, its number of players and the sum of their checksums.
type BucketCount struct {
	Bucket int64
	N      int64
	Chk    int64
}

// StandingChecksum is a standing's share of its bucket's checksum (the formula of the migration
// that introduced it; below 2^30, so a bucket's sum never overflows).
func StandingChecksum(rankKey, submittedMs, accountID int64) int64 {
	return (rankKey*31 + submittedMs*7 + accountID) % 1_000_000_007
}

func standingChecksum(e rankEntry) int64 { return StandingChecksum(e.key, e.submittedMs, e.account) }

// Buckets returns a board's bucket counts in bucket order.
func (b *SQLBoard) Buckets(ctx context.Context, board string) ([]BucketCount, error) {
	var out []BucketCount
	err := b.conn(ctx).Model(&Bucket{}).Select("bucket, n, chk").Where("board = ? AND n <> 0", board).Order("bucket").Scan(&out).Error
	return out, err
}

// Entries reads a board's standings in rank order, reduced to what orders them: all of them, or
// those of the given buckets (ids must then not be empty).
func (b *SQLBoard) Entries(ctx context.Context, board string, buckets []int64) ([]rankEntry, error) {
	q := "SELECT rank_key, submitted_ms, account_id FROM quiz_scores WHERE board = ?"
	args := []any{board}
	if buckets != nil {
		ranges := make([]string, len(buckets))
		for i, id := range buckets {
			ranges[i] = "rank_key BETWEEN ? AND ?"
			args = append(args, id<<bucketShift, (id+1)<<bucketShift-1)
		}
		q += " AND (" + strings.Join(ranges, " OR ") + ")"
	}
	rows, err := b.conn(ctx).Raw(q+" ORDER BY rank_key, submitted_ms, account_id", args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rankEntry
	for rows.Next() {
		var e rankEntry
		if err := rows.Scan(&e.key, &e.submittedMs, &e.account); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
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
	for i, w := range writes {
		rows[i] = Score{Board: w.board, AccountID: w.next.AccountID, PlayID: w.next.PlayID, Score: w.next.Score,
			DurationMs: w.next.DurationMs, SubmittedMs: w.next.SubmittedMs, RankKey: RankKey(w.next.Score, w.next.DurationMs)}
	}
	err := b.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "board"}, {Name: "account_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"play_id", "score", "duration_ms", "submitted_ms", "rank_key"}),
	}).CreateInBatches(rows, 500).Error
	if err != nil {
		return err
	}
	buckets := bucketDeltas(writes)
	if len(buckets) == 0 {
		return nil
	}
	add := map[string]any{"n": gorm.Expr("quiz_score_buckets.n + excluded.n"), "chk": gorm.Expr("quiz_score_buckets.chk + excluded.chk")}
	if b.db.Dialector.Name() == "mysql" {
		add = map[string]any{"n": gorm.Expr("n + VALUES(n)"), "chk": gorm.Expr("chk + VALUES(chk)")}
	}
	return b.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "board"}, {Name: "bucket"}},
		DoUpdates: clause.Assignments(add),
	}).CreateInBatches(buckets, 500).Error
}

// bucketDeltas sums how writes move the bucket counts and checksums, in one lock order for
// every writer (board, then bucket); buckets left unchanged are omitted.
func bucketDeltas(writes []boardWrite) []Bucket {
	type bk struct {
		board  string
		bucket int64
	}
	delta := map[bk]*Bucket{}
	move := func(board string, s Standing, sign int64) {
		e := entryOf(s)
		k := bk{board, e.key >> bucketShift}
		if delta[k] == nil {
			delta[k] = &Bucket{Board: board, Bucket: k.bucket}
		}
		delta[k].N += sign
		delta[k].Chk += sign * standingChecksum(e)
	}
	for _, w := range writes {
		move(w.board, w.next, 1)
		if w.old != nil {
			move(w.board, *w.old, -1)
		}
	}
	out := make([]Bucket, 0, len(delta))
	for _, d := range delta {
		if d.N != 0 || d.Chk != 0 {
			out = append(out, *d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Board != out[j].Board {
			return out[i].Board < out[j].Board
		}
		return out[i].Bucket < out[j].Bucket
	})
	return out
}
