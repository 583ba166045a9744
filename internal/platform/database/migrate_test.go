package database_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/consultation"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/integration"
	"github.com/xuefa/xuefa/internal/lawreport"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/dbtest"
	"github.com/xuefa/xuefa/internal/practice"
	"github.com/xuefa/xuefa/internal/questionbank"
	"github.com/xuefa/xuefa/internal/reminder"
	"github.com/xuefa/xuefa/internal/study"
	"github.com/xuefa/xuefa/internal/unit"
	"github.com/xuefa/xuefa/internal/wechat"
	"github.com/xuefa/xuefa/internal/yearend"
)

// mappedModels is every GORM model the application persists. EVERY NEW MODEL MUST BE ADDED
// HERE: the tests below check that both dialects' migrations create its table with every
// column it maps, and that rolling the migrations back removes it.
var mappedModels = []any{
	&unit.Unit{},
	&account.Account{},
	&account.Session{},
	&account.RefreshToken{},
	&audit.Log{},
	&learner.Learner{},
	&campaign.Campaign{},
	&credit.Entry{},
	&credit.Daily{},
	&credit.Summary{},
	&credit.UnitDaily{},
	&study.Course{},
	&study.Progress{},
	&study.Session{},
	&event.Event{},
	&event.Organiser{},
	&event.Registration{},
	&event.Attendance{},
	&event.ScanRow{},
	&event.Summary{},
	&reminder.Reminder{},
	&reminder.Delivery{},
	&reminder.Message{},
	&reminder.Rule{},
	&questionbank.Bank{},
	&questionbank.Question{},
	&questionbank.Version{},
	&practice.Session{},
	&practice.Item{},
	&practice.Position{},
	&practice.WrongQuestion{},
	&practice.Favourite{},
	&exam.Exam{},
	&exam.Section{},
	&exam.Attempt{},
	&exam.Item{},
	&exam.Result{},
	&lawreport.Report{},
	&lawreport.Review{},
	&consultation.Consultation{},
	&integration.Client{},
	&integration.Webhook{},
	&integration.Event{},
	&integration.Delivery{},
	&wechat.Identity{},
	&wechat.Subscription{},
	&yearend.Formula{},
	&yearend.Exemption{},
	&yearend.Close{},
	&yearend.Result{},
}

// gooseVersionTable is the bookkeeping table goose keeps; it survives DownAll.
const gooseVersionTable = "goose_db_version"

// modelTables returns the table name of every mapped model.
func modelTables(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	tables := make([]string, 0, len(mappedModels))
	for _, m := range mappedModels {
		s, err := schema.Parse(m, &sync.Map{}, db.NamingStrategy)
		require.NoError(t, err, "parse %T", m)
		tables = append(tables, s.Table)
	}
	return tables
}

// appTables lists the tables in the database other than goose's and SQLite's own.
func appTables(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	all, err := db.Migrator().GetTables()
	require.NoError(t, err)
	var out []string
	for _, name := range all {
		if name == gooseVersionTable || strings.HasPrefix(name, "sqlite_") {
			continue
		}
		out = append(out, name)
	}
	return out
}

func TestMigratorUpDownAllUp(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range dbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbtest.Empty(t, dialect)
			require.Empty(t, appTables(t, db), "a fresh database has no tables")
			wantTables := modelTables(t, db)

			m, err := database.NewMigrator(db)
			require.NoError(t, err)

			require.NoError(t, m.Up(ctx))
			for _, table := range wantTables {
				assert.True(t, db.Migrator().HasTable(table), "table %s after up", table)
			}
			require.NoError(t, m.Up(ctx), "up with nothing pending is a no-op")

			var status bytes.Buffer
			require.NoError(t, m.Status(ctx, &status))
			assert.Contains(t, status.String(), "applied")
			assert.NotContains(t, status.String(), "pending")

			require.NoError(t, m.DownAll(ctx))
			assert.Empty(t, appTables(t, db), "down all leaves only goose's version table")
			assert.True(t, db.Migrator().HasTable(gooseVersionTable))
			status.Reset()
			require.NoError(t, m.Status(ctx, &status))
			assert.Contains(t, status.String(), "pending")
			assert.NotContains(t, status.String(), "applied")

			require.NoError(t, m.Up(ctx), "re-applying after down all works")
			for _, table := range wantTables {
				assert.True(t, db.Migrator().HasTable(table), "table %s after re-apply", table)
			}
			// The re-applied schema is usable, not just present.
			require.NoError(t, insertUnit(ctx, db, "reapplied"))
			assert.Equal(t, int64(1), countUnits(t, db, "reapplied"))
		})
	}
}

