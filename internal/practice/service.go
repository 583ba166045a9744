package practice

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// Errors of this domain (the full list is in docs/questionbank.md).
var (
	errSessionNotFound  = apperr.NotFound("practice.session_not_found", "练习不存在")
	errNotInSession     = apperr.NotFound("practice.question_not_in_session", "该题不在本次练习中")
	errAlreadyAnswered  = apperr.Conflict("practice.already_answered", "本题已作答，不能更改答案")
	errNoQuestions      = apperr.Invalid("practice.no_questions", "没有可练习的题目", apperr.Field("mode", "所选范围内没有可练习的题目"))
	errBankRequired     = apperr.Invalid("practice.bank_required", "顺序练习需要选择题库", apperr.Field("bank_id", "顺序练习时必填"))
	errQuestionNotFound = apperr.NotFound("question.not_found", "题目不存在")
)

func invalidAnswer(msg string) error {
	return apperr.Invalid("practice.invalid_answer", "答案格式不正确", apperr.Field("answer", msg))
}

// DefaultRemoveAfter is how many right answers in a row in practice take a question out of
// the wrong-answer book.
const DefaultRemoveAfter = 2

// Session sizes.
const (
	DefaultCount = 10
	MaxCount     = 50
)

// Questions is what practice needs from the question banks.
type Questions interface {
	VisibleBankIDs(ctx context.Context, actor auth.Actor) ([]int64, error)
	CheckVisible(ctx context.Context, actor auth.Actor, bankID int64) error
	VersionOf(ctx context.Context, questionID int64, version int) (*questionbank.Version, error)
	RecordAttempt(ctx context.Context, questionID int64, correct bool) error
}

// CreditEarner awards practice credit through the campaign ledger (wired once credits exist).
type CreditEarner interface {
	EarnPracticeCredit(ctx context.Context, accountID, questionID int64, at time.Time) error
}

// Settings tune practice.
type Settings struct {
	// RemoveAfter right answers in a row remove a question from the wrong-answer book.
	RemoveAfter int
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Questions Questions
	// Credits, when set, is called after every first right answer, inside the answer's
	// transaction (so a failed award rolls the answer back and the client can retry).
	Credits  CreditEarner
	Now      func() time.Time
	Settings Settings
}

// Service runs practice sessions, the wrong-answer book and favourites.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service {
	if d.Settings.RemoveAfter <= 0 {
		d.Settings.RemoveAfter = DefaultRemoveAfter
	}
	return &Service{Deps: d}
}

// StartInput asks for a session.
type StartInput struct {
	BankID *int64
	Mode   Mode
	Count  int
}

// SessionDetail is a session with its items.
type SessionDetail struct {
	Session
	Items []ItemRow
}

// Start draws a session for the actor. Without bank_id, random, wrong-book and favourites
// sessions draw from every bank the actor can see.
func (s *Service) Start(ctx context.Context, actor auth.Actor, in StartInput) (*SessionDetail, error) {
	if in.Count == 0 {
		in.Count = DefaultCount
	}
	if in.Mode == ModeSequential && in.BankID == nil {
		return nil, errBankRequired
	}
	bankIDs, err := s.banks(ctx, actor, in.BankID)
	if err != nil {
		return nil, err
	}
	if len(bankIDs) == 0 {
		return nil, errNoQuestions
	}
	var picks []Pick
	switch in.Mode {
	case ModeRandom:
		picks, err = s.Store.RandomQuestions(ctx, bankIDs, in.Count)
	case ModeSequential:
		var after int64
		if after, err = s.Store.Position(ctx, actor.AccountID, *in.BankID); err == nil {
			picks, err = s.Store.SequentialQuestions(ctx, *in.BankID, after, in.Count)
		}
	case ModeWrongBook:
		picks, err = s.Store.WrongBookQuestions(ctx, actor.AccountID, bankIDs, in.Count)
	case ModeFavourites:
		picks, err = s.Store.FavouriteQuestions(ctx, actor.AccountID, bankIDs, in.Count)
	default:
		return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("mode", "取值必须是以下之一: random sequential wrong_book favourites"))
	}
	if err != nil {
		return nil, err
	}
	if len(picks) == 0 {
		return nil, errNoQuestions
	}
	now := s.Now()
	sess := &Session{AccountID: actor.AccountID, BankID: in.BankID, Mode: in.Mode, QuestionCount: len(picks), CreatedAt: now, UpdatedAt: now}
	items := make([]Item, len(picks))
	for i, p := range picks {
		items[i] = Item{QuestionID: p.QuestionID, Version: p.Version, Position: i + 1}
	}
	var out *SessionDetail
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.CreateSession(ctx, sess, items); err != nil {
			return err
		}
		rows, err := s.Store.ItemRows(ctx, actor.AccountID, sess.ID)
		out = &SessionDetail{Session: *sess, Items: rows}
		return err
	})
	return out, err
}

