package questionbank_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// benchFile is a realistic 5,000-question CSV: the four types in turn, with analysis, legal
// basis, tags and difficulty filled in.
func benchFile(b *testing.B, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	for i := range n {
		r := make([]string, len(header))
		r[1] = fmt.Sprintf("第 %d 题：根据《中华人民共和国行政处罚法》，下列关于行政处罚的说法正确的是（ ）。", i+1)
		switch i % 4 {
		case 0:
			r[0], r[10] = "单选", "B"
			copy(r[2:6], []string{"警告不是行政处罚", "罚款是行政处罚", "记过是行政处罚", "以上都不对"})
		case 1:
			r[0], r[10] = "多选", "ABD"
			copy(r[2:6], []string{"警告、通报批评", "罚款、没收违法所得", "记过", "行政拘留"})
		case 2:
			r[0], r[10] = "判断", "对"
		case 3:
			r[0], r[10] = "填空", "公开|公开原则"
		}
		r[11] = "行政处罚法第九条列举了行政处罚的种类，记过属于政务处分。"
		r[12], r[13], r[14] = "中华人民共和国行政处罚法", "第九条", "2021-07-15"
		r[15], r[16], r[17] = fmt.Sprint(i%5+1), "行政处罚法,处罚种类", "已发布"
		_ = w.Write(r)
	}
	w.Flush()
	return buf.Bytes()
}

// BenchmarkImport5000 imports 5,000 questions into an empty bank of a fresh file-backed
// SQLite database (WAL, as served), through the service (parse, validate, duplicate check,
// batched inserts of questions and version snapshots, audit). Each iteration uses a new database.
//
//	go test -run '^$' -bench Import5000 -benchtime 5x ./internal/questionbank/
func BenchmarkImport5000(b *testing.B) {
	data := benchFile(b, 5000)
	ctx := context.Background()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := database.Open(database.Options{Driver: database.SQLite, DSN: filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i))})
		if err != nil {
			b.Fatal(err)
		}
		if err := database.Migrate(ctx, db); err != nil {
			b.Fatal(err)
		}
		cfg, err := config.Load("", func(string) string { return "" })
		if err != nil {
			b.Fatal(err)
		}
		a, err := app.New(cfg, slog.New(slog.DiscardHandler), app.Options{DB: db, PasswordParams: auth.FastPasswordParams()})
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Seed(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
		root, err := a.Units.Root(ctx)
		if err != nil {
			b.Fatal(err)
		}
		actor := auth.Actor{AccountID: 1, Name: "bench", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}
		bank, err := a.Banks.CreateBank(ctx, actor, questionbank.BankInput{Name: "bench", Subject: "行政处罚法"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := a.Banks.Import(ctx, actor, bank.ID, "bench.csv", data, false)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if res.Created != 5000 {
			b.Fatalf("created %d", res.Created)
		}
		a.Close()
	}
}
