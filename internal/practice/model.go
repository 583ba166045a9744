// Package practice lets learners practise on the question banks they can see: sessions drawn
// at random, in bank order (remembering where the learner stopped), from their wrong-answer
// book (错题本) or from their favourites. Answers are graded against the question version the
// session served; keys, analysis and legal basis are revealed only in the answer's result.
// Practice rows are keyed by account id.
package practice

import (
	"slices"
	"time"
)

// Mode is how a session draws its questions.
type Mode string // @name PracticeMode

// Modes.
const (
	ModeRandom     Mode = "random"
	ModeSequential Mode = "sequential"
	ModeWrongBook  Mode = "wrong_book"
	ModeFavourites Mode = "favourites"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool {
	return slices.Contains([]Mode{ModeRandom, ModeSequential, ModeWrongBook, ModeFavourites}, m)
}

// Session is one practice session of one account.
type Session struct {
	ID            int64 `gorm:"primaryKey"`
	AccountID     int64
	BankID        *int64
	Mode          Mode
	QuestionCount int
	AnsweredCount int
	CorrectCount  int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table.
func (Session) TableName() string { return "practice_sessions" }

// Item is one question served in a session, at the version served, and its answer.
type Item struct {
	SessionID   int64 `gorm:"primaryKey;autoIncrement:false"`
	QuestionID  int64 `gorm:"primaryKey;autoIncrement:false"`
	Position    int
	Version     int
	GivenAnswer *string
	Correct     *bool
	AnsweredAt  *time.Time
}

// TableName pins the table.
func (Item) TableName() string { return "practice_items" }

// Position is where an account stopped in a bank's sequential practice.
type Position struct {
	AccountID      int64 `gorm:"primaryKey;autoIncrement:false"`
	BankID         int64 `gorm:"primaryKey;autoIncrement:false"`
	LastQuestionID int64
	UpdatedAt      time.Time
}

// TableName pins the table.
func (Position) TableName() string { return "practice_positions" }

// WrongQuestion is an entry of an account's wrong-answer book.
type WrongQuestion struct {
	AccountID     int64 `gorm:"primaryKey;autoIncrement:false"`
	QuestionID    int64 `gorm:"primaryKey;autoIncrement:false"`
	WrongCount    int
	CorrectStreak int
	LastAnswer    string
	LastWrongAt   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table.
func (WrongQuestion) TableName() string { return "wrong_questions" }

// Favourite is a question an account marked.
type Favourite struct {
	AccountID  int64 `gorm:"primaryKey;autoIncrement:false"`
	QuestionID int64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt  time.Time
}

// TableName pins the table.
func (Favourite) TableName() string { return "favourite_questions" }
