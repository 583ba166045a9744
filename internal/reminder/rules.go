package reminder

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
	"github.com/xuefa/xuefa/internal/unit"
)

// Rule kinds: credits lagging behind the calendar; a registered event starting tomorrow; an
// open exam closing soon and not finished; a make-up exam open to those who failed or missed
// the main one.
const (
	KindCreditsLagging = "credits_lagging"
	KindEventTomorrow  = "event_tomorrow"
	KindExamClosing    = "exam_closing"
	KindMakeUp         = "makeup_available"
)

var ruleKinds = []string{KindCreditsLagging, KindEventTomorrow, KindExamClosing, KindMakeUp}

// DefaultWithinDays is how close an exam's close must be for exam_closing when the rule says 0.
const DefaultWithinDays = 3

// Rule is a scheduled reminder.
type Rule struct {
	ID              int64 `gorm:"primaryKey"`
	CampaignID      int64
	UnitID          int64
	Kind            string
	LagStatus       credit.Pace
	SendAt          string // HH:MM, Asia/Shanghai
	Channels        string // comma list
	QuietStart      string // HH:MM; deliveries due inside [start, end) wait for the end
	QuietEnd        string
	MinIntervalDays int // at most one reminder per learner per rule in this many days
	WithinDays      int // exam_closing: exams whose window closes within this many days
	EscalateAfter   int // reminded this often and still behind: listed in the unit admins' digest (0: never)
	Message         string
	Enabled         bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// RowVersion counts the rule's revisions (its ETag): every replace moves it on.
	RowVersion int64 `gorm:"default:1"`
}

// TableName pins the table.
func (Rule) TableName() string { return "reminder_rules" }

// Units is what rules need from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Campaigns is what rules need from campaigns.
type Campaigns interface {
	Facts(ctx context.Context, id int64) (*credit.CampaignFacts, error)
}

