package app

import (
	"context"
	"time"

	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/ratelimit"
	"github.com/xuefa/xuefa/internal/quiz"
)

// newQuiz wires the New-Year quiz; its leaderboards are read from Redis when Redis is configured.
func (a *App) newQuiz(sealer *crypto.Sealer, limiter ratelimit.Limiter, now func() time.Time) *quiz.Service {
	var redisBoard *quiz.RedisBoard
	if a.Redis != nil {
		redisBoard = quiz.NewRedisBoard(a.Redis, "xuefa:quiz:")
	}
	qc := a.Config.Quiz
	return quiz.NewService(quiz.Deps{
		DB: a.DB, Store: quiz.NewStore(a.DB), Board: quiz.NewSQLBoard(a.DB), Redis: redisBoard, Banks: a.Banks,
		Units: a.Units, Campaigns: quizCampaigns{a.Campaigns}, Credits: a.Credits, Events: a.Integration, Audit: a.Audit, Sealer: sealer,
		Limiter: limiter, Log: a.Log, Now: now,
		Settings: quiz.Settings{
			StartPerAccountPerMinute: qc.StartPerAccountPerMinute, StartPerIPPerMinute: qc.StartPerIPPerMinute,
			SubmitPerAccountPerMinute: qc.SubmitPerAccountPerMinute, SubmitPerIPPerMinute: qc.SubmitPerIPPerMinute,
		},
	})
}

// quizCampaigns lets the quiz check that an admin may link an activity to a campaign.
type quizCampaigns struct {
	campaigns *campaign.Service
}

// CheckVisible implements quiz.Campaigns.
func (c quizCampaigns) CheckVisible(ctx context.Context, actor auth.Actor, id int64) error {
	_, err := c.campaigns.Get(ctx, actor, id)
	return err
}
