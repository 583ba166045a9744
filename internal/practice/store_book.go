package practice

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// AddWrong puts a question in the account's wrong-answer book, or refreshes it: one more
// wrong answer, the run of right answers back to zero.
func (s *Store) AddWrong(ctx context.Context, accountID, questionID int64, given string, at time.Time) error {
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "account_id"}, {Name: "question_id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"wrong_count": gorm.Expr("wrong_count + 1"), "correct_streak": 0,
			"last_answer": given, "last_wrong_at": at, "updated_at": at,
		}),
	}).Create(&WrongQuestion{
		AccountID: accountID, QuestionID: questionID, WrongCount: 1, LastAnswer: given,
		LastWrongAt: at, CreatedAt: at, UpdatedAt: at,
	}).Error
}

// CountRight adds a right answer to a wrong-book entry and removes the entry once the run of
// right answers reaches removeAfter. It reports whether the question is still in the book.
func (s *Store) CountRight(ctx context.Context, accountID, questionID int64, removeAfter int, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&WrongQuestion{}).Where("account_id = ? AND question_id = ?", accountID, questionID).
		UpdateColumns(map[string]any{"correct_streak": gorm.Expr("correct_streak + 1"), "updated_at": at})
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	del := s.conn(ctx).Where("account_id = ? AND question_id = ? AND correct_streak >= ?", accountID, questionID, removeAfter).
		Delete(&WrongQuestion{})
	return del.RowsAffected == 0, del.Error
}

// InWrongBook reports whether the question is in the account's wrong-answer book.
func (s *Store) InWrongBook(ctx context.Context, accountID, questionID int64) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&WrongQuestion{}).Where("account_id = ? AND question_id = ?", accountID, questionID).Count(&n).Error
	return n > 0, err
}

// RemoveWrong takes a question out of the account's wrong-answer book (no-op when absent).
func (s *Store) RemoveWrong(ctx context.Context, accountID, questionID int64) error {
	return s.conn(ctx).Where("account_id = ? AND question_id = ?", accountID, questionID).Delete(&WrongQuestion{}).Error
}

// QuestionText is a question's current text without its answer key.
type QuestionText struct {
	BankID     int64
	Type       questionbank.Type
	Stem       string
	Options    questionbank.Options
	Difficulty int
	Tags       string
	Status     questionbank.Status
}

const questionTextColumns = "questions.bank_id, questions.type, questions.stem, questions.options, questions.difficulty, questions.tags, questions.status"

// WrongRow is a wrong-book entry with its question.
type WrongRow struct {
	WrongQuestion
	QuestionText
}

// ListWrong returns a page of the account's wrong-answer book in the banks, most recently
// missed first, and the total.
func (s *Store) ListWrong(ctx context.Context, accountID int64, bankIDs []int64, offset, limit int) ([]WrongRow, int64, error) {
	q := s.conn(ctx).Table("wrong_questions").Joins("JOIN questions ON questions.id = wrong_questions.question_id").
		Where("wrong_questions.account_id = ? AND questions.bank_id IN ?", accountID, bankIDs)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []WrongRow
	err := q.Select("wrong_questions.*, " + questionTextColumns).
		Order("wrong_questions.last_wrong_at DESC, wrong_questions.question_id").Offset(offset).Limit(limit).Scan(&out).Error
	return out, total, err
}

// AddFavourite marks a question (no-op when already marked).
func (s *Store) AddFavourite(ctx context.Context, accountID, questionID int64, at time.Time) error {
	return s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Favourite{AccountID: accountID, QuestionID: questionID, CreatedAt: at}).Error
}

// RemoveFavourite unmarks a question (no-op when not marked).
func (s *Store) RemoveFavourite(ctx context.Context, accountID, questionID int64) error {
	return s.conn(ctx).Where("account_id = ? AND question_id = ?", accountID, questionID).Delete(&Favourite{}).Error
}

// FavouriteRow is a favourite with its question.
type FavouriteRow struct {
	Favourite
	QuestionText
}

