package lawreport

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/unit"
)

// Limits of a report's content.
const (
	MaxTitle       = 200
	MaxBody        = 20000
	MaxAttachments = 10
	MaxURL         = 1000
	MaxComment     = 1000
	MaxScore       = 100
)

// Errors of this domain.
var (
	errNotFound         = apperr.NotFound("law_report.not_found", "述法报告不存在")
	errLeaderOnly       = apperr.Forbidden("law_report.leader_only", "只有领导干部（领航）学员可以提交述法报告")
	errLearnerNotLeader = apperr.Invalid("law_report.learner_not_leader", "该学员不是领导干部（领航）学员，不能提交述法报告",
		apperr.Field("learner_id", "不是领导干部（领航）学员"))
	errLearnerNotFound = apperr.Invalid("law_report.learner_not_found", "学员不存在",
		apperr.Field("learner_id", "学员不存在、已离职或不在管辖范围内"))
	errCampaignNotFound = apperr.Invalid("law_report.campaign_not_found", "学法活动不存在或未在进行中",
		apperr.Field("campaign_id", "学法活动不存在、未在进行中或该学员不参加"))
	errExists = apperr.Conflict("law_report.exists", "该学员在本次学法活动中已提交述法报告").
			WithFields(apperr.Field("campaign_id", "本次学法活动已有该学员的述法报告"))
	errNotReturned  = apperr.Conflict("law_report.not_returned", "只有被退回的述法报告可以修改后重新提交")
	errNotSubmitted = apperr.Conflict("law_report.not_submitted", "只有待审核的述法报告可以审核")
)

// Campaigns is what reports need from campaigns.
type Campaigns interface {
	Facts(ctx context.Context, id int64) (*credit.CampaignFacts, error)
}

// Learners finds learners: the caller's own, or one in an admin's subtree.
type Learners interface {
	ForAccount(ctx context.Context, accountID int64) (*LearnerFacts, error)
	Get(ctx context.Context, actor auth.Actor, id int64) (*LearnerFacts, error)
}

// LearnerFacts are what reports need to know about a learner.
type LearnerFacts struct {
	ID       int64
	UnitID   int64
	UnitPath string
	Track    string
	Active   bool
}

// Units is what reports need from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Auditor records writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Campaigns Campaigns
	Learners  Learners
	Units     Units
	Audit     Auditor
	Now       func() time.Time
}

// Service runs 述法 reports.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// now is the server clock at the precision both databases store.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Content is what the author writes.
type Content struct {
	Title       string
	Body        string
	Attachments []string
}

// validate normalises c and names every invalid field.
func (c *Content) validate() error {
	c.Title, c.Body = strings.TrimSpace(c.Title), strings.TrimSpace(c.Body)
	var fields []apperr.FieldError
	if n := utf8.RuneCountInString(c.Title); n == 0 || n > MaxTitle {
		fields = append(fields, apperr.Field("title", "标题须为 1–"+strconv.Itoa(MaxTitle)+" 个字"))
	}
	if n := utf8.RuneCountInString(c.Body); n == 0 || n > MaxBody {
		fields = append(fields, apperr.Field("body", "正文须为 1–"+strconv.Itoa(MaxBody)+" 个字"))
	}
	if len(c.Attachments) > MaxAttachments {
		fields = append(fields, apperr.Field("attachments", "附件不能超过 "+strconv.Itoa(MaxAttachments)+" 个"))
	}
	for i, raw := range c.Attachments {
		c.Attachments[i] = strings.TrimSpace(raw)
		if !validURL(c.Attachments[i]) {
			fields = append(fields, apperr.Field("attachments["+strconv.Itoa(i)+"]", "须为 http 或 https 链接，不超过 "+strconv.Itoa(MaxURL)+" 个字符"))
		}
	}
	if c.Attachments == nil {
		c.Attachments = []string{}
	}
	if len(fields) > 0 {
		return apperr.Invalid("request.validation", "请求参数有误", fields...)
	}
	return nil
}

// validURL accepts absolute http and https URLs with a host.
func validURL(raw string) bool {
	if raw == "" || len(raw) > MaxURL {
		return false
	}
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func encode(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// Input submits a report: learners submit their own (LearnerID 0 or their own id); admins
// submit on behalf of a leader-track learner of their subtree (LearnerID required).
type Input struct {
	CampaignID int64
	LearnerID  int64
	Content
}

// author resolves whose report is being submitted and checks they are a leader.
func (s *Service) author(ctx context.Context, actor auth.Actor, learnerID int64) (*LearnerFacts, error) {
	if actor.Role != auth.RoleAdmin {
		l, err := s.Learners.ForAccount(ctx, actor.AccountID)
		if err != nil {
			return nil, err
		}
		if learnerID != 0 && learnerID != l.ID {
			return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("learner_id", "学员只能提交本人的述法报告"))
		}
		if l.Track != "leader" {
			return nil, errLeaderOnly
		}
		return l, nil
	}
	if learnerID <= 0 {
		return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("learner_id", "管理员代为提交时必填"))
	}
	l, err := s.Learners.Get(ctx, actor, learnerID)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, errLearnerNotFound
		}
		return nil, err
	}
	if !l.Active {
		return nil, errLearnerNotFound
	}
	if l.Track != "leader" {
		return nil, errLearnerNotLeader
	}
	return l, nil
}

