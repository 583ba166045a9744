package credit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
)

var errNoCampaign = apperr.NotFound("campaign.not_found", "没有进行中的学法活动")

// Standing is a learner's position in a campaign: what they have, what they need, how they
// compare and why.
type Standing struct {
	Campaign     *CampaignFacts
	Learner      *LearnerFacts
	Summary      Summary
	Target       Amount
	Expected     Amount // what the calendar expects by today (linear over the campaign days)
	Rank         int64  // in the learner's unit, 1 = most credits
	UnitLearners int64
	Explanation  []string
}

// MyStanding is the learner's own standing in a campaign (campaignID 0: the newest running one
// of their unit). It is one statement (the learner with their summary): the campaign's facts
// and the running campaigns are kept per replica, and so are the unit's places
// (unit_places.go); a learner's account is in the learner's unit (see MyEntries).
func (s *Service) MyStanding(ctx context.Context, actor auth.Actor, campaignID int64) (*Standing, error) {
	if campaignID == 0 {
		running, err := s.campaigns.ActiveFor(ctx, actor.UnitPath)
		if err != nil {
			return nil, err
		}
		if len(running) == 0 {
			return nil, errNoCampaign
		}
		campaignID = running[0].ID
	}
	row, err := s.store.standingByAccount(ctx, actor.AccountID, campaignID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotALearner
	}
	if err != nil {
		return nil, err
	}
	return s.standingIn(ctx, row, campaignID)
}

// LearnerStanding is a learner's standing for an admin who owns them.
func (s *Service) LearnerStanding(ctx context.Context, actor auth.Actor, learnerID, campaignID int64) (*Standing, error) {
	row, err := s.store.standingByLearner(ctx, learnerID, campaignID)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(row.UnitPath)) {
		return nil, errLearnerNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.standingIn(ctx, row, campaignID)
}

func (s *Service) ownedLearner(ctx context.Context, actor auth.Actor, learnerID int64) (*LearnerFacts, error) {
	learner, err := s.store.Learner(ctx, learnerID)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(learner.UnitPath)) {
		return nil, errLearnerNotFound
	}
	return learner, err
}

