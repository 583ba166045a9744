package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/questionbank"
	"github.com/xuefa/xuefa/internal/quiz"
)

// DemoQuizPlayer is a demo participant (a member of the public) who can play the demo quiz
// with a password until WeChat login is set up.
const DemoQuizPlayer = "quiz-player"

// SeedQuiz creates the demo New-Year quiz: a public activity of the root unit (linked to the
// running campaign, if any, so bound learners earn credits) with a round open for a week from
// now, drawing 5 questions per play from the demo bank, and a demo participant.
func (a *App) SeedQuiz(ctx context.Context, out io.Writer) error {
	root, err := a.Units.Root(ctx)
	if err != nil || root == nil {
		return err
	}
	system := auth.Actor{Name: "system", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}
	var campaignID *int64
	if running, _, err := a.Campaigns.List(ctx, system, campaign.StatusActive, 0, 1); err == nil && len(running) > 0 {
		campaignID = &running[0].ID
	}
	act, err := a.Quiz.CreateActivity(ctx, system, quiz.ActivityInput{UnitID: root.ID, Name: "2027 新年学法微活动",
		Description: "每轮随机 5 题，每题 30 秒；答对越多、用时越短排名越前；60 分以上参与抽奖，开奖可公开验证。",
		Audience:    quiz.AudiencePublic, CampaignID: campaignID})
	if err != nil {
		return fmt.Errorf("seed quiz activity: %w", err)
	}
	banks, _, err := a.Banks.ListBanks(ctx, system, questionbank.BankListInput{Limit: 100})
	if err != nil {
		return err
	}
	var bankID int64
	for _, b := range banks {
		if b.Name == questionbank.DemoBankName {
			bankID = b.ID
		}
	}
	now := a.now()
	r, err := a.Quiz.CreateRound(ctx, system, act.ID, quiz.RoundInput{
		Name: "第一轮", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(7 * 24 * time.Hour), QuestionCount: 5,
		BankIDs: []int64{bankID}, SecondsPerQuestion: 30, PlaysPerRound: 3, PlaysPerDay: 1, PrizeThreshold: 30,
		Prizes: []quiz.PrizeInput{{Name: "法治宣传帆布袋", Stock: 10}, {Name: "《中华人民共和国民法典》读本", Stock: 5}},
	})
	if err != nil {
		return fmt.Errorf("seed quiz round: %w", err)
	}
	if _, err := a.Accounts.Provision(ctx, account.ProvisionInput{Username: DemoQuizPlayer, DisplayName: "张小三",
		Role: auth.RoleParticipant, UnitID: root.ID, Password: DemoPassword}); err != nil {
		return fmt.Errorf("seed quiz player: %w", err)
	}
	fmt.Fprintf(out, "  quiz %q round %d open until %s, commitment %s; player %s password %s\n",
		act.Name, r.ID, r.EndsAt.Format(time.RFC3339), r.Commitment, DemoQuizPlayer, DemoPassword)
	return nil
}
