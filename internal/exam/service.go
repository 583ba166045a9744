package exam

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/groupcommit"
	"github.com/xuefa/xuefa/internal/practice"
)

// Errors of this domain (listed in api/README.md).
var (
	errNotFound          = apperr.NotFound("exam.not_found", "考试不存在")
	errAttemptNotFound   = apperr.NotFound("exam.attempt_not_found", "答卷不存在")
	errNotALearner       = apperr.NotFound("learner.not_a_learner", "当前账号不是学员")
	errNotInPaper        = apperr.NotFound("exam.question_not_in_paper", "该题不在本次试卷中")
	errNotOpen           = apperr.Forbidden("exam.not_open", "考试尚未开始")
	errWindowClosed      = apperr.Forbidden("exam.window_closed", "考试已结束")
	errNotInAudience     = apperr.Forbidden("exam.not_in_audience", "您不在本次考试的参考范围内")
	errPrerequisite      = apperr.Forbidden("exam.prerequisite_unmet", "学分未达到参加考试的要求")
	errMakeupIneligible  = apperr.Forbidden("exam.makeup_not_eligible", "只有主考试未通过或缺考的人员可以参加补考")
	errNoAttemptsLeft    = apperr.Conflict("exam.no_attempts_left", "考试次数已用完")
	errAttemptActive     = apperr.Conflict("exam.attempt_in_progress", "您有一份未交的答卷，请先完成")
	errDeadlinePassed    = apperr.Conflict("exam.deadline_passed", "考试时间已到，答案未保存")
	errAttemptFinished   = apperr.Conflict("exam.attempt_finished", "答卷已交，不能再修改")
	errReviewUnavailable = apperr.Forbidden("exam.review_unavailable", "本次考试暂不开放查看答卷")
	errNotEditable       = apperr.Conflict("exam.not_editable", "考试已发布，不能修改或删除")
	errHasMakeup         = apperr.Conflict("exam.has_makeup", "该考试有关联的补考：不能删除，也不能改为补考或改到其他学法活动")
	errMainExamInvalid   = apperr.Invalid("request.validation", "请求参数有误", apperr.Field("main_exam_id", mainExamRule))
	errPaperUnavailable  = apperr.Conflict("exam.paper_unavailable", "题库中可用的题目不足，暂时无法组卷")
	errBadTransition     = apperr.Invalid("exam.status_transition", "状态只能从草稿到已发布、从已发布到已关闭", apperr.Field("status", "不允许的状态变更"))
)

// mainExamRule says what a make-up's main exam must be.
const mainExamRule = "主考试不存在、本身是补考，或不属于同一学法活动"

// Default timings.
const (
	// DefaultGrace is how long after the deadline an answer is still accepted (a request in
	// flight when time runs out).
	DefaultGrace = 10 * time.Second
	// DefaultSweepInterval is how often the sweeper finalises attempts past their deadline.
	DefaultSweepInterval = 30 * time.Second
)

// Campaigns is what exams need from campaigns.
type Campaigns interface {
	Facts(ctx context.Context, id int64) (*credit.CampaignFacts, error)
}

// Credits is the ledger; AwardMany runs inside the grading transaction, for a whole batch of
// gradings at once.
type Credits interface {
	AwardMany(ctx context.Context, awards []credit.Award) ([]credit.Result, error)
}

// WrongBook receives the questions learners got wrong (the practice wrong-answer book), for a
// whole batch of gradings at once.
type WrongBook interface {
	RecordWrongBatch(ctx context.Context, wrong []practice.AccountWrong) error
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Settings tune exams.
type Settings struct {
	Grace         time.Duration
	SweepInterval time.Duration
	// PoolTTL is how long section pools are reused (DefaultPoolTTL; negative: never cached).
	PoolTTL time.Duration
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Campaigns Campaigns
	Credits   Credits
	WrongBook WrongBook // optional
	Events    Events    // optional
	Audit     Auditor
	Now       func() time.Time
	Settings  Settings
}

// Service runs exams and attempts.
type Service struct {
	Deps
	cache     *poolCache
	committer *groupcommit.Committer[*gradeJob]
}

// NewService builds the service.
func NewService(d Deps) *Service {
	if d.Settings.Grace <= 0 {
		d.Settings.Grace = DefaultGrace
	}
	if d.Settings.SweepInterval <= 0 {
		d.Settings.SweepInterval = DefaultSweepInterval
	}
	if d.Settings.PoolTTL == 0 {
		d.Settings.PoolTTL = DefaultPoolTTL
	}
	s := &Service{Deps: d, cache: newPoolCache(d.Settings.PoolTTL)}
	s.committer = groupcommit.New(writeLanes, maxBatch, s.writeBatch, failJob)
	return s
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) record(ctx context.Context, actor auth.Actor, action string, id int64, detail map[string]any) error {
	return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "exam", ResourceID: id, Outcome: audit.Success, Detail: detail})
}
