package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// demoTrackNames label the demo exams; see docs/architecture.md.
var demoTrackNames = map[string]string{"leader": "领航", "general": "普及", "judicial": "精准"}

// SeedDemoExams publishes one demo exam per track in the running demo campaign, drawn from the
// demo bank and open for the whole campaign, so a demo learner can sit one: 42 questions, 100
// points, 60 minutes, three attempts, pass 60. SeedDemo calls it; tests may call it on a seeded
// database.
func (a *App) SeedDemoExams(ctx context.Context, out io.Writer) error {
	root, err := a.Units.Root(ctx)
	if err != nil || root == nil {
		return err
	}
	system := auth.Actor{Name: "system", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}
	campaigns, _, err := a.Campaigns.List(ctx, system, campaign.StatusActive, 0, 1)
	if err != nil || len(campaigns) == 0 {
		return err
	}
	c := campaigns[0]
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
	if bankID == 0 {
		return fmt.Errorf("seed exams: the demo bank is missing")
	}
	opens, err := time.ParseInLocation(time.DateOnly, c.StartDate, clock.Shanghai())
	if err != nil {
		return err
	}
	closes, err := time.ParseInLocation(time.DateOnly, c.EndDate, clock.Shanghai())
	if err != nil {
		return err
	}
	for _, track := range exam.Tracks {
		in := exam.Input{
			CampaignID: c.ID, UnitID: root.ID, Title: fmt.Sprintf("%s学法考试（%s）", c.Name, demoTrackNames[track]),
			Description: "闭卷，限时 60 分钟，可考 3 次，取最高分，60 分及格；交卷后可查看答案与解析。",
			OpensAt:     opens, ClosesAt: closes.AddDate(0, 0, 1), DurationMinutes: 60, MaxAttempts: 3,
			ScorePolicy: exam.ScoreBest, PassScore: 60, AudienceTracks: []string{track},
			ReviewPolicy: exam.ReviewAfterSubmit, ReviewShowAnswers: true, ShuffleQuestions: true, ShuffleOptions: true,
			Blueprints: []exam.Blueprint{{Track: track, Sections: []exam.SectionInput{
				{Title: "单项选择题", BankID: &bankID, Type: "single", Count: 20, Points: 2},
				{Title: "多项选择题", BankID: &bankID, Type: "multiple", Count: 5, Points: 4},
				{Title: "判断题", BankID: &bankID, Type: "judge", Count: 15, Points: 2},
				{Title: "填空题", BankID: &bankID, Type: "fill", Count: 2, Points: 5},
			}}},
		}
		d, err := a.Exams.Create(ctx, system, in)
		if err != nil {
			return fmt.Errorf("seed exam %s: %w", track, err)
		}
		if _, err := a.Exams.Publish(ctx, system, d.ID); err != nil {
			return fmt.Errorf("publish seed exam %s: %w", track, err)
		}
	}
	fmt.Fprintf(out, "  exams: one published demo exam per track in %s (42 questions, 60 minutes)\n", c.Name)
	return nil
}
