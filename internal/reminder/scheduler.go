package reminder

import (
	"context"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Schedule runs the due reminder rules every minute and dispatches deliveries every 10 s until
// ctx ends. Every replica runs it; job_runs rows and delivery claims keep work from doubling.
func (s *Service) Schedule(ctx context.Context) error {
	sched, err := gocron.NewScheduler(gocron.WithLocation(time.UTC))
	if err != nil {
		return err
	}
	jobs := []struct {
		every time.Duration
		run   func(ctx context.Context) (int, error)
		name  string
	}{
		{time.Minute, s.RunDue, "reminder rules"},
		{10 * time.Second, s.DispatchOnce, "reminder dispatch"},
	}
	for _, j := range jobs {
		if _, err := sched.NewJob(gocron.DurationJob(j.every), gocron.NewTask(func() {
			if _, err := j.run(ctx); err != nil && ctx.Err() == nil {
				s.Log.ErrorContext(ctx, j.name, "error", err.Error())
			}
		}), gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
			return err
		}
	}
	sched.Start()
	<-ctx.Done()
	return sched.Shutdown()
}
