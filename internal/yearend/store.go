package yearend

import (
	"context"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// Store is the only place that builds the year's queries.
type Store struct{ db *gorm.DB }

// NewStore builds a store.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }
