package exam

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/exams, /api/v1/attempts and /api/v1/me/exams.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Create godoc
//
//	@Summary		Create an exam (draft)
//	@Description	A draft exam owned by unit_id (default: the caller's unit) in a campaign covering that unit: window, duration, attempts, score policy (best or last), pass score, audience (tracks, units of the subtree), prerequisite credits in the campaign, review policy, shuffling, multiple-choice partial credit (half points for a subset of the key without wrong options), main_exam_id for a make-up exam (补考), and one blueprint per audience track. A section is either a pool (bank_id and/or tag, type, count, difficulty range; banks of the exam's unit, its ancestors or its subtree) or a fixed list of question_ids. Publishing checks the banks can supply every section.
//	@Tags			exams
//	@Accept			json
//	@Produce		json
//	@Param			body	body		Request	true	"the exam"
//	@Success		201		{object}	View
//	@Header		201		{string}	ETag	"the exam's revision, for If-Match"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createExam
//	@Router			/api/v1/exams [post]
func (h *Handler) Create(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[Request]) (httpx.Tagged[View], error) {
		d, err := h.svc.Create(ctx, a, in.Body.toInput())
		return httpx.Converted(d, err, toTaggedView)
	})
}

// List godoc
//
//	@Summary		List exams
//	@Description	Exams owned by units of the caller's subtree, latest window first.
//	@Tags			exams
//	@Produce		json
//	@Param			campaign_id	query		int		false	"campaign"
//	@Param			status		query		string	false	"status"	Enums(draft, published, closed)
//	@Param			page		query		int		false	"page (from 1)"
//	@Param			page_size	query		int		false	"page size (max 100)"
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listExams
//	@Router			/api/v1/exams [get]
func (h *Handler) List(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (List, error) {
		rows, total, err := h.svc.List(ctx, a, ListInput{CampaignID: in.Query.CampaignID, Status: in.Query.Status, Offset: in.Page.Offset(), Limit: in.Page.Size})
		return List{Items: httpx.Map(rows, toSummary), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Get godoc
//
//	@Summary		Get an exam
//	@Description	An exam owned in the caller's subtree, with its blueprints (others are 404).
//	@Tags			exams
//	@Produce		json
//	@Param			id	path		int	true	"exam id"
//	@Success		200	{object}	View
//	@Header		200	{string}	ETag	"the exam's revision, for If-Match"
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getExam
//	@Router			/api/v1/exams/{id} [get]
func (h *Handler) Get(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		d, err := h.svc.Get(ctx, a, in.ID)
		return httpx.Converted(d, err, toTaggedView)
	})
}

// Replace godoc
//
//	@Summary		Replace a draft exam
//	@Description	Rewrites a draft exam and its blueprints (same body as create). A published or closed exam is 409 exam.not_editable; an exam that a make-up names as its main exam cannot become a make-up or move to another campaign (409 exam.has_makeup).
//	@Tags			exams
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int		true	"exam id"
//	@Param			If-Match	header	string	false	"the ETag read: refused with 412 if the exam changed since"
//	@Param			body	body		Request	true	"the exam"
//	@Success		200		{object}	View
//	@Header		200		{string}	ETag	"the exam's new revision"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		412		{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				replaceExam
//	@Router			/api/v1/exams/{id} [put]
func (h *Handler) Replace(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[Request]) (httpx.Tagged[View], error) {
		d, err := h.svc.Replace(ctx, a, in.ID, in.Body.toInput(), in.IfMatch)
		return httpx.Converted(d, err, toTaggedView)
	})
}

// Delete godoc
//
//	@Summary		Delete a draft exam
//	@Description	Removes a draft exam and its blueprints. A published or closed exam stays for the record (409 exam.not_editable: close it instead); a draft that a make-up exam names as its main exam is 409 exam.has_makeup until that make-up is deleted or pointed elsewhere.
//	@Tags			exams
//	@Param			id	path	int	true	"exam id"
//	@Param			If-Match	header	string	false	"the ETag read: refused with 412 if the exam changed since"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@Failure		412	{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@ID				deleteExam
//	@Router			/api/v1/exams/{id} [delete]
func (h *Handler) Delete(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.Delete(ctx, a, in.ID, in.IfMatch)
	})
}

// Publish godoc
//
//	@Summary		Publish an exam
//	@Description	Checks every audience track has a blueprint and every section enough published questions (422 exam.blueprint_insufficient naming the sections), then opens the exam to its audience. Only drafts publish (422 exam.status_transition).
//	@Tags			exams
//	@Produce		json
//	@Param			id	path		int	true	"exam id"
//	@Success		200	{object}	View
//	@Header		200	{string}	ETag	"the exam's new revision"
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		422	{object}	httpx.ErrorResponse
//	@ID				publishExam
//	@Router			/api/v1/exams/{id}/publish [post]
func (h *Handler) Publish(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		d, err := h.svc.Publish(ctx, a, in.ID)
		return httpx.Converted(d, err, toTaggedView)
	})
}

// Close godoc
//
//	@Summary		Close an exam
//	@Description	No new attempts; attempts in progress run to their deadline. Only published exams close.
//	@Tags			exams
//	@Produce		json
//	@Param			id	path		int	true	"exam id"
//	@Success		200	{object}	View
//	@Header		200	{string}	ETag	"the exam's new revision"
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		422	{object}	httpx.ErrorResponse
//	@ID				closeExam
//	@Router			/api/v1/exams/{id}/close [post]
func (h *Handler) Close(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		d, err := h.svc.Close(ctx, a, in.ID)
		return httpx.Converted(d, err, toTaggedView)
	})
}
