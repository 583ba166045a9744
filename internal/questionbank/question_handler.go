package questionbank

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// ListQuestions godoc
//
//	@Summary		List a bank's questions
//	@Description	With answer keys (admins only). Search by stem text, tag, type, difficulty and status.
//	@Tags			questions
//	@Produce		json
//	@Param			id			path		int		true	"bank id"
//	@Param			q			query		string	false	"substring of the stem"
//	@Param			tag			query		string	false	"exact tag"
//	@Param			type		query		string	false	"question type"	Enums(single, multiple, judge, fill)
//	@Param			difficulty	query		int		false	"difficulty 1–5"
//	@Param			status		query		string	false	"status"	Enums(draft, published, retired)
//	@Param			page		query		int		false	"page, from 1"				default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	QuestionList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listQuestions
//	@Router			/api/v1/question-banks/{id}/questions [get]
func (h *Handler) ListQuestions(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDListQuery[questionListQuery]) (QuestionList, error) {
		rows, total, err := h.svc.ListQuestions(ctx, a, in.ID, in.Query.toInput(in.Page))
		return QuestionList{Items: httpx.Map(rows, toQuestionView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// CreateQuestion godoc
//
//	@Summary		Add a question to a bank
//	@Description	Choice answers must be among the options; judge and fill questions take no options; a stem already in the bank (ignoring white space, punctuation, case and width) is 409 question.duplicate_stem naming the existing question.
//	@Tags			questions
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int						true	"bank id"
//	@Param			body	body		QuestionCreateRequest	true	"the new question"
//	@Success		201		{object}	QuestionView
//	@Header		201		{string}	ETag	"the question's revision, for If-Match"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse	"duplicate stem"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createQuestion
//	@Router			/api/v1/question-banks/{id}/questions [post]
func (h *Handler) CreateQuestion(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.IDBody[QuestionCreateRequest]) (httpx.Tagged[QuestionView], error) {
		q, err := h.svc.CreateQuestion(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(q, err, toTaggedQuestionView)
	})
}

// GetQuestion godoc
//
//	@Summary	Get a question with its answer key
//	@Description	One question of the admin's subtree with its answer key, analysis and legal basis, current version. Older versions: GET /questions/{id}/versions.
//	@Tags		questions
//	@Produce	json
//	@Param		id	path		int	true	"question id"
//	@Success	200	{object}	QuestionView
//	@Header	200	{string}	ETag	"the question's revision, for If-Match"
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				getQuestion
//	@Router		/api/v1/questions/{id} [get]
func (h *Handler) GetQuestion(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[QuestionView], error) {
		q, err := h.svc.GetQuestion(ctx, a, in.ID)
		return httpx.Converted(q, err, toTaggedQuestionView)
	})
}

// UpdateQuestion godoc
//
//	@Summary		Edit a question
//	@Description	A question that was never published is edited in place. Once published, any content change creates version n+1 (kept in GET /questions/{id}/versions); status changes alone do not. A published question cannot go back to draft.
//	@Tags			questions
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int						true	"question id"
//	@Param			If-Match	header	string	false	"the ETag read: refused with 412 if the question changed since"
//	@Param			body	body		QuestionUpdateRequest	true	"fields to change"
//	@Success		200		{object}	QuestionView
//	@Header		200		{string}	ETag	"the question's new revision"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse	"duplicate stem"
//	@Failure		412		{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				updateQuestion
//	@Router			/api/v1/questions/{id} [patch]
func (h *Handler) UpdateQuestion(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[QuestionUpdateRequest]) (httpx.Tagged[QuestionView], error) {
		q, err := h.svc.UpdateQuestion(ctx, a, in.ID, in.Body.toInput(), in.IfMatch)
		return httpx.Converted(q, err, toTaggedQuestionView)
	})
}

// DeleteQuestion godoc
//
//	@Summary		Delete a draft question
//	@Description	Only questions never published can be deleted; published ones are retired (PATCH status=retired) so history and statistics stay.
//	@Tags			questions
//	@Param			id	path	int	true	"question id"
//	@Param			If-Match	header	string	false	"the ETag read: refused with 412 if the question changed since"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@Failure		412	{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@ID				deleteQuestion
//	@Router			/api/v1/questions/{id} [delete]
func (h *Handler) DeleteQuestion(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.DeleteQuestion(ctx, a, in.ID, in.IfMatch)
	})
}

// Versions godoc
//
//	@Summary		A question's version history
//	@Description	Every published version, newest first, as learners saw it. A never-published draft has none.
//	@Tags			questions
//	@Produce		json
//	@Param			id	path		int	true	"question id"
//	@Success		200	{object}	VersionList
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				listQuestionVersions
//	@Router			/api/v1/questions/{id}/versions [get]
func (h *Handler) Versions(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (VersionList, error) {
		versions, err := h.svc.Versions(ctx, a, in.ID)
		return toVersionList(versions), err
	})
}

// Stats godoc
//
//	@Summary		A question's item statistics
//	@Description	Practice: attempts and correct answers, kept incrementally as answers arrive; facility_index = correct / attempts. Formal exams: exam_served papers, exam_facility_index (mean share of points earned) and discrimination_index (top 27% minus bottom 27% by score), weighted by papers over the exams that fed them — an exam feeds its figures when an admin reads its statistics and once its window has closed.
//	@Tags			questions
//	@Produce		json
//	@Param			id	path		int	true	"question id"
//	@Success		200	{object}	StatsView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getQuestionStats
//	@Router			/api/v1/questions/{id}/stats [get]
func (h *Handler) Stats(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (StatsView, error) {
		s, err := h.svc.Stats(ctx, a, in.ID)
		return httpx.Converted(s, err, toStatsView)
	})
}
