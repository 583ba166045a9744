package exam

import (
	"context"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// Window states of an exam as a learner sees it.
const (
	WindowUpcoming = "upcoming"
	WindowOpen     = "open"
	WindowClosed   = "closed"
)

// Mine is an exam a learner may sit, with where they stand.
type Mine struct {
	Row
	Window          string
	AttemptsUsed    int
	AttemptsLeft    int
	ActiveAttemptID *int64
	Score           *float64 // the counted score (best or last), once an attempt is finished
	Passed          bool
	// Eligible is false for a make-up exam the learner may not sit (passed or still sitting the main exam).
	Eligible bool
}

// MyExams lists the published and closed exams whose audience includes the actor.
func (s *Service) MyExams(ctx context.Context, actor auth.Actor) ([]Mine, error) {
	l, err := s.learner(ctx, actor)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.VisibleExams(ctx, questionbank.AncestorPaths(l.UnitPath))
	if err != nil {
		return nil, err
	}
	var unitIDs, examIDs []int64
	for _, r := range rows {
		unitIDs = append(unitIDs, r.unitIDs()...)
		examIDs = append(examIDs, r.ID)
	}
	paths, err := s.Store.UnitPaths(ctx, unitIDs)
	if err != nil {
		return nil, err
	}
	attempts, err := s.settledAttempts(ctx, l.LearnerID, examIDs)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*Row{}
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	now := s.now()
	out := []Mine{}
	for _, r := range rows {
		if !inAudience(l, &r, paths) {
			continue
		}
		m := Mine{Row: r, Window: WindowOpen, Eligible: true}
		switch {
		case r.Status == StatusClosed || !now.Before(r.ClosesAt):
			m.Window = WindowClosed
		case now.Before(r.OpensAt):
			m.Window = WindowUpcoming
		}
		var best *Attempt
		for i, a := range attempts {
			if a.ExamID != r.ID {
				continue
			}
			m.AttemptsUsed++
			if a.Status == AttemptActive {
				m.ActiveAttemptID = &attempts[i].ID
				continue
			}
			if best == nil || r.ScorePolicy == ScoreLast || a.Score > best.Score {
				best = &attempts[i]
			}
		}
		if best != nil {
			m.Score, m.Passed = &best.Score, best.Passed
		}
		m.AttemptsLeft = max(0, r.MaxAttempts-m.AttemptsUsed)
		if r.MainExamID != nil {
			main, ok := byID[*r.MainExamID]
			m.Eligible = ok && makeupEligible(main, attempts, now)
		}
		out = append(out, m)
	}
	return out, nil
}

// settledAttempts reads a learner's attempts at the given exams, finalising first those past
// their deadline and grace that the sweeper has not reached yet (lazy finalisation), so that
// scores, attempts in progress and make-up eligibility are what the deadline made them.
func (s *Service) settledAttempts(ctx context.Context, learnerID int64, examIDs []int64) ([]Attempt, error) {
	attempts, err := s.Store.AttemptsOf(ctx, learnerID, examIDs)
	if err != nil {
		return nil, err
	}
	settled := false
	for i := range attempts {
		if s.expired(&attempts[i]) {
			if err := s.finalise(ctx, attempts[i].ID); err != nil {
				return nil, err
			}
			settled = true
		}
	}
	if !settled {
		return attempts, nil
	}
	return s.Store.AttemptsOf(ctx, learnerID, examIDs)
}
