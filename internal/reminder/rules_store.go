package reminder

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RuleRow is a rule with its unit's path.
type RuleRow struct {
	Rule
	UnitPath string
	UnitName string
}

func (s *Store) rules(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("reminder_rules").Select("reminder_rules.*, units.path AS unit_path, units.name AS unit_name").
		Joins("JOIN units ON units.id = reminder_rules.unit_id")
}

// SaveRule inserts or replaces a rule.
func (s *Store) SaveRule(ctx context.Context, r *Rule, now time.Time) error {
	if r.ID == 0 {
		r.CreatedAt = now
	} else if err := s.conn(ctx).Model(&Rule{}).Select("created_at").Where("id = ?", r.ID).Scan(&r.CreatedAt).Error; err != nil {
		return err
	}
	r.UpdatedAt = now
	return s.conn(ctx).Save(r).Error
}

// Rule loads one rule with its unit.
func (s *Store) Rule(ctx context.Context, id int64) (*RuleRow, error) {
	var r RuleRow
	err := s.rules(ctx).Where("reminder_rules.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// LockRule locks a rule's row until the transaction ends (MySQL; SQLite's single writer
// connection already serialises transactions).
func (s *Store) LockRule(ctx context.Context, id int64) error {
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&Rule{}).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// Rules lists the rules of a subtree (optionally only enabled ones).
func (s *Store) Rules(ctx context.Context, path string, enabledOnly bool) ([]RuleRow, error) {
	q := s.rules(ctx).Where("units.path LIKE ?", path+"%")
	if enabledOnly {
		q = q.Where("reminder_rules.enabled = ?", true)
	}
	var out []RuleRow
	err := q.Order("reminder_rules.id").Find(&out).Error
	return out, err
}

// DeleteRule removes a rule.
func (s *Store) DeleteRule(ctx context.Context, id int64) error {
	return s.conn(ctx).Delete(&Rule{}, id).Error
}

type jobRun struct {
	Job       string
	RunKey    string
	StartedAt time.Time
}

func (jobRun) TableName() string { return "job_runs" }

// ClaimRun records a run of a job; false when another scheduler already claimed it.
func (s *Store) ClaimRun(ctx context.Context, job, key string, now time.Time) (bool, error) {
	err := s.conn(ctx).Create(&jobRun{Job: job, RunKey: key, StartedAt: now}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, nil
	}
	return err == nil, err
}

// RemindedByRuleSince returns which of the learners this rule reminded since t. It reads the
// rule's reminders since t through (rule_id, learner_id, created_at) and keeps the learners
// asked about in Go: a rule over a county asks about tens of thousands of learners, more than
// an IN list should carry (SQLite binds at most 32,766 parameters).
func (s *Store) RemindedByRuleSince(ctx context.Context, ruleID int64, learnerIDs []int64, t time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(learnerIDs) == 0 {
		return out, nil
	}
	asked := make(map[int64]bool, len(learnerIDs))
	for _, id := range learnerIDs {
		asked[id] = true
	}
	var ids []int64
	err := s.conn(ctx).Model(&Reminder{}).Distinct("learner_id").
		Where("rule_id = ? AND created_at > ?", ruleID, t).Pluck("learner_id", &ids).Error
	for _, id := range ids {
		if asked[id] {
			out[id] = true
		}
	}
	return out, err
}

type ruleCount struct {
	LearnerID int64
	Name      string
	UnitID    int64
	Times     int64
}

// RuleReminderCounts returns, for the given learners, those the rule reminded at least minTimes
// times, with how often. The counts come from the (rule_id, learner_id, created_at) index, the
// names and units of the learners kept in chunks of 500.
func (s *Store) RuleReminderCounts(ctx context.Context, ruleID int64, learnerIDs []int64, minTimes int64) ([]ruleCount, error) {
	out := []ruleCount{}
	if len(learnerIDs) == 0 {
		return out, nil
	}
	var counts []struct {
		LearnerID int64
		Times     int64
	}
	if err := s.conn(ctx).Table("reminders").Select("learner_id, COUNT(*) AS times").Where("rule_id = ?", ruleID).
		Group("learner_id").Having("COUNT(*) >= ?", minTimes).Find(&counts).Error; err != nil {
		return nil, err
	}
	asked := make(map[int64]bool, len(learnerIDs))
	for _, id := range learnerIDs {
		asked[id] = true
	}
	times := map[int64]int64{}
	var ids []int64
	for _, c := range counts {
		if asked[c.LearnerID] {
			times[c.LearnerID] = c.Times
			ids = append(ids, c.LearnerID)
		}
	}
	slices.Sort(ids)
	for chunk := range slices.Chunk(ids, 500) {
		var rows []ruleCount
		if err := s.conn(ctx).Table("learners").Select("id AS learner_id, name, unit_id").Where("id IN ?", chunk).
			Order("id").Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			r.Times = times[r.LearnerID]
			out = append(out, r)
		}
	}
	return out, nil
}

// UnitAdmins lists the active admin accounts of a unit.
func (s *Store) UnitAdmins(ctx context.Context, unitID int64) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Table("accounts").Where("unit_id = ? AND role = 'admin' AND status = 'active'", unitID).Order("id").Pluck("id", &ids).Error
	return ids, err
}

type eventRegistration struct {
	LearnerID int64
	AccountID int64
	Title     string
	VenueName string
	StartsAt  time.Time
}

// RegisteredForEvents lists learners of a subtree registered for the campaign's published events
// starting in [from, to).
func (s *Store) RegisteredForEvents(ctx context.Context, campaignID int64, path string, from, to time.Time) ([]eventRegistration, error) {
	var out []eventRegistration
	err := s.conn(ctx).Table("event_registrations").
		Select("learners.id AS learner_id, learners.account_id, events.title, events.venue_name, events.starts_at").
		Joins("JOIN events ON events.id = event_registrations.event_id").
		Joins("JOIN learners ON learners.id = event_registrations.learner_id").
		Joins("JOIN units ON units.id = learners.unit_id").
		Where("event_registrations.status = 'registered' AND events.status = 'published' AND events.campaign_id = ?", campaignID).
		Where("events.starts_at >= ? AND events.starts_at < ? AND units.path LIKE ?", from.UTC(), to.UTC(), path+"%").
		Order("learners.id").Find(&out).Error
	return out, err
}

type firstReminder struct {
	LearnerID int64
	CreditsAt int64
	LagAt     int64
	CreatedAt time.Time
	TotalNow  int64
}

// FirstReminders returns each learner's first reminder in a campaign (learners of a subtree)
// with their credits now.
func (s *Store) FirstReminders(ctx context.Context, campaignID int64, path string) ([]firstReminder, error) {
	var out []firstReminder
	first := s.conn(ctx).Table("reminders").Select("MIN(id)").Where("campaign_id = ?", campaignID).Group("learner_id")
	err := s.conn(ctx).Table("reminders").
		Select("reminders.learner_id, reminders.credits_at, reminders.lag_at, reminders.created_at, COALESCE(credit_summaries.total, 0) AS total_now").
		Joins("JOIN learners ON learners.id = reminders.learner_id").
		Joins("JOIN units ON units.id = learners.unit_id").
		Joins("LEFT JOIN credit_summaries ON credit_summaries.learner_id = reminders.learner_id AND credit_summaries.campaign_id = reminders.campaign_id").
		Where("reminders.id IN (?) AND units.path LIKE ?", first, path+"%").
		Order("reminders.learner_id").Find(&out).Error
	return out, err
}
