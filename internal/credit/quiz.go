package credit

import (
	"context"
	"errors"
	"fmt"
)

// EarnQuizCredit credits a ranked quiz play of the learner behind the account in the campaign
// the quiz activity is linked to, by the campaign's quiz_per_play rule and daily quiz cap, once
// per play. Accounts that are not learners (participants), campaigns that are not running or
// pay nothing for the quiz, and learners outside the campaign's units earn nothing.
func (s *Service) EarnQuizCredit(ctx context.Context, accountID, campaignID, playID int64) error {
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
		if c.ID != campaignID || c.Rules.QuizPerPlay <= 0 {
			continue
		}
		_, err := s.Award(ctx, Award{LearnerID: learner.LearnerID, CampaignID: c.ID, Source: SourceQuiz,
			SourceID: fmt.Sprintf("play:%d", playID), Amount: c.Rules.QuizPerPlay, Reason: "新年学法竞猜"})
		return err
	}
	return nil
}
