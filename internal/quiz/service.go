package quiz

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/groupcommit"
	"github.com/xuefa/xuefa/internal/platform/ratelimit"
	"github.com/xuefa/xuefa/internal/unit"
)

// Errors of this domain (listed in api/README.md).
var (
	errActivityNotFound  = apperr.NotFound("quiz.activity_not_found", "活动不存在")
	errRoundNotFound     = apperr.NotFound("quiz.round_not_found", "本轮竞猜不存在")
	errPlayNotFound      = apperr.NotFound("quiz.play_not_found", "答题记录不存在")
	errPrizeNotFound     = apperr.NotFound("quiz.prize_not_found", "奖品不存在")
	errActivityUnit      = apperr.Invalid("quiz.invalid_unit", "单位不存在或不在管辖范围内", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	errActivityCampaign  = apperr.Invalid("quiz.invalid_campaign", "学法活动不存在", apperr.Field("campaign_id", "学法活动不存在或不可见"))
	errActivityHasRounds = apperr.Conflict("quiz.activity_has_rounds", "活动已有轮次，不能删除")
	errNotOpen           = apperr.Conflict("quiz.round_not_open", "本轮竞猜未开放")
	errNotInAudience     = apperr.Forbidden("quiz.not_in_audience", "本活动仅限本单位学员参加")
	errNoPlaysLeft       = apperr.Conflict("quiz.no_plays_left", "本轮答题次数已用完")
	errDailyLimit        = apperr.Conflict("quiz.daily_limit", "今日答题次数已用完")
	errPlayActive        = apperr.Conflict("quiz.play_active", "还有未完成的答题，请先提交")
	errAlreadySubmitted  = apperr.Conflict("quiz.already_submitted", "本次答题已提交")
	errDeadlinePassed    = apperr.Conflict("quiz.deadline_passed", "答题时间已过，不能提交")
	errNotEnded          = apperr.Conflict("quiz.round_not_ended", "本轮尚未结束")
	errNotClosed         = apperr.Conflict("quiz.round_not_closed", "本轮尚未截止，不能开奖")
	errRoundClosed       = apperr.Conflict("quiz.round_closed", "本轮已截止，名单已公布")
	errAlreadyDrawn      = apperr.Conflict("quiz.already_drawn", "本轮已开奖")
	errDigestChanged     = apperr.Conflict("quiz.eligible_changed", "合格名单与截止时公布的不一致")
	errNotFlagged        = apperr.Conflict("quiz.not_flagged", "该答题记录未被标记或已放行")
	errPrizeClaimed      = apperr.Conflict("quiz.prize_claimed", "奖品已领取")
	errPrizeExpired      = apperr.Conflict("quiz.prize_expired", "奖品已过领取期限")
	errOutOfStock        = apperr.Conflict("quiz.out_of_stock", "奖品库存不足")
	errBeaconRequired    = apperr.Invalid("quiz.beacon_required", "本轮开奖需要填写公开信标", apperr.Field("beacon", "本轮预先指定了公开信标，开奖时必填"))
)

func invalid(field, msg string) error {
	return apperr.Invalid("request.validation", "请求参数有误", apperr.Field(field, msg))
}

// Banks is what rounds need from the question banks.
type Banks interface {
	CheckVisible(ctx context.Context, actor auth.Actor, bankID int64) error
}

// Units finds units.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Campaigns checks that an admin may link an activity to a campaign.
type Campaigns interface {
	CheckVisible(ctx context.Context, actor auth.Actor, id int64) error
}

// Credits credits a bound learner's ranked play through the campaign's quiz rule, inside the
// caller's transaction; accounts that are not learners earn nothing.
type Credits interface {
	EarnQuizCredit(ctx context.Context, accountID, campaignID, playID int64) error
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Settings tune the quiz.
type Settings struct {
	StartPerAccountPerMinute  int
	StartPerIPPerMinute       int
	SubmitPerAccountPerMinute int
	SubmitPerIPPerMinute      int
}

// DefaultSettings are the rate limits used when none are configured.
func DefaultSettings() Settings {
	return Settings{StartPerAccountPerMinute: 10, StartPerIPPerMinute: 600, SubmitPerAccountPerMinute: 20, SubmitPerIPPerMinute: 1200}
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Board     *SQLBoard
	Redis     *RedisBoard // optional: leaderboards are read from Redis when set
	Banks     Banks
	Units     Units
	Campaigns Campaigns
	Credits   Credits
	Events    Events // optional
	Audit     Auditor
	Sealer    *crypto.Sealer
	Limiter   ratelimit.Limiter
	Log       *slog.Logger
	Now       func() time.Time
	Settings  Settings
}

// Service runs activities, rounds, plays, boards, draws and prizes.
type Service struct {
	Deps
	pools      sync.Map // round id → *Pool; a round's pool never changes once created
	rounds     sync.Map // round id → *Round, for its fixed configuration
	activities sync.Map // activity id → cachedActivity
	bw         boardWriter
	started    startedPlays
	submits    *groupcommit.Committer[*submitJob]
	index      rankIndex
}

// NewService builds the service.
func NewService(d Deps) *Service {
	def := DefaultSettings()
	s := &d.Settings
	for _, p := range []struct{ v, d *int }{{&s.StartPerAccountPerMinute, &def.StartPerAccountPerMinute},
		{&s.StartPerIPPerMinute, &def.StartPerIPPerMinute}, {&s.SubmitPerAccountPerMinute, &def.SubmitPerAccountPerMinute},
		{&s.SubmitPerIPPerMinute, &def.SubmitPerIPPerMinute}} {
		if *p.v <= 0 {
			*p.v = *p.d
		}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	svc := &Service{Deps: d}
	svc.submits = groupcommit.New(1, submitBatchMax, svc.recordBatch, failSubmit)
	svc.bw.dirty.Store(true) // plays may be pending from before a restart
	return svc
}

// reads is the leaderboard reads go to.
func (s *Service) reads() Leaderboard {
	if s.Redis != nil {
		return s.Redis
	}
	return s.Board
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action, resource string, id int64, detail map[string]any) error {
	return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: resource, ResourceID: id,
		Outcome: audit.Success, Detail: detail})
}

// ActivityInput creates or replaces an activity's fields.
type ActivityInput struct {
	UnitID      int64
	Name        string
	Description string
	Audience    Audience
	CampaignID  *int64
}

// ActivityUpdate changes some fields of an activity.
type ActivityUpdate struct {
	Name        *string
	Description *string
	Audience    *Audience
	CampaignID  *int64
}

// CreateActivity creates an activity owned by a unit in the admin's subtree (default: theirs).
func (s *Service) CreateActivity(ctx context.Context, actor auth.Actor, in ActivityInput) (*ActivityRow, error) {
	if in.UnitID == 0 {
		in.UnitID = actor.UnitID
	}
	u, err := s.Units.Lookup(ctx, in.UnitID)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, errActivityUnit
		}
		return nil, err
	}
	if !actor.Covers(u.Path) {
		return nil, errActivityUnit
	}
	if err := s.checkCampaign(ctx, actor, in.CampaignID); err != nil {
		return nil, err
	}
	if in.Audience == "" {
		in.Audience = AudiencePublic
	}
	now := s.Now()
	a := &Activity{UnitID: in.UnitID, Name: strings.TrimSpace(in.Name), Description: strings.TrimSpace(in.Description),
		Audience: in.Audience, CampaignID: in.CampaignID, CreatedAt: now, UpdatedAt: now}
	if actor.AccountID != 0 {
		id := actor.AccountID
		a.CreatedBy = &id
	}
	var out *ActivityRow
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.CreateActivity(ctx, a); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "quiz_activity.create", "quiz_activity", a.ID, map[string]any{"name": a.Name}); err != nil {
			return err
		}
		out, err = s.Store.Activity(ctx, a.ID)
		return err
	})
	return out, err
}