var (
	errRuleNotFound = apperr.NotFound("reminder_rule.not_found", "提醒规则不存在")
	errRuleUnit     = apperr.Invalid("reminder_rule.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	errRuleCampaign = apperr.Invalid("reminder_rule.campaign_not_found", "学法活动不存在", apperr.Field("campaign_id", "学法活动不存在或不覆盖该单位"))
)

var validChannels = []string{ChannelInbox, ChannelSMS, ChannelWeChat}

// clockPattern reports whether s is a time of day HH:MM.
func clockPattern(s string) bool {
	_, err := time.Parse("15:04", s)
	return err == nil && len(s) == 5
}

// RuleInput is a rule's editable content.
type RuleInput struct {
	CampaignID      int64
	UnitID          int64
	Kind            string
	LagStatus       credit.Pace
	SendAt          string
	Channels        []string
	QuietStart      string
	QuietEnd        string
	MinIntervalDays int
	WithinDays      int
	EscalateAfter   int
	Message         string
	Enabled         bool
}

func (in *RuleInput) validate() error {
	var fields []apperr.FieldError
	if !slices.Contains(ruleKinds, in.Kind) {
		fields = append(fields, apperr.Field("kind", "取值必须是: "+strings.Join(ruleKinds, " ")))
	}
	if in.WithinDays == 0 && in.Kind == KindExamClosing {
		in.WithinDays = DefaultWithinDays
	}
	if in.LagStatus == "" {
		in.LagStatus = credit.Lagging
	}
	if in.LagStatus != credit.Lagging && in.LagStatus != credit.FarBehind {
		fields = append(fields, apperr.Field("lag_status", "取值必须是: lagging far_behind"))
	}
	if !clockPattern(in.SendAt) {
		fields = append(fields, apperr.Field("send_at", "应为 HH:MM（北京时间）"))
	}
	if (in.QuietStart == "") != (in.QuietEnd == "") || (in.QuietStart != "" && (!clockPattern(in.QuietStart) || !clockPattern(in.QuietEnd))) {
		fields = append(fields, apperr.Field("quiet_start", "免打扰时段须同时给出开始和结束，格式 HH:MM"))
	}
	if len(in.Channels) == 0 {
		in.Channels = []string{ChannelInbox}
	}
	for i, ch := range in.Channels {
		if !slices.Contains(validChannels, ch) {
			fields = append(fields, apperr.Field(fmt.Sprintf("channels[%d]", i), "取值必须是: inbox sms wechat"))
		}
	}
	if len(fields) > 0 {
		return apperr.Invalid("request.validation", "请求参数有误", fields...)
	}
	return nil
}

// checkRulePlacement keeps a rule's unit inside the actor's subtree and its campaign covering it.
func (s *Service) checkRulePlacement(ctx context.Context, actor auth.Actor, in RuleInput) error {
	u, err := s.Units.Lookup(ctx, in.UnitID)
	if err != nil || !actor.Covers(u.Path) {
		return errRuleUnit
	}
	c, err := s.Campaigns.Facts(ctx, in.CampaignID)
	if err != nil || !(strings.HasPrefix(u.Path, c.UnitPath) || strings.HasPrefix(c.UnitPath, u.Path)) {
		return errRuleCampaign
	}
	return nil
}

func (in RuleInput) toRule() Rule {
	return Rule{CampaignID: in.CampaignID, UnitID: in.UnitID, Kind: in.Kind, LagStatus: in.LagStatus, SendAt: in.SendAt,
		Channels: strings.Join(in.Channels, ","), QuietStart: in.QuietStart, QuietEnd: in.QuietEnd,
		MinIntervalDays: in.MinIntervalDays, WithinDays: in.WithinDays, EscalateAfter: in.EscalateAfter, Message: strings.TrimSpace(in.Message), Enabled: in.Enabled}
}

// SaveRule creates (id 0) or replaces a rule of the actor's subtree; a replace only if the rule
// is still at a revision ifMatch accepts.
func (s *Service) SaveRule(ctx context.Context, actor auth.Actor, id int64, in RuleInput, ifMatch etag.IfMatch) (*RuleRow, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := s.checkRulePlacement(ctx, actor, in); err != nil {
		return nil, err
	}
	r := in.toRule()
	var out *RuleRow
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if id > 0 {
			cur, err := s.lockRule(ctx, actor, id)
			if err != nil {
				return err
			}
			if err := ifMatch.CheckRow(cur.ID, cur.RowVersion); err != nil {
				return err
			}
			// Save writes every column: the next revision of the row as locked.
			r.ID, r.RowVersion = id, cur.RowVersion+1
		}
		if err := s.Store.SaveRule(ctx, &r, s.now()); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: "reminder_rule.save", ResourceType: "reminder_rule", ResourceID: r.ID, Outcome: audit.Success}); err != nil {
			return err
		}
		var err error
		out, err = s.Store.Rule(ctx, r.ID)
		return err
	})
	return out, err
}

// rule loads a rule of the actor's subtree.
func (s *Service) rule(ctx context.Context, actor auth.Actor, id int64) (*RuleRow, error) {
	r, err := s.Store.Rule(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(r.UnitPath)) {
		return nil, errRuleNotFound
	}
	return r, err
}

// lockRule locks a rule of the actor's subtree until the transaction ends and loads it. A
// replace must not run past a concurrent delete: Save would insert the deleted rule again.
func (s *Service) lockRule(ctx context.Context, actor auth.Actor, id int64) (*RuleRow, error) {
	if err := s.Store.LockRule(ctx, id); errors.Is(err, ErrNotFound) {
		return nil, errRuleNotFound
	} else if err != nil {
		return nil, err
	}
	return s.rule(ctx, actor, id)
}

// Rule returns a rule of the actor's subtree.
func (s *Service) Rule(ctx context.Context, actor auth.Actor, id int64) (*RuleRow, error) {
	return s.rule(ctx, actor, id)
}

