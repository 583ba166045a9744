package yearend

import (
	"context"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// Report is a unit's year report of a campaign: its figures, its own learners' and each
// sub-unit's, live ("if the year ended now") or from the close's snapshot.
type Report struct {
	Campaign *campaign.Row
	Unit     unitRef
	Formula  Formula
	// CloseNo is the close whose snapshot the figures come from (0: live, as of AsOf).
	CloseNo    int
	SnapshotAt *time.Time
	AsOf       time.Time
	Breakdown
	// Results are the learners' results the figures sum (for the per-learner list), and
	// UnitNames the names of their units.
	Results   []Result
	UnitNames map[int64]string
}

// Frozen reports whether the figures come from a close's snapshot.
func (r *Report) Frozen() bool { return r.CloseNo > 0 }

// ExamCounted reports whether the formula counts an exam (else the exam figures are empty).
func (r *Report) ExamCounted() bool { return r.Formula.ExamWeight > 0 && r.Formula.ExamID != nil }

// reportScope resolves a report's campaign and unit, as the results list does: a campaign the
// actor sees (organised in their subtree, or at or above their unit: a township reports on the
// county's campaign for its own people), and a unit of their subtree (default: their own);
// anything else is 404. A unit outside the campaign's audience reports no learners.
func (s *Service) reportScope(ctx context.Context, actor auth.Actor, campaignID, unitID int64) (*campaign.Row, unitRef, error) {
	c, err := s.seenCampaign(ctx, actor, campaignID)
	if err != nil {
		return nil, unitRef{}, err
	}
	if unitID == 0 {
		unitID = actor.UnitID
	}
	u, err := s.store.reportUnit(ctx, unitID)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(u.Path)) {
		return nil, u, errUnitNotFound
	}
	return c, u, err
}

