package database_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/dbtest"
)

func TestIsUnavailable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{gorm.ErrRecordNotFound, false},
		{gorm.ErrDuplicatedKey, false},
		{errors.New("near \"SELEC\": syntax error"), false},
		{&mysqldriver.MySQLError{Number: 1062, Message: "Duplicate entry"}, false},
		{&mysqldriver.MySQLError{Number: 1213, Message: "Deadlock found"}, true},
		{&mysqldriver.MySQLError{Number: 1205, Message: "Lock wait timeout exceeded"}, true},
		{&mysqldriver.MySQLError{Number: 1040, Message: "Too many connections"}, true},
		{&mysqldriver.MySQLError{Number: 1180, SQLState: [5]byte{'H', 'Y', '0', '0', '0'}, Message: "Error while appending streaming replication fragment(provider status: Not connected to Primary Component)"}, true},
		{&mysqldriver.MySQLError{Number: 1047, SQLState: [5]byte{'0', '8', 'S', '0', '1'}, Message: "WSREP has not yet prepared node for application use"}, true},
		{fmt.Errorf("load: %w", driver.ErrBadConn), true},
		{mysqldriver.ErrInvalidConn, true},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{errors.New("database is locked (5) (SQLITE_BUSY)"), true},
	} {
		assert.Equal(t, tc.want, database.IsUnavailable(tc.err), "%v", tc.err)
	}
}

// What the drivers really answer when the database goes away is classified as unavailable.
func TestIsUnavailableOnRealFailures(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbtest.New(t, dialect)
			require.NoError(t, database.Close(db))
			var n int
			err := db.Raw("SELECT 1").Scan(&n).Error
			require.Error(t, err)
			assert.True(t, database.IsUnavailable(err), "closed pool: %v", err)
		})
	}
	_, err := database.Open(database.Options{Driver: database.MySQL, DSN: "root:@tcp(127.0.0.1:1)/none?timeout=1s"})
	require.Error(t, err)
	assert.True(t, database.IsUnavailable(err), "nothing listening: %v", err)
}
