package event

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/account"
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
	errNotFound         = apperr.NotFound("event.not_found", "活动不存在")
	errCampaignNotFound = apperr.Invalid("event.campaign_not_found", "学法活动不存在", apperr.Field("campaign_id", "学法活动不存在，或不覆盖该单位"))
	errUnitNotFound     = apperr.Invalid("event.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	errBadTransition    = apperr.Invalid("event.status_transition", "状态只能从草稿到已发布、从已发布到已取消", apperr.Field("status", "不允许的状态变更"))
	errNotALearner      = apperr.NotFound("learner.not_a_learner", "当前账号不是学员")
	errClosedEvent      = apperr.Conflict("event.closed", "活动已取消或已结束")
)

// LearnerFacts are what events need to know about a learner.
type LearnerFacts struct {
	LearnerID int64
	Name      string
	UnitPath  string
	Track     string
	Active    bool
}

// Learners finds learners.
type Learners interface {
	ByAccount(ctx context.Context, accountID int64) (*LearnerFacts, error)
	ByID(ctx context.Context, learnerID int64) (*LearnerFacts, error)
}

// Accounts checks organiser accounts.
type Accounts interface {
	Get(ctx context.Context, actor auth.Actor, id int64) (*account.Row, error)
}

// Campaigns is what events need from campaigns.
type Campaigns interface {
	Facts(ctx context.Context, id int64) (*credit.CampaignFacts, error)
}

// Units is what events need from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Credits is the ledger.
type Credits interface {
	Award(ctx context.Context, a credit.Award) (credit.Result, error)
}

// Events receives domain events inside the transaction that caused them (the webhook outbox);
// unitPath is the subtree the event belongs to. A nil Events emits nothing.
type Events interface {
	Emit(ctx context.Context, eventType, unitPath string, data any) error
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Campaigns Campaigns
	Units     Units
	Learners  Learners
	Accounts  Accounts
	Credits   Credits
	Audit     Auditor
	CodeKey   []byte // signs check-in codes
	Now       func() time.Time
	Events    Events // optional: the webhook outbox
}

// Service runs events.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

func (s *Service) now() time.Time { return s.Now().Truncate(time.Microsecond) }

// Input is an event's editable content.
type Input struct {
	CampaignID           int64
	UnitID               int64
	Type                 Type
	Title                string
	Description          *string
	Speakers             []Speaker
	OrganiserIDs         []int64
	VenueName            string
	VenueAddress         string
	VenueType            string
	Geofence             *Geofence
	StartsAt             time.Time
	EndsAt               time.Time
	Capacity             int
	RegistrationRequired bool
	AudienceTracks       []string
	AudienceUnitIDs      []int64
	Credits              credit.Amount
	MinMinutes           int
	AudienceReached      int
	CourtName            string
	CaseType             string
	CaseNumber           string
}

// Geofence is where a check-in must happen.
type Geofence struct {
	Lat     float64
	Lng     float64
	RadiusM int
}

// validate names every invalid field.
func (in *Input) validate() error {
	var fields []apperr.FieldError
	in.Title = strings.TrimSpace(in.Title)
	if !slices.Contains(Types(), in.Type) {
		fields = append(fields, apperr.Field("type", "取值必须是: lecture court_hearing warning_education law_delivery"))
	}
	if !in.EndsAt.After(in.StartsAt) {
		fields = append(fields, apperr.Field("ends_at", "必须晚于开始时间"))
	}
	if in.Type == TypeLawDelivery && !slices.Contains(VenueTypes(), in.VenueType) {
		fields = append(fields, apperr.Field("venue_type", "送法活动须注明场所类型: "+strings.Join(VenueTypes(), " ")))
	}
	if in.Type != TypeLawDelivery && in.VenueType != "" {
		fields = append(fields, apperr.Field("venue_type", "只有送法活动有场所类型"))
	}
	if g := in.Geofence; g != nil && (g.Lat < -90 || g.Lat > 90 || g.Lng < -180 || g.Lng > 180 || g.RadiusM < 10 || g.RadiusM > 5000) {
		fields = append(fields, apperr.Field("geofence", "纬度 -90~90、经度 -180~180、半径 10~5000 米"))
	}
	if in.Credits < 0 {
		fields = append(fields, apperr.Field("credits", "不能为负数"))
	}
	if in.MinMinutes > 0 && in.MinMinutes > int(in.EndsAt.Sub(in.StartsAt).Minutes()) {
		fields = append(fields, apperr.Field("min_minutes", "不能超过活动时长"))
	}
	if len(fields) > 0 {
		return apperr.Invalid("request.validation", "请求参数有误", fields...)
	}
	return nil
}

