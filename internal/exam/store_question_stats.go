package exam

import (
	"context"
	"math"
	"time"

	"github.com/xuefa/xuefa/internal/questionbank"
)

// SaveQuestionStats replaces an exam's question statistics; fedAt, when set, records the feed
// after the exam closed (ExamsToFeed then leaves the exam alone).
func (s *Store) SaveQuestionStats(ctx context.Context, examID int64, rows []QuestionStatsRow, fedAt *time.Time) error {
	db := s.conn(ctx)
	if err := db.Where("exam_id = ?", examID).Delete(&QuestionStatsRow{}).Error; err != nil {
		return err
	}
	if len(rows) > 0 {
		if err := db.CreateInBatches(&rows, 500).Error; err != nil {
			return err
		}
	}
	if fedAt == nil {
		return nil
	}
	return db.Table("exams").Where("id = ?", examID).Update("questions_fed_at", *fedAt).Error
}

// ExamsToFeed lists up to limit published or closed exams whose window closed before t and
// whose question statistics were not fed since.
func (s *Store) ExamsToFeed(ctx context.Context, t time.Time, limit int) ([]int64, error) {
	out := []int64{}
	err := s.conn(ctx).Table("exams").Where("status <> ? AND closes_at < ? AND (questions_fed_at IS NULL OR questions_fed_at < closes_at)", StatusDraft, t).
		Order("closes_at").Limit(limit).Pluck("id", &out).Error
	return out, err
}

// QuestionExamStats adds up a question's statistics over the exams that fed them, each exam's
// weighted by its papers (implements questionbank.ExamStats).
func (s *Store) QuestionExamStats(ctx context.Context, questionID int64) (questionbank.ExamItemStats, error) {
	var row struct {
		Served        int64
		FacilitySum   *float64
		Discriminated int64
		DiscrimSum    *float64
	}
	err := s.conn(ctx).Table("exam_question_stats").
		Select("COALESCE(SUM(served), 0) AS served, SUM(facility * served) AS facility_sum, "+
			"COALESCE(SUM(CASE WHEN discrimination IS NULL THEN 0 ELSE served END), 0) AS discriminated, "+
			"SUM(discrimination * served) AS discrim_sum").
		Where("question_id = ?", questionID).Scan(&row).Error
	out := questionbank.ExamItemStats{Served: row.Served}
	if row.Served > 0 && row.FacilitySum != nil {
		out.Facility = weighted(*row.FacilitySum, row.Served)
	}
	if row.Discriminated > 0 && row.DiscrimSum != nil {
		out.Discrimination = weighted(*row.DiscrimSum, row.Discriminated)
	}
	return out, err
}

func weighted(sum float64, n int64) *float64 {
	v := math.Round(sum/float64(n)*10000) / 10000
	return &v
}