// campaignFor checks the campaign is running and the learner takes part in it (organised by
// their unit or a unit above it).
func (s *Service) campaignFor(ctx context.Context, id int64, l *LearnerFacts) error {
	c, err := s.Campaigns.Facts(ctx, id)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return errCampaignNotFound
		}
		return err
	}
	if !c.Active || !strings.HasPrefix(l.UnitPath, c.UnitPath) {
		return errCampaignNotFound
	}
	return nil
}

// Detail is a report with its history, oldest first.
type Detail struct {
	Row     *Row
	History []Review
}

// Create submits a report.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in Input) (*Detail, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	l, err := s.author(ctx, actor, in.LearnerID)
	if err != nil {
		return nil, err
	}
	if err := s.campaignFor(ctx, in.CampaignID, l); err != nil {
		return nil, err
	}
	now := s.now()
	r := &Report{CampaignID: in.CampaignID, LearnerID: l.ID, UnitID: l.UnitID, Title: in.Title, Body: in.Body,
		Attachments: encode(in.Attachments), Status: StatusSubmitted, Revision: 1, SubmittedBy: actor.AccountID, SubmittedAt: now,
		CreatedAt: now, UpdatedAt: now}
	var out *Detail
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.Create(ctx, r); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errExists
			}
			return err
		}
		if err := s.history(ctx, actor, r.ID, ActionSubmit, "", nil, now); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "law_report.submit", r.ID, map[string]any{"campaign_id": r.CampaignID, "learner_id": r.LearnerID}); err != nil {
			return err
		}
		out, err = s.detail(ctx, r.ID)
		return err
	})
	return out, err
}

// visible applies the visibility rule: admins see reports of learners of their subtree;
// learners see their own.
func visible(actor auth.Actor, r *Row) bool {
	if actor.Role == auth.RoleAdmin {
		return actor.Covers(r.UnitPath)
	}
	return r.LearnerAccountID == actor.AccountID
}

func (s *Service) load(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	r, err := s.Store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !visible(actor, r)) {
		return nil, errNotFound
	}
	return r, err
}

func (s *Service) detail(ctx context.Context, id int64) (*Detail, error) {
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	h, err := s.Store.Reviews(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Detail{Row: r, History: h}, nil
}

// Get returns a report the actor can see, with its history.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (*Detail, error) {
	r, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	h, err := s.Store.Reviews(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Detail{Row: r, History: h}, nil
}

// ListInput narrows a listing.
type ListInput struct {
	CampaignID int64
	UnitID     int64 // admins: a unit of their subtree, meaning its whole subtree
	Status     Status
	Name       string // admins: part of the learner's name
	Offset     int
	Limit      int
}

// List returns the reports the actor can see: an admin's subtree, or a learner's own.
func (s *Service) List(ctx context.Context, actor auth.Actor, in ListInput) ([]Row, int64, error) {
	if actor.Role != auth.RoleAdmin {
		return s.Mine(ctx, actor, in)
	}
	f := Filter{PathPrefix: actor.UnitPath, CampaignID: in.CampaignID, Status: in.Status, Name: strings.TrimSpace(in.Name)}
	if in.UnitID > 0 {
		u, err := s.Units.Lookup(ctx, in.UnitID)
		if _, known := apperr.As(err); err != nil && !known {
			return nil, 0, err
		}
		if err != nil || !actor.Covers(u.Path) {
			return nil, 0, apperr.BadRequest("request.invalid_query", "查询参数有误", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
		}
		f.PathPrefix = u.Path
	}
	return s.Store.List(ctx, f, in.Offset, in.Limit)
}

// Mine returns the caller's own reports (whatever their track is now).
func (s *Service) Mine(ctx context.Context, actor auth.Actor, in ListInput) ([]Row, int64, error) {
	l, err := s.Learners.ForAccount(ctx, actor.AccountID)
	if err != nil {
		return nil, 0, err
	}
	return s.Store.List(ctx, Filter{LearnerID: l.ID, CampaignID: in.CampaignID, Status: in.Status}, in.Offset, in.Limit)
}

// Revise replaces the content of a returned report and submits it again; only its learner may.
// The report is read under its lock: the next revision number comes from that read, and one
// taken earlier may miss a resubmission and return committed meanwhile.
func (s *Service) Revise(ctx context.Context, actor auth.Actor, id int64, c Content) (*Detail, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	var out *Detail
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.Lock(ctx, id); errors.Is(err, ErrNotFound) {
			return errNotFound
		} else if err != nil {
			return err
		}
		r, err := s.load(ctx, actor, id)
		if err != nil {
			return err
		}
		if r.LearnerAccountID != actor.AccountID {
			return errNotFound
		}
		if r.Status != StatusReturned {
			return errNotReturned
		}
		now := s.now()
		ok, err := s.Store.Transition(ctx, id, StatusReturned, map[string]any{
			"title": c.Title, "body": c.Body, "attachments": encode(c.Attachments), "status": StatusSubmitted,
			"revision": r.Revision + 1, "submitted_by": actor.AccountID, "submitted_at": now, "updated_at": now,
		})
		if err != nil {
			return err
		}
		if !ok {
			return errNotReturned
		}
		if err := s.history(ctx, actor, id, ActionResubmit, "", nil, now); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "law_report.resubmit", id, map[string]any{"revision": r.Revision + 1}); err != nil {
			return err
		}
		out, err = s.detail(ctx, id)
		return err
	})
	return out, err
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action string, id int64, detail map[string]any) error {
	return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "law_report", ResourceID: id, Outcome: audit.Success, Detail: detail})
}

// truncate cuts s to at most n characters (the column's width).
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
