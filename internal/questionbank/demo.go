package questionbank

import (
	"context"
	_ "embed"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// demoQuestions is the demo bank: real questions on the Constitution, the Civil Code and
// administrative law, each with analysis and legal basis, in the import layout. Seeding loads
// it through the importer, so the seed also proves the importer.
//
//go:embed demo_questions.csv
var demoQuestions []byte

// DemoBankName names the seeded demo bank.
const DemoBankName = "机关学法月综合题库（示例）"

// SeedDemo creates the demo bank owned by unitID (the root unit) and imports its questions;
// it returns the bank and how many questions were created.
func (s *Service) SeedDemo(ctx context.Context, actor auth.Actor, unitID int64) (*BankRow, int, error) {
	bank, err := s.CreateBank(ctx, actor, BankInput{
		UnitID: unitID, Name: DemoBankName, Subject: "综合",
		Tracks:      []Track{TrackLeader, TrackGeneral, TrackJudicial},
		Description: "宪法、民法典、行政处罚法、行政许可法、行政复议法等常用法律的基础题，每题附解析和法条依据。",
	})
	if err != nil {
		return nil, 0, err
	}
	res, err := s.Import(ctx, actor, bank.ID, "demo_questions.csv", demoQuestions, false)
	if err != nil {
		return nil, 0, err
	}
	return bank, res.Created, nil
}
