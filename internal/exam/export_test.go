package exam

import "context"

// GradeTogether grades the given attempts as one group commit (they are queued together, so
// with nothing else grading they form one batch) and returns, per id, whether this call graded
// it and its error. Tests of the batch path use it; an attempt already finished is not graded.
func (s *Service) GradeTogether(ctx context.Context, ids []int64) ([]bool, []error) {
	won, errs := make([]bool, len(ids)), make([]error, len(ids))
	var jobs []*gradeJob
	at := map[*gradeJob]int{}
	for i, id := range ids {
		a, err := s.Store.GetAttempt(ctx, id)
		if err != nil || a.Status != AttemptActive {
			errs[i] = err
			continue
		}
		j, err := s.prepare(ctx, a, ByLearner, nil)
		if err != nil {
			errs[i] = err
			continue
		}
		jobs, at[j] = append(jobs, j), i
	}
	s.commit(ctx, jobs...)
	for _, j := range jobs {
		won[at[j]], errs[at[j]] = j.won, j.err
	}
	return won, errs
}
