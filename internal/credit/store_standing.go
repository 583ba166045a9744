package credit

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// standingRow is a learner with their summary in a campaign and their place in their unit, read
// in one statement: the learner's home screen (GET /me/credits) is the most frequent read, and
// one round trip instead of five is most of its cost (issue 21, docs/architecture.md).
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
	Ahead          int64 // learners of the unit with more credits in the campaign
	Ranked         int64 // learners of the unit with a summary in the campaign
	UnitLearners   int64 // active learners of the unit
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

// standingSelect reads standingRow. The counts read the (campaign, unit, total) index of
// credit_summaries and the unit's learners by index; a learner without a summary counts as 0.
const standingSelect = `learners.id AS learner_id, learners.account_id, learners.name, learners.unit_id,
	units.path AS unit_path, units.name AS unit_name, learners.track, learners.status,
	s.learner_id IS NOT NULL AS has_summary, COALESCE(s.total, 0) AS total, COALESCE(s.study, 0) AS study,
	COALESCE(s.practice, 0) AS practice, COALESCE(s.exam, 0) AS exam, COALESCE(s.event, 0) AS event,
	COALESCE(s.quiz, 0) AS quiz, COALESCE(s.adjustment, 0) AS adjustment,
	s.last_activity_at, s.updated_at,
	(SELECT COUNT(*) FROM credit_summaries a WHERE a.campaign_id = ? AND a.unit_id = learners.unit_id AND a.total > COALESCE(s.total, 0)) AS ahead,
	(SELECT COUNT(*) FROM credit_summaries r WHERE r.campaign_id = ? AND r.unit_id = learners.unit_id) AS ranked,
	(SELECT COUNT(*) FROM learners u WHERE u.unit_id = learners.unit_id AND u.status = 'active') AS unit_learners`

// standingOf reads the standing of the learner matching cond (on learners) in a campaign
// (ErrNotFound: no such learner).
func (s *Store) standingOf(ctx context.Context, campaignID int64, cond string, arg any) (*standingRow, error) {
	var r standingRow
	err := s.conn(ctx).Table("learners").Select(standingSelect, campaignID, campaignID).
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
