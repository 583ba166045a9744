package credit

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/xuefa/xuefa/internal/unit"
)

// BoardLearner is one row of the learner ranking.
type BoardLearner struct {
	LearnerID int64
	Name      string
	UnitName  string
	Track     string
	Total     Amount
}

// Scope is the subtree a leaderboard covers: its units, loaded once per board (a range of the
// unique path index).
type Scope struct {
	Units []ScopeUnit // by id
	byID  map[int64]ScopeUnit
}

// ScopeUnit is one unit of a board's subtree.
type ScopeUnit struct {
	ID       int64
	ParentID *int64
	Name     string
	Path     string
}

// Scope loads the units under (and including) the unit at path.
func (s *Store) Scope(ctx context.Context, path string) (*Scope, error) {
	sc := &Scope{}
	if err := s.conn(ctx).Table("units").Select("id, parent_id, name, path").Where("path LIKE ?", path+"%").
		Order("id").Find(&sc.Units).Error; err != nil {
		return nil, err
	}
	sc.byID = make(map[int64]ScopeUnit, len(sc.Units))
	for _, u := range sc.Units {
		sc.byID[u.ID] = u
	}
	return sc, nil
}

func (sc *Scope) ids() []int64 {
	out := make([]int64, len(sc.Units))
	for i, u := range sc.Units {
		out[i] = u.ID
	}
	return out
}

// boardRow is a summary as the rankings read it.
type boardRow struct {
	LearnerID int64
	UnitID    int64
	Track     string
	Total     Amount
}

// byBoardOrder ranks by total, most first, then by learner id.
func byBoardOrder(a, b boardRow) int {
	if a.Total != b.Total {
		return cmp.Compare(b.Total, a.Total)
	}
	return cmp.Compare(a.LearnerID, b.LearnerID)
}

// TopLearners returns the learners with the most credits in the scope (summary rows only),
// ranked by total then learner id. A wide scope (the county) is answered by reading the
// campaign's (campaign_id, total) index from the top and keeping the scope's rows, which stops
// after a few hundred entries instead of sorting every summary of the subtree; a narrow scope,
// where that read finds too few, sorts the scope's own rows from the (campaign_id, unit_id,
// total, track) index instead. Both cost a bounded number of index entries.
func (s *Store) TopLearners(ctx context.Context, campaignID int64, scope *Scope, track string, limit int) ([]BoardLearner, error) {
	rows, ok, err := s.topFromCampaign(ctx, campaignID, scope, track, limit)
	if err != nil {
		return nil, err
	}
	if !ok {
		q := s.conn(ctx).Table("credit_summaries").Select("learner_id, unit_id, track, total").
			Where("campaign_id = ? AND unit_id IN ?", campaignID, scope.ids())
		if track != "" {
			q = q.Where("track = ?", track)
		}
		if err := q.Order("total DESC, learner_id").Limit(limit).Find(&rows).Error; err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return []BoardLearner{}, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.LearnerID
	}
	var names []struct {
		ID   int64
		Name string
	}
	if err := s.conn(ctx).Table("learners").Select("id, name").Where("id IN ?", ids).Find(&names).Error; err != nil {
		return nil, err
	}
	nameOf := make(map[int64]string, len(names))
	for _, n := range names {
		nameOf[n.ID] = n.Name
	}
	out := make([]BoardLearner, 0, len(rows))
	for _, r := range rows {
		name, ok := nameOf[r.LearnerID]
		if !ok {
			continue // as the join did: a summary without its learner row is not shown
		}
		out = append(out, BoardLearner{LearnerID: r.LearnerID, Name: name, UnitName: scope.byID[r.UnitID].Name, Track: r.Track, Total: r.Total})
	}
	return out, nil
}

// topFromCampaign reads the campaign's best summaries in index order (total descending, ties by
// learner id descending, which every engine reads backwards off an ascending index) and keeps
// those of the scope and track. Only totals read in full are trusted: the last total's ties
// may continue past the read, so they are dropped unless the read reached the end. ok is false
// when fewer than limit rows are certain; the caller then asks the scope's units directly.
func (s *Store) topFromCampaign(ctx context.Context, campaignID int64, scope *Scope, track string, limit int) ([]boardRow, bool, error) {
	n := min(max(50*limit, 500), 5000)
	var rows []boardRow
	if err := s.conn(ctx).Table("credit_summaries").Select("learner_id, unit_id, track, total").
		Where("campaign_id = ?", campaignID).Order("total DESC, learner_id DESC").Limit(n).Find(&rows).Error; err != nil {
		return nil, false, err
	}
	complete := len(rows) < n
	if !complete {
		last := rows[len(rows)-1].Total
		for len(rows) > 0 && rows[len(rows)-1].Total == last {
			rows = rows[:len(rows)-1]
		}
	}
	slices.SortStableFunc(rows, byBoardOrder)
	out := make([]boardRow, 0, limit)
	for _, r := range rows {
		if _, in := scope.byID[r.UnitID]; !in || (track != "" && r.Track != track) {
			continue
		}
		if out = append(out, r); len(out) == limit {
			return out, true, nil
		}
	}
	return out, complete, nil
}

