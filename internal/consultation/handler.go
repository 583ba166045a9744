package consultation

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/consultations and /api/v1/me/consultations.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Ask godoc
//
//	@Summary		Ask a question
//	@Description	A learner asks in a running campaign they take part in (organised by their unit or a unit above it); a participant (the public) in any running campaign. The question is 10–2000 characters. Answers the question as the asker sees it, with the campaign's contact channels. Safe to retry with an Idempotency-Key: the same key from the same asker returns the first question as it is now (201, nothing new written, even if the campaign has stopped since); another key, or none, asks again. A key over 100 characters is 400 request.invalid_header.
//	@Tags			consultations
//	@Accept			json
//	@Produce		json
//	@Param			Idempotency-Key	header		string		false	"retry key (max 100 characters): the same key returns the first question"
//	@Param			body			body		AskRequest	true	"the question"
//	@Success		201		{object}	MyView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				askConsultation
//	@Router			/api/v1/consultations [post]
func (h *Handler) Ask(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.KeyBody[AskRequest]) (MyView, error) {
		m, err := h.svc.Ask(ctx, a, AskInput{CampaignID: in.Body.CampaignID, Question: in.Body.Question, Key: in.Key})
		return httpx.Converted(m, err, toMyView)
	})
}

// List godoc
//
//	@Summary		List consultations
//	@Description	The questions asked in campaigns organised by a unit of the caller's subtree, newest first.
//	@Tags			consultations
//	@Produce		json
//	@Param			campaign_id	query		int		false	"campaign"
//	@Param			status		query		string	false	"status"	Enums(open, answered)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listConsultations
//	@Router			/api/v1/consultations [get]
func (h *Handler) List(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (List, error) {
		rows, total, err := h.svc.List(ctx, a, in.Query.toInput(in.Page))
		return List{Items: httpx.Map(rows, toView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Answer godoc
//
//	@Summary		Answer a consultation
//	@Description	An admin of the campaign's organiser unit (or a unit above it) answers; answering again edits the answer and keeps answered_by and answered_at of the first answer. Audited.
//	@Tags			consultations
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"consultation id"
//	@Param			body	body		AnswerRequest	true	"the answer"
//	@Success		200		{object}	View
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				answerConsultation
//	@Router			/api/v1/consultations/{id}/answer [post]
func (h *Handler) Answer(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[AnswerRequest]) (View, error) {
		r, err := h.svc.Answer(ctx, a, in.ID, in.Body.Answer)
		return httpx.Converted(r, err, toView)
	})
}

// Mine godoc
//
//	@Summary		My consultations
//	@Description	The caller's own questions, newest first, with their answers and each campaign's contact channels (政策咨询渠道).
//	@Tags			consultations
//	@Produce		json
//	@Param			campaign_id	query		int		false	"campaign"
//	@Param			status		query		string	false	"status"	Enums(open, answered)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	MyList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listMyConsultations
//	@Router			/api/v1/me/consultations [get]
func (h *Handler) Mine(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (MyList, error) {
		rows, total, err := h.svc.Mine(ctx, a, in.Query.toInput(in.Page))
		return MyList{Items: httpx.Map(rows, toMyView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}
