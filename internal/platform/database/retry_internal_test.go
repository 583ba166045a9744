package database

import (
	"context"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
)

// Reruns wait a random time under a ceiling that doubles from 5 ms up to 200 ms.
func TestRetryDelayIsJitteredUnderAnExponentialCeiling(t *testing.T) {
	for n, ceiling := range map[int]time.Duration{1: 5 * time.Millisecond, 2: 10 * time.Millisecond, 3: 20 * time.Millisecond, 6: 160 * time.Millisecond, 7: 200 * time.Millisecond, 30: 200 * time.Millisecond} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := retryDelay(n)
			assert.Greater(t, d, time.Duration(0))
			assert.LessOrEqual(t, d, ceiling+time.Microsecond, "rerun %d", n)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 1, "rerun %d: the waits differ", n)
	}
}

func TestIsConflict(t *testing.T) {
	assert.True(t, isConflict(&mysqldriver.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}))
	assert.True(t, isConflict(&mysqldriver.MySQLError{Number: 1205, Message: "Lock wait timeout exceeded"}))
	assert.False(t, isConflict(&mysqldriver.MySQLError{Number: 1062, Message: "Duplicate entry"}))
	assert.False(t, isConflict(context.Canceled))
	assert.False(t, isConflict(nil))
}

// A cancelled request stops waiting to rerun.
func TestWaitToRetryStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.False(t, waitToRetry(ctx, 7))
	assert.True(t, waitToRetry(context.Background(), 1))
}
