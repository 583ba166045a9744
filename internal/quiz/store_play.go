package quiz

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// PlayCounts are how many plays an account started in a round, and on one day of it.
type PlayCounts struct {
	Round int
	Day   int
}

// CountPlaysIn counts an account's plays per round for several rounds.
func (s *Store) CountPlaysIn(ctx context.Context, roundIDs []int64, accountID int64, day string) (map[int64]PlayCounts, error) {
	var rows []struct {
		RoundID int64
		PlayCounts
	}
	err := s.conn(ctx).Model(&Play{}).
		Select("round_id, COUNT(*) AS round, COALESCE(SUM(CASE WHEN day = ? THEN 1 ELSE 0 END), 0) AS day", day).
		Where("round_id IN ? AND account_id = ?", roundIDs, accountID).Group("round_id").Scan(&rows).Error
	out := map[int64]PlayCounts{}
	for _, r := range rows {
		out[r.RoundID] = r.PlayCounts
	}
	return out, err
}

// PlayState is what a start checks: the account's plays of the round (overall and on a day)
// and its plays still running anywhere.
type PlayState struct {
	PlayCounts
	Active int
}

// PlayState reads an account's play counts in one query over its plays.
func (s *Store) PlayState(ctx context.Context, roundID, accountID int64, day string, now time.Time) (PlayState, error) {
	var out PlayState
	err := s.conn(ctx).Model(&Play{}).Select(`COALESCE(SUM(CASE WHEN round_id = ? THEN 1 ELSE 0 END), 0) AS round,
		COALESCE(SUM(CASE WHEN round_id = ? AND day = ? THEN 1 ELSE 0 END), 0) AS day,
		COALESCE(SUM(CASE WHEN status = ? AND deadline > ? THEN 1 ELSE 0 END), 0) AS active`,
		roundID, roundID, day, PlayActive, now).
		Where("account_id = ?", accountID).Scan(&out).Error
	return out, err
}

// CreatePlay inserts a play (a duplicate key means a concurrent start took the same slot).
func (s *Store) CreatePlay(ctx context.Context, p *Play) error { return s.conn(ctx).Create(p).Error }

// Play loads a play.
func (s *Store) Play(ctx context.Context, id int64) (*Play, error) {
	return take[Play](s.conn(ctx).Where("id = ?", id))
}

// LockActivePlays locks those of the plays that are still active and returns their ids.
func (s *Store) LockActivePlays(ctx context.Context, ids []int64) (map[int64]bool, error) {
	var active []int64
	err := lockForUpdate(s.conn(ctx)).Model(&Play{}).Where("id IN ? AND status = ?", ids, PlayActive).Pluck("id", &active).Error
	out := make(map[int64]bool, len(active))
	for _, id := range active {
		out[id] = true
	}
	return out, err
}

// SubmitPlays records graded plays (locked active by the caller) in one statement: each
// column a CASE over the plays' ids.
func (s *Store) SubmitPlays(ctx context.Context, plays []*Play) error {
	if len(plays) == 0 {
		return nil
	}
	ids := make([]int64, len(plays))
	for i, p := range plays {
		ids[i] = p.ID
	}
	byID := func(col func(p *Play) any) clause.Expr {
		return database.CaseByID(plays, func(p *Play) int64 { return p.ID }, col)
	}
	return s.conn(ctx).Model(&Play{}).Where("id IN ? AND status = ?", ids, PlayActive).Updates(map[string]any{
		"status":          PlaySubmitted,
		"answers":         byID(func(p *Play) any { return p.Answers }),
		"submitted_at":    byID(func(p *Play) any { return p.SubmittedAt }),
		"score":           byID(func(p *Play) any { return p.Score }),
		"correct_count":   byID(func(p *Play) any { return p.CorrectCount }),
		"duration_ms":     byID(func(p *Play) any { return p.DurationMs }),
		"flagged":         byID(func(p *Play) any { return p.Flagged }),
		"flag_reason":     byID(func(p *Play) any { return p.FlagReason }),
		"idempotency_key": byID(func(p *Play) any { return p.IdempotencyKey }),
		"board_pending":   byID(func(p *Play) any { return p.BoardPending }),
	}).Error
}

// ClearFlag releases a flagged play once; it reports false when it was cleared already.
func (s *Store) ClearFlag(ctx context.Context, id, by int64, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Play{}).Where("id = ? AND flagged = ? AND cleared_at IS NULL", id, true).
		Updates(map[string]any{"cleared_at": at, "cleared_by": by, "board_pending": true})
	return res.RowsAffected == 1, res.Error
}

// FlaggedPlay is a play held for review with its player's name.
type FlaggedPlay struct {
	Play
	DisplayName string
}

// FlaggedPlays pages a round's plays held for review (cleared ones too when all).
func (s *Store) FlaggedPlays(ctx context.Context, roundID int64, all bool, offset, limit int) ([]FlaggedPlay, int64, error) {
	q := s.conn(ctx).Table("quiz_plays").Joins("JOIN accounts ON accounts.id = quiz_plays.account_id").
		Where("quiz_plays.round_id = ? AND quiz_plays.flagged = ?", roundID, true)
	if !all {
		q = q.Where("quiz_plays.cleared_at IS NULL")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []FlaggedPlay
	err := q.Select("quiz_plays.*, accounts.display_name").Order("quiz_plays.id").Offset(offset).Limit(limit).Scan(&out).Error
	return out, total, err
}

// PendingPlays locks up to n plays waiting for the boards, oldest first (their standing
// columns only).
func (s *Store) PendingPlays(ctx context.Context, n int) ([]Play, error) {
	var out []Play
	err := lockForUpdate(s.conn(ctx)).Select("id, round_id, activity_id, account_id, score, duration_ms, submitted_at").
		Where("board_pending = ?", true).Order("id").Limit(n).Find(&out).Error
	return out, err
}

// CountPendingPlays counts a round's plays waiting for the boards.
func (s *Store) CountPendingPlays(ctx context.Context, roundID int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Play{}).Where("board_pending = ? AND round_id = ?", true, roundID).Count(&n).Error
	return n, err
}

// MarkBoarded clears the pending mark of plays folded into the boards.
func (s *Store) MarkBoarded(ctx context.Context, ids []int64) error {
	return s.conn(ctx).Model(&Play{}).Where("id IN ?", ids).UpdateColumn("board_pending", false).Error
}
