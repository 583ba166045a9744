// Package supervision is 督学: per-unit dynamic analysis of a campaign (dashboards, unit
// rankings) and lagging detection, read from summary rows and per-unit aggregates, never the
// ledger.
package supervision

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/unit"
)

// Store holds the read queries; it joins other domains' tables read-only.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// trackValues are per-track figures passed into SQL CASE expressions.
type trackValues map[string]credit.Amount

// caseTrack is "CASE <col> WHEN 'leader' THEN ? WHEN 'judicial' THEN ? ELSE ? END" with its args.
func caseTrack(col string, v trackValues) (string, []any) {
	return "CASE " + col + " WHEN 'leader' THEN ? WHEN 'judicial' THEN ? ELSE ? END",
		[]any{int64(v["leader"]), int64(v["judicial"]), int64(v["general"])}
}

// scopeUnit is a unit of a dashboard's subtree.
type scopeUnit struct {
	ID   int64
	Path string
	Name string
}

// Subtree lists the units under (and including) the unit at path (a range of the path index).
// The dashboard's aggregates group by unit id over these ids and map them to paths in Go, so
// they read the learners' and summaries' unit indexes without joining units.
func (s *Store) Subtree(ctx context.Context, path string) ([]scopeUnit, error) {
	var out []scopeUnit
	err := s.conn(ctx).Table("units").Select("id, path, name").Where("path LIKE ?", path+"%").Order("id").Find(&out).Error
	return out, err
}

type learnerCount struct {
	UnitID int64
	Track  string
	N      int64
}

// LearnerCounts counts active learners per unit and track (index-only on (unit_id, status,
// track)).
func (s *Store) LearnerCounts(ctx context.Context, unitIDs []int64) ([]learnerCount, error) {
	var out []learnerCount
	err := s.conn(ctx).Table("learners").Select("unit_id, track, COUNT(*) AS n").
		Where("unit_id IN ? AND status = 'active'", unitIDs).
		Group("unit_id, track").Find(&out).Error
	return out, err
}

type summaryFigures struct {
	UnitID    int64
	Track     string
	Ranked    int64
	Sum       int64
	Completed int64
	Active    int64
	Lagging   int64
	FarBehind int64
}

// minus takes o's counts out of f.
func (f *summaryFigures) minus(o summaryFigures) {
	f.Ranked -= o.Ranked
	f.Sum -= o.Sum
	f.Completed -= o.Completed
	f.Active -= o.Active
	f.Lagging -= o.Lagging
	f.FarBehind -= o.FarBehind
}

// Bounds are per-track targets and the totals under which a learner is lagging / far behind.
type Bounds struct {
	Targets     trackValues
	LagBelow    trackValues // expected − lagging threshold
	FarBelow    trackValues // expected − far-behind threshold
	ActiveSince time.Time
}

// summarySelect is the per-(unit, track) aggregate of summary rows under the bounds.
func summarySelect(b Bounds) (string, []any) {
	target, targetArgs := caseTrack("credit_summaries.track", b.Targets)
	lag, lagArgs := caseTrack("credit_summaries.track", b.LagBelow)
	far, farArgs := caseTrack("credit_summaries.track", b.FarBelow)
	sel := "credit_summaries.unit_id AS unit_id, credit_summaries.track AS track, COUNT(*) AS ranked, SUM(credit_summaries.total) AS sum, " +
		"SUM(CASE WHEN credit_summaries.total >= " + target + " THEN 1 ELSE 0 END) AS completed, " +
		"SUM(CASE WHEN credit_summaries.last_activity_at >= ? THEN 1 ELSE 0 END) AS active, " +
		"SUM(CASE WHEN credit_summaries.total < " + lag + " AND credit_summaries.total >= " + far + " AND credit_summaries.total < " + target + " THEN 1 ELSE 0 END) AS lagging, " +
		"SUM(CASE WHEN credit_summaries.total < " + far + " AND credit_summaries.total < " + target + " THEN 1 ELSE 0 END) AS far_behind"
	args := append(append([]any{}, targetArgs...), b.ActiveSince)
	args = append(append(append(append(args, lagArgs...), farArgs...), targetArgs...), farArgs...)
	return sel, append(args, targetArgs...)
}

