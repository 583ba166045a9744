package lawreport

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no report matches.
var ErrNotFound = errors.New("law report not found")

// Store is the only place that queries reports.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// Row is a report with its learner (name and account) and the owning unit's path and name.
type Row struct {
	Report
	LearnerName      string
	LearnerAccountID int64
	UnitPath         string
	UnitName         string
}

// summaryColumns are what a listing reads: everything but the body.
const summaryColumns = "law_reports.id, law_reports.campaign_id, law_reports.learner_id, law_reports.unit_id, law_reports.title, " +
	"law_reports.attachments, law_reports.status, law_reports.score, law_reports.revision, law_reports.submitted_by, " +
	"law_reports.submitted_at, law_reports.reviewed_by, law_reports.reviewed_at, law_reports.created_at, law_reports.updated_at, " +
	"learners.name AS learner_name, learners.account_id AS learner_account_id, units.path AS unit_path, units.name AS unit_name"

func (s *Store) joined(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("law_reports").
		Select("law_reports.*, learners.name AS learner_name, learners.account_id AS learner_account_id, units.path AS unit_path, units.name AS unit_name").
		Joins("JOIN learners ON learners.id = law_reports.learner_id").
		Joins("JOIN units ON units.id = law_reports.unit_id")
}

// Create inserts a report.
func (s *Store) Create(ctx context.Context, r *Report) error { return s.conn(ctx).Create(r).Error }

// Get loads one report with its learner and unit.
func (s *Store) Get(ctx context.Context, id int64) (*Row, error) {
	var r Row
	err := s.joined(ctx).Where("law_reports.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// Lock locks a report's row until the transaction ends (MySQL; SQLite's single writer
// connection already serialises transactions).
func (s *Store) Lock(ctx context.Context, id int64) error {
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&Report{}).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// Transition writes cols only if the report is still in status from; false means another
// request moved it first.
func (s *Store) Transition(ctx context.Context, id int64, from Status, cols map[string]any) (bool, error) {
	res := s.conn(ctx).Model(&Report{}).Where("id = ? AND status = ?", id, from).Updates(cols)
	return res.RowsAffected == 1, res.Error
}

// AddReview appends a history entry.
func (s *Store) AddReview(ctx context.Context, r *Review) error { return s.conn(ctx).Create(r).Error }

// Reviews returns a report's history, oldest first.
func (s *Store) Reviews(ctx context.Context, reportID int64) ([]Review, error) {
	var out []Review
	err := s.conn(ctx).Where("report_id = ?", reportID).Order("id").Find(&out).Error
	return out, err
}

// Filter narrows a listing: an admin's subtree (PathPrefix) or one learner's reports.
type Filter struct {
	PathPrefix string
	LearnerID  int64
	CampaignID int64
	Status     Status
	Name       string
}

// List returns a page of reports without their bodies, newest submission first, and the total.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Row, int64, error) {
	q := s.joined(ctx).Select(summaryColumns)
	if f.PathPrefix != "" {
		q = q.Where("units.path LIKE ?", f.PathPrefix+"%")
	}
	if f.LearnerID > 0 {
		q = q.Where("law_reports.learner_id = ?", f.LearnerID)
	}
	if f.CampaignID > 0 {
		q = q.Where("law_reports.campaign_id = ?", f.CampaignID)
	}
	if f.Status != "" {
		q = q.Where("law_reports.status = ?", f.Status)
	}
	if f.Name != "" {
		q = q.Where("learners.name LIKE ? ESCAPE '!'", "%"+strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(f.Name)+"%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Row
	err := q.Order("law_reports.submitted_at DESC, law_reports.id DESC").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}
