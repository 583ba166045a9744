package reminder

import (
	"context"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// EffectWindow is how long a reminded learner has to catch up.
const EffectWindow = 7 * 24 * time.Hour

// Effect says whether reminders worked: of the learners first reminded at least EffectWindow
// ago, how many have since earned at least the lag they had when reminded; and, to compare, how
// many learners are behind today without ever having been reminded.
type Effect struct {
	Reminded         int64
	CaughtUp         int64
	Waiting          int64 // reminded less than EffectWindow ago: too early to tell
	LaggingUnreached int64
}

// Effect measures the reminders of a campaign in a unit's subtree (default: the actor's unit).
func (s *Service) Effect(ctx context.Context, actor auth.Actor, campaignID, unitID int64) (*Effect, error) {
	if unitID == 0 {
		unitID = actor.UnitID
	}
	u, err := s.Units.Lookup(ctx, unitID)
	if err != nil || !actor.Covers(u.Path) {
		return nil, apperr.NotFound("unit.not_found", "单位不存在")
	}
	c, err := s.Campaigns.Facts(ctx, campaignID)
	if err != nil || !(strings.HasPrefix(u.Path, c.UnitPath) || strings.HasPrefix(c.UnitPath, u.Path)) {
		return nil, apperr.NotFound("campaign.not_found", "学法活动不存在")
	}
	firsts, err := s.Store.FirstReminders(ctx, campaignID, u.Path)
	if err != nil {
		return nil, err
	}
	out := &Effect{}
	reminded := map[int64]bool{}
	cutoff := s.now().Add(-EffectWindow)
	for _, f := range firsts {
		reminded[f.LearnerID] = true
		if f.CreatedAt.After(cutoff) {
			out.Waiting++
			continue
		}
		out.Reminded++
		if f.TotalNow >= f.CreditsAt+f.LagAt {
			out.CaughtUp++
		}
	}
	list, err := s.Lagging.AllLagging(ctx, actor, u.ID, campaignID, credit.Lagging)
	if err != nil {
		return nil, err
	}
	for _, r := range list.Rows {
		if !reminded[r.LearnerID] {
			out.LaggingUnreached++
		}
	}
	return out, nil
}
