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

type learnerCount struct {
	Path  string
	Track string
	N     int64
}

// LearnerCounts counts active learners per unit and track in a subtree.
func (s *Store) LearnerCounts(ctx context.Context, path string) ([]learnerCount, error) {
	var out []learnerCount
	err := s.conn(ctx).Table("learners").Select("units.path AS path, learners.track AS track, COUNT(*) AS n").
		Joins("JOIN units ON units.id = learners.unit_id").
		Where("units.path LIKE ? AND learners.status = 'active'", path+"%").
		Group("units.path, learners.track").Find(&out).Error
	return out, err
}

type summaryFigures struct {
	Path      string
	Track     string
	Ranked    int64
	Sum       int64
	Completed int64
	Active    int64
	Lagging   int64
	FarBehind int64
}

// Bounds are per-track targets and the totals under which a learner is lagging / far behind.
type Bounds struct {
	Targets     trackValues
	LagBelow    trackValues // expected − lagging threshold
	FarBelow    trackValues // expected − far-behind threshold
	ActiveSince time.Time
}

// SummaryFigures aggregates the summary rows of a subtree's active learners per unit and track.
func (s *Store) SummaryFigures(ctx context.Context, campaignID int64, path string, b Bounds) ([]summaryFigures, error) {
	target, targetArgs := caseTrack("credit_summaries.track", b.Targets)
	lag, lagArgs := caseTrack("credit_summaries.track", b.LagBelow)
	far, farArgs := caseTrack("credit_summaries.track", b.FarBelow)
	sel := "units.path AS path, credit_summaries.track AS track, COUNT(*) AS ranked, SUM(credit_summaries.total) AS sum, " +
		"SUM(CASE WHEN credit_summaries.total >= " + target + " THEN 1 ELSE 0 END) AS completed, " +
		"SUM(CASE WHEN credit_summaries.last_activity_at >= ? THEN 1 ELSE 0 END) AS active, " +
		"SUM(CASE WHEN credit_summaries.total < " + lag + " AND credit_summaries.total >= " + far + " AND credit_summaries.total < " + target + " THEN 1 ELSE 0 END) AS lagging, " +
		"SUM(CASE WHEN credit_summaries.total < " + far + " AND credit_summaries.total < " + target + " THEN 1 ELSE 0 END) AS far_behind"
	args := append(append([]any{}, targetArgs...), b.ActiveSince)
	args = append(append(append(append(args, lagArgs...), farArgs...), targetArgs...), farArgs...)
	args = append(args, targetArgs...)
	var out []summaryFigures
	err := s.conn(ctx).Table("credit_summaries").Select(sel, args...).
		Joins("JOIN learners ON learners.id = credit_summaries.learner_id").
		Joins("JOIN units ON units.id = credit_summaries.unit_id").
		Where("credit_summaries.campaign_id = ? AND units.path LIKE ? AND learners.status = 'active'", campaignID, path+"%").
		Group("units.path, credit_summaries.track").Find(&out).Error
	return out, err
}

type pathCount struct {
	Path string
	N    int64
}

// Attendees counts, per unit of a subtree, the learners who attended any event of the campaign.
func (s *Store) Attendees(ctx context.Context, campaignID int64, path string) ([]pathCount, error) {
	var out []pathCount
	err := s.conn(ctx).Table("event_attendance").Select("units.path AS path, COUNT(DISTINCT event_attendance.learner_id) AS n").
		Joins("JOIN events ON events.id = event_attendance.event_id").
		Joins("JOIN learners ON learners.id = event_attendance.learner_id").
		Joins("JOIN units ON units.id = learners.unit_id").
		Where("events.campaign_id = ? AND units.path LIKE ?", campaignID, path+"%").
		Group("units.path").Find(&out).Error
	return out, err
}

// DayAmount is what a subtree earned on one day.
type DayAmount struct {
	Day    string
	Amount credit.Amount
}

// Series is what a subtree's learners earned per day of the campaign so far.
func (s *Store) Series(ctx context.Context, campaignID int64, path string) ([]DayAmount, error) {
	var out []DayAmount
	err := s.conn(ctx).Table("credit_unit_daily").Select("credit_unit_daily.day AS day, SUM(credit_unit_daily.amount) AS amount").
		Joins("JOIN units ON units.id = credit_unit_daily.unit_id").
		Where("credit_unit_daily.campaign_id = ? AND units.path LIKE ?", campaignID, path+"%").
		Group("credit_unit_daily.day").Order("credit_unit_daily.day").Find(&out).Error
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
	err := q.Select("learners.id AS learner_id, learners.account_id, learners.name, learners.unit_id, units.name AS unit_name, learners.track, " +
		"COALESCE(credit_summaries.total, 0) AS total, credit_summaries.last_activity_at").
		Order(gorm.Expr("("+exp+" - COALESCE(credit_summaries.total, 0)) DESC, learners.id", expArgs...)).
		Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}