// campaignFor loads a campaign that learners of the unit at unitPath take part in (organised
// at or above it).
func (s *Service) campaignFor(ctx context.Context, unitPath string, campaignID int64) (*CampaignFacts, error) {
	c, err := s.campaigns.Facts(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(unitPath, c.UnitPath) {
		return nil, apperr.NotFound("campaign.not_found", "学法活动不存在")
	}
	return c, nil
}

// standingIn is the standing of a learner's row in a campaign they take part in.
func (s *Service) standingIn(ctx context.Context, row *standingRow, campaignID int64) (*Standing, error) {
	c, err := s.campaignFor(ctx, row.UnitPath, campaignID)
	if err != nil {
		return nil, err
	}
	return s.standingFrom(ctx, c, row)
}

// standingFrom turns a learner's row into their standing in campaign c, with their place in
// the unit.
func (s *Service) standingFrom(ctx context.Context, c *CampaignFacts, row *standingRow) (*Standing, error) {
	places, err := s.placesIn(ctx, c.ID, row.UnitID)
	if err != nil {
		return nil, err
	}
	learner := row.LearnerFacts
	st := &Standing{Campaign: c, Learner: &learner, Target: c.Targets[learner.Track], Summary: row.summary(c.ID)}
	ranked := int64(len(places.Totals))
	st.Rank = places.ahead(st.Summary.Total) + 1
	if st.Summary.Total == 0 {
		// Learners without credits share the last place after everyone ranked.
		st.Rank = ranked + 1
	}
	st.UnitLearners = max(places.Learners, ranked)
	st.Expected = c.Rules.Expected(st.Target, c.StartDate, c.EndDate, s.now())
	st.Explanation = explain(st)
	return st, nil
}

// Expected is the share of target the calendar expects by now, counting Asia/Shanghai days
// inclusively (the whole target on the last day): linear is target × elapsed / total days;
// front-loaded expects more early on: target × (1 − (1 − elapsed/total)²).
func (r Rules) Expected(target Amount, start, end string, now time.Time) Amount {
	from, err1 := time.ParseInLocation(time.DateOnly, start, clock.Shanghai())
	to, err2 := time.ParseInLocation(time.DateOnly, end, clock.Shanghai())
	if err1 != nil || err2 != nil || target <= 0 {
		return 0
	}
	today, _ := time.ParseInLocation(time.DateOnly, Day(now), clock.Shanghai())
	total := int64(to.Sub(from).Hours()/24) + 1
	elapsed := int64(today.Sub(from).Hours()/24) + 1
	elapsed = min(max(elapsed, 0), total)
	if r.PaceCurve == PaceFrontLoaded {
		left := total - elapsed
		return Amount(int64(target) * (total*total - left*left) / (total * total))
	}
	return Amount(int64(target) * elapsed / total)
}

// Pace of a learner against the calendar.
type Pace string // @name CreditPace

// Paces: lagging when the lag exceeds LagPercent of the target, far behind at three times that.
const (
	OnPace    Pace = "on_pace"
	Lagging   Pace = "lagging"
	FarBehind Pace = "far_behind"
	Completed Pace = "completed"
)

// defaultLagPercent is the lag threshold of rules that name none.
const defaultLagPercent = 10

// WithDefaults is the rules as they apply: an unnamed pace curve is linear, an unset lag
// threshold 10 %. Responses show these, never an empty value.
func (r Rules) WithDefaults() Rules {
	if r.PaceCurve == "" {
		r.PaceCurve = PaceLinear
	}
	if r.LagPercent <= 0 {
		r.LagPercent = defaultLagPercent
	}
	return r
}

// Thresholds returns the lag beyond which a learner is lagging, and far behind.
func (r Rules) Thresholds(target Amount) (lagging, farBehind Amount) {
	lagging = Amount(int64(target) * int64(r.WithDefaults().LagPercent) / 100)
	return lagging, 3 * lagging
}

// PaceOf classifies a total against what is expected.
func (r Rules) PaceOf(total, target, expected Amount) Pace {
	lagging, far := r.Thresholds(target)
	switch lag := expected - total; {
	case target > 0 && total >= target:
		return Completed
	case lag > far:
		return FarBehind
	case lag > lagging:
		return Lagging
	}
	return OnPace
}

// explain says in plain words how the number was made.
func explain(st *Standing) []string {
	r := st.Campaign.Rules
	lines := []string{fmt.Sprintf("「%s」%s类目标 %s 学分，已得 %s 学分（%.1f%%）。", st.Campaign.Name, trackLabel(st.Learner.Track),
		st.Target, st.Summary.Total, Percent(st.Summary.Total, st.Target))}
	for _, src := range Sources() {
		got := st.Summary.BySource()[src]
		rule := ruleText(r, src)
		if got == 0 && rule == "" {
			continue
		}
		line := fmt.Sprintf("%s：%s 学分", src.Label(), got)
		if rule != "" {
			line += "（" + rule + "）"
		}
		lines = append(lines, line+"。")
	}
	lines = append(lines, paceText(st))
	lines = append(lines, fmt.Sprintf("在本单位 %d 名学员中排第 %d 名。", st.UnitLearners, st.Rank))
	return lines
}

// paceText says where the learner stands against the calendar in the same terms as the
// standing's pace, so the sentence and the field never disagree.
func paceText(st *Standing) string {
	r := st.Campaign.Rules
	lagging, far := r.Thresholds(st.Target)
	lag := st.Expected - st.Summary.Total
	head := fmt.Sprintf("按活动日历，今天应达到 %s 学分", st.Expected)
	switch r.PaceOf(st.Summary.Total, st.Target, st.Expected) {
	case Completed:
		return head + "，已完成目标。"
	case FarBehind:
		return fmt.Sprintf("%s，目前落后 %s 学分，超过 %s 学分，属严重落后。", head, lag, far)
	case Lagging:
		return fmt.Sprintf("%s，目前落后 %s 学分，超过允许的 %s 学分，属进度落后。", head, lag, lagging)
	}
	if lag > 0 {
		return fmt.Sprintf("%s，还差 %s 学分，未超过允许的 %s 学分，进度正常。", head, lag, lagging)
	}
	return head + "，进度正常。"
}

func ruleText(r Rules, src Source) string {
	per := map[Source]string{
		SourceStudy:    perText("每有效学习 1 分钟", r.StudyPerMinute),
		SourcePractice: perText("练习每答对 1 题", r.PracticePerCorrect),
		SourceExam:     perText("考试合格", r.ExamPass),
		SourceEvent:    perText("每参加 1 次活动", r.EventAttendance),
		SourceQuiz:     perText("每完成 1 轮竞猜", r.QuizPerPlay),
	}[src]
	if c := r.Cap(src); c > 0 {
		per += fmt.Sprintf("，每日上限 %s 学分", c)
	}
	return per
}

func perText(what string, a Amount) string {
	if a <= 0 {
		return ""
	}
	return fmt.Sprintf("%s得 %s 学分", what, a)
}

func trackLabel(t string) string {
	return map[string]string{"leader": "领航", "general": "普及", "judicial": "精准"}[t]
}

// MyEntries returns a page of the learner's own ledger in a campaign: one statement, as the
// campaign's facts are kept per replica and a learner's account is in the learner's unit (a move
// moves both, account.SyncLearnerProfile), so the actor's unit says which campaigns they take
// part in.
func (s *Service) MyEntries(ctx context.Context, actor auth.Actor, campaignID int64, offset, limit int) ([]Entry, int64, error) {
	if _, err := s.campaignFor(ctx, actor.UnitPath, campaignID); err != nil {
		return nil, 0, err
	}
	entries, total, err := s.store.EntriesByAccount(ctx, actor.AccountID, campaignID, offset, limit)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, errNotALearner
	}
	return entries, total, err
}
