package practice

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("practice row not found")

// Store is the only place that queries practice tables. It reads question rows (read-only
// joins) to draw and show questions; question counters change through the questionbank service.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// Pick is a question drawn for a session, at its current version.
type Pick struct {
	QuestionID int64
	Version    int
}

const published = "published"

// RandomQuestions draws up to n published questions of the banks at random.
func (s *Store) RandomQuestions(ctx context.Context, bankIDs []int64, n int) ([]Pick, error) {
	random := "RANDOM()"
	if database.Dialect(s.db) == database.MySQL {
		random = "RAND()"
	}
	var out []Pick
	err := s.conn(ctx).Table("questions").Select("id AS question_id, version").
		Where("bank_id IN ? AND status = ?", bankIDs, published).Order(random).Limit(n).Scan(&out).Error
	return out, err
}

// SequentialQuestions returns up to n published questions of a bank in id order after
// afterID, continuing from the start of the bank when the end is reached.
func (s *Store) SequentialQuestions(ctx context.Context, bankID, afterID int64, n int) ([]Pick, error) {
	var out []Pick
	err := s.conn(ctx).Table("questions").Select("id AS question_id, version").
		Where("bank_id = ? AND status = ? AND id > ?", bankID, published, afterID).Order("id").Limit(n).Scan(&out).Error
	if err != nil || len(out) == n || afterID == 0 {
		return out, err
	}
	var wrapped []Pick
	err = s.conn(ctx).Table("questions").Select("id AS question_id, version").
		Where("bank_id = ? AND status = ? AND id <= ?", bankID, published, afterID).Order("id").Limit(n - len(out)).Scan(&wrapped).Error
	return append(out, wrapped...), err
}

// WrongBookQuestions returns up to n published questions of the account's wrong-answer book
// in the banks, most recently missed first.
func (s *Store) WrongBookQuestions(ctx context.Context, accountID int64, bankIDs []int64, n int) ([]Pick, error) {
	var out []Pick
	err := s.conn(ctx).Table("wrong_questions").Select("questions.id AS question_id, questions.version").
		Joins("JOIN questions ON questions.id = wrong_questions.question_id").
		Where("wrong_questions.account_id = ? AND questions.bank_id IN ? AND questions.status = ?", accountID, bankIDs, published).
		Order("wrong_questions.last_wrong_at DESC, questions.id").Limit(n).Scan(&out).Error
	return out, err
}

// FavouriteQuestions returns up to n published favourite questions in the banks, newest first.
func (s *Store) FavouriteQuestions(ctx context.Context, accountID int64, bankIDs []int64, n int) ([]Pick, error) {
	var out []Pick
	err := s.conn(ctx).Table("favourite_questions").Select("questions.id AS question_id, questions.version").
		Joins("JOIN questions ON questions.id = favourite_questions.question_id").
		Where("favourite_questions.account_id = ? AND questions.bank_id IN ? AND questions.status = ?", accountID, bankIDs, published).
		Order("favourite_questions.created_at DESC, questions.id").Limit(n).Scan(&out).Error
	return out, err
}

// CreateSession inserts a session and its items.
func (s *Store) CreateSession(ctx context.Context, sess *Session, items []Item) error {
	if err := s.conn(ctx).Create(sess).Error; err != nil {
		return err
	}
	for i := range items {
		items[i].SessionID = sess.ID
	}
	return s.conn(ctx).Create(&items).Error
}

// GetSession loads a session.
func (s *Store) GetSession(ctx context.Context, id int64) (*Session, error) {
	return takeSession(s.conn(ctx).Where("id = ?", id))
}

// GetSessionForUpdate loads a session and locks it until the transaction ends (MySQL).
func (s *Store) GetSessionForUpdate(ctx context.Context, id int64) (*Session, error) {
	return takeSession(s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id))
}

func takeSession(q *gorm.DB) (*Session, error) { return database.Take[Session](q, ErrNotFound) }

// GetItem loads one item of a session.
func (s *Store) GetItem(ctx context.Context, sessionID, questionID int64) (*Item, error) {
	var out Item
	err := s.conn(ctx).Where("session_id = ? AND question_id = ?", sessionID, questionID).Take(&out).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &out, err
}

// ItemRow is a served item with the question as served (no answer key selected).
type ItemRow struct {
	Item
	BankID     int64
	Type       questionbank.Type
	Stem       string
	Options    questionbank.Options
	Difficulty int
	Tags       string
	Favourite  bool
}

// ItemRows lists a session's items in order, with the served version's text and whether the
// account marked each as a favourite (one query).
func (s *Store) ItemRows(ctx context.Context, accountID, sessionID int64) ([]ItemRow, error) {
	var out []ItemRow
	err := s.conn(ctx).Table("practice_items").
		Select(`practice_items.*, questions.bank_id, v.type, v.stem, v.options, v.difficulty, v.tags,
			CASE WHEN f.question_id IS NULL THEN 0 ELSE 1 END AS favourite`).
		Joins("JOIN questions ON questions.id = practice_items.question_id").
		Joins("JOIN question_versions v ON v.question_id = practice_items.question_id AND v.version = practice_items.version").
		Joins("LEFT JOIN favourite_questions f ON f.account_id = ? AND f.question_id = practice_items.question_id", accountID).
		Where("practice_items.session_id = ?", sessionID).Order("practice_items.position").Scan(&out).Error
	return out, err
}

// MarkAnswered records the answer to an item not answered yet; it reports false when another
// request answered it first.
func (s *Store) MarkAnswered(ctx context.Context, sessionID, questionID int64, given string, correct bool, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Item{}).Where("session_id = ? AND question_id = ? AND answered_at IS NULL", sessionID, questionID).
		Updates(map[string]any{"given_answer": given, "correct": correct, "answered_at": at})
	return res.RowsAffected == 1, res.Error
}

// CountAnswer adds one answer to the session's counters.
func (s *Store) CountAnswer(ctx context.Context, sessionID int64, correct bool, at time.Time) error {
	inc := 0
	if correct {
		inc = 1
	}
	return s.conn(ctx).Model(&Session{}).Where("id = ?", sessionID).UpdateColumns(map[string]any{
		"answered_count": gorm.Expr("answered_count + 1"),
		"correct_count":  gorm.Expr("correct_count + ?", inc),
		"updated_at":     at,
	}).Error
}

// Position returns where the account stopped in a bank (0: at the start).
func (s *Store) Position(ctx context.Context, accountID, bankID int64) (int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&Position{}).Where("account_id = ? AND bank_id = ?", accountID, bankID).
		Limit(1).Pluck("last_question_id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// SavePosition remembers the last question the account answered in a bank's sequential practice.
func (s *Store) SavePosition(ctx context.Context, accountID, bankID, questionID int64, at time.Time) error {
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "account_id"}, {Name: "bank_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"last_question_id", "updated_at"}),
	}).Create(&Position{AccountID: accountID, BankID: bankID, LastQuestionID: questionID, UpdatedAt: at}).Error
}
