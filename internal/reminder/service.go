package reminder

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/supervision"
	"github.com/xuefa/xuefa/internal/wechat"
)

// ManualThrottle: a learner is reminded by hand at most once per campaign in this time.
const ManualThrottle = 24 * time.Hour

// Standings reads a learner's credits for an admin who owns them.
type Standings interface {
	LearnerStanding(ctx context.Context, actor auth.Actor, learnerID, campaignID int64) (*credit.Standing, error)
}

// Lagging finds the lagging learners of a unit.
type Lagging interface {
	// AllLagging lists all of them (with the status, lagging including far behind).
	AllLagging(ctx context.Context, actor auth.Actor, unitID, campaignID int64, status credit.Pace) (*supervision.LaggingList, error)
}

// Phones opens a learner account's phone for the SMS channel.
type Phones interface {
	Phone(ctx context.Context, accountID int64) (string, error)
}

// SMS sends a text; the key makes a retried send idempotent at the provider.
type SMS interface {
	Send(ctx context.Context, phone, text, idempotencyKey string) error
}

// WeChat reaches learners bound to WeChat by subscribe message (nil: channel off).
type WeChat interface {
	ReminderRecipient(ctx context.Context, accountID int64) (*wechat.Recipient, string, error)
	SendReminder(ctx context.Context, r wechat.Recipient, title, text string, at time.Time) error
	Spend(ctx context.Context, r wechat.Recipient) error
	Exhaust(ctx context.Context, r wechat.Recipient) error
}

// Exams finds who the exam rules remind.
type Exams interface {
	ClosingUnattempted(ctx context.Context, campaignID int64, unitPath string, now time.Time, within time.Duration) ([]exam.Pending, error)
	MakeUpEligible(ctx context.Context, campaignID int64, unitPath string, now time.Time) ([]exam.Pending, error)
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Standings Standings
	Lagging   Lagging
	Phones    Phones
	SMS       SMS
	WeChat    WeChat
	Exams     Exams
	Units     Units
	Campaigns Campaigns
	Audit     Auditor
	Events    Events // optional
	Log       *slog.Logger
	Now       func() time.Time
}

// Service creates and delivers reminders.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

func (s *Service) now() time.Time { return s.Now().Truncate(time.Microsecond) }

// ManualInput is an admin's 督促: either learner ids, or a unit and a lag status.
type ManualInput struct {
	CampaignID int64
	LearnerIDs []int64
	UnitID     int64
	Status     credit.Pace
	Message    string
	Channels   []string
}

// ManualResult says how many will be reminded and how many were throttled.
type ManualResult struct {
	Reminded int
	Skipped  int
}

type target struct {
	learnerID, accountID int64
	unitID               int64 // set for lagging-list targets
	credits, lag         credit.Amount
	message              string
}

// Manual reminds learners of the actor's subtree. Learners reminded in the last 24 hours are
// skipped. A learner id outside the subtree fails the whole request (404), writing nothing.
func (s *Service) Manual(ctx context.Context, actor auth.Actor, in ManualInput) (*ManualResult, error) {
	if len(in.Channels) == 0 {
		in.Channels = []string{ChannelInbox}
	}
	targets, err := s.targets(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(targets))
	for _, t := range targets {
		ids = append(ids, t.learnerID)
	}
	now := s.now()
	out := &ManualResult{}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		// Manual reminders of a campaign take turns, so that a double tap sees the first one's
		// reminders and is throttled.
		if err := s.Store.LockCampaign(ctx, in.CampaignID); err != nil {
			return err
		}
		recent, err := s.Store.RemindedSince(ctx, in.CampaignID, ids, now.Add(-ManualThrottle))
		if err != nil {
			return err
		}
		var reminders []*Reminder
		actorID := actor.AccountID
		for _, t := range targets {
			if recent[t.learnerID] {
				out.Skipped++
				continue
			}
			msg := strings.TrimSpace(in.Message)
			if msg == "" {
				msg = t.message
			}
			reminders = append(reminders, &Reminder{LearnerID: t.learnerID, AccountID: t.accountID, CampaignID: in.CampaignID,
				Message: msg, CreditsAt: int64(t.credits), LagAt: int64(t.lag), CreatedBy: &actorID, CreatedAt: now})
		}
		out.Reminded = len(reminders)
		if err := s.Store.Create(ctx, reminders, in.Channels, now); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: "reminder.manual", ResourceType: "campaign", ResourceID: in.CampaignID,
			Outcome: audit.Success, Detail: map[string]any{"reminded": out.Reminded, "skipped": out.Skipped, "channels": in.Channels}})
	})
	return out, err
}

