package credit

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// standingRow is a learner with their summary in a campaign, read in one statement: the
// learner's home screen (GET /me/credits) is the most frequent read (issue 21; their place in
// the unit comes from unit_places.go).
type standingRow struct {
	LearnerFacts   `gorm:"embedded"`
	HasSummary     bool
	Total          Amount
	Study          Amount
	Practice       Amount
	Exam           Amount
	Event          Amount
	Quiz           Amount
	Adjustment     Amount
	LastActivityAt *time.Time
	UpdatedAt      *time.Time
}

// summary is the row's summary (zero amounts when the learner has none yet).
func (r *standingRow) summary(campaignID int64) Summary {
	if !r.HasSummary {
		return Summary{LearnerID: r.LearnerID, CampaignID: campaignID}
	}
	sum := Summary{LearnerID: r.LearnerID, CampaignID: campaignID, UnitID: r.UnitID, Track: r.Track, Total: r.Total,
		Study: r.Study, Practice: r.Practice, Exam: r.Exam, Event: r.Event, Quiz: r.Quiz, Adjustment: r.Adjustment,
		LastActivityAt: r.LastActivityAt}
	if r.UpdatedAt != nil {
		sum.UpdatedAt = *r.UpdatedAt
	}
	return sum
}

// standingSelect reads standingRow.
const standingSelect = `learners.id AS learner_id, learners.account_id, learners.name, learners.unit_id,
	units.path AS unit_path, units.name AS unit_name, learners.track, learners.status,
	s.learner_id IS NOT NULL AS has_summary, COALESCE(s.total, 0) AS total, COALESCE(s.study, 0) AS study,
	COALESCE(s.practice, 0) AS practice, COALESCE(s.exam, 0) AS exam, COALESCE(s.event, 0) AS event,
	COALESCE(s.quiz, 0) AS quiz, COALESCE(s.adjustment, 0) AS adjustment,
	s.last_activity_at, s.updated_at`

// standingOf reads the standing of the learner matching cond (on learners) in a campaign
// (ErrNotFound: no such learner).
func (s *Store) standingOf(ctx context.Context, campaignID int64, cond string, arg any) (*standingRow, error) {
	var r standingRow
	err := s.conn(ctx).Table("learners").Select(standingSelect).
		Joins("JOIN units ON units.id = learners.unit_id").
		Joins("LEFT JOIN credit_summaries s ON s.learner_id = learners.id AND s.campaign_id = ?", campaignID).
		Where(cond, arg).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// standingByAccount reads the standing in a campaign of the learner of an account.
func (s *Store) standingByAccount(ctx context.Context, accountID, campaignID int64) (*standingRow, error) {
	return s.standingOf(ctx, campaignID, "learners.account_id = ?", accountID)
}

// standingByLearner reads the standing in a campaign of a learner.
func (s *Store) standingByLearner(ctx context.Context, learnerID, campaignID int64) (*standingRow, error) {
	return s.standingOf(ctx, campaignID, "learners.id = ?", learnerID)
}

// unitPlaces reads a unit's totals in a campaign, highest first (the (campaign, unit, total)
// index), and counts its active learners.
func (s *Store) unitPlaces(ctx context.Context, campaignID, unitID int64) (unitPlaces, error) {
	var p unitPlaces
	if err := s.conn(ctx).Model(&Summary{}).Where("campaign_id = ? AND unit_id = ?", campaignID, unitID).
		Order("total DESC").Pluck("total", &p.Totals).Error; err != nil {
		return p, err
	}
	err := s.conn(ctx).Table("learners").Where("unit_id = ? AND status = 'active'", unitID).Count(&p.Learners).Error
	return p, err
}
