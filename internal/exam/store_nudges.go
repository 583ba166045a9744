package exam

import (
	"context"
	"time"
)

// Nudge is a learner of an exam's audience whom a reminder rule may remind about that exam.
type Nudge struct {
	LearnerID int64
	AccountID int64
}

// OpenExams lists a campaign's published exams whose window is open at now: main exams, or
// make-up exams when makeUp is set.
func (s *Store) OpenExams(ctx context.Context, campaignID int64, now time.Time, makeUp bool) ([]Row, error) {
	q := s.withUnit(ctx).Where("exams.campaign_id = ? AND exams.status = ? AND exams.opens_at <= ? AND exams.closes_at > ?",
		campaignID, StatusPublished, now, now)
	if makeUp {
		q = q.Where("exams.main_exam_id IS NOT NULL")
	} else {
		q = q.Where("exams.main_exam_id IS NULL")
	}
	out := []Row{}
	return out, q.Order("exams.id").Find(&out).Error
}

// Unfinished lists the audience learners of f without a finished attempt of f's exam. With a
// main exam (mainID > 0) it keeps only those the make-up is for: failed the main exam, or — once
// its window has closed (mainClosed) — never finished it.
func (s *Store) Unfinished(ctx context.Context, f AudienceFilter, mainID int64, mainClosed bool) ([]Nudge, error) {
	f.NotStarted, f.Passed = true, nil
	q := s.audience(ctx, f).Select("l.id AS learner_id, l.account_id")
	if mainID > 0 {
		q = q.Joins("LEFT JOIN exam_results m ON m.exam_id = ? AND m.learner_id = l.id", mainID)
		if mainClosed {
			q = q.Where("m.learner_id IS NULL OR m.passed = ?", false)
		} else {
			q = q.Where("m.passed = ?", false)
		}
	}
	out := []Nudge{}
	return out, q.Order("l.id").Scan(&out).Error
}
