package yearend

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

var errExemptionNotFound = apperr.NotFound("exemption.not_found", "该学员未被免考")

// Exemptions lists the exemptions of a campaign the admin sees, for learners in their subtree
// (a township admin sees their own people's exemptions in the county's campaign).
func (s *Service) Exemptions(ctx context.Context, actor auth.Actor, campaignID int64, offset, limit int) ([]ExemptionRow, int64, error) {
	c, err := s.seenCampaign(ctx, actor, campaignID)
	if err != nil {
		return nil, 0, err
	}
	return s.store.ExemptionPage(ctx, campaignID, within(actor.UnitPath, c.UnitPath), offset, limit)
}

// exemptionScope loads the campaign and the learner an exemption write is about: a campaign the
// admin sees, a learner in their subtree and in the campaign's audience (404 for either
// otherwise), and a campaign that is not closing or closed (409: its snapshot is final).
func (s *Service) exemptionScope(ctx context.Context, actor auth.Actor, campaignID, learnerID int64) (*campaign.Row, *LearnerRow, error) {
	c, err := s.seenCampaign(ctx, actor, campaignID)
	if err != nil {
		return nil, nil, err
	}
	l, err := s.store.LearnerOf(ctx, learnerID)
	if errors.Is(err, ErrNotFound) || (err == nil && (!actor.Covers(l.UnitPath) || !strings.HasPrefix(l.UnitPath, c.UnitPath))) {
		return nil, nil, errLearnerNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	if c.Status.ReadOnly() {
		return nil, nil, errCampaignClosed
	}
	return c, l, nil
}

// Exempt excuses a learner from the campaign's exam (免考) with a reason, e.g. 驻村 or 支教.
// Idempotent: a repeat with the same reason changes nothing; a new reason replaces the old
// one. Audited when it changes something.
func (s *Service) Exempt(ctx context.Context, actor auth.Actor, campaignID, learnerID int64, reason string) (*ExemptionRow, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("reason", "免考理由必填，最多 200 字"))
	}
	var out *ExemptionRow
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if _, _, err := s.exemptionScope(ctx, actor, campaignID, learnerID); err != nil {
			return err
		}
		old, err := s.store.ExemptionOf(ctx, campaignID, learnerID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if old != nil && old.Reason == reason {
			out = old
			return nil
		}
		by := actor.AccountID
		if err := s.store.SaveExemption(ctx, &Exemption{CampaignID: campaignID, LearnerID: learnerID, Reason: reason, CreatedBy: &by, CreatedAt: s.now()}); err != nil {
			return err
		}
		detail := map[string]any{"learner_id": learnerID, "reason": reason}
		if old != nil {
			detail["old_reason"] = old.Reason
		}
		if err := s.auditExemption(ctx, actor, "campaign.exemption.set", campaignID, detail); err != nil {
			return err
		}
		out, err = s.store.ExemptionOf(ctx, campaignID, learnerID)
		return err
	})
	return out, err
}

// Unexempt withdraws a learner's exemption (404 exemption.not_found when there is none).
// Audited.
func (s *Service) Unexempt(ctx context.Context, actor auth.Actor, campaignID, learnerID int64) error {
	return database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if _, _, err := s.exemptionScope(ctx, actor, campaignID, learnerID); err != nil {
			return err
		}
		removed, err := s.store.DeleteExemption(ctx, campaignID, learnerID)
		if err != nil {
			return err
		}
		if !removed {
			return errExemptionNotFound
		}
		return s.auditExemption(ctx, actor, "campaign.exemption.delete", campaignID, map[string]any{"learner_id": learnerID})
	})
}

func (s *Service) auditExemption(ctx context.Context, actor auth.Actor, action string, campaignID int64, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "campaign", ResourceID: campaignID,
		Outcome: audit.Success, Detail: detail})
}
