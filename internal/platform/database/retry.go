package database

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
)

// A transaction that lost to another is rerun whole, a bounded number of times: MySQL's and
// MariaDB's deadlock victim (1213), a lock wait that timed out (1205: the statement failed, and
// the rollback before the rerun ends the rest), and on a Galera cluster a transaction that lost
// certification at commit to one committed on another node, which also answers 1213 even
// though its own locking reads succeeded. Every WithTx is safe to rerun whole: what it causes
// besides its rows (outbox deliveries, audit entries) is rows written inside it, and its
// after-commit hooks run only after the commit that won.
const (
	txAttempts   = 5
	retryBase    = 5 * time.Millisecond
	retryCeiling = 200 * time.Millisecond
)

// isConflict reports an error that a rerun of the whole transaction may not meet again.
func isConflict(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// retryDelay is the wait before rerun n (from 1): a random time up to an exponential ceiling
// ("full jitter"), so the transactions that collided do not meet again in step.
func retryDelay(n int) time.Duration {
	ceiling := min(retryBase<<(n-1), retryCeiling)
	return time.Duration(rand.Int64N(int64(ceiling))) + time.Microsecond
}

// waitToRetry sleeps before rerun n, or reports false when ctx ends first.
func waitToRetry(ctx context.Context, n int) bool {
	t := time.NewTimer(retryDelay(n))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
