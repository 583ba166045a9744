// Package dbtest gives each test a fresh database: SQLite in t.TempDir() always, and
// MySQL/MariaDB too when XUEFA_TEST_MYSQL_DSN is set (a throwaway schema per test, dropped when
// the test ends). Migrated (and seeded) databases are copies of a template built once per test
// process (template.go).
package dbtest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// MySQLDSNEnv names the variable holding the MariaDB/MySQL server DSN for tests.
const MySQLDSNEnv = "XUEFA_TEST_MYSQL_DSN"

// Dialects lists the dialects this run tests on.
func Dialects() []string {
	if os.Getenv(MySQLDSNEnv) != "" {
		return []string{database.SQLite, database.MySQL}
	}
	return []string{database.SQLite}
}

// Each runs fn as a subtest once per configured dialect, each with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, dialect := range Dialects() {
		t.Run(dialect, func(t *testing.T) {
			fn(t, New(t, dialect))
		})
	}
}

// New opens a fresh, migrated database of the given dialect (a copy of a migrated template),
// closed (and for MySQL dropped) when the test ends.
func New(t *testing.T, dialect string) *gorm.DB {
	t.Helper()
	return Seeded(t, dialect, "migrated", nil)
}

// Empty opens a fresh database with no migrations applied.
func Empty(t *testing.T, dialect string) *gorm.DB {
	t.Helper()
	return open(t, Options(t, dialect))
}

func open(t *testing.T, opts database.Options) *gorm.DB {
	t.Helper()
	db, err := database.Open(opts)
	if err != nil {
		t.Fatalf("open %s: %v", opts.Driver, err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	return db
}

// Options returns how to open a fresh, empty database of the dialect (an SQLite file in the
// test's temp dir, or a throwaway MySQL schema), for tests that open it themselves (the CLI).
func Options(t *testing.T, dialect string) database.Options {
	t.Helper()
	switch dialect {
	case database.SQLite:
		return database.Options{Driver: database.SQLite, DSN: filepath.Join(t.TempDir(), "test.db")}
	case database.MySQL:
		return database.Options{Driver: database.MySQL, DSN: throwawaySchema(t), MaxOpenConns: 10}
	default:
		t.Fatalf("unknown dialect %q", dialect)
		return database.Options{}
	}
}

// throwawaySchema creates a uniquely named schema on the test server, dropped when the test
// ends, and returns a DSN for it.
func throwawaySchema(t *testing.T) string {
	t.Helper()
	cfg, err := serverConfig()
	if err != nil {
		t.Fatal(err)
	}
	name := "xuefa_t_" + randomSuffix()
	if err := createSchema(cfg, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropSchema(cfg, name) })
	cfg.DBName = name
	return cfg.FormatDSN()
}

// serverConfig parses the test server's DSN.
func serverConfig() (*mysqldriver.Config, error) {
	serverDSN := os.Getenv(MySQLDSNEnv)
	if serverDSN == "" {
		return nil, fmt.Errorf("%s is not set", MySQLDSNEnv)
	}
	cfg, err := mysqldriver.ParseDSN(serverDSN)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", MySQLDSNEnv, err)
	}
	return cfg, nil
}

func createSchema(cfg *mysqldriver.Config, name string) error {
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return fmt.Errorf("connect mysql: %w", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

func dropSchema(cfg *mysqldriver.Config, name string) {
	drop, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return
	}
	defer drop.Close()
	_, _ = drop.Exec("DROP DATABASE IF EXISTS " + name)
}
