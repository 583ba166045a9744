package exam

import (
	"context"
	"encoding/json"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// ReviewItem is one question of a finished attempt as its review shows it.
type ReviewItem struct {
	KeyedItem
	Score   float64
	Correct bool
}

// Review is a finished attempt with its questions graded.
type Review struct {
	Attempt
	Exam        Row
	ShowAnswers bool
	Items       []ReviewItem
}

// Review returns one of the actor's finished attempts as the exam's review policy allows:
// never (403 exam.review_unavailable), after submitting, or after the window closes; keys
// and analysis only when the exam shows answers.
func (s *Service) Review(ctx context.Context, actor auth.Actor, id int64) (*Review, error) {
	a, err := s.ownAttempt(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	r, err := s.Store.GetExam(ctx, a.ExamID)
	if err != nil {
		return nil, err
	}
	if !s.reviewOpen(r, a) {
		return nil, errReviewUnavailable
	}
	items, err := s.Store.KeyedItems(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	var scores []float64
	_ = json.Unmarshal([]byte(a.ItemScores), &scores)
	out := &Review{Attempt: *a, Exam: *r, ShowAnswers: r.ReviewShowAnswers, Items: make([]ReviewItem, len(items))}
	for i, it := range items {
		score, right := itemScore(r.PartialCredit, it)
		if i < len(scores) {
			score = scores[i] // what grading recorded
		}
		out.Items[i] = ReviewItem{KeyedItem: it, Score: score, Correct: right}
	}
	return out, nil
}

// reviewOpen applies the review policy to a finished attempt.
func (s *Service) reviewOpen(r *Row, a *Attempt) bool {
	if a.Status == AttemptActive {
		return false
	}
	switch r.ReviewPolicy {
	case ReviewAfterSubmit:
		return true
	case ReviewAfterClose:
		return r.Status == StatusClosed || !s.now().Before(r.ClosesAt)
	default:
		return false
	}
}
