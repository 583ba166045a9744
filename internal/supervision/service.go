package supervision

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/ttlcache"
	"github.com/xuefa/xuefa/internal/unit"
)

var (
	errUnitNotFound     = apperr.NotFound("unit.not_found", "单位不存在")
	errCampaignNotFound = apperr.NotFound("campaign.not_found", "学法活动不存在")
)

// Units is what supervision needs from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Campaigns is what supervision needs from campaigns.
type Campaigns interface {
	Facts(ctx context.Context, id int64) (*credit.CampaignFacts, error)
}

// Reminders counts the reminders learners already got (wired once reminders exist, since the
// reminder package builds on this one).
type Reminders interface {
	CountsFor(ctx context.Context, campaignID int64, learnerIDs []int64) (map[int64]int64, error)
}

// Service computes dashboards and lagging lists.
type Service struct {
	store     *Store
	units     Units
	campaigns Campaigns
	reminders Reminders
	now       func() time.Time
	cache     *ttlcache.Cache[[]Figures]
}

// UseReminders lets lagging lists show how often each learner was already reminded.
func (s *Service) UseReminders(r Reminders) { s.reminders = r }

// NewService builds the service; dashboards' figures are kept for figuresTTL (0: computed on
// every request, see figures_key.go).
func NewService(store *Store, units Units, campaigns Campaigns, now func() time.Time, figuresTTL time.Duration) *Service {
	return &Service{store: store, units: units, campaigns: campaigns, now: now, cache: ttlcache.New(figuresTTL, now, cloneFigures)}
}

// Figures are one unit's (or subtree's) numbers in a campaign.
type Figures struct {
	UnitID    int64
	Name      string
	Learners  int64
	ByTrack   map[string]int64
	Active7d  int64
	Sum       credit.Amount
	Completed int64
	OnPace    int64
	Lagging   int64
	FarBehind int64
	Attendees int64
	// ExamTakers finished an exam of the campaign; ExamPassed passed one.
	ExamTakers int64
	ExamPassed int64
}

// Average is the mean credits per learner.
func (f Figures) Average() credit.Amount {
	if f.Learners == 0 {
		return 0
	}
	return credit.Amount(int64(f.Sum) / f.Learners)
}

// CompletionRate is the percent of learners at or above their target (one decimal).
func (f Figures) CompletionRate() float64 { return rate(f.Completed, f.Learners) }

func rate(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n*1000/of) / 10
}

// Dashboard is a unit's dynamic analysis of a campaign.
type Dashboard struct {
	Campaign *credit.CampaignFacts
	Expected map[string]credit.Amount // by track, today
	Total    Figures
	SubUnits []Figures
	Series   []DayAmount
	// FiguresAsOf is when Total and SubUnits were computed (they are kept for a short time).
	FiguresAsOf time.Time
}

// scope resolves the unit (default the actor's) and the campaign, both inside the actor's reach:
// the campaign must be organised in the unit's subtree or above it.
func (s *Service) scope(ctx context.Context, actor auth.Actor, unitID, campaignID int64) (*unit.Unit, *credit.CampaignFacts, error) {
	if unitID == 0 {
		unitID = actor.UnitID
	}
	u, err := s.units.Lookup(ctx, unitID)
	if err != nil || !actor.Covers(u.Path) {
		return nil, nil, errUnitNotFound
	}
	c, err := s.campaigns.Facts(ctx, campaignID)
	if err != nil || !(strings.HasPrefix(u.Path, c.UnitPath) || strings.HasPrefix(c.UnitPath, u.Path)) {
		return nil, nil, errCampaignNotFound
	}
	return u, c, nil
}

// bounds turns the campaign's rules into today's per-track figures.
func (s *Service) bounds(c *credit.CampaignFacts) (Bounds, map[string]credit.Amount) {
	now := s.now()
	b := Bounds{Targets: trackValues{}, LagBelow: trackValues{}, FarBelow: trackValues{}, ActiveSince: now.Add(-7 * 24 * time.Hour)}
	expected := map[string]credit.Amount{}
	for _, track := range []string{"leader", "general", "judicial"} {
		target := c.Targets[track]
		exp := c.Rules.Expected(target, c.StartDate, c.EndDate, now)
		lag, far := c.Rules.Thresholds(target)
		b.Targets[track], b.LagBelow[track], b.FarBelow[track], expected[track] = target, exp-lag, exp-far, exp
		if target == 0 {
			b.Targets[track] = math.MaxInt64 // nobody completes (or lags behind) a track without a target
		}
	}
	return b, expected
}

