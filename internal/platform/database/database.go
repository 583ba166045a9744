// Package database opens the embedded SQLite or a MySQL/MariaDB database with GORM, applies the
// embedded goose migrations of its dialect and runs transactions.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Dialect names.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// Options say how to open a database.
type Options struct {
	Driver          string
	DSN             string
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	SlowQuery       time.Duration
	Logger          *slog.Logger
}

// Open connects and tunes the pool. SQLite gets WAL, foreign keys and a busy timeout, and one
// writer connection; MySQL gets UTC times, utf8mb4 and pool limits.
func Open(opts Options) (*gorm.DB, error) {
	dialector, err := dialectorFor(opts)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		Logger:                 newSlowQueryLogger(log, opts.SlowQuery),
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", opts.Driver, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	configurePool(sqlDB, opts)
	return db, nil
}

func dialectorFor(opts Options) (gorm.Dialector, error) {
	switch opts.Driver {
	case SQLite:
		dsn, err := sqliteDSN(opts.DSN)
		if err != nil {
			return nil, err
		}
		return sqlite.Open(dsn), nil
	case MySQL:
		return mysql.Open(mysqlDSN(opts.DSN)), nil
	default:
		return nil, fmt.Errorf("unknown database driver %q", opts.Driver)
	}
}

// sqliteDSN turns a file path into a DSN with the pragmas the platform relies on, creating the
// file's directory (./data by default).
func sqliteDSN(dsn string) (string, error) {
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.Index(path, "?"); i >= 0 {
		path = path[:i]
	}
	if path != ":memory:" && path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return "", fmt.Errorf("create database directory: %w", err)
		}
	}
	if strings.Contains(dsn, "_pragma=") {
		return dsn, nil
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate", nil
}

// mysqlDSN adds the parameters the platform relies on unless the operator set them. With the
// utf8mb4 charset it also sets interpolateParams=true: the driver then sends a statement with
// its arguments in one round trip instead of prepare, execute and close (the driver's escaping
// is safe for utf8mb4, which is why other charsets keep server-side prepares).
func mysqlDSN(dsn string) string {
	for _, kv := range [][2]string{{"parseTime", "true"}, {"loc", "UTC"}, {"charset", "utf8mb4"}} {
		dsn = withParam(dsn, kv[0], kv[1])
	}
	if dsnParam(dsn, "charset") == "utf8mb4" {
		dsn = withParam(dsn, "interpolateParams", "true")
	}
	return dsn
}

// withParam appends k=v to a DSN unless k is already there.
func withParam(dsn, k, v string) string {
	if _, query, ok := strings.Cut(dsn, "?"); ok {
		if _, set := dsnValue(query, k); set {
			return dsn
		}
		return dsn + "&" + k + "=" + v
	}
	return dsn + "?" + k + "=" + v
}

// dsnParam returns the value of a DSN parameter ("" when absent).
func dsnParam(dsn, k string) string {
	_, query, _ := strings.Cut(dsn, "?")
	v, _ := dsnValue(query, k)
	return v
}

func dsnValue(query, k string) (string, bool) {
	for part := range strings.SplitSeq(query, "&") {
		if name, v, _ := strings.Cut(part, "="); name == k {
			return v, true
		}
	}
	return "", false
}

func configurePool(sqlDB *sql.DB, opts Options) {
	if opts.Driver == SQLite {
		// One connection serialises writers so SQLite never answers "database is locked"
		// under concurrent requests; WAL keeps reads cheap.
		sqlDB.SetMaxOpenConns(1)
		return
	}
	if opts.MaxOpenConns > 0 {
		sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	}
	if opts.MaxIdleConns > 0 {
		sqlDB.SetMaxIdleConns(opts.MaxIdleConns)
	}
	if opts.ConnMaxLifetime > 0 {
		sqlDB.SetConnMaxLifetime(opts.ConnMaxLifetime)
	}
}

// Dialect tells which dialect a GORM handle speaks.
func Dialect(db *gorm.DB) string {
	if db.Dialector.Name() == MySQL {
		return MySQL
	}
	return SQLite
}

type txKey struct{}

// WithTx runs fn in a transaction, committing when it returns nil. The transaction travels in
// the context fn receives, so every store called with that context (see Conn) joins it; a
// nested WithTx joins the outer transaction instead of opening another. The outermost WithTx
// reruns fn, up to 5 attempts with jittered waits, when it loses to another transaction
// (retry.go), so fn must only touch the database.
func WithTx(ctx context.Context, db *gorm.DB, fn func(ctx context.Context) error) error {
	return withTx(ctx, db, nil, fn)
}