// UnitStanding is one unit's figures in a campaign.
type UnitStanding struct {
	UnitID    int64
	Name      string
	Learners  int64
	Completed int64
	Sum       Amount
}

// Rate is the completion rate in percent (one decimal).
func (u UnitStanding) Rate() float64 {
	if u.Learners == 0 {
		return 0
	}
	return float64(u.Completed*1000/u.Learners) / 10
}

// Average is the mean credits per learner.
func (u UnitStanding) Average() Amount {
	if u.Learners == 0 {
		return 0
	}
	return Amount(int64(u.Sum) / u.Learners)
}

type unitFigures struct {
	UnitID    int64
	Learners  int64
	Completed int64
	Sum       Amount
}

// SubUnitStandings rolls the scope's per-unit figures up to the direct sub-units of u (and u
// itself for learners placed directly in it), ranked by completion rate then average. Both
// aggregates group by unit id over the scope's unit ids, reading indexes only ((unit_id,
// status) of learners, (campaign_id, unit_id, total, track) of summaries, joined to the
// learner's primary key for the status); their cost grows with the number of learners in the
// scope, which is why the service caches the result for a short time (standings_key.go).
func (s *Store) SubUnitStandings(ctx context.Context, campaignID int64, u *unit.Unit, scope *Scope, targets map[string]Amount) ([]UnitStanding, error) {
	ids := scope.ids()
	var learners []unitFigures
	if err := s.conn(ctx).Table("learners").Select("unit_id, COUNT(*) AS learners").
		Where("unit_id IN ? AND status = 'active'", ids).Group("unit_id").Find(&learners).Error; err != nil {
		return nil, err
	}
	var credits []unitFigures
	// Credits of learners who left count nowhere, as they count in no unit's learners.
	if err := s.conn(ctx).Table("credit_summaries").
		Select(`credit_summaries.unit_id AS unit_id,
			SUM(CASE WHEN credit_summaries.total >= CASE credit_summaries.track WHEN 'leader' THEN ? WHEN 'judicial' THEN ? ELSE ? END THEN 1 ELSE 0 END) AS completed,
			SUM(credit_summaries.total) AS sum`, targets["leader"], targets["judicial"], targets["general"]).
		Joins("JOIN learners ON learners.id = credit_summaries.learner_id").
		Where("credit_summaries.campaign_id = ? AND credit_summaries.unit_id IN ? AND learners.status = 'active'", campaignID, ids).
		Group("credit_summaries.unit_id").Find(&credits).Error; err != nil {
		return nil, err
	}
	var children []ScopeUnit
	for _, c := range scope.Units { // by id
		if c.ParentID != nil && *c.ParentID == u.ID {
			children = append(children, c)
		}
	}
	out := make([]*UnitStanding, 0, len(children)+1)
	out = append(out, &UnitStanding{UnitID: u.ID, Name: u.Name})
	byUnit := map[int64]*UnitStanding{u.ID: out[0]}
	for _, c := range children {
		out = append(out, &UnitStanding{UnitID: c.ID, Name: c.Name})
		byUnit[c.ID] = out[len(out)-1]
	}
	bucketOf := func(unitID int64) *UnitStanding {
		path := scope.byID[unitID].Path
		for _, c := range children {
			if strings.HasPrefix(path, c.Path) {
				return byUnit[c.ID]
			}
		}
		return byUnit[u.ID]
	}
	for _, f := range learners {
		bucketOf(f.UnitID).Learners += f.Learners
	}
	for _, f := range credits {
		b := bucketOf(f.UnitID)
		b.Completed += f.Completed
		b.Sum += f.Sum
	}
	result := make([]UnitStanding, 0, len(out))
	for _, b := range out {
		if b.UnitID == u.ID && b.Learners == 0 {
			continue // no learners placed directly in the unit itself
		}
		result = append(result, *b)
	}
	sort.SliceStable(result, func(i, j int) bool {
		if result[i].Rate() != result[j].Rate() {
			return result[i].Rate() > result[j].Rate()
		}
		return result[i].Average() > result[j].Average()
	})
	return result, nil
}
