package database

import (
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
)

//go:embed migrations/mysql/*.sql migrations/sqlite/*.sql
var migrationFiles embed.FS

// Migrator applies the embedded migrations of the database's dialect.
type Migrator struct {
	provider *goose.Provider
}

// NewMigrator builds a goose provider for db's dialect.
func NewMigrator(db *gorm.DB) (*Migrator, error) {
	dialect := Dialect(db)
	sub, err := fs.Sub(migrationFiles, "migrations/"+dialect)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	gooseDialect := goose.DialectSQLite3
	if dialect == MySQL {
		gooseDialect = goose.DialectMySQL
	}
	p, err := goose.NewProvider(gooseDialect, sqlDB, sub)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Migrator{provider: p}, nil
}

// Up applies every pending migration.
func (m *Migrator) Up(ctx context.Context) error {
	_, err := m.provider.Up(ctx)
	return err
}

// Down rolls back the newest migration.
func (m *Migrator) Down(ctx context.Context) error {
	_, err := m.provider.Down(ctx)
	return err
}

// DownAll rolls back every migration.
func (m *Migrator) DownAll(ctx context.Context) error {
	_, err := m.provider.DownTo(ctx, 0)
	return err
}

// Status prints each migration and whether it is applied.
func (m *Migrator) Status(ctx context.Context, w io.Writer) error {
	list, err := m.provider.Status(ctx)
	if err != nil {
		return err
	}
	for _, s := range list {
		applied := "pending"
		if s.State == goose.StateApplied {
			applied = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%05d  %-40s %s\n", s.Source.Version, s.Source.Path, applied)
	}
	return nil
}

// Migrate applies every pending migration of db's dialect.
func Migrate(ctx context.Context, db *gorm.DB) error {
	m, err := NewMigrator(db)
	if err != nil {
		return err
	}
	return m.Up(ctx)
}
