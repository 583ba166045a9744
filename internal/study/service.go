package study

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// Heartbeat rules: the client beats about every 30 s; one beat credits at most MaxBeat of the
// time the server saw pass; after a gap over IdleGap the session is treated as paused and the
// gap earns nothing.
const (
	BeatInterval = 30 * time.Second
	MaxBeat      = 60 * time.Second
	IdleGap      = 120 * time.Second
	// positionSlack tolerates client/server clock jitter when checking a claimed position.
	positionSlack = 5
)

// Errors of this domain.
var (
	errCourseNotFound  = apperr.NotFound("course.not_found", "课程不存在")
	errSessionNotFound = apperr.NotFound("study.session_not_found", "学习记录不存在")
	errSessionEnded    = apperr.Conflict("study.session_ended", "本次学习已结束，请重新开始学习")
	errBeatConflict    = apperr.Conflict("study.heartbeat_conflict", "学习进度已由另一请求更新")
	errPositionAhead   = apperr.Invalid("study.position_ahead", "学习进度超过了实际经过的时间", apperr.Field("position", "超过了实际经过的时间"))
	errCampaignClosed  = apperr.Conflict("study.campaign_not_running", "学法活动未在进行中")
	errNotALearner     = apperr.NotFound("learner.not_a_learner", "当前账号不是学员")
	errCampaignMissing = apperr.Invalid("course.campaign_not_found", "学法活动不存在", apperr.Field("campaign_id", "学法活动不存在或不在管辖范围内"))
)

// Campaigns is what study needs from campaigns.
type Campaigns interface {
	Facts(ctx context.Context, id int64) (*credit.CampaignFacts, error)
	ActiveFor(ctx context.Context, unitPath string) ([]credit.CampaignFacts, error)
}

// Credits is the ledger.
type Credits interface {
	Award(ctx context.Context, a credit.Award) (credit.Result, error)
}

// Learners finds the learner behind an account.
type Learners interface {
	Facts(ctx context.Context, accountID int64) (*LearnerFacts, error)
}

// LearnerFacts are what study needs to know about the learner studying.
type LearnerFacts struct {
	LearnerID int64
	UnitPath  string
	Track     string
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
	Credits   Credits
	Learners  Learners
	Audit     Auditor
	Now       func() time.Time
}

// Service runs courses and study sessions.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// now is the server clock at the precision both databases store.
func (s *Service) now() time.Time { return s.Now().Truncate(time.Microsecond) }

// CourseInput is a course's editable content.
type CourseInput struct {
	CampaignID      int64
	Title           string
	Kind            Kind
	URL             string
	Body            *string
	DurationSeconds int
	Tracks          []string
	Credit          credit.Amount
	SortOrder       int
	Status          CourseStatus
}

// adminCampaign loads a campaign an admin may put courses in (organised in their subtree).
func (s *Service) adminCampaign(ctx context.Context, actor auth.Actor, id int64) (*credit.CampaignFacts, error) {
	c, err := s.Campaigns.Facts(ctx, id)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, errCampaignMissing
		}
		return nil, err
	}
	if !actor.Covers(c.UnitPath) {
		return nil, errCampaignMissing
	}
	return c, nil
}

// CreateCourse adds a course to a campaign of the actor's subtree.
func (s *Service) CreateCourse(ctx context.Context, actor auth.Actor, in CourseInput) (*Course, error) {
	if _, err := s.adminCampaign(ctx, actor, in.CampaignID); err != nil {
		return nil, err
	}
	if in.Status == "" {
		in.Status = CourseDraft
	}
	c := &Course{CampaignID: in.CampaignID, Title: strings.TrimSpace(in.Title), Kind: in.Kind, URL: in.URL, Body: in.Body,
		DurationSeconds: in.DurationSeconds, Tracks: strings.Join(in.Tracks, ","), Credit: in.Credit, SortOrder: in.SortOrder, Status: in.Status}
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.CreateCourse(ctx, c); err != nil {
			return err
		}
		return s.record(ctx, actor, "course.create", c.ID, map[string]any{"campaign_id": c.CampaignID, "title": c.Title})
	})
	return c, err
}

// CourseUpdate changes a course; nil fields stay.
type CourseUpdate struct {
	Title           *string
	Kind            *Kind
	URL             *string
	Body            *string
	DurationSeconds *int
	Tracks          *[]string
	Credit          *credit.Amount
	SortOrder       *int
	Status          *CourseStatus
}

