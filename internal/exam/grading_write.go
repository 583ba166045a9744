package exam

import (
	"context"
	"slices"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/practice"
)

// commit writes prepared gradings and sets each one's outcome. Inside a caller's transaction
// the jobs are written there, at once: queueing them for another goroutine's transaction would
// both escape the caller's and wait on locks it holds.
func (s *Service) commit(ctx context.Context, jobs ...*gradeJob) {
	if len(jobs) == 0 {
		return
	}
	if database.InTx(ctx) {
		err := s.writeGradings(ctx, jobs)
		for _, j := range jobs {
			j.won, j.err = j.won && err == nil, err
		}
		return
	}
	s.committer.Run(ctx, jobs...)
}

// writeBatch writes a batch in one transaction. If that fails, each job is written again alone,
// so one bad grading cannot fail the others and every error belongs to its own job. (A
// deadlock victim is rerun by WithTx before it counts as failed.)
func (s *Service) writeBatch(ctx context.Context, batch []*gradeJob) {
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error { return s.writeGradings(ctx, batch) })
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			j.err = database.WithTx(ctx, s.DB, func(ctx context.Context) error { return s.writeGradings(ctx, []*gradeJob{j}) })
			j.won = j.won && j.err == nil
		}
		return
	}
	for _, j := range batch {
		j.won, j.err = j.won && err == nil, err
	}
}

// writeGradings reads the jobs' attempts (locked), grades those still active in memory and
// writes them with one statement per table: the attempts, the learners' results, the
// wrong-answer books; then the credits of those that passed and the exam.attempt_graded events. It sets every job's outcome
// fields; it may run again (a deadlock rerun), so it touches nothing but the database and
// those fields.
func (s *Service) writeGradings(ctx context.Context, jobs []*gradeJob) error {
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i], j.a, j.r, j.won, j.wrong = j.attemptID, nil, nil, false, nil
	}
	locked, err := s.Store.LockAttempts(ctx, ids)
	if err != nil {
		return err
	}
	winners, err := s.gradeLocked(ctx, jobs, locked)
	if err != nil || len(winners) == 0 {
		return err
	}
	attempts := make([]*Attempt, len(winners))
	for i, j := range winners {
		attempts[i] = j.a
	}
	if err := s.Store.FinaliseMany(ctx, attempts); err != nil {
		return err
	}
	if err := s.countAll(ctx, winners); err != nil {
		return err
	}
	if err := s.recordWrong(ctx, winners); err != nil {
		return err
	}
	if err := s.awardPasses(ctx, winners); err != nil {
		return err
	}
	return s.emitGraded(ctx, winners)
}

// gradeLocked grades in memory the locked attempts that are still active, with their items
// read in one statement, and returns the jobs that won them: the first job of an attempt in
// the batch. Every job gets its attempt as the batch leaves it (none when it is not found or
// not its learner's) and its exam. A learner's submit after the deadline and its grace is
// graded as the deadline's, like every other late attempt.
func (s *Service) gradeLocked(ctx context.Context, jobs []*gradeJob, locked map[int64]*Attempt) ([]*gradeJob, error) {
	var active []int64
	for id, a := range locked {
		if a.Status == AttemptActive {
			active = append(active, id)
		}
	}
	items, err := s.Store.GradingItemsOf(ctx, active)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var winners []*gradeJob
	for _, j := range jobs {
		a := locked[j.attemptID]
		if a == nil || (j.accountID != 0 && a.AccountID != j.accountID) {
			continue
		}
		if j.r, err = s.examRow(ctx, a.ExamID); err != nil {
			return nil, err
		}
		if a.Status == AttemptActive {
			by, key := j.by, j.key
			if s.expired(a) {
				by, key = ByDeadline, nil
			}
			if j.wrong, err = s.gradeAttempt(ctx, a, j.r, items[a.ID], by, key, now); err != nil {
				return nil, err
			}
			j.won, winners = true, append(winners, j)
		}
		c := *a // graded above, so later jobs of the attempt find it finished
		j.a = &c
	}
	return winners, nil
}

// countAll updates the learners' result rows by their exams' score policies, in job order.
func (s *Service) countAll(ctx context.Context, jobs []*gradeJob) error {
	keys := make([]resultKey, len(jobs))
	for i, j := range jobs {
		keys[i] = resultKey{j.r.ID, j.a.LearnerID}
	}
	results, err := s.Store.ResultsFor(ctx, keys)
	if err != nil {
		return err
	}
	var order []resultKey // each key once, first seen first
	for i, j := range jobs {
		k := keys[i]
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
		results[k] = count(j.r, j.a, results[k])
	}
	rows := make([]Result, len(order))
	for i, k := range order {
		rows[i] = *results[k]
	}
	return s.Store.SaveResults(ctx, rows)
}

// recordWrong puts every wrong answer of the batch in the wrong-answer books.
func (s *Service) recordWrong(ctx context.Context, jobs []*gradeJob) error {
	if s.WrongBook == nil {
		return nil
	}
	var wrong []practice.AccountWrong
	for _, j := range jobs {
		for _, w := range j.wrong {
			wrong = append(wrong, practice.AccountWrong{AccountID: j.a.AccountID, WrongAnswer: w, At: j.a.UpdatedAt})
		}
	}
	if len(wrong) == 0 {
		return nil
	}
	return s.WrongBook.RecordWrongBatch(ctx, wrong)
}

// awardPasses awards the exam credit of the jobs that passed, in one call for the batch
// (credit.AwardMany takes its locks in a global order, so concurrent batches wait for each
// other instead of deadlocking). Each campaign's rules are read once per batch, here rather
// than per submit: at the bell every submit of a batch names the same campaign. A learner
// passing a main exam and its make-up in one batch earns it once: both name the main exam as
// source.
func (s *Service) awardPasses(ctx context.Context, jobs []*gradeJob) error {
	rules := map[int64]credit.Rules{}
	var awards []credit.Award
	for _, j := range jobs {
		if !j.a.Passed {
			continue
		}
		r, ok := rules[j.r.CampaignID]
		if !ok {
			facts, err := s.Campaigns.Facts(ctx, j.r.CampaignID)
			if err != nil {
				return err
			}
			r, rules[j.r.CampaignID] = facts.Rules, facts.Rules
		}
		if a := passAward(j.r, j.a, r); a != nil {
			awards = append(awards, *a)
		}
	}
	if len(awards) == 0 {
		return nil
	}
	_, err := s.Credits.AwardMany(ctx, awards)
	return err
}