func TestMigratedSchemaCarriesEveryMappedColumn(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbtest.New(t, dialect)
			for _, model := range mappedModels {
				s, err := schema.Parse(model, &sync.Map{}, db.NamingStrategy)
				require.NoError(t, err, "parse %T", model)

				cols, err := db.Migrator().ColumnTypes(s.Table)
				require.NoError(t, err, "columns of %s", s.Table)
				have := make(map[string]bool, len(cols))
				for _, c := range cols {
					have[strings.ToLower(c.Name())] = true
				}
				require.NotEmpty(t, have, "table %s (model %T) exists", s.Table, model)

				for _, f := range s.Fields {
					if f.DBName == "" { // not persisted (gorm:"-")
						continue
					}
					assert.True(t, have[strings.ToLower(f.DBName)],
						"%s: model %T maps field %s to column %s.%s, which the migrations do not create",
						dialect, model, f.Name, s.Table, f.DBName)
				}
			}
		})
	}
}

// insertUnit adds a root unit with the given code through whatever connection ctx carries.
func insertUnit(ctx context.Context, db *gorm.DB, code string) error {
	now := time.Now().UTC()
	return database.Conn(ctx, db).Exec(
		`INSERT INTO units (parent_id, code, name, kind, path, depth, created_at, updated_at)
		 VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)`,
		code, "单位 "+code, "other", "/"+code+"/", 0, now, now).Error
}

// countUnits counts committed units with the given codes, outside any transaction.
func countUnits(t *testing.T, db *gorm.DB, codes ...string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Table("units").Where("code IN ?", codes).Count(&n).Error)
	return n
}

func TestWithTx(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name      string
		run       func(ctx context.Context, db *gorm.DB) error
		wantErr   error
		wantCount int64
	}{
		{
			name: "commit when fn returns nil",
			run: func(ctx context.Context, db *gorm.DB) error {
				return database.WithTx(ctx, db, func(ctx context.Context) error {
					return insertUnit(ctx, db, "a")
				})
			},
			wantCount: 1,
		},
		{
			name: "rollback when fn returns an error",
			run: func(ctx context.Context, db *gorm.DB) error {
				return database.WithTx(ctx, db, func(ctx context.Context) error {
					if err := insertUnit(ctx, db, "a"); err != nil {
						return err
					}
					return errBoom
				})
			},
			wantErr: errBoom,
		},
		{
			name: "nested call joins the outer transaction and is rolled back with it",
			run: func(ctx context.Context, db *gorm.DB) error {
				return database.WithTx(ctx, db, func(ctx context.Context) error {
					if err := insertUnit(ctx, db, "a"); err != nil {
						return err
					}
					if err := database.WithTx(ctx, db, func(ctx context.Context) error {
						return insertUnit(ctx, db, "b")
					}); err != nil {
						return err
					}
					return errBoom
				})
			},
			wantErr: errBoom,
		},
		{
			name: "error of a nested call rolls back the outer work too",
			run: func(ctx context.Context, db *gorm.DB) error {
				return database.WithTx(ctx, db, func(ctx context.Context) error {
					if err := insertUnit(ctx, db, "a"); err != nil {
						return err
					}
					return database.WithTx(ctx, db, func(ctx context.Context) error {
						if err := insertUnit(ctx, db, "b"); err != nil {
							return err
						}
						return fmt.Errorf("inner: %w", errBoom)
					})
				})
			},
			wantErr: errBoom,
		},
		{
			name: "nested calls commit together",
			run: func(ctx context.Context, db *gorm.DB) error {
				return database.WithTx(ctx, db, func(ctx context.Context) error {
					if err := insertUnit(ctx, db, "a"); err != nil {
						return err
					}
					return database.WithTx(ctx, db, func(ctx context.Context) error {
						return insertUnit(ctx, db, "b")
					})
				})
			},
			wantCount: 2,
		},
		{
			name: "a failed statement (duplicate code) rolls back the earlier insert",
			run: func(ctx context.Context, db *gorm.DB) error {
				return database.WithTx(ctx, db, func(ctx context.Context) error {
					if err := insertUnit(ctx, db, "a"); err != nil {
						return err
					}
					return insertUnit(ctx, db, "a")
				})
			},
			wantErr: gorm.ErrDuplicatedKey,
		},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				require.NoError(t, db.Exec("DELETE FROM units").Error)
				err := tt.run(context.Background(), db)
				if tt.wantErr != nil {
					require.ErrorIs(t, err, tt.wantErr)
				} else {
					require.NoError(t, err)
				}
				assert.Equal(t, tt.wantCount, countUnits(t, db, "a", "b"))
			})
		}
	})
}