// SummaryFigures aggregates the summary rows of the units' active learners per unit and track.
// It aggregates every summary of the units from the (campaign_id, unit_id, total, track,
// last_activity_at) index alone, then takes out the summaries of learners who left, found
// through the learners' (unit_id, status) index: joining every summary to its learner for the
// status would cost a primary-key lookup per learner (about 1 s for a county of 100,000).
// Summaries follow their learner's unit (credit.Service.MoveLearner).
func (s *Store) SummaryFigures(ctx context.Context, campaignID int64, unitIDs []int64, b Bounds) ([]summaryFigures, error) {
	sel, args := summarySelect(b)
	var all []summaryFigures
	if err := s.conn(ctx).Table("credit_summaries").Select(sel, args...).
		Where("credit_summaries.campaign_id = ? AND credit_summaries.unit_id IN ?", campaignID, unitIDs).
		Group("credit_summaries.unit_id, credit_summaries.track").Find(&all).Error; err != nil {
		return nil, err
	}
	var left []summaryFigures
	if err := s.conn(ctx).Table("learners").Select(sel, args...).
		Joins("JOIN credit_summaries ON credit_summaries.learner_id = learners.id AND credit_summaries.campaign_id = ?", campaignID).
		Where("learners.unit_id IN ? AND learners.status <> 'active' AND credit_summaries.unit_id IN ?", unitIDs, unitIDs).
		Group("credit_summaries.unit_id, credit_summaries.track").Find(&left).Error; err != nil {
		return nil, err
	}
	type key struct {
		unit  int64
		track string
	}
	at := make(map[key]int, len(all))
	for i, f := range all {
		at[key{f.UnitID, f.Track}] = i
	}
	for _, l := range left {
		if i, ok := at[key{l.UnitID, l.Track}]; ok {
			all[i].minus(l)
		}
	}
	return all, nil
}

type unitCount struct {
	UnitID int64
	N      int64
}

// Attendees counts, per unit, the learners who attended any event of the campaign.
func (s *Store) Attendees(ctx context.Context, campaignID int64, unitIDs []int64) ([]unitCount, error) {
	var out []unitCount
	err := s.conn(ctx).Table("event_attendance").Select("learners.unit_id AS unit_id, COUNT(DISTINCT event_attendance.learner_id) AS n").
		Joins("JOIN events ON events.id = event_attendance.event_id").
		Joins("JOIN learners ON learners.id = event_attendance.learner_id").
		Where("events.campaign_id = ? AND learners.unit_id IN ?", campaignID, unitIDs).
		Group("learners.unit_id").Find(&out).Error
	return out, err
}

type examCount struct {
	UnitID int64
	Took   int64
	Passed int64
}

// ExamTakers counts, per unit, the active learners who finished any exam of the campaign, and
// those who passed any (a make-up pass counts). It reads exam_results, one row per learner and exam.
func (s *Store) ExamTakers(ctx context.Context, campaignID int64, unitIDs []int64) ([]examCount, error) {
	var out []examCount
	err := s.conn(ctx).Table("exam_results").
		Select("learners.unit_id AS unit_id, COUNT(DISTINCT exam_results.learner_id) AS took, "+
			"COUNT(DISTINCT CASE WHEN exam_results.passed = ? THEN exam_results.learner_id END) AS passed", true).
		Joins("JOIN exams ON exams.id = exam_results.exam_id").
		Joins("JOIN learners ON learners.id = exam_results.learner_id").
		Where("exams.campaign_id = ? AND learners.unit_id IN ? AND learners.status = ?", campaignID, unitIDs, "active").
		Group("learners.unit_id").Find(&out).Error
	return out, err
}

