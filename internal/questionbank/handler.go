package questionbank

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/question-banks and /api/v1/questions.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// ListBanks godoc
//
//	@Summary		List question banks
//	@Description	Admins see the banks owned by units of their subtree; learners see the banks of their own unit and its ancestors (the banks they can practise on).
//	@Tags			question-banks
//	@Produce		json
//	@Param			subject		query		string	false	"exact subject, e.g. 宪法"
//	@Param			q			query		string	false	"substring of the name"
//	@Param			page		query		int		false	"page, from 1"				default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	BankList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listQuestionBanks
//	@Router			/api/v1/question-banks [get]
func (h *Handler) ListBanks(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[bankListQuery]) (BankList, error) {
		banks, total, err := h.svc.ListBanks(ctx, a, BankListInput{Subject: in.Query.Subject, Query: in.Query.Q, Offset: in.Page.Offset(), Limit: in.Page.Size})
		return BankList{Items: httpx.Map(banks, toBankView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// CreateBank godoc
//
//	@Summary		Create a question bank
//	@Description	The bank is owned by unit_id (default: the caller's unit), which must be in the caller's subtree.
//	@Tags			question-banks
//	@Accept			json
//	@Produce		json
//	@Param			body	body		BankCreateRequest	true	"the new bank"
//	@Success		201		{object}	BankView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse	"name taken in the unit"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createQuestionBank
//	@Router			/api/v1/question-banks [post]
func (h *Handler) CreateBank(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[BankCreateRequest]) (BankView, error) {
		b, err := h.svc.CreateBank(ctx, a, in.Body.toInput())
		return httpx.Converted(b, err, toBankView)
	})
}

// GetBank godoc
//
//	@Summary	Get a question bank
//	@Description	One question bank with its question and published counts. Learners see banks of their unit and above; anything else is 404.
//	@Tags		question-banks
//	@Produce	json
//	@Param		id	path		int	true	"bank id"
//	@Success	200	{object}	BankView
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				getQuestionBank
//	@Router		/api/v1/question-banks/{id} [get]
func (h *Handler) GetBank(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (BankView, error) {
		b, err := h.svc.GetBank(ctx, a, in.ID)
		return httpx.Converted(b, err, toBankView)
	})
}

// UpdateBank godoc
//
//	@Summary	Update a question bank
//	@Description	Renames a bank or changes its description; the questions stay as they are. Audited.
//	@Tags		question-banks
//	@Accept		json
//	@Produce	json
//	@Param		id		path		int					true	"bank id"
//	@Param		body	body		BankUpdateRequest	true	"fields to change"
//	@Success	200		{object}	BankView
//	@Failure	400		{object}	httpx.ErrorResponse
//	@Failure	401		{object}	httpx.ErrorResponse
//	@Failure	403		{object}	httpx.ErrorResponse
//	@Failure	404		{object}	httpx.ErrorResponse
//	@Failure	409		{object}	httpx.ErrorResponse
//	@Failure	413		{object}	httpx.ErrorResponse
//	@Failure	422		{object}	httpx.ErrorResponse
//	@ID				updateQuestionBank
//	@Router		/api/v1/question-banks/{id} [patch]
func (h *Handler) UpdateBank(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[BankUpdateRequest]) (BankView, error) {
		b, err := h.svc.UpdateBank(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(b, err, toBankView)
	})
}

// DeleteBank godoc
//
//	@Summary		Delete an empty question bank
//	@Description	Refused with 409 while the bank has questions (retire them instead).
//	@Tags			question-banks
//	@Param			id	path	int	true	"bank id"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@ID				deleteQuestionBank
//	@Router			/api/v1/question-banks/{id} [delete]
func (h *Handler) DeleteBank(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.DeleteBank(ctx, a, in.ID)
	})
}
