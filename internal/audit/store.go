package audit

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// Store reads and appends audit rows.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Append inserts one row (inside the context's transaction if there is one).
func (s *Store) Append(ctx context.Context, l *Log) error {
	return database.Conn(ctx, s.db).Create(l).Error
}

// Filter narrows a listing.
type Filter struct {
	UnitPathPrefix string // "" = everything
	ActorID        int64
	Action         string
	ResourceType   string
	ResourceID     string
	Outcome        string
	From, To       *time.Time
	Offset, Limit  int
}

// List returns a page of rows, newest first, and the total matching.
func (s *Store) List(ctx context.Context, f Filter) ([]Log, int64, error) {
	q := database.Conn(ctx, s.db).Model(&Log{})
	if f.UnitPathPrefix != "" {
		q = q.Where("unit_path LIKE ?", f.UnitPathPrefix+"%")
	}
	if f.ActorID > 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ResourceType != "" {
		q = q.Where("resource_type = ?", f.ResourceType)
	}
	if f.ResourceID != "" {
		q = q.Where("resource_id = ?", f.ResourceID)
	}
	if f.Outcome != "" {
		q = q.Where("outcome = ?", f.Outcome)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Log
	err := q.Order("created_at DESC, id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error
	return rows, total, err
}
