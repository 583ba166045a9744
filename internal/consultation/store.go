package consultation

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no consultation matches.
var ErrNotFound = errors.New("consultation not found")

// Store is the only place that queries consultations.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// Row is a consultation with its campaign's organiser unit (whose admins answer).
type Row struct {
	Consultation
	UnitID   int64
	UnitPath string
}

func (s *Store) joined(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("consultations").
		Select("consultations.*, campaigns.unit_id AS unit_id, units.path AS unit_path").
		Joins("JOIN campaigns ON campaigns.id = consultations.campaign_id").
		Joins("JOIN units ON units.id = campaigns.unit_id")
}

// Create inserts a consultation.
func (s *Store) Create(ctx context.Context, c *Consultation) error {
	return s.conn(ctx).Create(c).Error
}

// AskedWithKey returns the id of the consultation the asker sent with the Idempotency-Key key
// (ErrNotFound when none).
func (s *Store) AskedWithKey(ctx context.Context, askerID int64, key string) (int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&Consultation{}).Where("asker_id = ? AND idempotency_key = ?", askerID, key).Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, ErrNotFound
	}
	return ids[0], nil
}

// Get loads one consultation with its organiser unit.
func (s *Store) Get(ctx context.Context, id int64) (*Row, error) {
	var r Row
	err := s.joined(ctx).Where("consultations.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// FirstAnswer writes cols only if nobody has answered yet; false means someone did first.
func (s *Store) FirstAnswer(ctx context.Context, id int64, cols map[string]any) (bool, error) {
	res := s.conn(ctx).Model(&Consultation{}).Where("id = ? AND answered_at IS NULL", id).Updates(cols)
	return res.RowsAffected == 1, res.Error
}

// Update writes the given columns.
func (s *Store) Update(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Consultation{}).Where("id = ?", id).Updates(cols).Error
}

// Filter narrows a listing: an admin's subtree of organiser units (PathPrefix) or one asker's.
type Filter struct {
	PathPrefix string
	AskerID    int64
	CampaignID int64
	Status     Status
}

// List returns a page of consultations, newest first, and the total.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Row, int64, error) {
	q := s.joined(ctx)
	if f.PathPrefix != "" {
		q = q.Where("units.path LIKE ?", f.PathPrefix+"%")
	}
	if f.AskerID > 0 {
		q = q.Where("consultations.asker_id = ?", f.AskerID)
	}
	if f.CampaignID > 0 {
		q = q.Where("consultations.campaign_id = ?", f.CampaignID)
	}
	if f.Status != "" {
		q = q.Where("consultations.status = ?", f.Status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Row
	err := q.Order("consultations.created_at DESC, consultations.id DESC").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}