func TestConn(t *testing.T) {
	type ctxKey struct{}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.WithValue(context.Background(), ctxKey{}, "outer")

		plain := database.Conn(ctx, db)
		assert.Same(t, db.Statement.ConnPool, plain.Statement.ConnPool, "outside a tx Conn uses the plain pool")
		_, isTx := plain.Statement.ConnPool.(*sql.Tx)
		assert.False(t, isTx)
		assert.Equal(t, "outer", plain.Statement.Context.Value(ctxKey{}), "Conn binds the context")

		err := database.WithTx(ctx, db, func(txCtx context.Context) error {
			outer := database.Conn(txCtx, db)
			_, isTx := outer.Statement.ConnPool.(*sql.Tx)
			assert.True(t, isTx, "inside WithTx Conn returns the transaction")
			assert.Equal(t, "outer", outer.Statement.Context.Value(ctxKey{}), "the tx keeps the caller's context values")

			require.NoError(t, insertUnit(txCtx, db, "seen"))
			var n int64
			require.NoError(t, outer.Table("units").Where("code = ?", "seen").Count(&n).Error)
			assert.Equal(t, int64(1), n, "the tx sees its own uncommitted row")

			return database.WithTx(txCtx, db, func(innerCtx context.Context) error {
				assert.Same(t, outer, database.Conn(innerCtx, db), "a nested WithTx reuses the outer tx")
				return nil
			})
		})
		require.NoError(t, err)
		assert.Equal(t, int64(1), countUnits(t, db, "seen"))
	})
}

func TestAfterCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		var ran []string
		database.AfterCommit(ctx, func() { ran = append(ran, "no tx") })
		assert.Equal(t, []string{"no tx"}, ran, "outside a transaction it runs at once")

		ran = nil
		require.NoError(t, database.WithTx(ctx, db, func(ctx context.Context) error {
			database.AfterCommit(ctx, func() { ran = append(ran, "outer") })
			return database.WithTx(ctx, db, func(ctx context.Context) error {
				database.AfterCommit(ctx, func() { ran = append(ran, "nested") })
				assert.Empty(t, ran, "nothing runs before the commit")
				return nil
			})
		}))
		assert.Equal(t, []string{"outer", "nested"}, ran, "after the outermost commit, in order")

		ran = nil
		err := database.WithTx(ctx, db, func(ctx context.Context) error {
			database.AfterCommit(ctx, func() { ran = append(ran, "rolled back") })
			return errors.New("boom")
		})
		require.Error(t, err)
		assert.Empty(t, ran, "a rollback runs nothing")
	})
}

// A locking range read at READ COMMITTED locks the rows it returns, not the gap after them: a
// row inserted into that gap meanwhile does not wait (at MySQL's default REPEATABLE READ it
// would, until the reader commits).
func TestWithTxReadCommittedLeavesGapsOpen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		require.NoError(t, insertUnit(ctx, db, "rc-a"))
		err := database.WithTxReadCommitted(ctx, db, func(txCtx context.Context) error {
			var codes []string
			if err := database.Conn(txCtx, db).Table("units").Clauses(clause.Locking{Strength: "UPDATE"}).
				Where("code >= ?", "rc-").Order("code").Pluck("code", &codes).Error; err != nil {
				return err
			}
			assert.Equal(t, []string{"rc-a"}, codes)
			if database.Dialect(db) != database.MySQL {
				return nil // one writer at a time: there is no concurrent insert to make
			}
			insertCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			return insertUnit(insertCtx, db, "rc-b")
		})
		require.NoError(t, err, "the insert into the scanned range went through while the reader held its locks")
	})
}
