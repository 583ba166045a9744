package database_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/dbtest"
)

// Two transactions that update the same two rows in opposite orders, each waiting for the other
// to hold its first row: on MariaDB/MySQL a real deadlock, whose victim WithTx reruns whole
// (its first attempt rolled back, its after-commit hook run once); on SQLite, with one writer,
// they simply run one after the other. Either way both commit and each row counts both.
func TestWithTxRerunsTheLoserOfADeadlock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Exec("CREATE TABLE retry_probe (id INT PRIMARY KEY, n INT NOT NULL)").Error)
		require.NoError(t, db.Exec("INSERT INTO retry_probe (id, n) VALUES (1, 0), (2, 0)").Error)

		var attempts, hooks atomic.Int32
		var holding sync.WaitGroup // both hold their first row (first attempts, MySQL only)
		holding.Add(2)
		crossing := func(first, second int) error {
			tried := false
			return database.WithTx(ctx, db, func(ctx context.Context) error {
				attempts.Add(1)
				if err := bump(ctx, db, first); err != nil {
					return err
				}
				if !tried && database.Dialect(db) == database.MySQL { // SQLite: the other cannot start until this commits
					tried = true
					holding.Done()
					waitAtMost(&holding, 10*time.Second)
				}
				database.AfterCommit(ctx, func() { hooks.Add(1) })
				return bump(ctx, db, second)
			})
		}
		errs := make(chan error, 2)
		go func() { errs <- crossing(1, 2) }()
		go func() { errs <- crossing(2, 1) }()
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)

		var ns []int
		require.NoError(t, db.Raw("SELECT n FROM retry_probe ORDER BY id").Scan(&ns).Error)
		assert.Equal(t, []int{2, 2}, ns, "each row bumped once by each transaction, the victim's first attempt rolled back")
		assert.Equal(t, int32(2), hooks.Load(), "after-commit hooks run once per committed transaction")
		if database.Dialect(db) == database.MySQL {
			assert.Equal(t, int32(3), attempts.Load(), "the deadlock victim ran twice")
		} else {
			assert.Equal(t, int32(2), attempts.Load())
		}
	})
}

func bump(ctx context.Context, db *gorm.DB, id int) error {
	return database.Conn(ctx, db).Exec("UPDATE retry_probe SET n = n + 1 WHERE id = ?", id).Error
}

// waitAtMost waits for wg, or for d.
func waitAtMost(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
