package learner

import (
	"context"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// ResetPassword gives a learner of the actor's subtree a new generated password, returned once
// for the admin to pass on. It is how learners created by an import get their first password
// (imports give none) and how a forgotten one is replaced: the learner must change it at first
// login, and every session of theirs ends. The account records the reset in the audit log.
func (s *Service) ResetPassword(ctx context.Context, actor auth.Actor, id int64) (string, error) {
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return "", err
	}
	if r.Status == StatusLeft {
		return "", errAlreadyLeft
	}
	return s.accounts.ResetLearnerPassword(ctx, actor, r.AccountID)
}
