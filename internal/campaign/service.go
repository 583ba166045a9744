package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
	"github.com/xuefa/xuefa/internal/unit"
)

// Errors of this domain.
var (
	errNotFound      = apperr.NotFound("campaign.not_found", "学法活动不存在")
	errUnitNotFound  = apperr.Invalid("campaign.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	errClosed        = apperr.Conflict("campaign.closed", "学法活动已结束或正在结办，不能修改")
	errBadTransition = apperr.Invalid("campaign.status_transition", "状态只能从草稿到进行中", apperr.Field("status", "不允许的状态变更"))
	// errCloseRequired: closing freezes every learner's result, which an edit of the status
	// cannot do; the close-out action does.
	errCloseRequired = apperr.Conflict("campaign.close_required", "结束学法活动请使用结办操作（POST /api/v1/campaigns/{id}/close），它会冻结每名学员的年度成绩")
)

// Units is what campaigns need from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service manages campaigns.
type Service struct {
	db    *gorm.DB
	store *Store
	units Units
	audit Auditor
	now   func() time.Time
	keep  *keptCampaigns // see facts_cache.go
}

// NewService builds the service; a replica keeps campaign facts for factsTTL (0: not kept).
func NewService(db *gorm.DB, store *Store, units Units, auditor Auditor, now func() time.Time, factsTTL time.Duration) *Service {
	return &Service{db: db, store: store, units: units, audit: auditor, now: now, keep: newKeptCampaigns(factsTTL, now)}
}

// Input is a campaign's editable content.
type Input struct {
	UnitID    int64
	Name      string
	Theme     string
	StartDate string
	EndDate   string
	Targets   map[string]credit.Amount
	Rules     credit.Rules
	Contacts  []Contact
}

// validate names every invalid field.
func (in *Input) validate() error {
	in.Name, in.Theme = strings.TrimSpace(in.Name), strings.TrimSpace(in.Theme)
	var fields []apperr.FieldError
	start, errStart := time.Parse(time.DateOnly, in.StartDate)
	end, errEnd := time.Parse(time.DateOnly, in.EndDate)
	if errStart != nil {
		fields = append(fields, apperr.Field("start_date", "应为日期 YYYY-MM-DD"))
	}
	if errEnd != nil {
		fields = append(fields, apperr.Field("end_date", "应为日期 YYYY-MM-DD"))
	}
	if errStart == nil && errEnd == nil && end.Before(start) {
		fields = append(fields, apperr.Field("end_date", "不能早于开始日期"))
	}
	for track, target := range in.Targets {
		if track != "leader" && track != "general" && track != "judicial" {
			fields = append(fields, apperr.Field("targets."+track, "学习类别只能是 leader general judicial"))
		} else if target < 0 {
			fields = append(fields, apperr.Field("targets."+track, "不能为负数"))
		}
	}
	fields = append(fields, validateRules(in.Rules)...)
	if len(fields) > 0 {
		return apperr.Invalid("request.validation", "请求参数有误", fields...)
	}
	return nil
}

func validateRules(r credit.Rules) []apperr.FieldError {
	var fields []apperr.FieldError
	for name, v := range map[string]credit.Amount{"rules.study_per_minute": r.StudyPerMinute, "rules.practice_per_correct": r.PracticePerCorrect,
		"rules.exam_pass": r.ExamPass, "rules.event_attendance": r.EventAttendance, "rules.quiz_per_play": r.QuizPerPlay} {
		if v < 0 {
			fields = append(fields, apperr.Field(name, "不能为负数"))
		}
	}
	if r.PaceCurve != "" && r.PaceCurve != credit.PaceLinear && r.PaceCurve != credit.PaceFrontLoaded {
		fields = append(fields, apperr.Field("rules.pace_curve", "取值必须是: linear front_loaded"))
	}
	if r.LagPercent < 0 || r.LagPercent > 100 {
		fields = append(fields, apperr.Field("rules.lag_percent", "须在 0–100 之间"))
	}
	for src, v := range r.DailyCaps {
		if !src.Valid() || src == credit.SourceAdjustment {
			fields = append(fields, apperr.Field("rules.daily_caps."+string(src), "来源只能是 study practice exam event quiz"))
		} else if v < 0 {
			fields = append(fields, apperr.Field("rules.daily_caps."+string(src), "不能为负数"))
		}
	}
	return fields
}

// checkUnit refuses organiser units outside the actor's subtree as "not found".
func (s *Service) checkUnit(ctx context.Context, actor auth.Actor, unitID int64) error {
	u, err := s.units.Lookup(ctx, unitID)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return errUnitNotFound
		}
		return err
	}
	if !actor.Covers(u.Path) {
		return errUnitNotFound
	}
	return nil
}

