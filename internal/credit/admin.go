package credit

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/unit"
)

// AdjustInput is a manual correction by an admin who owns the learner.
type AdjustInput struct {
	LearnerID  int64
	CampaignID int64
	Amount     Amount // may be negative; the total never goes below zero
	Reason     string
}

// Adjusted is the recorded adjustment and the learner's new total.
type Adjusted struct {
	Entry Entry
	Total Amount
}

// Adjust records a manual adjustment (audited).
func (s *Service) Adjust(ctx context.Context, actor auth.Actor, in AdjustInput) (*Adjusted, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Amount == 0 {
		return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("amount", "不能为 0"))
	}
	learner, err := s.ownedLearner(ctx, actor, in.LearnerID)
	if err != nil {
		return nil, err
	}
	if _, err := s.campaignFor(ctx, learner.UnitPath, in.CampaignID); err != nil {
		return nil, err
	}
	out := &Adjusted{}
	actorID := actor.AccountID
	award := Award{LearnerID: in.LearnerID, CampaignID: in.CampaignID, Source: SourceAdjustment,
		SourceID: "adjustment:" + uuid.NewString(), Amount: in.Amount, Reason: in.Reason, ActorID: &actorID}
	err = database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if _, err := s.Award(ctx, award); err != nil {
			return err
		}
		sum, err := s.store.Summary(ctx, in.LearnerID, in.CampaignID)
		if err != nil {
			return err
		}
		out.Total = sum.Total
		entries, _, err := s.store.Entries(ctx, in.LearnerID, in.CampaignID, 0, 1)
		if err != nil || len(entries) == 0 {
			return err
		}
		out.Entry = entries[0]
		return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: "credit.adjust", ResourceType: "learner", ResourceID: in.LearnerID,
			Outcome: audit.Success, Detail: map[string]any{"campaign_id": in.CampaignID, "amount": in.Amount.String(), "reason": in.Reason}})
	})
	return out, err
}

// Units is what leaderboards need from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// BoardInput asks for a leaderboard.
type BoardInput struct {
	CampaignID int64
	UnitID     int64 // 0: the actor's unit
	Track      string
	Limit      int
}

// Board is a campaign's leaderboard inside a unit's subtree.
type Board struct {
	Campaign *CampaignFacts
	Unit     *unit.Unit
	Learners []BoardLearner
	Units    []UnitStanding
	// UnitsAsOf is when the unit ranking was computed (it may be cached for a short time).
	UnitsAsOf time.Time
}

// Leaderboard ranks the top learners of a unit's subtree and its direct sub-units by
// completion rate, reading summary rows only.
func (s *Service) Leaderboard(ctx context.Context, actor auth.Actor, in BoardInput) (*Board, error) {
	unitID := in.UnitID
	if unitID == 0 {
		unitID = actor.UnitID
	}
	u, err := s.units.Lookup(ctx, unitID)
	if err != nil || !actor.Covers(u.Path) {
		return nil, apperr.BadRequest("request.invalid_query", "查询参数有误", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	}
	c, err := s.campaigns.Facts(ctx, in.CampaignID)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(u.Path, c.UnitPath) && !actor.Covers(c.UnitPath) {
		return nil, apperr.NotFound("campaign.not_found", "学法活动不存在")
	}
	board := &Board{Campaign: c, Unit: u}
	scope, err := s.store.Scope(ctx, u.Path)
	if err != nil {
		return nil, err
	}
	if board.Learners, err = s.store.TopLearners(ctx, in.CampaignID, scope, in.Track, in.Limit); err != nil {
		return nil, err
	}
	key := standingsKey(in.CampaignID, u, scope, c.Targets)
	if board.Units, board.UnitsAsOf, err = s.standings.Get(ctx, key, func(ctx context.Context) ([]UnitStanding, error) {
		return s.store.SubUnitStandings(ctx, in.CampaignID, u, scope, c.Targets)
	}); err != nil {
		return nil, err
	}
	return board, nil
}
