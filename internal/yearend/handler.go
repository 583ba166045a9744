package yearend

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves the year's formula, exemptions and results (the close-out, reports and
// records add their handlers in their own files on the same struct).
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// GetFormula godoc
//
//	@Summary		A campaign's year formula
//	@Description	How the campaign turns credits and the exam into each learner's 年度成绩: score = min(credits / target, 1) × (100 − exam_weight) + exam score / full score × exam_weight, on 0–100 with two decimals (rounded half up); 达标 when score ≥ pass_score and, if the exam counts, the learner sat the main exam or a make-up (best counts). Exempt learners (免考) are scored on credits only against exempt_target_percent of their track's target. A campaign that set none answers the default: credits only, pass mark 100. For admins who see the campaign (organised in their subtree or above their unit).
//	@Tags			year-end
//	@Produce		json
//	@Param			id	path		int	true	"campaign id"
//	@Success		200	{object}	FormulaView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getYearFormula
//	@Router			/api/v1/campaigns/{id}/formula [get]
func (h *Handler) GetFormula(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (FormulaView, error) {
		f, err := h.svc.Formula(ctx, a, in.ID)
		return httpx.Converted(&f, err, toFormulaView)
	})
}

// PutFormula godoc
//
//	@Summary		Set a campaign's year formula
//	@Description	Replaces the formula. Only an admin of the organiser unit (403 campaign.organiser_only for other admins who see the campaign); refused with 409 campaign.closed once the campaign is closing or closed (a close freezes the formula it used). exam_weight 0–100; exam_id must be a main exam of this campaign (not a make-up: the best of the main exam and its make-ups counts), required when exam_weight > 0; pass_score 0–100; exempt_target_percent 1–100. Audited.
//	@Tags			year-end
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"campaign id"
//	@Param			body	body		FormulaRequest	true	"the formula"
//	@Success		200		{object}	FormulaView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				putYearFormula
//	@Router			/api/v1/campaigns/{id}/formula [put]
func (h *Handler) PutFormula(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[FormulaRequest]) (FormulaView, error) {
		f, err := h.svc.SetFormula(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(&f, err, toFormulaView)
	})
}

// ListExemptions godoc
//
//	@Summary		A campaign's exemptions
//	@Description	The learners of the caller's subtree excused from the campaign's exam (免考), ascending by learner id. For admins who see the campaign.
//	@Tags			year-end
//	@Produce		json
//	@Param			id			path		int	true	"campaign id"
//	@Param			page		query		int	false	"page, from 1"	default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	ExemptionList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listYearExemptions
//	@Router			/api/v1/campaigns/{id}/exemptions [get]
func (h *Handler) ListExemptions(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDPaged) (ExemptionList, error) {
		rows, total, err := h.svc.Exemptions(ctx, a, in.ID, in.Page.Offset(), in.Page.Size)
		return ExemptionList{Items: httpx.Map(rows, toExemptionView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// PutExemption godoc
//
//	@Summary		Exempt a learner from the exam
//	@Description	Excuses a learner from the campaign's exam (免考, e.g. 驻村 or 支教): their 年度成绩 counts credits only, against exempt_target_percent of their track's target. Idempotent: a repeat changes nothing, a new reason replaces the old one. By an admin whose subtree holds the learner and who sees the campaign (404 otherwise, also for a learner outside the campaign's audience); 409 campaign.closed once the campaign is closing or closed. Audited.
//	@Tags			year-end
//	@Accept			json
//	@Produce		json
//	@Param			id			path		int					true	"campaign id"
//	@Param			learner_id	path		int					true	"learner id"
//	@Param			body		body		ExemptionRequest	true	"the reason"
//	@Success		200			{object}	ExemptionView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@Failure		409			{object}	httpx.ErrorResponse
//	@Failure		413			{object}	httpx.ErrorResponse
//	@Failure		422			{object}	httpx.ErrorResponse
//	@ID				putYearExemption
//	@Router			/api/v1/campaigns/{id}/exemptions/{learner_id} [put]
func (h *Handler) PutExemption(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in exemptionInput) (ExemptionView, error) {
		row, err := h.svc.Exempt(ctx, a, in.ID, in.LearnerID, in.Body.Reason)
		return httpx.Converted(row, err, toExemptionView)
	})
}

// DeleteExemption godoc
//
//	@Summary		Withdraw an exemption
//	@Description	The learner sits the exam again as far as the formula is concerned. 404 exemption.not_found when the learner is not exempt; same access rules as PUT. Audited.
//	@Tags			year-end
//	@Param			id			path	int	true	"campaign id"
//	@Param			learner_id	path	int	true	"learner id"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@ID				deleteYearExemption
//	@Router			/api/v1/campaigns/{id}/exemptions/{learner_id} [delete]
func (h *Handler) DeleteExemption(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in exemptionIDs) (httpx.None, error) {
		return httpx.None{}, h.svc.Unexempt(ctx, a, in.ID, in.LearnerID)
	})
}

// Results godoc
//
//	@Summary		A campaign's year results
//	@Description	Each learner's 年度成绩 and status (met 达标, not_met 未达标, absent 未参考, exempt 免考) in a unit of the caller's subtree (default: the caller's unit), ascending by learner id. Once the campaign is closed, the snapshot of its close (frozen: true, close_no, as_of the close's finish); before, or after a reopen, the live results "as if the year ended now" (frozen: false, close_no 0) under the current formula. The audience is the active learners of the organiser's subtree plus those who left but earned credit in the campaign. For admins who see the campaign.
//	@Tags			year-end
//	@Produce		json
//	@Param			id			path		int		true	"campaign id"
//	@Param			unit_id		query		int		false	"unit of the caller's subtree"
//	@Param			status		query		string	false	"only this status"	Enums(met, not_met, absent, exempt)
//	@Param			track		query		string	false	"only this track"	Enums(leader, general, judicial)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	ResultList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listYearResults
//	@Router			/api/v1/campaigns/{id}/results [get]
func (h *Handler) Results(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDListQuery[resultsQuery]) (ResultList, error) {
		p, err := h.svc.Results(ctx, a, in.ID, ResultsQuery{UnitID: in.Query.UnitID, Status: in.Query.Status, Track: in.Query.Track,
			Offset: in.Page.Offset(), Limit: in.Page.Size})
		if err != nil {
			return ResultList{}, err
		}
		return toResultList(*p, in.Page), nil
	})
}

// MyYearResult godoc
//
//	@Summary		My year result
//	@Description	The caller's 年度成绩 and status in a campaign (default: the newest running one, as GET /me/credits picks it), with a line-by-line explanation of how it was obtained: frozen once the campaign is closed, else live ("if the year ended today").
//	@Tags			year-end
//	@Produce		json
//	@Param			campaign_id	query		int	false	"campaign id"
//	@Success		200			{object}	MyResultView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse	"no such campaign for the learner, none running, or no result of theirs in its snapshot"
//	@ID				getMyYearResult
//	@Router			/api/v1/me/year-result [get]
func (h *Handler) MyYearResult(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Query[myResultQuery]) (MyResultView, error) {
		m, err := h.svc.MyYearResult(ctx, a, in.Query.CampaignID)
		return httpx.Converted(m, err, toMyResultView)
	})
}