// targets resolves who to remind, with their standing for the default message.
func (s *Service) targets(ctx context.Context, actor auth.Actor, in ManualInput) ([]target, error) {
	if len(in.LearnerIDs) > 0 {
		out := make([]target, 0, len(in.LearnerIDs))
		for _, id := range slices.Compact(slices.Sorted(slices.Values(in.LearnerIDs))) {
			st, err := s.Standings.LearnerStanding(ctx, actor, id, in.CampaignID)
			if err != nil {
				return nil, err
			}
			lag := max(st.Expected-st.Summary.Total, 0)
			out = append(out, target{learnerID: id, accountID: st.Learner.AccountID, credits: st.Summary.Total, lag: lag,
				message: defaultMessage(st.Campaign.Name, st.Summary.Total, st.Expected, lag)})
		}
		return out, nil
	}
	if in.UnitID == 0 {
		return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("learner_ids", "须指定学员，或指定单位和进度状态"))
	}
	list, err := s.Lagging.AllLagging(ctx, actor, in.UnitID, in.CampaignID, in.Status)
	if err != nil {
		return nil, err
	}
	out := make([]target, 0, len(list.Rows))
	for _, r := range list.Rows {
		expected := list.Expected[r.Track]
		lag := max(expected-r.Total, 0)
		out = append(out, target{learnerID: r.LearnerID, accountID: r.AccountID, unitID: r.UnitID, credits: r.Total, lag: lag,
			message: defaultMessage(list.Campaign.Name, r.Total, expected, lag)})
	}
	return out, nil
}

func defaultMessage(campaign string, credits, expected, lag credit.Amount) string {
	return fmt.Sprintf("您在「%s」中已得 %s 学分，按活动进度今天应达到 %s 学分，还差 %s 学分，请抓紧时间学习。", campaign, credits, expected, lag)
}

// List returns the reminders sent to learners of a unit's subtree in a campaign.
func (s *Service) List(ctx context.Context, actor auth.Actor, campaignID int64, offset, limit int) ([]Row, map[int64][]Delivery, int64, error) {
	rows, total, err := s.Store.List(ctx, campaignID, actor.UnitPath, offset, limit)
	if err != nil {
		return nil, nil, 0, err
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	deliveries, err := s.Store.Deliveries(ctx, ids)
	return rows, deliveries, total, err
}

// Inbox returns a page of the caller's messages and the unread count.
func (s *Service) Inbox(ctx context.Context, actor auth.Actor, offset, limit int) ([]Message, int64, int64, error) {
	return s.Store.Messages(ctx, actor.AccountID, offset, limit)
}

// MarkRead marks one of the caller's messages read.
func (s *Service) MarkRead(ctx context.Context, actor auth.Actor, id int64) error {
	ok, err := s.Store.MarkRead(ctx, actor.AccountID, id, s.now())
	if err == nil && !ok {
		return apperr.NotFound("message.not_found", "消息不存在")
	}
	return err
}

// CountsFor implements supervision.Reminders.
func (s *Service) CountsFor(ctx context.Context, campaignID int64, learnerIDs []int64) (map[int64]int64, error) {
	return s.Store.CountsFor(ctx, campaignID, learnerIDs)
}
