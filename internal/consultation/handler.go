package consultation

import (
	"github.com/gin-gonic/gin"

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
//	@Description	A learner asks in a running campaign they take part in (organised by their unit or a unit above it); a participant (the public) in any running campaign. The question is 10–2000 characters. Answers the question as the asker sees it, with the campaign's contact channels.
//	@Tags			consultations
//	@Accept			json
//	@Produce		json
//	@Param			body	body		AskRequest	true	"the question"
//	@Success		201		{object}	MyView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				askConsultation
//	@Router			/api/v1/consultations [post]
func (h *Handler) Ask(c *gin.Context) {
	var req AskRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	m, err := h.svc.Ask(c.Request.Context(), httpx.MustActor(c), AskInput{CampaignID: req.CampaignID, Question: req.Question})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.Created(c, toMyView(*m))
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
	var q listQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	page, err := httpx.PageOf(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rows, total, err := h.svc.List(c.Request.Context(), httpx.MustActor(c), q.toInput(page))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, List{Items: httpx.Map(rows, toView), ListMeta: httpx.Meta(total, page)})
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
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var req AnswerRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	r, err := h.svc.Answer(c.Request.Context(), httpx.MustActor(c), id, req.Answer)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, toView(*r))
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
	var q listQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	page, err := httpx.PageOf(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rows, total, err := h.svc.Mine(c.Request.Context(), httpx.MustActor(c), q.toInput(page))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, MyList{Items: httpx.Map(rows, toMyView), ListMeta: httpx.Meta(total, page)})
}
