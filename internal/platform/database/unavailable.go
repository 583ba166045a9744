package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
)

// IsUnavailable reports whether err says the database could not serve the request (it is
// down, unreachable, out of connections, or kept us waiting past our deadline) rather than
// that the request or our code was wrong: such a failure is worth a retry by the client, so the
// API answers it 503 with Retry-After instead of 500.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var me *mysqldriver.MySQLError
	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysqldriver.ErrInvalidConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &me):
		// Lock wait timeout and deadlock (left after WithTx's retries), too many connections,
		// the server shutting down or read-only, and a Galera node outside the primary
		// component ("WSREP has not yet prepared node for application use": joining, leaving or
		// cut off), which a cluster node answers while the balancer moves away from it, and the
		// commit such a node refuses as it leaves (1180, "Error while appending streaming
		// replication fragment … Not connected to Primary Component": rolled back, safe to
		// send again; the db-node-down-mid-exam drill saw 37 of them answered 500).
		switch me.Number {
		case 1205, 1213, 1040, 1053, 1290, 1836, 1047, 1180:
			return true
		}
		return false
	case errors.As(err, &netErr):
		return true
	}
	msg := err.Error()
	// database/sql and SQLite say these only in words.
	for _, s := range []string{"sql: database is closed", "database is locked", "SQLITE_BUSY", "connection refused"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
