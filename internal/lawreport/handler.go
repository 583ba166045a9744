package lawreport

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/law-reports and /api/v1/me/law-reports.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Create godoc
//
//	@Summary		Submit a 述法 report
//	@Description	A leader-track (领航) learner submits their report for a running campaign they take part in (organised by their unit or a unit above it); an admin may submit on behalf of a leader-track learner of their subtree by naming learner_id. One report per learner and campaign. Attachments are at most 10 http(s) URLs. Non-leader learners get 403 law_report.leader_only.
//	@Tags			law-reports
//	@Accept			json
//	@Produce		json
//	@Param			body	body		CreateRequest	true	"the report"
//	@Success		201		{object}	View
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createLawReport
//	@Router			/api/v1/law-reports [post]
func (h *Handler) Create(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[CreateRequest]) (View, error) {
		d, err := h.svc.Create(ctx, a, in.Body.toInput())
		return httpx.Converted(d, err, toView)
	})
}

// List godoc
//
//	@Summary		List 述法 reports
//	@Description	Admins see the reports of learners of their subtree (or of unit_id's subtree), filtered by campaign, status and part of the learner's name; learners see their own. Newest submission first; bodies are left out.
//	@Tags			law-reports
//	@Produce		json
//	@Param			campaign_id	query		int		false	"campaign"
//	@Param			unit_id		query		int		false	"admins: a unit of the caller's subtree, meaning its whole subtree"
//	@Param			status		query		string	false	"status"	Enums(submitted, approved, returned)
//	@Param			name		query		string	false	"admins: part of the learner's name"
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listLawReports
//	@Router			/api/v1/law-reports [get]
func (h *Handler) List(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (List, error) {
		rows, total, err := h.svc.List(ctx, a, in.Query.toInput(in.Page))
		return List{Items: httpx.Map(rows, toSummary), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Mine godoc
//
//	@Summary		My 述法 reports
//	@Description	The caller's own reports, newest submission first; bodies are left out (GET /law-reports/{id} has them with the review history).
//	@Tags			law-reports
//	@Produce		json
//	@Param			campaign_id	query		int		false	"campaign"
//	@Param			status		query		string	false	"status"	Enums(submitted, approved, returned)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listMyLawReports
//	@Router			/api/v1/me/law-reports [get]
func (h *Handler) Mine(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[myQuery]) (List, error) {
		rows, total, err := h.svc.Mine(ctx, a, in.Query.toInput(in.Page))
		return List{Items: httpx.Map(rows, toSummary), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Get godoc
//
//	@Summary		Get a 述法 report
//	@Description	The report with its body and history (every submission, resubmission and review, oldest first). Admins see reports of learners of their subtree; learners see their own.
//	@Tags			law-reports
//	@Produce		json
//	@Param			id	path		int	true	"report id"
//	@Success		200	{object}	View
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getLawReport
//	@Router			/api/v1/law-reports/{id} [get]
func (h *Handler) Get(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (View, error) {
		d, err := h.svc.Get(ctx, a, in.ID)
		return httpx.Converted(d, err, toView)
	})
}

// Revise godoc
//
//	@Summary		Revise a returned 述法 report
//	@Description	The report's learner replaces title, body and attachments of a returned report; it is submitted again (revision + 1). Any other status answers 409 law_report.not_returned.
//	@Tags			law-reports
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"report id"
//	@Param			body	body		ReviseRequest	true	"the revised report"
//	@Success		200		{object}	View
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				reviseLawReport
//	@Router			/api/v1/law-reports/{id} [put]
func (h *Handler) Revise(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[ReviseRequest]) (View, error) {
		d, err := h.svc.Revise(ctx, a, in.ID, in.Body.toContent())
		return httpx.Converted(d, err, toView)
	})
}

// Review godoc
//
//	@Summary		Review a 述法 report
//	@Description	An admin owning the report's learner approves it (optional score 0–100 and comment) or returns it (comment required, no score). Only a submitted report can be reviewed (409 law_report.not_submitted). Answers the report with its history.
//	@Tags			law-reports
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"report id"
//	@Param			body	body		ReviewRequest	true	"the review"
//	@Success		201		{object}	View
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				reviewLawReport
//	@Router			/api/v1/law-reports/{id}/reviews [post]
func (h *Handler) Review(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.IDBody[ReviewRequest]) (View, error) {
		d, err := h.svc.Review(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(d, err, toView)
	})
}
