package exam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
	"github.com/xuefa/xuefa/internal/questionbank"
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

// checkBlueprint checks an exam's stored blueprint against the banks.
func (s *Service) checkBlueprint(ctx context.Context, r *Row) error {
	sections, err := s.Store.Sections(ctx, r.ID)
	if err != nil {
		return err
	}
	return s.checkSupply(ctx, r, sections)
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

// checkBlueprints validates the per-track sections: one blueprint per audience track at most
// once, each section either a fixed list or a pool (bank and/or tag, type, difficulty range)
// from banks visible at the exam's unit, and a pass score every track can reach.
func (s *Service) checkBlueprints(ctx context.Context, unitPath string, in Input, bad func(string, string)) []Section {
	var out []Section
	seen := map[string]bool{}
	audience := in.AudienceTracks
	if len(audience) == 0 {
		audience = Tracks
	}
	for i, b := range in.Blueprints {
		at := fmt.Sprintf("blueprints[%d]", i)
		if seen[b.Track] {
			bad(at+".track", "每个类别只能有一份组卷方案")
		}
		seen[b.Track] = true
		if !slices.Contains(audience, b.Track) {
			bad(at+".track", "不在考试的参考类别中")
		}
		var full float64
		for j, sec := range b.Sections {
			out = append(out, s.checkSection(ctx, unitPath, fmt.Sprintf("%s.sections[%d]", at, j), b.Track, j+1, sec, bad))
			full += sec.Points * float64(sectionCount(sec))
		}
		if in.PassScore > full {
			bad("pass_score", fmt.Sprintf("超过了 %s 类试卷的满分 %g", b.Track, full))
		}
	}
	return out
}

func sectionCount(sec SectionInput) int {
	if len(sec.QuestionIDs) > 0 {
		return len(sec.QuestionIDs)
	}
	return sec.Count
}

func (s *Service) checkSection(ctx context.Context, unitPath, at, track string, pos int, in SectionInput, bad func(string, string)) Section {
	sec := Section{Track: track, Position: pos, Title: strings.TrimSpace(in.Title), BankID: in.BankID, Tag: strings.TrimSpace(in.Tag),
		Type: in.Type, Count: sectionCount(in), Points: in.Points, DifficultyMin: in.DifficultyMin, DifficultyMax: in.DifficultyMax,
		QuestionIDs: joinIDs(in.QuestionIDs)}
	if sec.DifficultyMin == 0 {
		sec.DifficultyMin = 1
	}
	if sec.DifficultyMax == 0 {
		sec.DifficultyMax = 5
	}
	if sec.DifficultyMin > sec.DifficultyMax {
		bad(at+".difficulty_max", "不能小于 difficulty_min")
	}
	if len(in.QuestionIDs) > 0 {
		sec.BankID, sec.Tag, sec.Type = nil, "", ""
		banks, err := s.Store.FixedQuestionBanks(ctx, in.QuestionIDs)
		for k, id := range in.QuestionIDs {
			if err != nil || !s.bankUsable(ctx, unitPath, banks[id]) || slices.Contains(in.QuestionIDs[:k], id) {
				bad(fmt.Sprintf("%s.question_ids[%d]", at, k), "题目不存在、重复，或所在题库不可用")
			}
		}
		return sec
	}
	if in.Count < 1 {
		bad(at+".count", "必填，至少 1")
	}
	if !slices.Contains(questionTypes, in.Type) {
		bad(at+".type", "取值必须是以下之一: single multiple judge fill")
	}
	if in.BankID == nil && sec.Tag == "" {
		bad(at+".bank_id", "须指定题库或标签（或固定题目）")
	}
	if in.BankID != nil && !s.bankUsable(ctx, unitPath, *in.BankID) {
		bad(at+".bank_id", "题库不存在，或不是考试所属单位可用的题库")
	}
	return sec
}

// bankUsable reports whether an exam owned at unitPath may draw from a bank: the bank's unit is
// the exam's unit, one of its ancestors, or one of its descendants.
func (s *Service) bankUsable(ctx context.Context, unitPath string, bankID int64) bool {
	if bankID == 0 {
		return false
	}
	p, err := s.Store.BankPath(ctx, bankID)
	return err == nil && (strings.HasPrefix(unitPath, p) || strings.HasPrefix(p, unitPath))
}

// pool says where a section of an exam owned at unitPath draws from.
func (s *Service) pool(ctx context.Context, unitPath string, sec Section) (Pool, error) {
	p := Pool{Tag: sec.Tag, Type: sec.Type, DifficultyMin: sec.DifficultyMin, DifficultyMax: sec.DifficultyMax}
	if sec.BankID != nil {
		p.BankIDs = []int64{*sec.BankID}
		return p, nil
	}
	ids, err := s.Store.BanksUnder(ctx, questionbank.AncestorPaths(unitPath))
	p.BankIDs = ids
	return p, err
}

// checkSupply makes sure every audience track has a blueprint and every section enough
// published questions (422 exam.blueprint_insufficient naming the sections short of them).
func (s *Service) checkSupply(ctx context.Context, r *Row, sections []Section) error {
	var fields []apperr.FieldError
	byTrack := map[string]int{}
	for _, sec := range sections {
		byTrack[sec.Track]++
		at := fmt.Sprintf("blueprints[%s].sections[%d]", sec.Track, sec.Position)
		if ids := sec.fixed(); len(ids) > 0 {
			got, err := s.Store.FixedQuestions(ctx, ids)
			if err != nil {
				return err
			}
			if len(got) < len(ids) {
				fields = append(fields, apperr.Field(at+".question_ids", fmt.Sprintf("有 %d 道题未发布或已停用", len(ids)-len(got))))
			}
			continue
		}
		p, err := s.pool(ctx, r.UnitPath, sec)
		if err != nil {
			return err
		}
		n, err := s.Store.CountPool(ctx, p)
		if err != nil {
			return err
		}
		if n < int64(sec.Count) {
			fields = append(fields, apperr.Field(at+".count", fmt.Sprintf("需要 %d 道，符合条件的已发布题目只有 %d 道", sec.Count, n)))
		}
	}
	for _, t := range r.audienceTracks() {
		if byTrack[t] == 0 {
			fields = append(fields, apperr.Field("blueprints", "缺少 "+t+" 类别的组卷方案"))
		}
	}
	if len(fields) > 0 {
		return apperr.Invalid("exam.blueprint_insufficient", "组卷方案无法满足：题目不足或缺少方案", fields...)
	}
	return nil
}