// ListFavourites returns a page of the account's favourites in the banks, newest first.
func (s *Store) ListFavourites(ctx context.Context, accountID int64, bankIDs []int64, offset, limit int) ([]FavouriteRow, int64, error) {
	q := s.conn(ctx).Table("favourite_questions").Joins("JOIN questions ON questions.id = favourite_questions.question_id").
		Where("favourite_questions.account_id = ? AND questions.bank_id IN ?", accountID, bankIDs)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []FavouriteRow
	err := q.Select("favourite_questions.*, " + questionTextColumns).
		Order("favourite_questions.created_at DESC, favourite_questions.question_id").Offset(offset).Limit(limit).Scan(&out).Error
	return out, total, err
}

// QuestionBankStatus returns a question's bank and status, for checks before marking it.
func (s *Store) QuestionBankStatus(ctx context.Context, questionID int64) (int64, questionbank.Status, error) {
	var row struct {
		BankID int64
		Status questionbank.Status
	}
	err := s.conn(ctx).Table("questions").Select("bank_id, status").Where("id = ?", questionID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, "", ErrNotFound
	}
	return row.BankID, row.Status, err
}

// wrongChunk caps the rows of one wrong-book upsert (6 parameters each: SQLite allows 32,766
// per statement).
const wrongChunk = 1000

// AddWrongBatch puts the questions several accounts got wrong in their wrong-answer books
// (exam gradings written together), each row as AddWrong would: one more wrong answer, the run
// of right answers back to zero. Rows go in (account, question) order so concurrent batches
// lock them in the same order. One statement cannot carry a key twice (MySQL would count the
// second row once more, SQLite refuses), so a key that repeats (one learner's two exams in the
// same batch) goes again in a later round: the last answer given wins.
func (s *Store) AddWrongBatch(ctx context.Context, wrong []AccountWrong) error {
	type key struct{ account, question int64 }
	var rounds [][]AccountWrong
	seen := map[key]int{}
	for _, w := range wrong {
		k := key{w.AccountID, w.QuestionID}
		n := seen[k]
		seen[k] = n + 1
		if n == len(rounds) {
			rounds = append(rounds, nil)
		}
		rounds[n] = append(rounds[n], w)
	}
	for _, rows := range rounds {
		slices.SortFunc(rows, func(a, b AccountWrong) int {
			return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.QuestionID, b.QuestionID))
		})
		for chunk := range slices.Chunk(rows, wrongChunk) {
			if err := s.upsertWrong(ctx, chunk); err != nil {
				return err
			}
		}
	}
	return nil
}

// upsertWrong writes one multi-row upsert. It is built by hand: a batch carries thousands of
// rows, and GORM's per-row reflection would be most of the grading writer's own time.
func (s *Store) upsertWrong(ctx context.Context, rows []AccountWrong) error {
	var sql strings.Builder
	args := make([]any, 0, 6*len(rows))
	sql.WriteString("INSERT INTO wrong_questions (account_id, question_id, wrong_count, correct_streak, last_answer, last_wrong_at, created_at, updated_at) VALUES ")
	for i, w := range rows {
		if i > 0 {
			sql.WriteByte(',')
		}
		sql.WriteString("(?,?,1,0,?,?,?,?)")
		args = append(args, w.AccountID, w.QuestionID, w.Given, w.At, w.At, w.At)
	}
	if database.Dialect(s.db) == database.MySQL {
		sql.WriteString(" ON DUPLICATE KEY UPDATE wrong_count = wrong_count + 1, correct_streak = 0, last_answer = VALUES(last_answer), last_wrong_at = VALUES(last_wrong_at), updated_at = VALUES(updated_at)")
	} else {
		sql.WriteString(" ON CONFLICT (account_id, question_id) DO UPDATE SET wrong_count = wrong_count + 1, correct_streak = 0, last_answer = excluded.last_answer, last_wrong_at = excluded.last_wrong_at, updated_at = excluded.updated_at")
	}
	return s.conn(ctx).Exec(sql.String(), args...).Error
}
