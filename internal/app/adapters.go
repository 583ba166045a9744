package app

import (
	"context"

	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/study"
)

// studyLearners lets study find the learner behind an account without importing learner.
type studyLearners struct {
	learners *learner.Service
}

// Facts implements study.Learners.
func (l studyLearners) Facts(ctx context.Context, accountID int64) (*study.LearnerFacts, error) {
	r, err := l.learners.ForAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return &study.LearnerFacts{LearnerID: r.ID, UnitPath: r.UnitPath, Track: string(r.Track)}, nil
}
