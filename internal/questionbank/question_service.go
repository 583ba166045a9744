package questionbank

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
)

var (
	errQuestionNotFound = apperr.NotFound("question.not_found", "题目不存在")
	errNotDraft         = apperr.Conflict("question.not_draft", "题目已发布过，不能删除；可将其停用（retired）")
	errBackToDraft      = apperr.Invalid("question.status_transition", "已发布过的题目不能改回草稿", apperr.Field("status", "已发布过的题目只能是 published 或 retired"))
)

func invalidQuestion(fields []apperr.FieldError) error {
	return apperr.Invalid("question.invalid", "题目内容有误", fields...)
}

func duplicateStem(existingID int64) error {
	return &apperr.Error{Status: http.StatusConflict, Code: "question.duplicate_stem", Message: "题库中已有相同题干的题目",
		Fields: []apperr.FieldError{apperr.Field("stem", fmt.Sprintf("与题目 %d 的题干相同", existingID))}}
}

// CreateQuestion adds a question to a bank the actor administers. A published question gets
// its version-1 snapshot at once.
func (s *Service) CreateQuestion(ctx context.Context, actor auth.Actor, bankID int64, in Input) (*Question, error) {
	content, status, fields := build(in)
	if len(fields) > 0 {
		return nil, invalidQuestion(fields)
	}
	now := s.now()
	q := &Question{BankID: bankID, StemHash: StemHash(content.Stem), Content: content, Status: status, Version: 1,
		CreatedBy: actorID(actor), UpdatedBy: actorID(actor), CreatedAt: now, UpdatedAt: now}
	if _, err := s.managedBank(ctx, actor, bankID); err != nil {
		return nil, err
	}
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		// Locked before any read, so the stem check sees the creates committed before it.
		if err := s.lockBank(ctx, bankID); err != nil {
			return err
		}
		if id, err := s.store.QuestionIDByStem(ctx, bankID, q.StemHash, 0); err != nil || id != 0 {
			return firstErr(err, duplicateStem(id))
		}
		if err := s.store.CreateQuestions(ctx, []*Question{q}); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return duplicateStem(0) // an edit took the stem after the check (it does not lock the bank)
			}
			return err
		}
		if status == StatusPublished {
			if err := s.store.CreateVersions(ctx, []Version{q.snapshot(actorID(actor), q.CreatedAt)}); err != nil {
				return err
			}
		}
		return s.record(ctx, actor, "question.create", "question", q.ID, map[string]any{"bank_id": bankID, "type": q.Type, "status": q.Status})
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// GetQuestion returns a question of a bank the actor administers.
func (s *Service) GetQuestion(ctx context.Context, actor auth.Actor, id int64) (*Question, error) {
	q, err := s.store.GetQuestion(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errQuestionNotFound
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.managedBank(ctx, actor, q.BankID); err != nil {
		if errors.Is(err, errBankNotFound) {
			return nil, errQuestionNotFound
		}
		return nil, err
	}
	return q, nil
}

// QuestionListInput narrows a question listing.
type QuestionListInput struct {
	Query      string
	Tag        string
	Type       Type
	Difficulty int
	Status     Status
	Offset     int
	Limit      int
}

// ListQuestions returns a page of a bank's questions.
func (s *Service) ListQuestions(ctx context.Context, actor auth.Actor, bankID int64, in QuestionListInput) ([]Question, int64, error) {
	if _, err := s.managedBank(ctx, actor, bankID); err != nil {
		return nil, 0, err
	}
	return s.store.ListQuestions(ctx, QuestionFilter{
		BankID: bankID, Query: in.Query, Tag: in.Tag, Type: in.Type, Difficulty: in.Difficulty, Status: in.Status,
	}, in.Offset, in.Limit)
}

// QuestionUpdate changes a question; nil fields stay.
type QuestionUpdate struct {
	Type             *Type
	Stem             *string
	Options          *[]string
	Answer           *string
	Analysis         *string
	LawName          *string
	LawArticle       *string
	LawEffectiveDate *string
	Difficulty       *int
	Tags             *[]string
	Status           *Status
}

func (u QuestionUpdate) apply(in *Input) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if u.Type != nil {
		in.Type = *u.Type
		if !in.Type.IsChoice() && u.Options == nil {
			in.Options = nil // a new judge/fill question drops the old options
		}
	}
	set(&in.Stem, u.Stem)
	set(&in.Answer, u.Answer)
	set(&in.Analysis, u.Analysis)
	set(&in.LawName, u.LawName)
	set(&in.LawArticle, u.LawArticle)
	set(&in.LawEffectiveDate, u.LawEffectiveDate)
	if u.Options != nil {
		in.Options = *u.Options
	}
	if u.Difficulty != nil {
		in.Difficulty = *u.Difficulty
	}
	if u.Tags != nil {
		in.Tags = *u.Tags
	}
	if u.Status != nil {
		in.Status = *u.Status
	}
}

