package exam

import (
	"context"
	"strings"
	"time"
)

// Pending is a learner a reminder rule may remind about one exam.
type Pending struct {
	Nudge
	ExamID   int64
	Title    string
	ClosesAt time.Time
}

// ClosingUnattempted lists, for the campaign's open main exams that close within `within` of
// now, the audience learners under unitPath who have not finished an attempt.
func (s *Service) ClosingUnattempted(ctx context.Context, campaignID int64, unitPath string, now time.Time, within time.Duration) ([]Pending, error) {
	exams, err := s.Store.OpenExams(ctx, campaignID, now, false)
	if err != nil {
		return nil, err
	}
	var out []Pending
	for _, e := range exams {
		if e.ClosesAt.After(now.Add(within)) {
			continue
		}
		more, err := s.pending(ctx, e, unitPath, 0, false)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// MakeUpEligible lists, for the campaign's open make-up exams, the audience learners under
// unitPath the make-up is for (failed the main exam, or missed it once its window closed) who
// have not finished the make-up.
func (s *Service) MakeUpEligible(ctx context.Context, campaignID int64, unitPath string, now time.Time) ([]Pending, error) {
	exams, err := s.Store.OpenExams(ctx, campaignID, now, true)
	if err != nil {
		return nil, err
	}
	var out []Pending
	for _, e := range exams {
		main, err := s.Store.GetExam(ctx, *e.MainExamID)
		if err != nil {
			return nil, err
		}
		more, err := s.pending(ctx, e, unitPath, main.ID, !main.ClosesAt.After(now))
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// pending lists exam e's unfinished audience inside unitPath (nothing when the two subtrees
// do not overlap).
func (s *Service) pending(ctx context.Context, e Row, unitPath string, mainID int64, mainClosed bool) ([]Pending, error) {
	f := AudienceFilter{ExamID: e.ID, UnitPath: e.UnitPath, Tracks: e.audienceTracks()}
	switch {
	case strings.HasPrefix(unitPath, e.UnitPath):
		f.UnitPath = unitPath
	case !strings.HasPrefix(e.UnitPath, unitPath):
		return nil, nil
	}
	paths, err := s.Store.UnitPaths(ctx, e.unitIDs())
	if err != nil {
		return nil, err
	}
	for _, id := range e.unitIDs() {
		if p, ok := paths[id]; ok {
			f.UnitPaths = append(f.UnitPaths, p)
		}
	}
	nudges, err := s.Store.Unfinished(ctx, f, mainID, mainClosed)
	if err != nil {
		return nil, err
	}
	out := make([]Pending, 0, len(nudges))
	for _, n := range nudges {
		out = append(out, Pending{Nudge: n, ExamID: e.ID, Title: e.Title, ClosesAt: e.ClosesAt})
	}
	return out, nil
}
