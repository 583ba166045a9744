package yearend

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// errNoClose is returned when a campaign has no close in the state asked for.
var errNoClose = errors.New("yearend: no such close")

// resultsPerInsert keeps one INSERT of year_results under SQLite's 32,766 bound variables
// (26 columns a row) and MySQL's 65,535 placeholders.
const resultsPerInsert = 500

// LastCloseNo is the number of the campaign's latest close (0 before the first).
func (s *Store) LastCloseNo(ctx context.Context, campaignID int64) (int, error) {
	var n int
	err := s.conn(ctx).Model(&Close{}).Where("campaign_id = ?", campaignID).Select("COALESCE(MAX(close_no), 0)").Scan(&n).Error
	return n, err
}

// InsertClose adds a close.
func (s *Store) InsertClose(ctx context.Context, c *Close) error { return s.conn(ctx).Create(c).Error }

// RunningClose is the campaign's close whose batches are still being written.
func (s *Store) RunningClose(ctx context.Context, campaignID int64) (*Close, error) {
	return s.closeWhere(ctx, "campaign_id = ? AND state = ?", campaignID, CloseRunning)
}

// LastDoneClose is the campaign's latest finished close (not reopened).
func (s *Store) LastDoneClose(ctx context.Context, campaignID int64) (*Close, error) {
	return s.closeWhere(ctx, "campaign_id = ? AND state = ?", campaignID, CloseDone)
}

func (s *Store) closeWhere(ctx context.Context, cond string, args ...any) (*Close, error) {
	var c Close
	err := s.conn(ctx).Where(cond, args...).Order("close_no DESC").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNoClose
	}
	return &c, err
}

// LockClose loads a close and locks its row until the transaction ends (MySQL; SQLite
// serialises transactions on its one connection).
func (s *Store) LockClose(ctx context.Context, id int64) (*Close, error) {
	var c Close
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNoClose
	}
	return &c, err
}

// AdvanceClose moves a close's cursor past the learners written.
func (s *Store) AdvanceClose(ctx context.Context, id, nextLearnerID int64, learners int) error {
	return s.conn(ctx).Model(&Close{}).Where("id = ?", id).
		Updates(map[string]any{"next_learner_id": nextLearnerID, "learners": learners}).Error
}

// FinishClose marks a close done.
func (s *Store) FinishClose(ctx context.Context, id int64, at time.Time) error {
	return s.conn(ctx).Model(&Close{}).Where("id = ?", id).
		Updates(map[string]any{"state": CloseDone, "finished_at": at}).Error
}

// ReopenClose marks a close reopened, by whom, when and why.
func (s *Store) ReopenClose(ctx context.Context, id, by int64, at time.Time, reason string) error {
	return s.conn(ctx).Model(&Close{}).Where("id = ?", id).
		Updates(map[string]any{"state": CloseReopened, "reopened_by": by, "reopened_at": at, "reopen_reason": reason}).Error
}

// InsertResults writes frozen results (a close's batch) in multi-row INSERTs.
func (s *Store) InsertResults(ctx context.Context, rows []Result) error {
	return s.conn(ctx).CreateInBatches(rows, resultsPerInsert).Error
}

// CountMet counts a close's results that met the target.
func (s *Store) CountMet(ctx context.Context, campaignID int64, closeNo int) (int, error) {
	var n int64
	err := s.conn(ctx).Model(&Result{}).Where("campaign_id = ? AND close_no = ? AND met = ?", campaignID, closeNo, true).Count(&n).Error
	return int(n), err
}

// MetResults is a page of a close's results that met the target, learner ids above after,
// ascending.
func (s *Store) MetResults(ctx context.Context, campaignID int64, closeNo int, after int64, limit int) ([]Result, error) {
	var out []Result
	err := s.conn(ctx).Where("campaign_id = ? AND close_no = ? AND met = ? AND learner_id > ?", campaignID, closeNo, true, after).
		Order("learner_id").Limit(limit).Find(&out).Error
	return out, err
}

// ListCloses is a campaign's closes, newest first, with their met counts (one grouped query
// for all of them).
func (s *Store) ListCloses(ctx context.Context, campaignID int64) ([]CloseRow, error) {
	var closes []Close
	if err := s.conn(ctx).Where("campaign_id = ?", campaignID).Order("close_no DESC").Find(&closes).Error; err != nil {
		return nil, err
	}
	var counts []struct {
		CloseNo int
		Met     int
	}
	if err := s.conn(ctx).Model(&Result{}).Select("close_no, COUNT(*) AS met").
		Where("campaign_id = ? AND met = ?", campaignID, true).Group("close_no").Scan(&counts).Error; err != nil {
		return nil, err
	}
	met := make(map[int]int, len(counts))
	for _, c := range counts {
		met[c.CloseNo] = c.Met
	}
	out := make([]CloseRow, len(closes))
	for i, c := range closes {
		out[i] = CloseRow{Close: c, Met: met[c.CloseNo]}
	}
	return out, nil
}
