package exam

import "context"

// GradeTogether grades the given attempts as one group commit (they are queued together, so
// with nothing else grading they form one batch) and returns, per id, whether this call graded
// it and its error. Tests of the batch path use it; an attempt already finished is not graded.
func (s *Service) GradeTogether(ctx context.Context, ids []int64) ([]bool, []error) {
	jobs := make([]*gradeJob, len(ids))
	for i, id := range ids {
		jobs[i] = &gradeJob{attemptID: id, by: ByLearner}
	}
	s.commit(ctx, jobs...)
	won, errs := make([]bool, len(ids)), make([]error, len(ids))
	for i, j := range jobs {
		won[i], errs[i] = j.won, j.err
	}
	return won, errs
}