// UpdateCourse edits a course of the actor's subtree.
func (s *Service) UpdateCourse(ctx context.Context, actor auth.Actor, id int64, in CourseUpdate) (*Course, error) {
	var out *Course
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		c, err := s.adminCourse(ctx, actor, id)
		if err != nil {
			return err
		}
		cols := map[string]any{}
		setIf(cols, "title", in.Title)
		setIf(cols, "kind", in.Kind)
		setIf(cols, "url", in.URL)
		setIf(cols, "body", in.Body)
		setIf(cols, "duration_seconds", in.DurationSeconds)
		setIf(cols, "credit", in.Credit)
		setIf(cols, "sort_order", in.SortOrder)
		setIf(cols, "status", in.Status)
		if in.Tracks != nil {
			cols["tracks"] = strings.Join(*in.Tracks, ",")
		}
		if len(cols) > 0 {
			if err := s.Store.UpdateCourse(ctx, c.ID, cols); err != nil {
				return err
			}
		}
		if err := s.record(ctx, actor, "course.update", id, nil); err != nil {
			return err
		}
		out, err = s.Store.Course(ctx, id)
		return err
	})
	return out, err
}

func setIf[T any](cols map[string]any, name string, v *T) {
	if v != nil {
		cols[name] = *v
	}
}

func (s *Service) adminCourse(ctx context.Context, actor auth.Actor, id int64) (*Course, error) {
	c, err := s.Store.Course(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errCourseNotFound
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.adminCampaign(ctx, actor, c.CampaignID); err != nil {
		return nil, errCourseNotFound
	}
	return c, nil
}

// GetCourse returns a course: admins of the campaign's subtree see any; learners see published
// courses of their running campaigns meant for their track.
func (s *Service) GetCourse(ctx context.Context, actor auth.Actor, id int64) (*Course, error) {
	if actor.Role == auth.RoleAdmin {
		return s.adminCourse(ctx, actor, id)
	}
	c, _, err := s.learnerCourse(ctx, actor, id)
	return c, err
}

// AdminCourses lists the courses of a campaign of the actor's subtree.
func (s *Service) AdminCourses(ctx context.Context, actor auth.Actor, campaignID int64, offset, limit int) ([]Course, int64, error) {
	if _, err := s.adminCampaign(ctx, actor, campaignID); err != nil {
		return nil, 0, err
	}
	return s.Store.Courses(ctx, []int64{campaignID}, false, offset, limit)
}

// CourseProgress is a course with the learner's progress in it.
type CourseProgress struct {
	Course   Course
	Progress Progress
}

// MyCourses lists the published courses of the learner's running campaigns for their track,
// with their progress (two queries, no N+1).
func (s *Service) MyCourses(ctx context.Context, actor auth.Actor) ([]CourseProgress, error) {
	learner, err := s.Learners.Facts(ctx, actor.AccountID)
	if err != nil {
		return nil, err
	}
	running, err := s.Campaigns.ActiveFor(ctx, learner.UnitPath)
	if err != nil || len(running) == 0 {
		return []CourseProgress{}, err
	}
	ids := make([]int64, 0, len(running))
	for _, c := range running {
		ids = append(ids, c.ID)
	}
	courses, _, err := s.Store.Courses(ctx, ids, true, 0, 1000)
	if err != nil {
		return nil, err
	}
	courses = slices.DeleteFunc(courses, func(c Course) bool { return !c.For(learner.Track) })
	courseIDs := make([]int64, 0, len(courses))
	for _, c := range courses {
		courseIDs = append(courseIDs, c.ID)
	}
	progress, err := s.Store.ProgressOf(ctx, learner.LearnerID, courseIDs)
	if err != nil {
		return nil, err
	}
	out := make([]CourseProgress, 0, len(courses))
	for _, c := range courses {
		out = append(out, CourseProgress{Course: c, Progress: progress[c.ID]})
	}
	return out, nil
}

// learnerCourse loads a course the learner may study now, with its running campaign.
func (s *Service) learnerCourse(ctx context.Context, actor auth.Actor, id int64) (*Course, *credit.CampaignFacts, error) {
	learner, err := s.Learners.Facts(ctx, actor.AccountID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Store.Course(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, errCourseNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	campaign, err := s.Campaigns.Facts(ctx, c.CampaignID)
	if err != nil {
		return nil, nil, err
	}
	if c.Status != CoursePublished || !c.For(learner.Track) || !strings.HasPrefix(learner.UnitPath, campaign.UnitPath) || !campaign.Active {
		return nil, nil, errCourseNotFound
	}
	return c, campaign, nil
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action string, id int64, detail map[string]any) error {
	return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "course", ResourceID: id, Outcome: audit.Success, Detail: detail})
}

func minuteSourceID(courseID int64, minute int) string {
	return fmt.Sprintf("course:%d:minute:%d", courseID, minute)
}