func encode(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// Create adds a draft campaign organised by a unit of the actor's subtree.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in Input) (*Row, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := s.checkUnit(ctx, actor, in.UnitID); err != nil {
		return nil, err
	}
	if in.Contacts == nil {
		in.Contacts = []Contact{}
	}
	c := &Campaign{UnitID: in.UnitID, Name: in.Name, Theme: in.Theme, StartDate: in.StartDate, EndDate: in.EndDate,
		Status: StatusDraft, TargetLeader: in.Targets["leader"], TargetGeneral: in.Targets["general"],
		TargetJudicial: in.Targets["judicial"], Rules: encode(in.Rules), Contacts: encode(in.Contacts)}
	var out *Row
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.store.Create(ctx, c); err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return errUnitNotFound // the unit was deleted since the check
			}
			return err
		}
		if err := s.record(ctx, actor, "campaign.create", c.ID, map[string]any{"name": c.Name}); err != nil {
			return err
		}
		var err error
		out, err = s.store.Get(ctx, c.ID)
		return err
	})
	return out, err
}

// visible applies the visibility rule: admins see their subtree's campaigns; everyone else sees
// active campaigns organised by their unit or an ancestor.
func visible(actor auth.Actor, r *Row) bool {
	if actor.Role == auth.RoleAdmin {
		return actor.Covers(r.UnitPath)
	}
	return r.Status == StatusActive && strings.HasPrefix(actor.UnitPath, r.UnitPath)
}

// Get returns a campaign the actor can see.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	r, err := s.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !visible(actor, r)) {
		return nil, errNotFound
	}
	return r, err
}

// List returns the campaigns the actor can see, newest first.
func (s *Service) List(ctx context.Context, actor auth.Actor, status Status, offset, limit int) ([]Row, int64, error) {
	f := Filter{Status: status}
	if actor.Role == auth.RoleAdmin {
		f.PathPrefix = actor.UnitPath
	} else {
		f.AncestorsOf, f.Status = actor.UnitPath, StatusActive
		if status != "" && status != StatusActive {
			return []Row{}, 0, nil
		}
	}
	return s.store.List(ctx, f, offset, limit)
}

// UpdateInput changes a campaign; nil fields stay.
type UpdateInput struct {
	Name      *string
	Theme     *string
	StartDate *string
	EndDate   *string
	Status    *Status
	Targets   map[string]credit.Amount // merged over the current targets
	Rules     *credit.Rules
	Contacts  *[]Contact
}

// Update edits a campaign of the actor's subtree, if it is still at a revision ifMatch accepts;
// a closing or closed campaign is read-only, and closing is the close-out's action, not an
// edit. It merges over the row read under its lock: every column is
// written back, so a merge over an older read would undo a concurrent edit or close.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in UpdateInput, ifMatch etag.IfMatch) (*Row, error) {
	var out *Row
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		locked, err := s.store.Lock(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		cur, err := s.Get(ctx, actor, id)
		if err != nil {
			return err
		}
		cur.Campaign = *locked
		if err := ifMatch.CheckRow(cur.ID, cur.RowVersion); err != nil {
			return err
		}
		if cur.Status.ReadOnly() {
			return errClosed
		}
		if in.Status != nil && *in.Status == StatusClosed {
			return errCloseRequired
		}
		merged := mergeInput(cur.Campaign, in)
		if err := merged.validate(); err != nil {
			return err
		}
		cols := map[string]any{
			"name": merged.Name, "theme": merged.Theme, "start_date": merged.StartDate, "end_date": merged.EndDate,
			"target_leader": merged.Targets["leader"], "target_general": merged.Targets["general"],
			"target_judicial": merged.Targets["judicial"], "rules": encode(merged.Rules), "contacts": encode(merged.Contacts),
		}
		if in.Status != nil && *in.Status != cur.Status {
			if !allowed(cur.Status, *in.Status) {
				return errBadTransition
			}
			cols["status"] = *in.Status
		}
		if err := s.update(ctx, id, cols); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "campaign.update", id, map[string]any{"status": cols["status"]}); err != nil {
			return err
		}
		out, err = s.store.Get(ctx, id)
		return err
	})
	return out, err
}