// Rules lists the rules of the actor's subtree.
func (s *Service) Rules(ctx context.Context, actor auth.Actor) ([]RuleRow, error) {
	return s.Store.Rules(ctx, actor.UnitPath, false)
}

// DeleteRule removes a rule of the actor's subtree, if it is still at a revision ifMatch accepts.
func (s *Service) DeleteRule(ctx context.Context, actor auth.Actor, id int64, ifMatch etag.IfMatch) error {
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		cur, err := s.lockRule(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := ifMatch.CheckRow(cur.ID, cur.RowVersion); err != nil {
			return err
		}
		if err := s.Store.DeleteRule(ctx, id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: "reminder_rule.delete", ResourceType: "reminder_rule", ResourceID: id, Outcome: audit.Success})
	})
}

// RunDue runs every enabled rule whose send time has come today (Asia/Shanghai) and that has
// not run today. Each run is claimed by inserting a job_runs row, so with several replicas (or
// schedulers) only one runs it.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	now := s.now()
	local := now.In(clock.Shanghai())
	today, hm := local.Format(time.DateOnly), local.Format("15:04")
	rules, err := s.Store.Rules(ctx, "/", true)
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, r := range rules {
		if hm < r.SendAt {
			continue
		}
		claimed, err := s.Store.ClaimRun(ctx, fmt.Sprintf("reminder_rule:%d", r.ID), today, now)
		if err != nil {
			return ran, err
		}
		if !claimed {
			continue
		}
		if err := s.runRule(ctx, r, now); err != nil {
			s.Log.ErrorContext(ctx, "reminder rule failed", "rule_id", r.ID, "error", err.Error())
			continue
		}
		ran++
	}
	return ran, nil
}

// runRule creates the rule's reminders (throttled per learner) and the escalation digest.
func (s *Service) runRule(ctx context.Context, r RuleRow, now time.Time) error {
	system := auth.Actor{Name: "reminder-rule", Role: auth.RoleAdmin, UnitID: r.UnitID, UnitPath: r.UnitPath}
	targets, err := s.ruleTargets(ctx, system, r, now)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(targets))
	for _, t := range targets {
		ids = append(ids, t.learnerID)
	}
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		recent, err := s.Store.RemindedByRuleSince(ctx, r.ID, ids, now.AddDate(0, 0, -max(r.MinIntervalDays, 1)))
		if err != nil {
			return err
		}
		ruleID := r.ID
		var reminders []*Reminder
		var reminded []target
		for _, t := range targets {
			if recent[t.learnerID] {
				continue
			}
			msg := t.message
			if r.Message != "" {
				msg = r.Message
			}
			reminders = append(reminders, &Reminder{LearnerID: t.learnerID, AccountID: t.accountID, CampaignID: r.CampaignID, RuleID: &ruleID,
				Message: msg, CreditsAt: int64(t.credits), LagAt: int64(t.lag), CreatedAt: now})
			reminded = append(reminded, t)
		}
		if err := s.Store.Create(ctx, reminders, strings.Split(r.Channels, ","), afterQuietHours(r.Rule, now)); err != nil {
			return err
		}
		if err := s.emitLagging(ctx, r, reminded, reminders); err != nil {
			return err
		}
		if r.EscalateAfter > 0 && r.Kind == KindCreditsLagging {
			return s.escalate(ctx, r, ids, now)
		}
		return nil
	})
}

