package yearend

import (
	"context"
	"errors"
	"strings"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// Errors of the formula, exemptions and results.
var (
	errCampaignNotFound = apperr.NotFound("campaign.not_found", "学法活动不存在")
	errFormulaOrganiser = apperr.Forbidden("campaign.organiser_only", "只有学法活动主办单位的管理员可以修改年度成绩规则")
	errCampaignClosed   = apperr.Conflict("campaign.closed", "学法活动已结束或正在结办，不能修改")
	errLearnerNotFound  = apperr.NotFound("learner.not_found", "学员不存在")
	errUnitNotFound     = apperr.NotFound("unit.not_found", "单位不存在")
	errNotALearner      = apperr.NotFound("learner.not_a_learner", "当前账号不是学员")
	errNoRunning        = apperr.NotFound("campaign.not_found", "没有进行中的学法活动")
	// errNoResult: the campaign closed before the learner joined it, so its snapshot has no
	// result of theirs.
	errNoResult = apperr.NotFound("year_result.not_found", "该学法活动结办时没有您的年度成绩")
)

// FormulaOf is the campaign's stored formula, or DefaultFormula when it has none.
func (s *Service) FormulaOf(ctx context.Context, campaignID int64) (Formula, error) {
	f, err := s.store.Formula(ctx, campaignID)
	if errors.Is(err, ErrNotFound) {
		return DefaultFormula(campaignID), nil
	}
	if err != nil {
		return Formula{}, err
	}
	return *f, nil
}

// sees is the scope rule of the year's reads for admins (and integrators): a campaign organised
// in their subtree, or at or above their unit (a township admin sees the county's campaign, for
// their own people), as the unit dashboards do.
func sees(actor auth.Actor, c *campaign.Row) bool {
	return actor.CanAdminister() && actor.UnitPath != "" &&
		(actor.Covers(c.UnitPath) || strings.HasPrefix(actor.UnitPath, c.UnitPath))
}

// seenCampaign loads a campaign the actor sees (404 otherwise; drafts included for admins).
func (s *Service) seenCampaign(ctx context.Context, actor auth.Actor, id int64) (*campaign.Row, error) {
	c, err := s.store.CampaignRow(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !sees(actor, c)) {
		return nil, errCampaignNotFound
	}
	return c, err
}

// Formula is a campaign's formula for an admin who sees the campaign.
func (s *Service) Formula(ctx context.Context, actor auth.Actor, campaignID int64) (Formula, error) {
	if _, err := s.seenCampaign(ctx, actor, campaignID); err != nil {
		return Formula{}, err
	}
	return s.FormulaOf(ctx, campaignID)
}

// FormulaInput is a formula as an admin sets it.
type FormulaInput struct {
	ExamWeight          int
	ExamID              *int64
	PassScore           credit.Amount
	ExemptTargetPercent int
}

// validate names every field out of range; the exam is checked against the store after.
func (in FormulaInput) validate() []apperr.FieldError {
	var fields []apperr.FieldError
	if in.ExamWeight < 0 || in.ExamWeight > 100 {
		fields = append(fields, apperr.Field("exam_weight", "须在 0–100 之间"))
	}
	if in.ExamWeight > 0 && in.ExamID == nil {
		fields = append(fields, apperr.Field("exam_id", "考试占比大于 0 时必须指定计分考试"))
	}
	if in.PassScore < 0 || in.PassScore > credit.Amount(100*100) {
		fields = append(fields, apperr.Field("pass_score", "须在 0–100 之间"))
	}
	if in.ExemptTargetPercent < 1 || in.ExemptTargetPercent > 100 {
		fields = append(fields, apperr.Field("exempt_target_percent", "须在 1–100 之间"))
	}
	return fields
}

// checkExam refuses an exam that is not a main exam of the campaign (a make-up counts through
// its main exam: the best of the two is taken).
func (s *Service) checkExam(ctx context.Context, campaignID int64, examID *int64) (*apperr.FieldError, error) {
	if examID == nil {
		return nil, nil
	}
	e, err := s.store.Exam(ctx, *examID)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && e.CampaignID != campaignID):
		f := apperr.Field("exam_id", "考试不存在或不属于本学法活动")
		return &f, nil
	case err != nil:
		return nil, err
	case e.MainExamID != nil:
		f := apperr.Field("exam_id", "须指定主考，补考会按主考与补考中的最高分自动计入")
		return &f, nil
	}
	return nil, nil
}

// SetFormula stores a campaign's formula: only an admin of the organiser unit (another admin
// who sees the campaign gets 403, one who does not 404), only while the campaign is not closing
// or closed (a close freezes the formula it used). Audited with the old and new values.
func (s *Service) SetFormula(ctx context.Context, actor auth.Actor, campaignID int64, in FormulaInput) (Formula, error) {
	var out Formula
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		c, err := s.seenCampaign(ctx, actor, campaignID)
		if err != nil {
			return err
		}
		if actor.Role != auth.RoleAdmin || actor.UnitPath != c.UnitPath {
			return errFormulaOrganiser
		}
		if c.Status.ReadOnly() {
			return errCampaignClosed
		}
		fields := in.validate()
		if in.ExamID != nil {
			bad, err := s.checkExam(ctx, campaignID, in.ExamID)
			if err != nil {
				return err
			}
			if bad != nil {
				fields = append(fields, *bad)
			}
		}
		if len(fields) > 0 {
			return apperr.Invalid("request.validation", "请求参数有误", fields...)
		}
		old, err := s.FormulaOf(ctx, campaignID)
		if err != nil {
			return err
		}
		by := actor.AccountID
		out = Formula{CampaignID: campaignID, ExamWeight: in.ExamWeight, ExamID: in.ExamID, PassScore: in.PassScore,
			ExemptTargetPercent: in.ExemptTargetPercent, UpdatedBy: &by, UpdatedAt: s.now()}
		if err := s.store.SaveFormula(ctx, &out); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: "campaign.formula.update", ResourceType: "campaign",
			ResourceID: campaignID, Outcome: audit.Success, Detail: map[string]any{"old": formulaDetail(old), "new": formulaDetail(out)}})
	})
	return out, err
}

func formulaDetail(f Formula) map[string]any {
	return map[string]any{"exam_weight": f.ExamWeight, "exam_id": f.ExamID, "pass_score": f.PassScore.String(),
		"exempt_target_percent": f.ExemptTargetPercent}
}
