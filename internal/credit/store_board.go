package credit

import (
	"context"
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

// TopLearners returns the learners with the most credits in a subtree (summary rows only).
func (s *Store) TopLearners(ctx context.Context, campaignID int64, path, track string, limit int) ([]BoardLearner, error) {
	q := s.conn(ctx).Table("credit_summaries").
		Select("credit_summaries.learner_id, learners.name, units.name AS unit_name, credit_summaries.track, credit_summaries.total").
		Joins("JOIN units ON units.id = credit_summaries.unit_id").
		Joins("JOIN learners ON learners.id = credit_summaries.learner_id").
		Where("credit_summaries.campaign_id = ? AND units.path LIKE ?", campaignID, path+"%")
	if track != "" {
		q = q.Where("credit_summaries.track = ?", track)
	}
	var out []BoardLearner
	err := q.Order("credit_summaries.total DESC, credit_summaries.learner_id").Limit(limit).Find(&out).Error
	return out, err
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
	Path      string
	Learners  int64
	Completed int64
	Sum       Amount
}

// SubUnitStandings rolls the subtree's per-unit figures up to the direct sub-units of u (and u
// itself for learners placed directly in it), ranked by completion rate then average.
func (s *Store) SubUnitStandings(ctx context.Context, campaignID int64, u *unit.Unit, targets map[string]Amount) ([]UnitStanding, error) {
	var learners []unitFigures
	if err := s.conn(ctx).Table("learners").Select("learners.unit_id, units.path, COUNT(*) AS learners").
		Joins("JOIN units ON units.id = learners.unit_id").
		Where("units.path LIKE ? AND learners.status = 'active'", u.Path+"%").
		Group("learners.unit_id, units.path").Find(&learners).Error; err != nil {
		return nil, err
	}
	var credits []unitFigures
	if err := s.conn(ctx).Table("credit_summaries").
		Select(`credit_summaries.unit_id, units.path,
			SUM(CASE WHEN credit_summaries.total >= CASE credit_summaries.track WHEN 'leader' THEN ? WHEN 'judicial' THEN ? ELSE ? END THEN 1 ELSE 0 END) AS completed,
			SUM(credit_summaries.total) AS sum`, targets["leader"], targets["judicial"], targets["general"]).
		Joins("JOIN units ON units.id = credit_summaries.unit_id").
		Where("credit_summaries.campaign_id = ? AND units.path LIKE ?", campaignID, u.Path+"%").
		Group("credit_summaries.unit_id, units.path").Find(&credits).Error; err != nil {
		return nil, err
	}
	var children []unit.Unit
	if err := s.conn(ctx).Where("parent_id = ?", u.ID).Order("id").Find(&children).Error; err != nil {
		return nil, err
	}
	buckets := append([]unit.Unit{*u}, children...)
	byUnit := make(map[int64]*UnitStanding, len(buckets))
	out := make([]*UnitStanding, len(buckets))
	for i, b := range buckets {
		out[i] = &UnitStanding{UnitID: b.ID, Name: b.Name}
		byUnit[b.ID] = out[i]
	}
	bucketOf := func(path string) *UnitStanding {
		for _, c := range children {
			if strings.HasPrefix(path, c.Path) {
				return byUnit[c.ID]
			}
		}
		return byUnit[u.ID]
	}
	for _, f := range learners {
		bucketOf(f.Path).Learners += f.Learners
	}
	for _, f := range credits {
		b := bucketOf(f.Path)
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