// UpdateQuestion edits a question, if it is still at a revision ifMatch accepts. A question
// that was never published is edited in place; once published, a content change makes version
// n+1 with its own snapshot, so attempts keep the version they saw. Publishing a draft
// snapshots its current content.
func (s *Service) UpdateQuestion(ctx context.Context, actor auth.Actor, id int64, in QuestionUpdate, ifMatch etag.IfMatch) (*Question, error) {
	if _, err := s.GetQuestion(ctx, actor, id); err != nil {
		return nil, err
	}
	var out *Question
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		q, err := s.lockQuestion(ctx, id)
		if err != nil {
			return err
		}
		if err := ifMatch.CheckRow(q.ID, q.RowVersion); err != nil {
			return err
		}
		merged := inputOf(q.Content, q.Status)
		in.apply(&merged)
		content, status, fields := build(merged)
		if len(fields) > 0 {
			return invalidQuestion(fields)
		}
		everPublished, err := s.store.HasVersion(ctx, q.ID, q.Version)
		if err != nil {
			return err
		}
		if status == StatusDraft && everPublished {
			return errBackToDraft
		}
		changed := !equalContent(content, q.Content)
		cols := map[string]any{"status": status, "updated_by": actorID(actor), "updated_at": s.now()}
		version := q.Version
		if changed {
			hash := StemHash(content.Stem)
			if hash != q.StemHash {
				if other, err := s.store.QuestionIDByStem(ctx, q.BankID, hash, q.ID); err != nil || other != 0 {
					return firstErr(err, duplicateStem(other))
				}
			}
			for k, v := range contentColumns(content) {
				cols[k] = v
			}
			cols["stem_hash"] = hash
			if everPublished {
				version++
				cols["version"] = version
			}
		}
		if err := s.store.UpdateQuestion(ctx, q.ID, cols); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return duplicateStem(0)
			}
			return err
		}
		if (changed && everPublished) || (status == StatusPublished && !everPublished) {
			snap := Version{QuestionID: q.ID, Version: version, Content: content, CreatedBy: actorID(actor), CreatedAt: s.now()}
			if err := s.store.CreateVersions(ctx, []Version{snap}); err != nil {
				return err
			}
		}
		detail := map[string]any{"status": status, "version": version, "content_changed": changed}
		if err := s.record(ctx, actor, "question.update", "question", q.ID, detail); err != nil {
			return err
		}
		out, err = s.store.GetQuestion(ctx, q.ID)
		return err
	})
	return out, err
}

