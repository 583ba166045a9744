package exam

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/questionbank"
	"github.com/xuefa/xuefa/internal/unit"
)

// BenchmarkDrawPaper50 draws a 50-question paper (20 single, 10 multiple, 15 judge, 5 fill, with
// questions and options shuffled) from a 2,000-question bank on SQLite: the part of starting an
// attempt that grows with the blueprint. Target: under 5 ms.
func BenchmarkDrawPaper50(b *testing.B) {
	ctx := context.Background()
	db, err := database.Open(database.Options{Driver: database.SQLite, DSN: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer database.Close(db)
	if err := database.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	root := unit.Unit{Code: "root", Name: "县", Kind: "county", Path: "/1/", CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&root).Error; err != nil {
		b.Fatal(err)
	}
	bank := questionbank.Bank{UnitID: root.ID, Name: "题库", Subject: "综合", CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&bank).Error; err != nil {
		b.Fatal(err)
	}
	types := []questionbank.Type{questionbank.TypeSingle, questionbank.TypeMultiple, questionbank.TypeJudge, questionbank.TypeFill}
	var questions []questionbank.Question
	for i := range 2000 {
		c := questionbank.Content{Type: types[i%4], Stem: fmt.Sprintf("题干 %d", i), Difficulty: 1 + i%5, Options: questionbank.Options{}}
		switch c.Type {
		case questionbank.TypeSingle:
			c.Options, c.Answer = questionbank.Options{"甲", "乙", "丙", "丁"}, "B"
		case questionbank.TypeMultiple:
			c.Options, c.Answer = questionbank.Options{"甲", "乙", "丙", "丁"}, "AC"
		case questionbank.TypeJudge:
			c.Answer = "true"
		default:
			c.Answer = "法治"
		}
		questions = append(questions, questionbank.Question{BankID: bank.ID, StemHash: fmt.Sprint(i), Content: c,
			Status: questionbank.StatusPublished, Version: 1, CreatedAt: now, UpdatedAt: now})
	}
	if err := db.CreateInBatches(&questions, 200).Error; err != nil {
		b.Fatal(err)
	}
	versions := make([]questionbank.Version, len(questions))
	for i, q := range questions {
		versions[i] = questionbank.Version{QuestionID: q.ID, Version: 1, Content: q.Content, CreatedAt: now}
	}
	if err := db.CreateInBatches(&versions, 200).Error; err != nil {
		b.Fatal(err)
	}
	b.Run("cached pools", func(b *testing.B) { benchDraw(b, db, 0, root.Path, bank.ID, now) })
	b.Run("no cache", func(b *testing.B) { benchDraw(b, db, -1, root.Path, bank.ID, now) })
}

func benchDraw(b *testing.B, db *gorm.DB, ttl time.Duration, unitPath string, bankID int64, now time.Time) {
	ctx := context.Background()
	s := NewService(Deps{DB: db, Store: NewStore(db), Now: func() time.Time { return now }, Settings: Settings{PoolTTL: ttl}})
	r := &Row{Exam: Exam{ID: 1, ShuffleQuestions: true, ShuffleOptions: true}, UnitPath: unitPath}
	sections := []Section{
		{Position: 1, BankID: &bankID, Type: "single", Count: 20, Points: 2, DifficultyMin: 1, DifficultyMax: 5},
		{Position: 2, BankID: &bankID, Type: "multiple", Count: 10, Points: 2, DifficultyMin: 1, DifficultyMax: 5},
		{Position: 3, BankID: &bankID, Type: "judge", Count: 15, Points: 1, DifficultyMin: 1, DifficultyMax: 5},
		{Position: 4, BankID: &bankID, Type: "fill", Count: 5, Points: 1, DifficultyMin: 1, DifficultyMax: 5},
	}
	b.ResetTimer()
	for b.Loop() {
		items, err := s.draw(ctx, r, sections)
		if err != nil || len(items) != 50 {
			b.Fatalf("draw: %d items, %v", len(items), err)
		}
	}
}
