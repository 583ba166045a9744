package learner

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no learner matches.
var ErrNotFound = errors.New("learner not found")

// Store is the only place that queries learners.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// Row is a learner with their unit's path and name.
type Row struct {
	Learner
	UnitPath string
	UnitName string
}

func (s *Store) withUnit(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("learners").
		Select("learners.*, units.path AS unit_path, units.name AS unit_name").
		Joins("JOIN units ON units.id = learners.unit_id")
}

// Create inserts a learner.
func (s *Store) Create(ctx context.Context, l *Learner) error { return s.conn(ctx).Create(l).Error }

// CreateBatch inserts many learners in one statement per batch (imports).
func (s *Store) CreateBatch(ctx context.Context, ls []*Learner) error {
	return s.conn(ctx).CreateInBatches(ls, insertBatch).Error
}

// GetRow loads one learner with their unit.
func (s *Store) GetRow(ctx context.Context, id int64) (*Row, error) {
	return s.takeRow(s.withUnit(ctx).Where("learners.id = ?", id))
}

// Lock loads one learner and locks the row until the transaction ends (MySQL; SQLite
// serialises transactions on its one connection). A locking read returns the latest row even
// when the transaction's snapshot is older.
func (s *Store) Lock(ctx context.Context, id int64) (*Learner, error) {
	var l Learner
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &l, err
}

// ByAccount loads the learner behind an account.
func (s *Store) ByAccount(ctx context.Context, accountID int64) (*Row, error) {
	return s.takeRow(s.withUnit(ctx).Where("learners.account_id = ?", accountID))
}

// ByIDCardIndex loads a learner by the blind index of their ID number.
func (s *Store) ByIDCardIndex(ctx context.Context, index string) (*Learner, error) {
	var l Learner
	err := s.conn(ctx).Where("id_card_index = ?", index).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &l, err
}

func (s *Store) takeRow(q *gorm.DB) (*Row, error) {
	var r Row
	err := q.Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// Update writes the given columns as the learner's next revision.
func (s *Store) Update(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Learner{}).Where("id = ?", id).Updates(database.NextRevision(cols)).Error
}

// Filter narrows a listing.
type Filter struct {
	PathPrefix string
	Track      Track
	Status     Status
	Name       string
}

func (s *Store) filtered(ctx context.Context, f Filter) *gorm.DB {
	q := s.withUnit(ctx).Where("units.path LIKE ?", f.PathPrefix+"%")
	if f.Track != "" {
		q = q.Where("learners.track = ?", f.Track)
	}
	if f.Status != "" {
		q = q.Where("learners.status = ?", f.Status)
	}
	if f.Name != "" {
		q = q.Where("learners.name LIKE ? ESCAPE '!'", "%"+strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(f.Name)+"%")
	}
	return q
}

// List returns a page of learners with their units and the total matching.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Row, int64, error) {
	q := s.filtered(ctx, f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Row
	err := q.Order("learners.id").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// Each streams every matching learner in id order, a batch at a time (exports), paging by id so
// memory stays flat however many learners match.
func (s *Store) Each(ctx context.Context, f Filter, fn func([]Row) error) error {
	var after int64
	for {
		var rows []Row
		if err := s.filtered(ctx, f).Where("learners.id > ?", after).Order("learners.id").Limit(1000).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		if err := fn(rows); err != nil {
			return err
		}
		after = rows[len(rows)-1].ID
	}
}

// CountInUnit counts learners of a unit (keeps the unit from being deleted).
func (s *Store) CountInUnit(ctx context.Context, unitID int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Learner{}).Where("unit_id = ?", unitID).Count(&n).Error
	return n, err
}

// IDByName returns the id of the learner with this exact name (ErrNotFound when none).
func (s *Store) IDByName(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.conn(ctx).Model(&Learner{}).Where("name = ?", name).Order("id").Limit(1).Pluck("id", &id).Error
	if err == nil && id == 0 {
		return 0, ErrNotFound
	}
	return id, err
}

// ByExternalID loads the learner an HR system syncs by external id.
func (s *Store) ByExternalID(ctx context.Context, externalID string) (*Row, error) {
	return s.takeRow(s.withUnit(ctx).Where("learners.external_id = ?", externalID))
}
