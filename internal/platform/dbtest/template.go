package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// Migrating and seeding a database costs far more than copying one (under -race, about 0.4 s
// to migrate and 0.5 s to seed SQLite, against 20 ms to copy it), and nearly every test wants
// the same starting point. So each test process builds each kind of starting database once, a
// template, and every test gets its own copy: SQLite as the template file's bytes written into
// the test's temp dir, MySQL as a fresh schema whose tables are created from the template's
// `SHOW CREATE TABLE` (AUTO_INCREMENT counters included) and filled by INSERT … SELECT.
//
// The registry below is the one piece of process-wide state in the test helpers: a cache
// shared by the tests of one package binary, never seen by production code.
var registry = struct {
	sync.Mutex
	byKey   map[string]*template
	schemas []string // MySQL template schemas, dropped by Main
	inMain  bool     // Main is running the tests, so it will drop them
}{byKey: map[string]*template{}}

// Main runs a test package's tests and then drops the MySQL template schemas they built. Every
// test package that uses dbtest calls it: func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }.
func Main(m *testing.M) int {
	registry.Lock()
	registry.inMain = true
	registry.Unlock()
	code := m.Run()
	registry.Lock()
	schemas := registry.schemas
	registry.Unlock()
	if len(schemas) > 0 {
		if cfg, err := serverConfig(); err == nil {
			for _, s := range schemas {
				dropSchema(cfg, s)
			}
		}
	}
	return code
}

// registerTemplateSchema remembers a template schema for Main to drop; without Main it would
// outlive the run, so it is refused.
func registerTemplateSchema(name string) error {
	registry.Lock()
	defer registry.Unlock()
	if !registry.inMain {
		return fmt.Errorf("MySQL templates need the package's TestMain to call dbtest.Main (it drops them)")
	}
	registry.schemas = append(registry.schemas, name)
	return nil
}

// Fill prepares a template: it runs once per process and key on a freshly migrated database,
// and must leave nothing running on db when it returns.
type Fill func(db *gorm.DB) error

// template is one prepared starting database of one dialect.
type template struct {
	once   sync.Once
	err    error
	image  []byte     // SQLite: the database file
	schema string     // MySQL: the template schema's name
	tables []tableDef // MySQL: how to recreate and fill each table
}

type tableDef struct {
	name, create string
	hasRows      bool
}

// Seeded returns a fresh database of the dialect that starts as a copy of the template named
// key, which fill prepared once per process on a freshly migrated database (nil fill: migrated
// only). The copy is closed, and for MySQL dropped, when the test ends.
func Seeded(t *testing.T, dialect, key string, fill Fill) *gorm.DB {
	t.Helper()
	tpl := lookup(dialect + "/" + key)
	tpl.once.Do(func() { tpl.err = tpl.build(dialect, fill) })
	if tpl.err != nil {
		t.Fatalf("template %s/%s: %v", dialect, key, tpl.err)
	}
	switch dialect {
	case database.SQLite:
		return tpl.copySQLite(t)
	case database.MySQL:
		return tpl.copyMySQL(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return nil
}

func lookup(key string) *template {
	registry.Lock()
	defer registry.Unlock()
	tpl, ok := registry.byKey[key]
	if !ok {
		tpl = &template{}
		registry.byKey[key] = tpl
	}
	return tpl
}

func (tpl *template) build(dialect string, fill Fill) error {
	switch dialect {
	case database.SQLite:
		return tpl.buildSQLite(fill)
	case database.MySQL:
		return tpl.buildMySQL(fill)
	}
	return fmt.Errorf("unknown dialect %q", dialect)
}

// prepare migrates db and runs fill on it.
func prepare(db *gorm.DB, fill Fill) error {
	if err := database.Migrate(context.Background(), db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if fill == nil {
		return nil
	}
	return fill(db)
}

func (tpl *template) buildSQLite(fill Fill) error {
	dir, err := os.MkdirTemp("", "xuefa-template-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	db, err := database.Open(database.Options{Driver: database.SQLite, DSN: path})
	if err != nil {
		return err
	}
	err = prepare(db, fill)
	if err == nil {
		// Fold the write-ahead log into the main file so the file alone is the database.
		err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	if closeErr := database.Close(db); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	tpl.image, err = os.ReadFile(path)
	return err
}

func (tpl *template) copySQLite(t *testing.T) *gorm.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, tpl.image, 0o600); err != nil {
		t.Fatalf("copy template: %v", err)
	}
	return open(t, database.Options{Driver: database.SQLite, DSN: path})
}

func (tpl *template) buildMySQL(fill Fill) error {
	cfg, err := serverConfig()
	if err != nil {
		return err
	}
	tpl.schema = "xuefa_tpl_" + randomSuffix()
	if err := registerTemplateSchema(tpl.schema); err != nil {
		return err
	}
	if err := createSchema(cfg, tpl.schema); err != nil {
		return err
	}
	cfg.DBName = tpl.schema
	db, err := database.Open(database.Options{Driver: database.MySQL, DSN: cfg.FormatDSN(), MaxOpenConns: 10})
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := prepare(db, fill); err != nil {
		return err
	}
	tpl.tables, err = describeTables(db)
	return err
}

// describeTables reads each table's CREATE statement and whether it has rows.
func describeTables(db *gorm.DB) ([]tableDef, error) {
	var names []string
	if err := db.Raw("SHOW TABLES").Scan(&names).Error; err != nil {
		return nil, err
	}
	defs := make([]tableDef, 0, len(names))
	for _, name := range names {
		var row struct {
			Table       string `gorm:"column:Table"`
			CreateTable string `gorm:"column:Create Table"`
		}
		if err := db.Raw("SHOW CREATE TABLE `" + name + "`").Scan(&row).Error; err != nil {
			return nil, err
		}
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM (SELECT 1 FROM `" + name + "` LIMIT 1) x").Scan(&n).Error; err != nil {
			return nil, err
		}
		defs = append(defs, tableDef{name: name, create: row.CreateTable, hasRows: n > 0})
	}
	return defs, nil
}

func (tpl *template) copyMySQL(t *testing.T) *gorm.DB {
	t.Helper()
	dsn := throwawaySchema(t)
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("parse dsn: %v", err)
	}
	if err := tpl.cloneInto(cfg); err != nil {
		t.Fatalf("copy template %s into %s: %v", tpl.schema, cfg.DBName, err)
	}
	return open(t, database.Options{Driver: database.MySQL, DSN: dsn, MaxOpenConns: 10})
}

// cloneInto recreates the template's tables in cfg's schema and copies their rows, on one
// connection with foreign key checks off (tables are created in name order).
func (tpl *template) cloneInto(cfg *mysqldriver.Config) error {
	ctx := context.Background()
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 0"); err != nil {
		return err
	}
	for _, def := range tpl.tables {
		if _, err := conn.ExecContext(ctx, def.create); err != nil {
			return fmt.Errorf("create %s: %w", def.name, err)
		}
	}
	for _, def := range tpl.tables {
		if !def.hasRows {
			continue
		}
		q := fmt.Sprintf("INSERT INTO `%s` SELECT * FROM `%s`.`%s`", def.name, tpl.schema, def.name)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("fill %s: %w", def.name, err)
		}
	}
	return nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
