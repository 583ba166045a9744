package learner_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// benchApp is the real app on a fresh seeded SQLite file with production password hashing
// (argon2id, 64 MiB, t=3), and the county admin acting.
func benchApp(b *testing.B) (*app.App, auth.Actor) {
	b.Helper()
	db, err := database.Open(database.Options{Driver: database.SQLite, DSN: filepath.Join(b.TempDir(), "bench.db")})
	require.NoError(b, err)
	b.Cleanup(func() { _ = database.Close(db) })
	ctx := context.Background()
	require.NoError(b, database.Migrate(ctx, db))
	cfg, err := config.Load("", func(string) string { return "" })
	require.NoError(b, err)
	a, err := app.New(cfg, slog.New(slog.DiscardHandler), app.Options{DB: db, PasswordParams: auth.DefaultPasswordParams()})
	require.NoError(b, err)
	require.NoError(b, a.Seed(ctx, io.Discard))
	root, err := a.Units.Root(ctx)
	require.NoError(b, err)
	var adminID int64
	require.NoError(b, db.Table("accounts").Select("id").Where("username = ?", "admin").Scan(&adminID).Error)
	return a, auth.Actor{AccountID: adminID, Name: "县司法局管理员", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}
}

// benchRows makes n distinct, valid learner rows across the demo units and tracks; position
// is the same on every row.
func benchRows(n int, position string) [][]string {
	units := []string{"huayang", "linxi", "shangzhuang", "sfj", "jyj", "gaj"}
	tracks := []string{"领航", "普及", "精准"}
	rows := make([][]string, 0, n)
	for i := range n {
		birth := fmt.Sprintf("%d%02d%02d", 1960+i%40, 1+(i/40)%12, 1+(i/480)%28)
		rows = append(rows, []string{
			fmt.Sprintf("学员%05d", i), units[i%len(units)], tracks[i%len(tracks)], position,
			fmt.Sprintf("139%08d", i), learner.CompleteIDCard("341824" + birth + "123"),
		})
	}
	return rows
}

// BenchmarkImport10k imports a 10,000-row file on SQLite: all new learners (the slow case:
// 10,000 accounts and learners), the same file again (all unchanged) and a file changing every
// row's position (10,000 updates). The file is built outside the timer; parsing is inside.
func BenchmarkImport10k(b *testing.B) {
	const n = 10_000
	for _, c := range []struct {
		name   string
		format string
		before string // "" for an empty county, else the position the learners already have
		after  string
	}{
		{"create/xlsx", "xlsx", "", "科员"},
		{"create/csv", "csv", "", "科员"},
		{"unchanged/xlsx", "xlsx", "科员", "科员"},
		{"update/xlsx", "xlsx", "科员", "副科长"},
	} {
		b.Run(c.name, func(b *testing.B) {
			file := csvFile(b, templateHeader, benchRows(n, c.after))
			if c.format == "xlsx" {
				file = xlsxFile(b, templateHeader, benchRows(n, c.after))
			}
			b.SetBytes(int64(len(file)))
			for range b.N {
				b.StopTimer()
				a, actor := benchApp(b)
				ctx := context.Background()
				if c.before != "" {
					_, err := a.Learners.Import(ctx, actor, learner.ImportInput{Data: csvFile(b, templateHeader, benchRows(n, c.before))})
					require.NoError(b, err)
				}
				b.StartTimer()
				res, err := a.Learners.Import(ctx, actor, learner.ImportInput{Data: file})
				b.StopTimer()
				require.NoError(b, err)
				require.Equal(b, n, res.Rows)
				require.Zero(b, res.InvalidRows)
				a.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkExport10k exports 10,000 learners (plus the 12 demo ones) from SQLite.
func BenchmarkExport10k(b *testing.B) {
	for _, format := range []learner.Format{learner.FormatXLSX, learner.FormatCSV} {
		b.Run(string(format), func(b *testing.B) {
			a, actor := benchApp(b)
			defer a.Close()
			ctx := context.Background()
			_, err := a.Learners.Import(ctx, actor, learner.ImportInput{Data: csvFile(b, templateHeader, benchRows(10_000, "科员"))})
			require.NoError(b, err)
			for b.Loop() {
				require.NoError(b, a.Learners.Export(ctx, actor, learner.ExportInput{Format: format}, io.Discard))
			}
		})
	}
}