func (s *Service) checkCampaign(ctx context.Context, actor auth.Actor, id *int64) error {
	if id == nil || s.Campaigns == nil {
		return nil
	}
	if err := s.Campaigns.CheckVisible(ctx, actor, *id); err != nil {
		if _, ok := apperr.As(err); ok {
			return errActivityCampaign
		}
		return err
	}
	return nil
}

// Activity returns an activity in the admin's subtree.
func (s *Service) Activity(ctx context.Context, actor auth.Actor, id int64) (*ActivityRow, error) {
	a, err := s.Store.Activity(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(a.UnitPath)) {
		return nil, errActivityNotFound
	}
	return a, err
}

// Activities pages the activities of the admin's subtree, newest first.
func (s *Service) Activities(ctx context.Context, actor auth.Actor, offset, limit int) ([]ActivityRow, int64, error) {
	return s.Store.Activities(ctx, actor.UnitPath, offset, limit)
}

// UpdateActivity changes an activity's name, description, audience or campaign.
func (s *Service) UpdateActivity(ctx context.Context, actor auth.Actor, id int64, in ActivityUpdate) (*ActivityRow, error) {
	if _, err := s.Activity(ctx, actor, id); err != nil {
		return nil, err
	}
	if err := s.checkCampaign(ctx, actor, in.CampaignID); err != nil {
		return nil, err
	}
	cols := map[string]any{"updated_at": s.Now()}
	if in.Name != nil {
		cols["name"] = strings.TrimSpace(*in.Name)
	}
	if in.Description != nil {
		cols["description"] = strings.TrimSpace(*in.Description)
	}
	if in.Audience != nil {
		cols["audience"] = *in.Audience
	}
	if in.CampaignID != nil {
		cols["campaign_id"] = *in.CampaignID
	}
	var out *ActivityRow
	defer s.activities.Delete(id)
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.lockActivity(ctx, id); err != nil {
			return err
		}
		if err := s.Store.UpdateActivity(ctx, id, cols); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "quiz_activity.update", "quiz_activity", id, nil); err != nil {
			return err
		}
		var err error
		out, err = s.Store.Activity(ctx, id)
		return err
	})
	return out, err
}

// DeleteActivity deletes an activity that has no rounds. The rounds are counted under the
// activity's lock, which a round's creation takes too: a round created after the first read
// would otherwise be left under a deleted activity (or fail the delete on a foreign key).
func (s *Service) DeleteActivity(ctx context.Context, actor auth.Actor, id int64) error {
	a, err := s.Activity(ctx, actor, id)
	if err != nil {
		return err
	}
	defer s.activities.Delete(id)
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.lockActivity(ctx, id); err != nil {
			return err
		}
		rounds, err := s.Store.CountRounds(ctx, id)
		if err != nil {
			return err
		}
		if rounds > 0 {
			return errActivityHasRounds
		}
		if err := s.Store.DeleteActivity(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, actor, "quiz_activity.delete", "quiz_activity", id, map[string]any{"name": a.Name})
	})
}

// lockActivity locks an activity until the transaction ends; one deleted since it was first
// read is 404.
func (s *Service) lockActivity(ctx context.Context, id int64) error {
	_, err := s.Store.LockActivity(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return errActivityNotFound
	}
	return err
}