func allowed(from, to Status) bool {
	return from == StatusDraft && to == StatusActive
}

// LockRow locks a campaign's row until the caller's transaction ends and returns it with its
// unit (the year's close-out and reopen: the status they move is read under this lock, which
// waits for the credit awards holding the row shared, see credit.Store.LockCampaigns).
func (s *Service) LockRow(ctx context.Context, id int64) (*Row, error) {
	if _, err := s.store.Lock(ctx, id); errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	} else if err != nil {
		return nil, err
	}
	return s.store.Get(ctx, id)
}

// SetStatus writes a campaign's status inside the caller's transaction (which holds LockRow's
// lock), as a new revision. Only the year's close-out and reopen call it: the rules of their
// transitions are theirs.
func (s *Service) SetStatus(ctx context.Context, id int64, to Status) error {
	return s.update(ctx, id, map[string]any{"status": to})
}

func mergeInput(c Campaign, in UpdateInput) Input {
	m := Input{UnitID: c.UnitID, Name: c.Name, Theme: c.Theme, StartDate: c.StartDate, EndDate: c.EndDate,
		Targets: c.targets(), Rules: c.rules(), Contacts: c.contacts()}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&m.Name, in.Name)
	set(&m.Theme, in.Theme)
	set(&m.StartDate, in.StartDate)
	set(&m.EndDate, in.EndDate)
	for k, v := range in.Targets {
		m.Targets[k] = v
	}
	if in.Rules != nil {
		m.Rules = *in.Rules
	}
	if in.Contacts != nil {
		m.Contacts = *in.Contacts
	}
	return m
}

// Facts implements credit.Campaigns, through the replica's copy (facts_cache.go).
func (s *Service) Facts(ctx context.Context, id int64) (*credit.CampaignFacts, error) {
	k, err := s.keptFactsOf(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	f := k.facts
	f.Active = s.running(k.status, f.StartDate, f.EndDate)
	return &f, nil
}

func (s *Service) facts(r *Row) *credit.CampaignFacts {
	return &credit.CampaignFacts{
		ID: r.ID, Name: r.Name, UnitPath: r.UnitPath, StartDate: r.StartDate, EndDate: r.EndDate,
		Active:  s.running(r.Status, r.StartDate, r.EndDate),
		Targets: r.targets(), Rules: r.rules(),
	}
}

// running says whether a campaign in status, from start to end (Asia/Shanghai days), runs today.
func (s *Service) running(status Status, start, end string) bool {
	today := credit.Day(s.now())
	return status == StatusActive && today >= start && today <= end
}

// ActiveFor returns the campaigns running today that a learner in the unit at path takes part
// in (organised by their unit or an ancestor), newest first.
func (s *Service) ActiveFor(ctx context.Context, unitPath string) ([]credit.CampaignFacts, error) {
	kept, err := s.keptRunning(ctx, unitPath)
	if err != nil {
		return nil, err
	}
	out := []credit.CampaignFacts{}
	for _, k := range kept {
		if s.running(k.status, k.facts.StartDate, k.facts.EndDate) {
			f := k.facts
			f.Active = true
			out = append(out, f)
		}
	}
	return out, nil
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action string, id int64, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "campaign", ResourceID: id, Outcome: audit.Success, Detail: detail})
}