func (s *Service) ruleTargets(ctx context.Context, system auth.Actor, r RuleRow, now time.Time) ([]target, error) {
	switch r.Kind {
	case KindExamClosing:
		pending, err := s.Exams.ClosingUnattempted(ctx, r.CampaignID, r.UnitPath, now, time.Duration(r.WithinDays)*24*time.Hour)
		return examTargets(pending, "考试《%s》将于 %s 截止，您尚未完成，请抓紧时间参加。"), err
	case KindMakeUp:
		pending, err := s.Exams.MakeUpEligible(ctx, r.CampaignID, r.UnitPath, now)
		return examTargets(pending, "补考《%s》已开放（%s 截止），请按时参加。"), err
	}
	if r.Kind == KindEventTomorrow {
		tomorrow := now.In(clock.Shanghai()).AddDate(0, 0, 1)
		from := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 0, 0, 0, 0, clock.Shanghai())
		rows, err := s.Store.RegisteredForEvents(ctx, r.CampaignID, r.UnitPath, from, from.AddDate(0, 0, 1))
		if err != nil {
			return nil, err
		}
		out := make([]target, 0, len(rows))
		for _, e := range rows {
			out = append(out, target{learnerID: e.LearnerID, accountID: e.AccountID,
				message: fmt.Sprintf("您报名的活动《%s》将于明天 %s 在%s举行，请准时参加并扫码签到。", e.Title, e.StartsAt.In(clock.Shanghai()).Format("15:04"), e.VenueName)})
		}
		return out, nil
	}
	return s.targets(ctx, system, ManualInput{CampaignID: r.CampaignID, UnitID: r.UnitID, Status: r.LagStatus})
}

// afterQuietHours is when deliveries created at now may go out: now, or the end of the rule's
// quiet hours when now falls inside them (a window may span midnight, e.g. 22:00–07:00).
func afterQuietHours(r Rule, now time.Time) time.Time {
	if r.QuietStart == "" {
		return now
	}
	local := now.In(clock.Shanghai())
	hm := local.Format("15:04")
	inside := r.QuietStart <= r.QuietEnd && hm >= r.QuietStart && hm < r.QuietEnd ||
		r.QuietStart > r.QuietEnd && (hm >= r.QuietStart || hm < r.QuietEnd)
	if !inside {
		return now
	}
	end, _ := time.Parse("15:04", r.QuietEnd)
	at := time.Date(local.Year(), local.Month(), local.Day(), end.Hour(), end.Minute(), 0, 0, clock.Shanghai())
	if !at.After(local) {
		at = at.AddDate(0, 0, 1)
	}
	return at.UTC()
}

// escalate puts, in each unit's admins' inbox, the learners this rule reminded at least
// EscalateAfter times who are still behind.
func (s *Service) escalate(ctx context.Context, r RuleRow, stillBehind []int64, now time.Time) error {
	counts, err := s.Store.RuleReminderCounts(ctx, r.ID, stillBehind, int64(r.EscalateAfter))
	if err != nil {
		return err
	}
	byUnit := map[int64][]string{}
	for _, c := range counts {
		byUnit[c.UnitID] = append(byUnit[c.UnitID], fmt.Sprintf("%s（已提醒 %d 次）", c.Name, c.Times))
	}
	for unitID, names := range byUnit {
		admins, err := s.Store.UnitAdmins(ctx, unitID)
		if err != nil {
			return err
		}
		body := fmt.Sprintf("以下学员经多次提醒学分仍然落后，请重点督促：%s", strings.Join(names, "、"))
		for _, a := range admins {
			if err := s.Store.CreateMessage(ctx, &Message{AccountID: a, Title: "督学汇总", Body: truncateRunes(body, 1000), CreatedAt: now}); err != nil {
				return err
			}
		}
	}
	return nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// examTargets turns exam reminders into targets; format takes the exam title and its close
// time (Asia/Shanghai). A learner pending on several exams gets one reminder, for the first.
func examTargets(pending []exam.Pending, format string) []target {
	seen := map[int64]bool{}
	out := make([]target, 0, len(pending))
	for _, p := range pending {
		if seen[p.LearnerID] {
			continue
		}
		seen[p.LearnerID] = true
		out = append(out, target{learnerID: p.LearnerID, accountID: p.AccountID,
			message: fmt.Sprintf(format, p.Title, p.ClosesAt.In(clock.Shanghai()).Format("1月2日 15:04"))})
	}
	return out
}