// checkPlacement makes sure the organiser unit, the audience units, the campaign and the
// organiser accounts all lie inside the actor's reach.
func (s *Service) checkPlacement(ctx context.Context, actor auth.Actor, in Input) error {
	u, err := s.Units.Lookup(ctx, in.UnitID)
	if err != nil || !actor.Covers(u.Path) {
		return errUnitNotFound
	}
	c, err := s.Campaigns.Facts(ctx, in.CampaignID)
	if err != nil || !strings.HasPrefix(u.Path, c.UnitPath) {
		return errCampaignNotFound
	}
	for i, id := range in.AudienceUnitIDs {
		au, err := s.Units.Lookup(ctx, id)
		if err != nil || !strings.HasPrefix(au.Path, u.Path) {
			return apperr.Invalid("event.audience_unit_not_found", "受众单位须是主办单位或其下级单位",
				apperr.Field("audience_unit_ids["+itoa(i)+"]", "须是主办单位或其下级单位"))
		}
	}
	for i, id := range in.OrganiserIDs {
		a, err := s.Accounts.Get(ctx, actor, id)
		if err != nil || (a.Role != auth.RoleAdmin && a.Role != auth.RoleLecturer) {
			return apperr.Invalid("event.organiser_not_found", "组织者须是管辖范围内的管理员或讲师",
				apperr.Field("organiser_ids["+itoa(i)+"]", "须是管辖范围内的管理员或讲师"))
		}
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func encodeJSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

func (in Input) toEvent() *Event {
	e := &Event{CampaignID: in.CampaignID, UnitID: in.UnitID, Type: in.Type, Title: in.Title, Description: in.Description,
		Speakers: encodeJSON(orEmpty(in.Speakers)), VenueName: in.VenueName, VenueAddress: in.VenueAddress, VenueType: in.VenueType,
		StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(), Capacity: in.Capacity, RegistrationRequired: in.RegistrationRequired,
		AudienceTracks: strings.Join(in.AudienceTracks, ","), AudienceUnitIDs: joinIDs(in.AudienceUnitIDs), Credits: in.Credits,
		MinMinutes: in.MinMinutes, AudienceReached: in.AudienceReached, CourtName: in.CourtName, CaseType: in.CaseType,
		CaseNumber: in.CaseNumber, Status: StatusDraft}
	if g := in.Geofence; g != nil {
		e.GeofenceLat, e.GeofenceLng, e.GeofenceRadiusM = &g.Lat, &g.Lng, &g.RadiusM
	}
	return e
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Create adds a draft event.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in Input) (*Row, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := s.checkPlacement(ctx, actor, in); err != nil {
		return nil, err
	}
	e := in.toEvent()
	var out *Row
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.Create(ctx, e, in.OrganiserIDs); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "event.create", e.ID, map[string]any{"type": e.Type, "title": e.Title}); err != nil {
			return err
		}
		var err error
		out, err = s.Store.Get(ctx, e.ID)
		return err
	})
	return out, err
}

