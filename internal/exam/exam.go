package exam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
)

// Input is an exam's editable content.
type Input struct {
	CampaignID          int64
	UnitID              int64 // 0: the actor's unit
	MainExamID          *int64
	Title               string
	Description         string
	OpensAt             time.Time
	ClosesAt            time.Time
	DurationMinutes     int
	MaxAttempts         int
	ScorePolicy         ScorePolicy
	PassScore           float64
	PrerequisiteCredits credit.Amount
	AudienceTracks      []string
	AudienceUnitIDs     []int64
	ReviewPolicy        ReviewPolicy
	ReviewShowAnswers   bool
	ShuffleQuestions    bool
	ShuffleOptions      bool
	PartialCredit       bool
	Blueprints          []Blueprint
}

// Blueprint is one track's list of sections.
type Blueprint struct {
	Track    string
	Sections []SectionInput
}

// SectionInput is one section as an admin writes it.
type SectionInput struct {
	Title         string
	BankID        *int64
	Tag           string
	Type          string
	Count         int
	Points        float64
	DifficultyMin int
	DifficultyMax int
	QuestionIDs   []int64
}

// Detail is an exam with its sections.
type Detail struct {
	Row
	Sections []Section
}

// Create adds a draft exam owned by a unit of the actor's subtree.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in Input) (*Detail, error) {
	if in.UnitID == 0 {
		in.UnitID = actor.UnitID
	}
	e, sections, err := s.build(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	e.Status, e.CreatedBy, e.CreatedAt, e.UpdatedAt = StatusDraft, &actor.AccountID, now, now
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.lockMain(ctx, e); err != nil {
			return err
		}
		if err := s.Store.CreateExam(ctx, e, sections); err != nil {
			return err
		}
		return s.record(ctx, actor, "exam.create", e.ID, map[string]any{"title": e.Title, "campaign_id": e.CampaignID})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, actor, e.ID)
}

// Replace rewrites a draft exam (a published one is 409 exam.not_editable) if it is still at a
// revision ifMatch accepts. The status is checked again under the exam's lock: a publish
// committed between the first read and the write would otherwise be undone, its exam turned
// back into a draft with another blueprint.
func (s *Service) Replace(ctx context.Context, actor auth.Actor, id int64, in Input, ifMatch etag.IfMatch) (*Detail, error) {
	cur, err := s.owned(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	// Early, so a stale tag is 412 before it is 409 or 422; a tag that misses now can never
	// match later. The check that counts is the one under the lock.
	if err := ifMatch.CheckRow(cur.ID, cur.RowVersion); err != nil {
		return nil, err
	}
	if cur.Status != StatusDraft {
		return nil, errNotEditable
	}
	if in.UnitID == 0 {
		in.UnitID = cur.UnitID
	}
	e, sections, err := s.build(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	e.ID, e.Status, e.CreatedBy, e.CreatedAt, e.UpdatedAt = id, StatusDraft, cur.CreatedBy, cur.CreatedAt, s.now()
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		locked, err := s.lockDraft(ctx, id, ifMatch)
		if err != nil {
			return err
		}
		e.RowVersion = locked.RowVersion + 1
		if err := s.lockMain(ctx, e); err != nil {
			return err
		}
		if err := s.keepMakeups(ctx, cur, e); err != nil {
			return err
		}
		if err := s.Store.ReplaceExam(ctx, e, sections); err != nil {
			return err
		}
		return s.record(ctx, actor, "exam.update", id, map[string]any{"title": e.Title})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, actor, id)
}

// Delete removes a draft exam and its blueprint, if it is still at a revision ifMatch accepts.
// A published or closed exam stays for the record (409 exam.not_editable), and so does a draft
// that a make-up exam names as its main exam (409 exam.has_makeup) until that make-up is
// deleted or pointed elsewhere.
func (s *Service) Delete(ctx context.Context, actor auth.Actor, id int64, ifMatch etag.IfMatch) error {
	r, err := s.owned(ctx, actor, id)
	if err != nil {
		return err
	}
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if _, err := s.lockDraft(ctx, id, ifMatch); err != nil {
			return err
		}
		makeups, err := s.Store.CountMakeups(ctx, id)
		if err != nil {
			return err
		}
		if makeups > 0 {
			return errHasMakeup
		}
		if err := s.Store.DeleteExam(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, actor, "exam.delete", id, map[string]any{"title": r.Title, "campaign_id": r.CampaignID})
	})
}

// lockDraft locks an exam until the transaction ends and returns it as locked; it fails unless
// the exam is at a revision ifMatch accepts and still a draft.
func (s *Service) lockDraft(ctx context.Context, id int64, ifMatch etag.IfMatch) (*Exam, error) {
	return s.lockIn(ctx, id, StatusDraft, errNotEditable, ifMatch)
}

