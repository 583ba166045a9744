package exam

import (
	"context"
	"time"
)

// EventAttemptGraded is emitted once for every attempt graded (by a submit, the deadline or
// an admin), in the grading transaction.
const EventAttemptGraded = "exam.attempt_graded"

// Events receives domain events inside the transaction that caused them (the webhook outbox),
// a batch at a time; unitPaths[i] is the subtree data[i] belongs to. A nil Events emits nothing.
type Events interface {
	EmitMany(ctx context.Context, eventType string, unitPaths []string, data []any) error
}

// GradedEvent is the data of exam.attempt_graded (its schema is in the published contract: keep
// the swag tags).
type GradedEvent struct {
	AttemptID   int64     `json:"attempt_id"`
	ExamID      int64     `json:"exam_id"`
	CampaignID  int64     `json:"campaign_id"`
	LearnerID   int64     `json:"learner_id"`
	UnitID      int64     `json:"unit_id"`
	Number      int       `json:"number"`
	Score       float64   `json:"score"`
	MaxScore    float64   `json:"max_score"`
	Passed      bool      `json:"passed"`
	FinalisedBy string    `json:"finalised_by" enums:"learner,deadline"`
	GradedAt    time.Time `json:"graded_at" format:"date-time"`
} // @name ExamAttemptGradedEvent

// emitGraded puts one exam.attempt_graded event per graded attempt in the outbox.
func (s *Service) emitGraded(ctx context.Context, jobs []*gradeJob) error {
	if s.Events == nil || len(jobs) == 0 {
		return nil
	}
	unitIDs := make([]int64, len(jobs))
	for i, j := range jobs {
		unitIDs[i] = j.a.UnitID
	}
	paths, err := s.Store.UnitPaths(ctx, unitIDs)
	if err != nil {
		return err
	}
	unitPaths := make([]string, len(jobs))
	data := make([]any, len(jobs))
	for i, j := range jobs {
		unitPaths[i] = paths[j.a.UnitID]
		data[i] = GradedEvent{AttemptID: j.a.ID, ExamID: j.a.ExamID, CampaignID: j.r.CampaignID, LearnerID: j.a.LearnerID,
			UnitID: j.a.UnitID, Number: j.a.Number, Score: j.a.Score, MaxScore: j.a.MaxScore, Passed: j.a.Passed,
			FinalisedBy: j.a.FinalisedBy, GradedAt: j.a.UpdatedAt}
	}
	return s.Events.EmitMany(ctx, EventAttemptGraded, unitPaths, data)
}