// DayAmount is what a subtree earned on one day.
type DayAmount struct {
	Day    string
	Amount credit.Amount
}

// Series is what the units' learners earned per day of the campaign so far.
func (s *Store) Series(ctx context.Context, campaignID int64, unitIDs []int64) ([]DayAmount, error) {
	var out []DayAmount
	err := s.conn(ctx).Table("credit_unit_daily").Select("day, SUM(amount) AS amount").
		Where("campaign_id = ? AND unit_id IN ?", campaignID, unitIDs).
		Group("day").Order("day").Find(&out).Error
	return out, err
}

// Children lists a unit's direct sub-units.
func (s *Store) Children(ctx context.Context, unitID int64) ([]unit.Unit, error) {
	var out []unit.Unit
	err := s.conn(ctx).Where("parent_id = ?", unitID).Order("id").Find(&out).Error
	return out, err
}

// LaggingRow is a learner behind the calendar.
type LaggingRow struct {
	LearnerID      int64
	AccountID      int64
	Name           string
	UnitID         int64
	UnitName       string
	Track          string
	Total          credit.Amount
	LastActivityAt *time.Time
}

// Lagging lists a subtree's active learners whose total is under the bound for their track
// (learners without credits count as zero), most behind first.
func (s *Store) Lagging(ctx context.Context, campaignID int64, path string, below, expected trackValues, offset, limit int) ([]LaggingRow, int64, error) {
	bound, boundArgs := caseTrack("learners.track", below)
	exp, expArgs := caseTrack("learners.track", expected)
	q := s.conn(ctx).Table("learners").
		Joins("JOIN units ON units.id = learners.unit_id").
		Joins("LEFT JOIN credit_summaries ON credit_summaries.learner_id = learners.id AND credit_summaries.campaign_id = ?", campaignID).
		Where("units.path LIKE ? AND learners.status = 'active'", path+"%").
		Where("COALESCE(credit_summaries.total, 0) < "+bound, boundArgs...)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []LaggingRow
	// The lag is selected and sorted by its alias: MariaDB 10.11 sorted by a wrong value when the
	// ORDER BY repeated the expression and learners were read from the covering (unit_id, status,
	// track) index (NULL-extended summaries came out as if they had credits).
	err := q.Select("learners.id AS learner_id, learners.account_id, learners.name, learners.unit_id, units.name AS unit_name, learners.track, "+
		"COALESCE(credit_summaries.total, 0) AS total, credit_summaries.last_activity_at, ("+exp+" - COALESCE(credit_summaries.total, 0)) AS lag", expArgs...).
		Order("lag DESC, learners.id").
		Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// laggingScanPage is how many learners one keyset page of a full lagging scan returns.
const laggingScanPage = 5000

// LaggingPage returns, in learner id order after afterID, up to limit active learners whose
// total is under the bound for their track (no summary: zero), with their unit. It walks the
// learners' primary key and looks each summary up by its own: a full scan costs one pass over
// the learners whatever the subtree, and no page re-sorts or re-counts what came before (an
// offset page sorted by lag would). The caller keeps the subtree's units.
func (s *Store) LaggingPage(ctx context.Context, campaignID int64, below trackValues, afterID int64, limit int) ([]LaggingRow, error) {
	bound, boundArgs := caseTrack("learners.track", below)
	var rows []LaggingRow
	err := s.conn(ctx).Table("learners").
		Select("learners.id AS learner_id, learners.account_id, learners.name, learners.unit_id, learners.track, "+
			"COALESCE(credit_summaries.total, 0) AS total, credit_summaries.last_activity_at").
		Joins("LEFT JOIN credit_summaries ON credit_summaries.learner_id = learners.id AND credit_summaries.campaign_id = ?", campaignID).
		Where("learners.id > ? AND learners.status = 'active'", afterID).
		Where("COALESCE(credit_summaries.total, 0) < "+bound, boundArgs...).
		Order("learners.id").Limit(limit).Find(&rows).Error
	return rows, err
}