// Dashboard computes a unit's figures, its direct sub-units' and the daily series.
func (s *Service) Dashboard(ctx context.Context, actor auth.Actor, unitID, campaignID int64) (*Dashboard, error) {
	u, c, err := s.scope(ctx, actor, unitID, campaignID)
	if err != nil {
		return nil, err
	}
	b, expected := s.bounds(c)
	children, err := s.store.Children(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	subtree, err := s.store.Subtree(ctx, u.Path)
	if err != nil {
		return nil, err
	}
	figures, asOf, err := s.cache.Get(ctx, figuresKey(c, u, children, subtree), func(ctx context.Context) ([]Figures, error) {
		return s.figures(ctx, c, u, children, subtree, b, expected)
	})
	if err != nil {
		return nil, err
	}
	series, err := s.store.Series(ctx, c.ID, unitIDs(subtree))
	if err != nil {
		return nil, err
	}
	return &Dashboard{Campaign: c, Expected: expected, Total: figures[0], SubUnits: figures[1:], Series: series, FiguresAsOf: asOf}, nil
}

func unitIDs(units []scopeUnit) []int64 {
	ids := make([]int64, len(units))
	for i, su := range units {
		ids[i] = su.ID
	}
	return ids
}

// figures computes the subtree's totals (index 0) and each child's, from grouped queries over
// the subtree's unit ids.
func (s *Service) figures(ctx context.Context, c *credit.CampaignFacts, u *unit.Unit, children []unit.Unit, subtree []scopeUnit, b Bounds, expected map[string]credit.Amount) ([]Figures, error) {
	ids := unitIDs(subtree)
	// The aggregates are independent reads outside any transaction: on their own connections
	// the root's two index scans (learners, summaries) overlap instead of adding up.
	var counts []learnerCount
	var sums []summaryFigures
	var attendees []unitCount
	var exams []examCount
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { counts, err = s.store.LearnerCounts(gctx, ids); return })
	g.Go(func() (err error) { sums, err = s.store.SummaryFigures(gctx, c.ID, ids, b); return })
	g.Go(func() (err error) { attendees, err = s.store.Attendees(gctx, c.ID, ids); return })
	g.Go(func() (err error) { exams, err = s.store.ExamTakers(gctx, c.ID, ids); return })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make([]Figures, 1+len(children))
	out[0] = Figures{UnitID: u.ID, Name: u.Name, ByTrack: map[string]int64{}}
	for i, ch := range children {
		out[i+1] = Figures{UnitID: ch.ID, Name: ch.Name, ByTrack: map[string]int64{}}
	}
	// buckets returns the figures a unit feeds: the subtree total and its child, if any.
	bucketsOf := make(map[int64][]*Figures, len(subtree))
	for _, su := range subtree {
		fs := []*Figures{&out[0]}
		for i, ch := range children {
			if strings.HasPrefix(su.Path, ch.Path) {
				fs = append(fs, &out[i+1])
			}
		}
		bucketsOf[su.ID] = fs
	}
	buckets := func(unitID int64) []*Figures { return bucketsOf[unitID] }
	ranked := map[string]map[*Figures]int64{}
	for _, r := range sums {
		for _, f := range buckets(r.UnitID) {
			f.Sum += credit.Amount(r.Sum)
			f.Completed += r.Completed
			f.Active7d += r.Active
			f.Lagging += r.Lagging
			f.FarBehind += r.FarBehind
			if ranked[r.Track] == nil {
				ranked[r.Track] = map[*Figures]int64{}
			}
			ranked[r.Track][f] += r.Ranked
		}
	}
	for _, r := range counts {
		for _, f := range buckets(r.UnitID) {
			f.Learners += r.N
			f.ByTrack[r.Track] += r.N
		}
	}
	for _, r := range attendees {
		for _, f := range buckets(r.UnitID) {
			f.Attendees += r.N
		}
	}
	for _, r := range exams {
		for _, f := range buckets(r.UnitID) {
			f.ExamTakers += r.Took
			f.ExamPassed += r.Passed
		}
	}
	// Learners without a summary row have no credits yet: classify them once per track.
	for i := range out {
		f := &out[i]
		for track, n := range f.ByTrack {
			zero := n - ranked[track][f]
			if zero <= 0 {
				continue
			}
			switch c.Rules.PaceOf(0, c.Targets[track], expected[track]) {
			case credit.FarBehind:
				f.FarBehind += zero
			case credit.Lagging:
				f.Lagging += zero
			case credit.Completed:
				f.Completed += zero
			}
		}
		f.OnPace = f.Learners - f.Completed - f.Lagging - f.FarBehind
	}
	return out, nil
}

