package practice

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/practice and the learner's wrong-answer book and favourites.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Start godoc
//
//	@Summary		Start a practice session
//	@Description	Draws count questions (1–50, default 10) from the published questions of bank_id, or of every bank the learner can see: random (at random), sequential (in bank order from where the learner last answered; bank_id required; wraps around), wrong_book (most recently missed first) or favourites (newest first). Questions come without answer, analysis or legal basis. No question in range is 422 practice.no_questions.
//	@Tags			practice
//	@Accept			json
//	@Produce		json
//	@Param			body	body		StartRequest	true	"what to practise"
//	@Success		201		{object}	SessionView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse	"bank not found or not visible"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				startPractice
//	@Router			/api/v1/practice/sessions [post]
func (h *Handler) Start(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[StartRequest]) (SessionView, error) {
		d, err := h.svc.Start(ctx, a, in.Body.toInput())
		return httpx.Converted(d, err, toSessionView)
	})
}

// Get godoc
//
//	@Summary		Get one of my practice sessions
//	@Description	The session's questions (still without keys) with what was answered so far, to resume it.
//	@Tags			practice
//	@Produce		json
//	@Param			id	path		int	true	"session id"
//	@Success		200	{object}	SessionView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getPractice
//	@Router			/api/v1/practice/sessions/{id} [get]
func (h *Handler) Get(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (SessionView, error) {
		d, err := h.svc.Get(ctx, a, in.ID)
		return httpx.Converted(d, err, toSessionView)
	})
}

// Answer godoc
//
//	@Summary		Answer a question of my practice session
//	@Description	Grades the answer against the question version the session served and reveals its key, analysis and legal basis. A wrong answer puts the question in the wrong-answer book (or refreshes it); two right answers in a row take it out. Sending the same answer again returns the same result and changes nothing (safe to retry); a different answer to an answered question is 409 practice.already_answered. A question not in the session is 404.
//	@Tags			practice
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"session id"
//	@Param			body	body		AnswerRequest	true	"the answer"
//	@Success		200		{object}	AnswerView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				answerPractice
//	@Router			/api/v1/practice/sessions/{id}/answers [post]
func (h *Handler) Answer(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[AnswerRequest]) (AnswerView, error) {
		r, err := h.svc.Answer(ctx, a, in.ID, in.Body.QuestionID, in.Body.Answer)
		return httpx.Converted(r, err, toAnswerView)
	})
}

// ListWrong godoc
//
//	@Summary		My wrong-answer book
//	@Description	Questions I answered wrongly, most recently missed first, without their keys (practise them with mode wrong_book to see the keys again).
//	@Tags			practice
//	@Produce		json
//	@Param			bank_id		query		int	false	"only this bank"
//	@Param			page		query		int	false	"page, from 1"				default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	WrongList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listWrongQuestions
//	@Router			/api/v1/me/wrong-questions [get]
func (h *Handler) ListWrong(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[bookQuery]) (WrongList, error) {
		rows, total, err := h.svc.ListWrong(ctx, a, in.Query.toInput(in.Page))
		return WrongList{Items: httpx.Map(rows, toWrongView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// RemoveWrong godoc
//
//	@Summary		Remove a question from my wrong-answer book
//	@Description	Idempotent: removing a question that is not in the book is also 204.
//	@Tags			practice
//	@Param			question_id	path	int	true	"question id"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@ID				removeWrongQuestion
//	@Router			/api/v1/me/wrong-questions/{question_id} [delete]
func (h *Handler) RemoveWrong(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in questionInput) (httpx.None, error) {
		return httpx.None{}, h.svc.RemoveWrong(ctx, a, in.QuestionID)
	})
}

// ListFavourites godoc
//
//	@Summary		My favourite questions
//	@Description	Newest first, without keys.
//	@Tags			practice
//	@Produce		json
//	@Param			bank_id		query		int	false	"only this bank"
//	@Param			page		query		int	false	"page, from 1"				default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	FavouriteList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listFavourites
//	@Router			/api/v1/me/favourites [get]
func (h *Handler) ListFavourites(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[bookQuery]) (FavouriteList, error) {
		rows, total, err := h.svc.ListFavourites(ctx, a, in.Query.toInput(in.Page))
		return FavouriteList{Items: httpx.Map(rows, toFavouriteView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// AddFavourite godoc
//
//	@Summary		Mark a question as a favourite
//	@Description	Any published question of a bank I can see; idempotent.
//	@Tags			practice
//	@Param			question_id	path	int	true	"question id"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				addFavourite
//	@Router			/api/v1/me/favourites/{question_id} [put]
func (h *Handler) AddFavourite(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in questionInput) (httpx.None, error) {
		return httpx.None{}, h.svc.AddFavourite(ctx, a, in.QuestionID)
	})
}

// RemoveFavourite godoc
//
//	@Summary		Unmark a favourite question
//	@Description	Idempotent.
//	@Tags			practice
//	@Param			question_id	path	int	true	"question id"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@ID				removeFavourite
//	@Router			/api/v1/me/favourites/{question_id} [delete]
func (h *Handler) RemoveFavourite(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in questionInput) (httpx.None, error) {
		return httpx.None{}, h.svc.RemoveFavourite(ctx, a, in.QuestionID)
	})
}
