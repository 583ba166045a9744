package practice

import (
	"context"
	"errors"
	"time"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// BookInput narrows a wrong-book or favourites listing.
type BookInput struct {
	BankID *int64
	Offset int
	Limit  int
}

// ListWrong returns the actor's wrong-answer book (questions in banks they can still see).
func (s *Service) ListWrong(ctx context.Context, actor auth.Actor, in BookInput) ([]WrongRow, int64, error) {
	bankIDs, err := s.banks(ctx, actor, in.BankID)
	if err != nil || len(bankIDs) == 0 {
		return []WrongRow{}, 0, err
	}
	return s.Store.ListWrong(ctx, actor.AccountID, bankIDs, in.Offset, in.Limit)
}

// RemoveWrong takes a question out of the actor's wrong-answer book (idempotent).
func (s *Service) RemoveWrong(ctx context.Context, actor auth.Actor, questionID int64) error {
	return s.Store.RemoveWrong(ctx, actor.AccountID, questionID)
}

// AddFavourite marks a published question of a bank the actor can see (idempotent).
func (s *Service) AddFavourite(ctx context.Context, actor auth.Actor, questionID int64) error {
	bankID, status, err := s.Store.QuestionBankStatus(ctx, questionID)
	if errors.Is(err, ErrNotFound) || (err == nil && status != questionbank.StatusPublished) {
		return errQuestionNotFound
	}
	if err != nil {
		return err
	}
	if err := s.Questions.CheckVisible(ctx, actor, bankID); err != nil {
		if e, ok := apperr.As(err); ok && e.Status == 404 {
			return errQuestionNotFound
		}
		return err
	}
	return s.Store.AddFavourite(ctx, actor.AccountID, questionID, s.Now())
}

// RemoveFavourite unmarks a question (idempotent).
func (s *Service) RemoveFavourite(ctx context.Context, actor auth.Actor, questionID int64) error {
	return s.Store.RemoveFavourite(ctx, actor.AccountID, questionID)
}

// ListFavourites returns the actor's favourites (questions in banks they can still see).
func (s *Service) ListFavourites(ctx context.Context, actor auth.Actor, in BookInput) ([]FavouriteRow, int64, error) {
	bankIDs, err := s.banks(ctx, actor, in.BankID)
	if err != nil || len(bankIDs) == 0 {
		return []FavouriteRow{}, 0, err
	}
	return s.Store.ListFavourites(ctx, actor.AccountID, bankIDs, in.Offset, in.Limit)
}

// WrongAnswer is a question answered wrongly outside practice (an exam) and the answer given.
type WrongAnswer struct {
	QuestionID int64
	Given      string
}

// AccountWrong is a wrong answer of one account, at a time (exam gradings written together).
type AccountWrong struct {
	AccountID int64
	WrongAnswer
	At time.Time
}

// RecordWrongBatch adds the questions accounts got wrong in exams to their wrong-answer books,
// in as few statements as it can, inside the caller's transaction.
func (s *Service) RecordWrongBatch(ctx context.Context, wrong []AccountWrong) error {
	return s.Store.AddWrongBatch(ctx, wrong)
}