// DeleteQuestion removes a question that was never published (published ones are retired), if
// it is still at a revision ifMatch accepts. It is checked again under the question's lock: an
// edit may have published or retired it.
func (s *Service) DeleteQuestion(ctx context.Context, actor auth.Actor, id int64, ifMatch etag.IfMatch) error {
	if _, err := s.GetQuestion(ctx, actor, id); err != nil {
		return err
	}
	return database.WithTx(ctx, s.db, func(ctx context.Context) error {
		q, err := s.lockQuestion(ctx, id)
		if err != nil {
			return err
		}
		if err := ifMatch.CheckRow(q.ID, q.RowVersion); err != nil {
			return err
		}
		everPublished, err := s.store.HasVersion(ctx, q.ID, q.Version)
		if err != nil {
			return err
		}
		if everPublished || q.Status != StatusDraft {
			return errNotDraft
		}
		if err := s.store.DeleteQuestion(ctx, id); err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return errNotDraft
			}
			return err
		}
		return s.record(ctx, actor, "question.delete", "question", id, map[string]any{"bank_id": q.BankID})
	})
}

// lockQuestion locks a question until the transaction ends; one deleted meanwhile is 404.
// Take it before any other read of the transaction: MySQL's snapshot then starts after the
// lock, so the version rows of an edit committed meanwhile are seen.
func (s *Service) lockQuestion(ctx context.Context, id int64) (*Question, error) {
	q, err := s.store.GetQuestionForUpdate(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errQuestionNotFound
	}
	return q, err
}

// Versions lists the published versions of a question, newest first.
func (s *Service) Versions(ctx context.Context, actor auth.Actor, id int64) ([]Version, error) {
	if _, err := s.GetQuestion(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.Versions(ctx, id)
}

// Stats are a question's item statistics: practice answers, counted as they arrive, and
// formal exams, as the exams feed them.
type Stats struct {
	QuestionID int64
	Attempts   int64
	Correct    int64
	Exam       ExamItemStats
}

// ExamItemStats are a question's statistics over the formal exams that served it, each exam's
// weighted by how many counted papers held the question. An exam feeds its figures when its
// statistics are read and once its window has closed.
type ExamItemStats struct {
	Served         int64
	Facility       *float64 // mean share of the points earned; nil before any exam fed it
	Discrimination *float64 // upper 27% facility minus lower 27%; nil when no exam could tell
}

// Stats returns a question's item statistics.
func (s *Service) Stats(ctx context.Context, actor auth.Actor, id int64) (*Stats, error) {
	q, err := s.GetQuestion(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	st := &Stats{QuestionID: q.ID, Attempts: q.AttemptCount, Correct: q.CorrectCount}
	if s.exams != nil {
		if st.Exam, err = s.exams.QuestionExamStats(ctx, q.ID); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// RecordAttempt counts one answer to a question (called inside the answering transaction).
func (s *Service) RecordAttempt(ctx context.Context, questionID int64, correct bool) error {
	return s.store.AddAttempt(ctx, questionID, correct)
}

// VersionOf returns the snapshot of a served question version (no scope check: the caller
// served it).
func (s *Service) VersionOf(ctx context.Context, questionID int64, version int) (*Version, error) {
	v, err := s.store.GetVersion(ctx, questionID, version)
	if errors.Is(err, ErrNotFound) {
		return nil, errQuestionNotFound
	}
	return v, err
}

func equalContent(a, b Content) bool {
	return a.Type == b.Type && a.Stem == b.Stem && slices.Equal(a.Options, b.Options) && a.Answer == b.Answer &&
		a.Analysis == b.Analysis && a.LawName == b.LawName && a.LawArticle == b.LawArticle &&
		a.LawEffectiveDate == b.LawEffectiveDate && a.Difficulty == b.Difficulty && a.Tags == b.Tags
}

func contentColumns(c Content) map[string]any {
	return map[string]any{
		"type": c.Type, "stem": c.Stem, "options": c.Options, "answer": c.Answer, "analysis": c.Analysis,
		"law_name": c.LawName, "law_article": c.LawArticle, "law_effective_date": c.LawEffectiveDate,
		"difficulty": c.Difficulty, "tags": c.Tags,
	}
}

func firstErr(err error, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
