package exam

import (
	"context"
	"log/slog"
	"time"
)

// sweepBatch is how many expired attempts one sweep finalises at most.
const sweepBatch = 500

// Sweep finalises every active attempt past its deadline and grace with the answers saved, and
// returns how many it graded. The attempts of one pass are written together, in batches (group
// commit, see grade_job.go); one racing a learner's submit is graded once either way.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	done := 0
	for {
		ids, err := s.Store.Expired(ctx, s.now().Add(-s.Settings.Grace), sweepBatch)
		if err != nil || len(ids) == 0 {
			return done, err
		}
		jobs := make([]*gradeJob, len(ids))
		for i, id := range ids {
			jobs[i] = &gradeJob{attemptID: id, by: ByDeadline}
		}
		s.commit(ctx, jobs...)
		for _, j := range jobs {
			if j.err != nil {
				return done, j.err
			}
			if j.won {
				done++
			}
		}
		if len(ids) < sweepBatch {
			return done, nil
		}
	}
}

// RunSweeper sweeps every interval until ctx ends (started by the server beside the reminder
// scheduler). Errors are logged and the next tick tries again.
func (s *Service) RunSweeper(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(s.Settings.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Sweep(ctx); err != nil {
				log.Error("exam sweeper", "error", err.Error())
			} else if n > 0 {
				log.Info("exam sweeper finalised attempts", "count", n)
			}
			if n, err := s.FeedClosedExams(ctx); err != nil {
				log.Error("exam question statistics", "error", err.Error())
			} else if n > 0 {
				log.Info("exam question statistics fed to the banks", "exams", n)
			}
		}
	}
}
