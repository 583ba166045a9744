package campaign

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no campaign matches.
var ErrNotFound = errors.New("campaign not found")

// Store is the only place that queries campaigns.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// Row is a campaign with its organiser unit's path and name.
type Row struct {
	Campaign
	UnitPath string
	UnitName string
}

func (s *Store) withUnit(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("campaigns").
		Select("campaigns.*, units.path AS unit_path, units.name AS unit_name").
		Joins("JOIN units ON units.id = campaigns.unit_id")
}

// Create inserts a campaign.
func (s *Store) Create(ctx context.Context, c *Campaign) error { return s.conn(ctx).Create(c).Error }

// Get loads one campaign with its unit.
func (s *Store) Get(ctx context.Context, id int64) (*Row, error) {
	var r Row
	err := s.withUnit(ctx).Where("campaigns.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// Lock loads one campaign and locks its row until the transaction ends (MySQL; SQLite
// serialises transactions on its one connection).
func (s *Store) Lock(ctx context.Context, id int64) (*Campaign, error) {
	var c Campaign
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &c, err
}

// Update writes the given columns.
func (s *Store) Update(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Campaign{}).Where("id = ?", id).Updates(database.NextRevision(cols)).Error
}

// Filter narrows a listing: an admin's subtree (PathPrefix), or a learner's ancestors
// (AncestorsOf: campaigns organised by the learner's unit or any unit above it).
type Filter struct {
	PathPrefix  string
	AncestorsOf string
	Status      Status
}

// List returns a page of campaigns, newest first, and the total.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Row, int64, error) {
	q := s.withUnit(ctx)
	if f.PathPrefix != "" {
		q = q.Where("units.path LIKE ?", f.PathPrefix+"%")
	}
	if f.AncestorsOf != "" {
		q = q.Where("? LIKE "+concatPercent(s.db), f.AncestorsOf)
	}
	if f.Status != "" {
		q = q.Where("campaigns.status = ?", f.Status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Row
	err := q.Order("campaigns.start_date DESC, campaigns.id DESC").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// concatPercent is "units.path || '%'" in the dialect: a learner's path starts with the
// organiser's path exactly when the organiser is the learner's unit or an ancestor.
func concatPercent(db *gorm.DB) string {
	if database.Dialect(db) == database.MySQL {
		return "CONCAT(units.path, '%')"
	}
	return "(units.path || '%')"
}
