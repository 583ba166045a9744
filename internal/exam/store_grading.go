package exam

import (
	"cmp"
	"context"
	"slices"

	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// GradingItemsOf returns what grading needs of the given attempts' items, by attempt, in paper
// order. It is the largest read of a grading batch (50 rows an attempt), so it names its
// columns and scans them by hand instead of through GORM's reflection, and sorts in Go (an
// ORDER BY made the database sort each attempt's rows apart from its primary key order).
func (s *Store) GradingItemsOf(ctx context.Context, attemptIDs []int64) (map[int64][]Item, error) {
	out := make(map[int64][]Item, len(attemptIDs))
	if len(attemptIDs) == 0 {
		return out, nil
	}
	rows, err := s.conn(ctx).Model(&Item{}).Select("attempt_id, question_id, position, section, version, type, points, answer").
		Where("attempt_id IN ?", attemptIDs).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.AttemptID, &it.QuestionID, &it.Position, &it.Section, &it.Version, &it.Type, &it.Points, &it.Answer); err != nil {
			return nil, err
		}
		out[it.AttemptID] = append(out[it.AttemptID], it)
	}
	for _, items := range out {
		slices.SortFunc(items, func(a, b Item) int { return cmp.Compare(a.Position, b.Position) })
	}
	return out, rows.Err()
}

// attemptColumns are an attempt's columns (table alias a) in the order of attemptFields.
const attemptColumns = "a.id, a.exam_id, a.learner_id, a.account_id, a.unit_id, a.track, a.number, a.status, a.active_key, " +
	"a.started_at, a.deadline, a.submitted_at, a.finalised_by, a.submit_key, a.score, a.max_score, a.passed, " +
	"a.correct_count, a.question_count, a.section_scores, a.item_scores, a.created_at, a.updated_at"

func attemptFields(a *Attempt) []any {
	return []any{&a.ID, &a.ExamID, &a.LearnerID, &a.AccountID, &a.UnitID, &a.Track, &a.Number, &a.Status, &a.ActiveKey,
		&a.StartedAt, &a.Deadline, &a.SubmittedAt, &a.FinalisedBy, &a.SubmitKey, &a.Score, &a.MaxScore, &a.Passed,
		&a.CorrectCount, &a.QuestionCount, &a.SectionScores, &a.ItemScores, &a.CreatedAt, &a.UpdatedAt}
}

// LockAttempts reads the given attempts, locked until the transaction ends, in id order (so
// concurrent batches wait for each other instead of deadlocking): a batch that finds an
// attempt no longer active lost the race to a grading already committed. SQLite has one
// writer, which serialises batches anyway (GORM drops the locking clause there).
func (s *Store) LockAttempts(ctx context.Context, ids []int64) (map[int64]*Attempt, error) {
	rows, err := s.conn(ctx).Table("exam_attempts AS a").Select(attemptColumns).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("a.id IN ?", ids).Order("a.id").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]*Attempt, len(ids))
	for rows.Next() {
		a := &Attempt{}
		if err := rows.Scan(attemptFields(a)...); err != nil {
			return nil, err
		}
		out[a.ID] = a
	}
	return out, rows.Err()
}

// FinaliseMany records graded attempts (locked and found active by LockAttempts) in one
// statement: every grading column is a CASE on the id, which both dialects run.
func (s *Store) FinaliseMany(ctx context.Context, as []*Attempt) error {
	if len(as) == 0 {
		return nil
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	byID := func(col func(a *Attempt) any) clause.Expr {
		return database.CaseByID(as, func(a *Attempt) int64 { return a.ID }, col)
	}
	return s.conn(ctx).Model(&Attempt{}).Where("id IN ?", ids).Updates(map[string]any{
		"status": AttemptSubmitted, "active_key": nil,
		"submitted_at":   byID(func(a *Attempt) any { return a.SubmittedAt }),
		"finalised_by":   byID(func(a *Attempt) any { return a.FinalisedBy }),
		"submit_key":     byID(func(a *Attempt) any { return a.SubmitKey }),
		"score":          byID(func(a *Attempt) any { return a.Score }),
		"passed":         byID(func(a *Attempt) any { return a.Passed }),
		"correct_count":  byID(func(a *Attempt) any { return a.CorrectCount }),
		"section_scores": byID(func(a *Attempt) any { return a.SectionScores }),
		"item_scores":    byID(func(a *Attempt) any { return a.ItemScores }),
		"updated_at":     byID(func(a *Attempt) any { return a.UpdatedAt }),
	}).Error
}

// resultKey names one learner's result in one exam.
type resultKey struct{ examID, learnerID int64 }

// ResultsFor returns the existing result rows of the given (exam, learner) pairs. A plain read
// is enough: a learner has one active attempt per exam, so their gradings never overlap; a
// locking read of a missing row would take a gap lock that deadlocks with other learners'
// first results.
func (s *Store) ResultsFor(ctx context.Context, keys []resultKey) (map[resultKey]*Result, error) {
	out := map[resultKey]*Result{}
	if len(keys) == 0 {
		return out, nil
	}
	exams, learners := make([]int64, 0, len(keys)), make([]int64, 0, len(keys))
	want := map[resultKey]bool{}
	for _, k := range keys {
		exams, learners, want[k] = append(exams, k.examID), append(learners, k.learnerID), true
	}
	var rows []Result
	// The cross product of the two lists may match a few rows not asked for: dropped below.
	if err := s.conn(ctx).Where("exam_id IN ? AND learner_id IN ?", exams, learners).Find(&rows).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		if k := (resultKey{rows[i].ExamID, rows[i].LearnerID}); want[k] {
			out[k] = &rows[i]
		}
	}
	return out, nil
}

// SaveResults inserts or replaces result rows in one statement, in key order so concurrent
// batches lock them in the same order.
func (s *Store) SaveResults(ctx context.Context, rs []Result) error {
	if len(rs) == 0 {
		return nil
	}
	slices.SortFunc(rs, func(a, b Result) int {
		return cmp.Or(cmp.Compare(a.ExamID, b.ExamID), cmp.Compare(a.LearnerID, b.LearnerID))
	})
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "exam_id"}, {Name: "learner_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"unit_id", "track", "attempts", "score", "max_score", "passed", "counted_attempt_id", "updated_at"}),
	}).Create(&rs).Error
}