// Update replaces an event's content (draft or published) and may publish or cancel it, if the
// event is still at a revision ifMatch accepts. The status is checked under the event's lock: a
// cancel or summary committed after the first read would otherwise be overwritten, or have an
// edit land on the closed event.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in Input, status *Status, ifMatch etag.IfMatch) (*Row, error) {
	var out *Row
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if _, err := s.adminEvent(ctx, actor, id); err != nil {
			return err
		}
		cur, err := s.lockEvent(ctx, id)
		if err != nil {
			return err
		}
		if err := ifMatch.CheckRow(cur.ID, cur.RowVersion); err != nil {
			return err
		}
		if cur.Status == StatusCancelled || cur.Status == StatusFinished {
			return errClosedEvent
		}
		if err := in.validate(); err != nil {
			return err
		}
		if err := s.checkPlacement(ctx, actor, in); err != nil {
			return err
		}
		e := in.toEvent()
		cols := map[string]any{
			"campaign_id": e.CampaignID, "unit_id": e.UnitID, "type": e.Type, "title": e.Title, "description": e.Description,
			"speakers": e.Speakers, "venue_name": e.VenueName, "venue_address": e.VenueAddress, "venue_type": e.VenueType,
			"geofence_lat": e.GeofenceLat, "geofence_lng": e.GeofenceLng, "geofence_radius_m": e.GeofenceRadiusM,
			"starts_at": e.StartsAt, "ends_at": e.EndsAt, "capacity": e.Capacity, "registration_required": e.RegistrationRequired,
			"audience_tracks": e.AudienceTracks, "audience_unit_ids": e.AudienceUnitIDs, "credits": e.Credits,
			"min_minutes": e.MinMinutes, "audience_reached": e.AudienceReached, "court_name": e.CourtName,
			"case_type": e.CaseType, "case_number": e.CaseNumber,
		}
		if status != nil && *status != cur.Status {
			if !(cur.Status == StatusDraft && *status == StatusPublished) && !(cur.Status == StatusPublished && *status == StatusCancelled) {
				return errBadTransition
			}
			cols["status"] = *status
		}
		if err := s.Store.Update(ctx, id, cols); err != nil {
			return err
		}
		if err := s.Store.SetOrganisers(ctx, id, in.OrganiserIDs); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "event.update", id, map[string]any{"status": cols["status"]}); err != nil {
			return err
		}
		out, err = s.Store.Get(ctx, id)
		return err
	})
	return out, err
}

// lockEvent locks an event until the transaction ends and returns it as it is now.
func (s *Service) lockEvent(ctx context.Context, id int64) (*Event, error) {
	e, err := s.Store.Lock(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	return e, err
}

// adminEvent loads an event organised in the actor's subtree.
func (s *Service) adminEvent(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	r, err := s.Store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(r.UnitPath)) {
		return nil, errNotFound
	}
	return r, err
}

// organisedEvent loads an event the actor runs: an admin of its subtree, or a listed organiser.
func (s *Service) organisedEvent(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	r, err := s.Store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if actor.CanAdminister() && actor.Covers(r.UnitPath) {
		return r, nil
	}
	organisers, err := s.Store.Organisers(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(organisers, actor.AccountID) {
		return nil, errNotFound
	}
	return r, nil
}

// inAudience reports whether a learner is in an event's audience: organised at or above their
// unit, for their track, and (when restricted) under one of the audience units.
func (s *Service) inAudience(ctx context.Context, l *LearnerFacts, r *Row) bool {
	if !strings.HasPrefix(l.UnitPath, r.UnitPath) || !r.forTrack(l.Track) {
		return false
	}
	ids := r.unitIDs()
	if len(ids) == 0 {
		return true
	}
	for _, id := range ids {
		if u, err := s.Units.Lookup(ctx, id); err == nil && strings.HasPrefix(l.UnitPath, u.Path) {
			return true
		}
	}
	return false
}

// learnerEvent loads a published (or finished/cancelled) event whose audience includes the learner.
func (s *Service) learnerEvent(ctx context.Context, actor auth.Actor, id int64) (*Row, *LearnerFacts, error) {
	l, err := s.Learners.ByAccount(ctx, actor.AccountID)
	if err != nil {
		return nil, nil, errNotALearner
	}
	r, err := s.Store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && (r.Status == StatusDraft || !s.inAudience(ctx, l, r))) {
		return nil, nil, errNotFound
	}
	return r, l, err
}

// Get returns an event the actor may see, with its organisers and summary.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	if actor.Role == auth.RoleLearner {
		r, _, err := s.learnerEvent(ctx, actor, id)
		return r, err
	}
	return s.organisedEvent(ctx, actor, id)
}

// ListInput narrows a listing.
type ListInput struct {
	CampaignID int64
	Type       Type
	Status     Status
	Offset     int
	Limit      int
}

// List returns events the actor organises or administers.
func (s *Service) List(ctx context.Context, actor auth.Actor, in ListInput) ([]Row, int64, error) {
	f := Filter{CampaignID: in.CampaignID, Type: in.Type}
	if in.Status != "" {
		f.Statuses = []Status{in.Status}
	}
	if actor.CanAdminister() {
		f.PathPrefix = actor.UnitPath
	} else {
		f.OrganiserID = actor.AccountID
	}
	return s.Store.List(ctx, f, in.Offset, in.Limit)
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action string, id int64, detail map[string]any) error {
	return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "event", ResourceID: id, Outcome: audit.Success, Detail: detail})
}