// banks returns the bank the actor asked for (after a visibility check) or all they can see.
func (s *Service) banks(ctx context.Context, actor auth.Actor, bankID *int64) ([]int64, error) {
	if bankID != nil {
		if err := s.Questions.CheckVisible(ctx, actor, *bankID); err != nil {
			return nil, err
		}
		return []int64{*bankID}, nil
	}
	return s.Questions.VisibleBankIDs(ctx, actor)
}

// Get returns one of the actor's sessions.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (*SessionDetail, error) {
	sess, err := s.Store.GetSession(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && sess.AccountID != actor.AccountID) {
		return nil, errSessionNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.ItemRows(ctx, actor.AccountID, id)
	if err != nil {
		return nil, err
	}
	return &SessionDetail{Session: *sess, Items: rows}, nil
}

// Result is the outcome of one answer, revealing the key of the version served.
type Result struct {
	QuestionID  int64
	Correct     bool
	GivenAnswer string
	Version     *questionbank.Version
	InWrongBook bool
}

// Answer grades the actor's answer to a question of their session. Answering a question again
// with the same answer returns the first result and changes nothing (a retried request); a
// different answer is 409 practice.already_answered.
func (s *Service) Answer(ctx context.Context, actor auth.Actor, sessionID, questionID int64, raw string) (*Result, error) {
	var out *Result
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		sess, err := s.Store.GetSessionForUpdate(ctx, sessionID)
		if errors.Is(err, ErrNotFound) || (err == nil && sess.AccountID != actor.AccountID) {
			return errSessionNotFound
		}
		if err != nil {
			return err
		}
		item, err := s.Store.GetItem(ctx, sessionID, questionID)
		if errors.Is(err, ErrNotFound) {
			return errNotInSession
		}
		if err != nil {
			return err
		}
		v, err := s.Questions.VersionOf(ctx, questionID, item.Version)
		if err != nil {
			return err
		}
		given, msg := questionbank.NormaliseResponse(v.Content, raw)
		if msg != "" {
			return invalidAnswer(msg)
		}
		if item.AnsweredAt != nil {
			return s.replay(ctx, actor, item, v, given, &out)
		}
		correct := questionbank.IsCorrect(v.Content, given)
		now := s.Now()
		if ok, err := s.Store.MarkAnswered(ctx, sessionID, questionID, given, correct, now); err != nil || !ok {
			return firstErr(err, errAlreadyAnswered)
		}
		if err := s.Store.CountAnswer(ctx, sessionID, correct, now); err != nil {
			return err
		}
		if err := s.Questions.RecordAttempt(ctx, questionID, correct); err != nil {
			return err
		}
		inBook, err := s.updateWrongBook(ctx, actor.AccountID, questionID, given, correct, now)
		if err != nil {
			return err
		}
		if sess.Mode == ModeSequential && sess.BankID != nil {
			if err := s.Store.SavePosition(ctx, actor.AccountID, *sess.BankID, questionID, now); err != nil {
				return err
			}
		}
		if correct && s.Credits != nil {
			if err := s.Credits.EarnPracticeCredit(ctx, actor.AccountID, questionID, now); err != nil {
				return err
			}
		}
		out = &Result{QuestionID: questionID, Correct: correct, GivenAnswer: given, Version: v, InWrongBook: inBook}
		return nil
	})
	return out, err
}

// replay answers a repeated answer with the recorded result.
func (s *Service) replay(ctx context.Context, actor auth.Actor, item *Item, v *questionbank.Version, given string, out **Result) error {
	if item.GivenAnswer == nil || *item.GivenAnswer != given {
		return errAlreadyAnswered
	}
	inBook, err := s.Store.InWrongBook(ctx, actor.AccountID, item.QuestionID)
	if err != nil {
		return err
	}
	*out = &Result{QuestionID: item.QuestionID, Correct: item.Correct != nil && *item.Correct, GivenAnswer: given, Version: v, InWrongBook: inBook}
	return nil
}

// updateWrongBook applies the wrong-book rules to one practice answer and reports whether the
// question is in the book afterwards.
func (s *Service) updateWrongBook(ctx context.Context, accountID, questionID int64, given string, correct bool, at time.Time) (bool, error) {
	if !correct {
		return true, s.Store.AddWrong(ctx, accountID, questionID, given, at)
	}
	return s.Store.CountRight(ctx, accountID, questionID, s.Settings.RemoveAfter, at)
}

// RecordWrong adds a question to an account's wrong-answer book (for exams, once they exist).
func (s *Service) RecordWrong(ctx context.Context, accountID, questionID int64, given string, at time.Time) error {
	return s.Store.AddWrong(ctx, accountID, questionID, given, at)
}

func firstErr(err error, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
