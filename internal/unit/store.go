package unit

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no unit matches.
var ErrNotFound = errors.New("unit not found")

// Store is the only place that queries units.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// Create inserts u under parent (nil for a root) and sets its path and depth.
func (s *Store) Create(ctx context.Context, u *Unit, parent *Unit) error {
	return database.WithTx(ctx, s.db, func(ctx context.Context) error {
		// The path needs the new id, so insert with a unique placeholder first.
		u.Path = "/new/" + u.Code + "/"
		u.Depth = 0
		if parent != nil {
			u.ParentID = &parent.ID
			u.Depth = parent.Depth + 1
		}
		if err := s.conn(ctx).Create(u).Error; err != nil {
			return err
		}
		prefix := "/"
		if parent != nil {
			prefix = parent.Path
		}
		u.Path = prefix + strconv.FormatInt(u.ID, 10) + "/"
		return s.conn(ctx).Model(u).Update("path", u.Path).Error
	})
}

// Get loads one unit.
func (s *Store) Get(ctx context.Context, id int64) (*Unit, error) {
	return s.first(s.conn(ctx).Where("id = ?", id))
}

// GetForUpdate loads one unit and locks its row until the transaction ends (MySQL).
func (s *Store) GetForUpdate(ctx context.Context, id int64) (*Unit, error) {
	return s.first(s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id))
}

// Root returns the root unit with the smallest id, or ErrNotFound on an empty database.
func (s *Store) Root(ctx context.Context) (*Unit, error) {
	return s.first(s.conn(ctx).Where("parent_id IS NULL").Order("id"))
}

func (s *Store) first(q *gorm.DB) (*Unit, error) {
	var u Unit
	err := q.Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &u, err
}

// Filter narrows a listing to a subtree and optional conditions.
type Filter struct {
	PathPrefix string
	ParentID   *int64
	Kind       Kind
	Query      string // substring of name or code
}

func (s *Store) filtered(ctx context.Context, f Filter) *gorm.DB {
	q := s.conn(ctx).Model(&Unit{}).Where("path LIKE ?", f.PathPrefix+"%")
	if f.ParentID != nil {
		q = q.Where("parent_id = ?", *f.ParentID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		q = q.Where("(name LIKE ? ESCAPE '!' OR code LIKE ? ESCAPE '!')", like, like)
	}
	return q
}

// List returns a page of units in path order and the total matching.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Unit, int64, error) {
	q := s.filtered(ctx, f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var units []Unit
	err := q.Order("depth, id").Offset(offset).Limit(limit).Find(&units).Error
	return units, total, err
}

// Subtree returns every unit under (and including) the unit at path, parents before children.
func (s *Store) Subtree(ctx context.Context, path string) ([]Unit, error) {
	var units []Unit
	err := s.filtered(ctx, Filter{PathPrefix: path}).Order("depth, id").Find(&units).Error
	return units, err
}

// CodeTaken reports whether another unit than selfID uses code.
func (s *Store) CodeTaken(ctx context.Context, code string, selfID int64) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Unit{}).Where("code = ? AND id <> ?", code, selfID).Count(&n).Error
	return n > 0, err
}

// CountChildren counts direct sub-units.
func (s *Store) CountChildren(ctx context.Context, id int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Unit{}).Where("parent_id = ?", id).Count(&n).Error
	return n, err
}

// Update writes the given columns as the unit's next revision.
func (s *Store) Update(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Unit{}).Where("id = ?", id).Updates(database.NextRevision(cols)).Error
}

// Move re-parents u under parent, rewriting the path and depth of u's whole subtree: each unit
// of it (u too) gets a new revision, as its path changed.
func (s *Store) Move(ctx context.Context, u *Unit, parent *Unit) error {
	newPath := parent.Path + strconv.FormatInt(u.ID, 10) + "/"
	depthDelta := parent.Depth + 1 - u.Depth
	concat := "? || SUBSTR(path, ?)"
	if database.Dialect(s.db) == database.MySQL {
		concat = "CONCAT(?, SUBSTR(path, ?))"
	}
	return database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.conn(ctx).Model(&Unit{}).Where("id = ?", u.ID).Update("parent_id", parent.ID).Error; err != nil {
			return err
		}
		return s.conn(ctx).Model(&Unit{}).Where("path LIKE ?", u.Path+"%").Updates(database.NextRevision(map[string]any{
			"path":  gorm.Expr(concat, newPath, len(u.Path)+1),
			"depth": gorm.Expr("depth + ?", depthDelta),
		})).Error
	})
}

// Delete removes one unit.
func (s *Store) Delete(ctx context.Context, id int64) error {
	return s.conn(ctx).Delete(&Unit{}, id).Error
}

// ByIDs loads units by id (for converters that show unit names).
func (s *Store) ByIDs(ctx context.Context, ids []int64) (map[int64]Unit, error) {
	out := make(map[int64]Unit, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var units []Unit
	if err := s.conn(ctx).Where("id IN ?", ids).Find(&units).Error; err != nil {
		return nil, err
	}
	for _, u := range units {
		out[u.ID] = u
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
