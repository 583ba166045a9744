package credit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// EarnPracticeCredit credits a right practice answer in every running campaign of the learner
// behind the account whose rules pay for practice: once per question and campaign (a question
// answered right again earns nothing more), within the campaign's daily practice cap. Accounts
// that are not learners earn nothing.
func (s *Service) EarnPracticeCredit(ctx context.Context, accountID, questionID int64, _ time.Time) error {
	learner, err := s.store.LearnerByAccount(ctx, accountID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	running, err := s.campaigns.ActiveFor(ctx, learner.UnitPath)
	if err != nil {
		return err
	}
	for _, c := range running {
		if c.Rules.PracticePerCorrect <= 0 {
			continue
		}
		if _, err := s.Award(ctx, Award{LearnerID: learner.LearnerID, CampaignID: c.ID, Source: SourcePractice,
			SourceID: fmt.Sprintf("question:%d", questionID), Amount: c.Rules.PracticePerCorrect, Reason: "练习答对"}); err != nil {
			return err
		}
	}
	return nil
}
