package event

import (
	"context"
	"strings"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/unit"
)

// TypeStats are the figures of one event type.
type TypeStats struct {
	Type       Type
	Events     int64
	Registered int64
	Attended   int64
}

// ReachStats are 送法 figures for one venue type.
type ReachStats struct {
	VenueType string
	Events    int64
	Reached   int64
}

// UnitStats are a direct sub-unit's figures.
type UnitStats struct {
	UnitID   int64
	Name     string
	Events   int64
	Attended int64
}

// Stats are the numbers the county reports upward.
type Stats struct {
	Unit    *unit.Unit
	ByType  []TypeStats
	Reach   []ReachStats
	ByUnit  []UnitStats
	Summary TypeStats // all types together
}

type statsRow struct {
	Key      string
	Path     string
	Events   int64
	Count    int64
	Attended int64
}

// Stats counts published and finished events of a unit's subtree (default: the actor's unit),
// optionally in one campaign.
func (s *Service) Stats(ctx context.Context, actor auth.Actor, campaignID, unitID int64) (*Stats, error) {
	if unitID == 0 {
		unitID = actor.UnitID
	}
	u, err := s.Units.Lookup(ctx, unitID)
	if err != nil || !actor.Covers(u.Path) {
		return nil, apperr.BadRequest("request.invalid_query", "查询参数有误", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	}
	rows, err := s.Store.StatsRows(ctx, u.Path, campaignID)
	if err != nil {
		return nil, err
	}
	st := &Stats{Unit: u, ByType: []TypeStats{}, Reach: []ReachStats{}, ByUnit: []UnitStats{}}
	byType := map[Type]*TypeStats{}
	for _, t := range Types() {
		st.ByType = append(st.ByType, TypeStats{Type: t})
	}
	for i := range st.ByType {
		byType[st.ByType[i].Type] = &st.ByType[i]
	}
	for _, r := range rows.byType {
		t := byType[Type(r.Key)]
		if t == nil {
			continue
		}
		t.Events, t.Registered, t.Attended = r.Events, r.Count, r.Attended
		st.Summary.Events += r.Events
		st.Summary.Registered += r.Count
		st.Summary.Attended += r.Attended
	}
	for _, r := range rows.reach {
		st.Reach = append(st.Reach, ReachStats{VenueType: r.Key, Events: r.Events, Reached: r.Count})
	}
	children, err := s.Store.Children(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range children {
		us := UnitStats{UnitID: c.ID, Name: c.Name}
		for _, r := range rows.byUnit {
			if strings.HasPrefix(r.Path, c.Path) {
				us.Events += r.Events
				us.Attended += r.Attended
			}
		}
		st.ByUnit = append(st.ByUnit, us)
	}
	return st, nil
}
