package quiz

import (
	"context"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// Submits are recorded by group commit (platform/groupcommit): concurrent submits queue, and
// one batch records all of them in one transaction (a locking read of which plays are still
// active, one multi-row UPDATE, the learners' credits, one commit). Under a spike this turns a
// statement and a commit per submit into a few per batch; alone, a submit is a batch of one.
// One lane: the batches are short, and a second would only split them. Nothing else runs in
// the lane: the rank each submit answers with is counted afterwards, in memory (rank_index.go).
const submitBatchMax = 128

// submitJob is one graded play waiting to be recorded.
type submitJob struct {
	play     *Play
	campaign *int64    // the campaign a learner's ranked play earns credit in, if any
	onBoard  *Standing // the player's stored standing, noted with a ranked play (play.BoardPending)
	won      bool      // recorded by this job (false: another submit of the play was first)
	err      error
}

// failSubmit sets the outcome of a job whose batch could not be written at all.
func failSubmit(j *submitJob, err error) { j.won, j.err = false, err }

// markSubmitted records the graded play once (won false when another submit did); a ranked
// play is noted pending for the boards, with the player's stored standing onBoard.
func (s *Service) markSubmitted(ctx context.Context, p *Play, onBoard *Standing) (*submitJob, error) {
	campaign, err := s.creditCampaign(ctx, p)
	if err != nil {
		return nil, err
	}
	job := &submitJob{play: p, campaign: campaign, onBoard: onBoard}
	s.submits.Run(ctx, job)
	return job, job.err
}

// recordBatch writes a batch in one transaction. If it fails, each job is retried alone, so
// one bad job cannot fail the others and each error belongs to its own submit.
func (s *Service) recordBatch(ctx context.Context, batch []*submitJob) {
	// Ranked plays are noted pending before they commit: a board fold that picks them up right
	// after the commit must find them noted to forget them, or they would count twice.
	for _, j := range batch {
		if j.play.BoardPending {
			s.notePending(j.play, j.onBoard)
		}
	}
	var won map[*submitJob]bool
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		var err error
		won, err = s.recordInTx(ctx, batch)
		return err
	})
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			s.recordBatch(ctx, []*submitJob{j})
		}
		return
	}
	for _, j := range batch {
		if j.play.BoardPending && (err != nil || !won[j]) {
			s.dropPending(j.play)
		}
		j.won, j.err = won[j] && err == nil, err
	}
}

// recordInTx locks the batch's plays that are still active, marks them submitted and credits
// the learners among them. Of two submits of one play in a batch, the first wins.
func (s *Service) recordInTx(ctx context.Context, batch []*submitJob) (map[*submitJob]bool, error) {
	ids := make([]int64, len(batch))
	for i, j := range batch {
		ids[i] = j.play.ID
	}
	active, err := s.Store.LockActivePlays(ctx, ids)
	if err != nil {
		return nil, err
	}
	won := map[*submitJob]bool{}
	var plays []*Play
	for _, j := range batch {
		if active[j.play.ID] {
			delete(active, j.play.ID)
			won[j] = true
			plays = append(plays, j.play)
		}
	}
	if err := s.Store.SubmitPlays(ctx, plays); err != nil {
		return nil, err
	}
	for _, j := range batch {
		if won[j] && j.campaign != nil {
			if err := s.Credits.EarnQuizCredit(ctx, j.play.AccountID, *j.campaign, j.play.ID); err != nil {
				return nil, err
			}
		}
	}
	return won, nil
}
