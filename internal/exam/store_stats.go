package exam

import (
	"context"

	"gorm.io/gorm"
)

// AudienceFilter selects an exam's audience (应参考) and narrows a results listing.
type AudienceFilter struct {
	ExamID     int64
	UnitPath   string   // the exam's unit, or a unit of its subtree the admin asked for
	Tracks     []string // the exam's audience tracks
	UnitPaths  []string // the exam's audience units ("" none: the whole subtree)
	Passed     *bool
	NotStarted bool // only learners without a finished attempt
}

// ResultRow is one learner of an exam's audience with their counted result (nil fields: not
// attempted yet).
type ResultRow struct {
	LearnerID int64
	Name      string
	UnitID    int64
	UnitName  string
	UnitPath  string
	Track     string
	Attempts  *int
	Score     *float64
	MaxScore  *float64
	Passed    *bool
}

func (s *Store) audience(ctx context.Context, f AudienceFilter) *gorm.DB {
	q := s.conn(ctx).Table("learners AS l").
		Select("l.id AS learner_id, l.name, l.unit_id, u.name AS unit_name, u.path AS unit_path, l.track, r.attempts, r.score, r.max_score, r.passed").
		Joins("JOIN units u ON u.id = l.unit_id").
		Joins("LEFT JOIN exam_results r ON r.exam_id = ? AND r.learner_id = l.id", f.ExamID).
		Where("l.status = ? AND u.path LIKE ? AND l.track IN ?", "active", f.UnitPath+"%", f.Tracks)
	if len(f.UnitPaths) > 0 {
		or := s.conn(ctx).Where("u.path LIKE ?", f.UnitPaths[0]+"%")
		for _, p := range f.UnitPaths[1:] {
			or = or.Or("u.path LIKE ?", p+"%")
		}
		q = q.Where(or)
	}
	if f.Passed != nil {
		q = q.Where("r.passed = ?", *f.Passed)
	}
	if f.NotStarted {
		q = q.Where("r.learner_id IS NULL")
	}
	return q
}

// Results lists a page of an exam's audience with their results, by unit and learner.
func (s *Store) Results(ctx context.Context, f AudienceFilter, offset, limit int) ([]ResultRow, int64, error) {
	var total int64
	if err := s.audience(ctx, f).Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	out := []ResultRow{}
	err := s.audience(ctx, f).Order("u.path, l.id").Offset(offset).Limit(limit).Scan(&out).Error
	return out, total, err
}

// AllResults lists the whole audience (statistics).
func (s *Store) AllResults(ctx context.Context, f AudienceFilter) ([]ResultRow, error) {
	out := []ResultRow{}
	err := s.audience(ctx, f).Order("u.path, l.id").Scan(&out).Error
	return out, err
}

// CountedItem is one question of a learner's counted attempt.
type CountedItem struct {
	LearnerID  int64
	Total      float64
	AttemptID  int64
	ItemScores string
	QuestionID int64
	Position   int
	Points     float64
}

// CountedItems returns the questions of every counted attempt of an exam.
func (s *Store) CountedItems(ctx context.Context, examID int64) ([]CountedItem, error) {
	out := []CountedItem{}
	err := s.conn(ctx).Table("exam_results AS r").
		Select("r.learner_id, r.score AS total, a.id AS attempt_id, a.item_scores, i.question_id, i.position, i.points").
		Joins("JOIN exam_attempts a ON a.id = r.counted_attempt_id").
		Joins("JOIN exam_attempt_items i ON i.attempt_id = a.id").
		Where("r.exam_id = ?", examID).Order("r.learner_id, i.position").Scan(&out).Error
	return out, err
}

// QuestionStems returns the stems of questions by id.
func (s *Store) QuestionStems(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Stem string
	}
	err := s.conn(ctx).Table("questions").Select("id, stem").Where("id IN ?", ids).Scan(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.Stem
	}
	return out, err
}