// Ranking ranks the direct sub-units of the actor's unit by completion rate, then average.
func (s *Service) Ranking(ctx context.Context, actor auth.Actor, campaignID int64) ([]Figures, error) {
	d, err := s.Dashboard(ctx, actor, 0, campaignID)
	if err != nil {
		return nil, err
	}
	ranked := append([]Figures(nil), d.SubUnits...)
	sort.SliceStable(ranked, func(i, j int) bool {
		if ranked[i].CompletionRate() != ranked[j].CompletionRate() {
			return ranked[i].CompletionRate() > ranked[j].CompletionRate()
		}
		return ranked[i].Average() > ranked[j].Average()
	})
	return ranked, nil
}

// LaggingInput asks for a lagging list.
type LaggingInput struct {
	UnitID     int64
	CampaignID int64
	Status     credit.Pace // lagging (includes far behind) or far_behind
	Offset     int
	Limit      int
}

// LaggingList is who is behind and by how much.
type LaggingList struct {
	Campaign *credit.CampaignFacts
	Expected map[string]credit.Amount
	Rows     []LaggingRow
	Total    int64
	Reminded map[int64]int64 // learner id → reminders already sent in the campaign
}

// laggingBound is, per track, the total under which a learner has the status (lagging includes
// far behind); completed learners are never behind, so each track is bounded by its target too.
func laggingBound(b Bounds, status credit.Pace) trackValues {
	below := b.LagBelow
	if status == credit.FarBehind {
		below = b.FarBelow
	}
	bound := trackValues{}
	for track, v := range below {
		bound[track] = min(v, b.Targets[track])
	}
	return bound
}

// AllLagging lists every learner of a unit's subtree with the status (lagging includes far
// behind), in learner id order, for jobs that act on all of them (reminder rules, the effect
// report). It scans by keyset pages of the learners' primary key; Total is the count and
// Reminded stays empty.
func (s *Service) AllLagging(ctx context.Context, actor auth.Actor, unitID, campaignID int64, status credit.Pace) (*LaggingList, error) {
	u, c, err := s.scope(ctx, actor, unitID, campaignID)
	if err != nil {
		return nil, err
	}
	subtree, err := s.store.Subtree(ctx, u.Path)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(subtree))
	for _, su := range subtree {
		names[su.ID] = su.Name
	}
	b, expected := s.bounds(c)
	bound := laggingBound(b, status)
	list := &LaggingList{Campaign: c, Expected: expected, Reminded: map[int64]int64{}}
	for after := int64(0); ; {
		page, err := s.store.LaggingPage(ctx, c.ID, bound, after, laggingScanPage)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			if name, in := names[r.UnitID]; in {
				r.UnitName = name
				list.Rows = append(list.Rows, r)
			}
		}
		if len(page) < laggingScanPage {
			list.Total = int64(len(list.Rows))
			return list, nil
		}
		after = page[len(page)-1].LearnerID
	}
}

// Lagging lists the learners of a unit's subtree who are behind the calendar, most behind first.
func (s *Service) Lagging(ctx context.Context, actor auth.Actor, in LaggingInput) (*LaggingList, error) {
	u, c, err := s.scope(ctx, actor, in.UnitID, in.CampaignID)
	if err != nil {
		return nil, err
	}
	b, expected := s.bounds(c)
	bound := laggingBound(b, in.Status)
	rows, total, err := s.store.Lagging(ctx, c.ID, u.Path, bound, expected, in.Offset, in.Limit)
	if err != nil {
		return nil, err
	}
	list := &LaggingList{Campaign: c, Expected: expected, Rows: rows, Total: total, Reminded: map[int64]int64{}}
	if s.reminders != nil && len(rows) > 0 {
		ids := make([]int64, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, r.LearnerID)
		}
		if list.Reminded, err = s.reminders.CountsFor(ctx, c.ID, ids); err != nil {
			return nil, err
		}
	}
	return list, nil
}