// WithTxReadCommitted is WithTx at READ COMMITTED on MySQL: its locking reads lock the rows
// they return and no gaps, so rows that others insert or move into a scanned range meanwhile
// (a background job's "SELECT pending ... FOR UPDATE" under concurrent submits marking new
// rows pending) do not wait for it. SQLite serialises writers and has one isolation level.
func WithTxReadCommitted(ctx context.Context, db *gorm.DB, fn func(ctx context.Context) error) error {
	if Dialect(db) != MySQL {
		return withTx(ctx, db, nil, fn)
	}
	return withTx(ctx, db, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, fn)
}

func withTx(ctx context.Context, db *gorm.DB, opts *sql.TxOptions, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	for attempt := 1; ; attempt++ {
		hooks := &afterCommit{}
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(context.WithValue(context.WithValue(ctx, txKey{}, tx), afterCommitKey{}, hooks))
		}, optsOrNone(opts)...)
		if err == nil {
			hooks.run()
		}
		if !isConflict(err) || attempt == txAttempts || !waitToRetry(ctx, attempt) {
			return err
		}
	}
}

// InTx reports whether ctx carries a transaction opened by WithTx (work queued for another
// goroutine's transaction must not be written there instead).
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

func optsOrNone(opts *sql.TxOptions) []*sql.TxOptions {
	if opts == nil {
		return nil
	}
	return []*sql.TxOptions{opts}
}

type afterCommitKey struct{}

// afterCommit holds what runs once the outermost transaction has committed.
type afterCommit struct{ fns []func() }

func (h *afterCommit) run() {
	for _, fn := range h.fns {
		fn()
	}
}

// AfterCommit runs fn once the transaction in ctx has committed (never when it rolls back), or
// at once outside a transaction. Caches use it to drop entries only when the change is visible
// to other connections: dropped earlier, a concurrent read could put the old row back.
func AfterCommit(ctx context.Context, fn func()) {
	if h, ok := ctx.Value(afterCommitKey{}).(*afterCommit); ok {
		h.fns = append(h.fns, fn)
		return
	}
	fn()
}

// Conn returns the transaction in ctx if there is one, else db bound to ctx. Stores build every
// query on it.
func Conn(ctx context.Context, db *gorm.DB) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.WithContext(ctx)
}

// Take reads the one row q selects into a new T. No row is notFound (the calling store's own
// error); any other failure is returned as it is.
func Take[T any](q *gorm.DB, notFound error) (*T, error) {
	var v T
	err := q.Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound
	}
	return &v, err
}

// Ping checks the database answers within the context's deadline.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

type slowQueryLogger struct {
	log       *slog.Logger
	threshold time.Duration
}

func newSlowQueryLogger(log *slog.Logger, threshold time.Duration) logger.Interface {
	if threshold <= 0 {
		threshold = 200 * time.Millisecond
	}
	return &slowQueryLogger{log: log, threshold: threshold}
}

func (l *slowQueryLogger) LogMode(logger.LogLevel) logger.Interface { return l }
func (l *slowQueryLogger) Info(context.Context, string, ...any)     {}
func (l *slowQueryLogger) Warn(context.Context, string, ...any)     {}
func (l *slowQueryLogger) Error(context.Context, string, ...any)    {}

// Trace logs only slow statements; errors are returned to the caller, who decides.
func (l *slowQueryLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	elapsed := time.Since(begin)
	if elapsed < l.threshold {
		return
	}
	sql, rows := fc()
	l.log.WarnContext(ctx, "slow query", "elapsed_ms", elapsed.Milliseconds(), "rows", rows, "sql", truncate(sql, 500))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// CaseByID is `CASE id WHEN ? THEN ? … END` over rows: one column's value for each row, so
// an `UPDATE … WHERE id IN (…)` writes many rows' different values in one statement (both
// dialects run it). Group commits write their batches with it.
func CaseByID[T any](rows []T, id func(T) int64, value func(T) any) clause.Expr {
	var b strings.Builder
	args := make([]any, 0, 2*len(rows))
	b.WriteString("CASE id")
	for _, r := range rows {
		b.WriteString(" WHEN ? THEN ?")
		args = append(args, id(r), value(r))
	}
	b.WriteString(" END")
	return gorm.Expr(b.String(), args...)
}