// Report is the year report of a unit (0: the actor's) in a campaign.
func (s *Service) Report(ctx context.Context, actor auth.Actor, campaignID, unitID int64) (*Report, error) {
	c, u, err := s.reportScope(ctx, actor, campaignID, unitID)
	if err != nil {
		return nil, err
	}
	rep := &Report{Campaign: c, Unit: u, AsOf: s.now()}
	if rep.CloseNo, rep.Results, err = s.SubtreeResults(ctx, c, u.Path); err != nil {
		return nil, err
	}
	if rep.Formula, err = s.reportFormula(ctx, rep); err != nil {
		return nil, err
	}
	children, err := s.store.childUnits(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if rep.UnitNames, err = s.store.subtreeUnitNames(ctx, u.Path); err != nil {
		return nil, err
	}
	if err := s.nameMovedUnits(ctx, rep); err != nil {
		return nil, err
	}
	rep.Breakdown = aggregate(u, children, rep.UnitNames, rep.Results, rep.ExamCounted())
	return rep, nil
}

// reportFormula is the formula the figures follow: the one the close froze, or the current one.
func (s *Service) reportFormula(ctx context.Context, rep *Report) (Formula, error) {
	if !rep.Frozen() {
		return s.FormulaOf(ctx, rep.Campaign.ID)
	}
	cl, err := s.store.closeNumbered(ctx, rep.Campaign.ID, rep.CloseNo)
	if err != nil {
		return Formula{}, err
	}
	rep.SnapshotAt = cl.FinishedAt
	if rep.SnapshotAt != nil {
		rep.AsOf = *rep.SnapshotAt
	}
	return cl.FrozenFormula()
}

// nameMovedUnits adds the names of units that snapshot rows name but that are no longer in the
// subtree (moved or deleted since the close).
func (s *Service) nameMovedUnits(ctx context.Context, rep *Report) error {
	missing := map[int64]bool{}
	for i := range rep.Results {
		r := &rep.Results[i]
		if _, ok := rep.UnitNames[r.UnitID]; !ok {
			missing[r.UnitID] = true
		}
		if child, ok := childOf(rep.Unit.Path, r.UnitPath); ok {
			if _, named := rep.UnitNames[child]; !named {
				missing[child] = true
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(missing))
	for id := range missing {
		ids = append(ids, id)
	}
	names, err := s.store.unitNames(ctx, ids)
	for id, name := range names {
		rep.UnitNames[id] = name
	}
	return err
}

// Figures are the year's figures of one unit's subtree (or of the learners attached to the unit
// itself): what a county's 年度学法考核 report lists per unit.
type Figures struct {
	UnitID   int64
	UnitName string
	// Direct marks the row of the learners attached to the report's unit itself rather than to
	// one of its sub-units (shown only when there are any, so the sub-unit rows add up to the total).
	Direct       bool
	Learners     int           // 应参学: every learner of the campaign's audience in the subtree
	Participants int           // 参学: learners with any credit
	Met          int           // 达标
	Credits      credit.Amount // sum of the learners' credits
	Scores       credit.Amount // sum of the learners' 年度成绩
	// Exam figures count only when the formula counts an exam: 应参考 are the learners not
	// exempt from it, 参考 those of them who sat it (main or make-up), 通过 those who passed.
	ExamExpected int
	ExamSat      int
	ExamPassed   int
	examPercents float64 // sum of the sat learners' exam scores on a 100-point scale
	Rank         int     // sub-units only, 1 = best; 0: not ranked (no learners, or not a sub-unit)
}

// MetRate is 达标率: the percent of learners who met the target, one decimal (truncated, like the
// dashboard's completion rate).
func (f Figures) MetRate() float64 { return figRate(f.Met, f.Learners) }

// AverageCredits is 平均学分 (truncated to the hundredth, like the dashboard's average).
func (f Figures) AverageCredits() credit.Amount { return figAverage(f.Credits, f.Learners) }

// AverageScore is the mean 年度成绩.
func (f Figures) AverageScore() credit.Amount { return figAverage(f.Scores, f.Learners) }

// ExamAbsent is 未参加: learners expected at the exam who did not sit it.
func (f Figures) ExamAbsent() int { return f.ExamExpected - f.ExamSat }

// PassRate is 及格率: the percent of those who sat the exam who passed it; nil when nobody sat it.
func (f Figures) PassRate() *float64 {
	if f.ExamSat == 0 {
		return nil
	}
	r := figRate(f.ExamPassed, f.ExamSat)
	return &r
}

// AverageExamScore is 平均分 of those who sat the exam, on a 100-point scale (score / full score ×
// 100, so a make-up with another full score counts alike), one decimal rounded half up; nil when
// nobody sat it.
func (f Figures) AverageExamScore() *float64 {
	if f.ExamSat == 0 {
		return nil
	}
	avg := math.Floor(f.examPercents/float64(f.ExamSat)*10+0.5) / 10
	return &avg
}

func figRate(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(int64(n)*1000/int64(of)) / 10
}

func figAverage(sum credit.Amount, n int) credit.Amount {
	if n == 0 {
		return 0
	}
	return credit.Amount(int64(sum) / int64(n))
}

// add counts one learner's result in the figures.
func (f *Figures) add(r *Result, examCounted bool) {
	f.Learners++
	f.Credits += r.Credits
	f.Scores += r.Score
	if r.Credits > 0 {
		f.Participants++
	}
	if r.Met {
		f.Met++
	}
	if !examCounted || r.Exempt {
		return
	}
	f.ExamExpected++
	if r.ExamID == nil || r.ExamScore == nil {
		return
	}
	f.ExamSat++
	if r.ExamPassed != nil && *r.ExamPassed {
		f.ExamPassed++
	}
	pct := *r.ExamScore
	if r.ExamMaxScore != nil && *r.ExamMaxScore > 0 {
		pct = *r.ExamScore / *r.ExamMaxScore * 100
	}
	f.examPercents += pct
}

// unitRef is a unit of a report's scope.
type unitRef struct {
	ID   int64
	Path string
	Name string
}

// Breakdown is a unit's figures, the direct learners' and each sub-unit's (ranked).
type Breakdown struct {
	Total    Figures
	Direct   *Figures  // nil when no learner is attached to the unit itself
	SubUnits []Figures // ranked best first; units without learners last, unranked
}

// aggregate sums the results of the unit's subtree into the unit's figures and one row per
// direct sub-unit (each over its whole subtree). A result belongs to the sub-unit named by the
// first id of its unit path below the unit's path, so a sub-unit that is no longer a child (moved
// or deleted since a close) still gets a row, named from names if known. Results outside the
// unit's subtree are ignored.
func aggregate(u unitRef, children []unitRef, names map[int64]string, results []Result, examCounted bool) Breakdown {
	b := Breakdown{Total: Figures{UnitID: u.ID, UnitName: u.Name}}
	direct := Figures{UnitID: u.ID, UnitName: u.Name, Direct: true}
	subs := map[int64]*Figures{}
	order := []int64{}
	for _, c := range children {
		subs[c.ID] = &Figures{UnitID: c.ID, UnitName: c.Name}
		order = append(order, c.ID)
	}
	for i := range results {
		r := &results[i]
		if !strings.HasPrefix(r.UnitPath, u.Path) {
			continue
		}
		b.Total.add(r, examCounted)
		child, ok := childOf(u.Path, r.UnitPath)
		if !ok {
			direct.add(r, examCounted)
			continue
		}
		f := subs[child]
		if f == nil {
			f = &Figures{UnitID: child, UnitName: names[child]}
			subs[child] = f
			order = append(order, child)
		}
		f.add(r, examCounted)
	}
	if direct.Learners > 0 {
		b.Direct = &direct
	}
	b.SubUnits = make([]Figures, 0, len(order))
	for _, id := range order {
		b.SubUnits = append(b.SubUnits, *subs[id])
	}
	rankUnits(b.SubUnits)
	return b
}

// childOf is the id of the direct sub-unit of the unit at parent that the unit at path lies in
// (false when path is the parent itself).
func childOf(parent, path string) (int64, bool) {
	rest := strings.TrimPrefix(path, parent)
	seg, _, _ := strings.Cut(rest, "/")
	if seg == "" {
		return 0, false
	}
	id, err := strconv.ParseInt(seg, 10, 64)
	return id, err == nil
}

// rankUnits orders sub-units by 达标率, then 平均学分 (both compared exactly, not on the rounded
// figures), best first; equal units share a rank (1, 2, 2, 4). Units without learners have no
// rate: they come last, unranked, by id.
func rankUnits(fs []Figures) {
	better := func(a, b Figures) int { // >0: a ranks above b
		if d := int64(a.Met)*int64(b.Learners) - int64(b.Met)*int64(a.Learners); d != 0 {
			return cmpSign(d)
		}
		return cmpSign(int64(a.Credits)*int64(b.Learners) - int64(b.Credits)*int64(a.Learners))
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if (a.Learners == 0) != (b.Learners == 0) {
			return b.Learners == 0
		}
		if a.Learners == 0 {
			return a.UnitID < b.UnitID
		}
		if c := better(a, b); c != 0 {
			return c > 0
		}
		return a.UnitID < b.UnitID
	})
	for i := range fs {
		switch {
		case fs[i].Learners == 0:
			fs[i].Rank = 0
		case i > 0 && fs[i-1].Learners > 0 && better(fs[i-1], fs[i]) == 0:
			fs[i].Rank = fs[i-1].Rank
		default:
			fs[i].Rank = i + 1
		}
	}
}

func cmpSign(d int64) int {
	switch {
	case d > 0:
		return 1
	case d < 0:
		return -1
	}
	return 0
}