// lockIn locks an exam until the transaction ends and returns it as locked; it fails with 412
// unless ifMatch accepts its revision, and with notIn unless it is in the given status. An
// exam deleted meanwhile is 404.
func (s *Service) lockIn(ctx context.Context, id int64, st Status, notIn error, ifMatch etag.IfMatch) (*Exam, error) {
	e, err := s.Store.LockExam(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := ifMatch.CheckRow(e.ID, e.RowVersion); err != nil {
		return nil, err
	}
	if e.Status != st {
		return nil, notIn
	}
	return e, nil
}

// lockMain locks the main exam a make-up names, if any, and checks it again under the lock,
// so that a delete or rewrite of that main exam either waits for this write (and then finds
// the make-up) or has already happened.
func (s *Service) lockMain(ctx context.Context, e *Exam) error {
	if e.MainExamID == nil {
		return nil
	}
	main, err := s.Store.LockExam(ctx, *e.MainExamID)
	if errors.Is(err, ErrNotFound) || (err == nil && (main.ID == e.ID || main.MainExamID != nil || main.CampaignID != e.CampaignID)) {
		return errMainExamInvalid
	}
	return err
}

// keepMakeups fails when a rewrite would leave the exam's make-ups pointing at an exam that is
// itself a make-up or belongs to another campaign.
func (s *Service) keepMakeups(ctx context.Context, cur *Row, e *Exam) error {
	if e.MainExamID == nil && e.CampaignID == cur.CampaignID {
		return nil
	}
	n, err := s.Store.CountMakeups(ctx, cur.ID)
	if err == nil && n > 0 {
		return errHasMakeup
	}
	return err
}

// Get returns an exam the actor administers, with its blueprint.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (*Detail, error) {
	r, err := s.owned(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	sections, err := s.Store.Sections(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Detail{Row: *r, Sections: sections}, nil
}

// owned loads an exam owned by a unit of the actor's subtree; anything else is 404.
func (s *Service) owned(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	r, err := s.Store.GetExam(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && (!actor.CanAdminister() || !actor.Covers(r.UnitPath))) {
		return nil, errNotFound
	}
	return r, err
}

// ListInput narrows a listing.
type ListInput struct {
	CampaignID int64
	Status     Status
	Offset     int
	Limit      int
}

// List returns the exams owned in the actor's subtree.
func (s *Service) List(ctx context.Context, actor auth.Actor, in ListInput) ([]Row, int64, error) {
	return s.Store.ListExams(ctx, ListFilter{UnitPath: actor.UnitPath, CampaignID: in.CampaignID, Status: in.Status}, in.Offset, in.Limit)
}

// Publish validates the blueprint against the banks and opens the exam to its audience.
func (s *Service) Publish(ctx context.Context, actor auth.Actor, id int64) (*Detail, error) {
	r, err := s.owned(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, actor, r, StatusDraft, StatusPublished, "exam.publish", s.checkBlueprint)
}

// Close stops new attempts (attempts in progress run to their deadline).
func (s *Service) Close(ctx context.Context, actor auth.Actor, id int64) (*Detail, error) {
	r, err := s.owned(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, actor, r, StatusPublished, StatusClosed, "exam.close", nil)
}

// transition moves an exam from one status to another under the exam's lock. check, when
// given, runs under that lock on the exam as it is now: publishing checks the blueprint there,
// so that a rewrite committed after the first read cannot slip past the check.
func (s *Service) transition(ctx context.Context, actor auth.Actor, r *Row, from, to Status, action string, check func(context.Context, *Row) error) (*Detail, error) {
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if _, err := s.lockIn(ctx, r.ID, from, errBadTransition, etag.IfMatch{}); err != nil {
			return err
		}
		if check != nil {
			cur, err := s.Store.GetExam(ctx, r.ID)
			if err != nil {
				return err
			}
			if err := check(ctx, cur); err != nil {
				return err
			}
		}
		if err := s.Store.SetStatus(ctx, r.ID, to, s.now()); err != nil {
			return err
		}
		return s.record(ctx, actor, action, r.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, actor, r.ID)
}

// build checks an input and turns it into rows.
func (s *Service) build(ctx context.Context, actor auth.Actor, in Input) (*Exam, []Section, error) {
	paths, err := s.Store.UnitPaths(ctx, append([]int64{in.UnitID}, in.AudienceUnitIDs...))
	if err != nil {
		return nil, nil, err
	}
	unitPath, ok := paths[in.UnitID]
	if !ok || !actor.Covers(unitPath) {
		return nil, nil, apperr.Invalid("exam.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	}
	var fields []apperr.FieldError
	bad := func(field, msg string) { fields = append(fields, apperr.Field(field, msg)) }
	if cp, err := s.Store.CampaignPath(ctx, in.CampaignID); err != nil || !strings.HasPrefix(unitPath, cp) {
		bad("campaign_id", "学法活动不存在，或不覆盖该单位")
	}
	if !in.ClosesAt.After(in.OpensAt) {
		bad("closes_at", "须晚于 opens_at")
	}
	for i, id := range in.AudienceUnitIDs {
		if p, ok := paths[id]; !ok || !strings.HasPrefix(p, unitPath) {
			bad(fmt.Sprintf("audience_unit_ids[%d]", i), "须是考试所属单位或其下级单位")
		}
	}
	if in.MainExamID != nil {
		main, err := s.owned(ctx, actor, *in.MainExamID)
		if err != nil || main.MainExamID != nil || main.CampaignID != in.CampaignID {
			bad("main_exam_id", mainExamRule)
		}
	}
	sections := s.checkBlueprints(ctx, unitPath, in, bad)
	if len(fields) > 0 {
		return nil, nil, apperr.Invalid("request.validation", "请求参数有误", fields...)
	}
	e := &Exam{
		CampaignID: in.CampaignID, UnitID: in.UnitID, MainExamID: in.MainExamID, Title: strings.TrimSpace(in.Title),
		Description: in.Description, OpensAt: in.OpensAt.UTC(), ClosesAt: in.ClosesAt.UTC(), DurationMinutes: in.DurationMinutes,
		MaxAttempts: in.MaxAttempts, ScorePolicy: in.ScorePolicy, PassScore: in.PassScore, PrerequisiteCredits: in.PrerequisiteCredits,
		AudienceTracks: strings.Join(in.AudienceTracks, ","), AudienceUnitIDs: joinIDs(in.AudienceUnitIDs),
		ReviewPolicy: in.ReviewPolicy, ReviewShowAnswers: in.ReviewShowAnswers, ShuffleQuestions: in.ShuffleQuestions,
		ShuffleOptions: in.ShuffleOptions, PartialCredit: in.PartialCredit,
	}
	return e, sections, nil
}
