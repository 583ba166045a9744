package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// maxPlaceholders keeps one statement under SQLite's variable limit (32766) and well under
// MySQL's (65535); with interpolateParams the MySQL driver sends it as one text query.
const maxPlaceholders = 30_000

// bulkTable writes rows of one table with multi-row INSERTs.
type bulkTable struct {
	name    string
	cols    []string
	perStmt int    // rows per statement
	full    string // the statement for a full batch
}

func newBulkTable(name string, batch int, cols ...string) *bulkTable {
	t := &bulkTable{name: name, cols: cols, perStmt: max(min(batch, maxPlaceholders/len(cols)), 1)}
	t.full = t.statement(t.perStmt)
	return t
}

func (t *bulkTable) statement(rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.cols)), ",") + ")"
	b.Grow(rows * (len(tuple) + 1))
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tuple)
	}
	return b.String()
}

// insert writes args (len(cols) values per row, rows one after another) in as few statements as
// the batch size allows. Each statement commits on its own (autocommit).
func (t *bulkTable) insert(ctx context.Context, db *sql.DB, args []any) error {
	n := len(t.cols)
	if len(args)%n != 0 {
		return fmt.Errorf("%s: %d values is not a multiple of %d columns", t.name, len(args), n)
	}
	for len(args) > 0 {
		rows := min(len(args)/n, t.perStmt)
		stmt := t.full
		if rows != t.perStmt {
			stmt = t.statement(rows)
		}
		if _, err := db.ExecContext(ctx, stmt, args[:rows*n]...); err != nil {
			return fmt.Errorf("insert into %s: %w", t.name, err)
		}
		args = args[rows*n:]
	}
	return nil
}
