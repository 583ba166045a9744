package questionbank

import (
	"github.com/gin-gonic/gin"

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
	bankID, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var q questionListQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	page, err := httpx.PageOf(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rows, total, err := h.svc.ListQuestions(c.Request.Context(), httpx.MustActor(c), bankID, QuestionListInput{
		Query: q.Q, Tag: q.Tag, Type: q.Type, Difficulty: q.Difficulty, Status: q.Status, Offset: page.Offset(), Limit: page.Size,
	})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, QuestionList{Items: httpx.Map(rows, toQuestionView), ListMeta: httpx.Meta(total, page)})
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
	bankID, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var req QuestionCreateRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	q, err := h.svc.CreateQuestion(c.Request.Context(), httpx.MustActor(c), bankID, req.toInput())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, q.ID, q.RowVersion)
	httpx.Created(c, toQuestionView(*q))
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
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	q, err := h.svc.GetQuestion(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, q.ID, q.RowVersion)
	httpx.OK(c, toQuestionView(*q))
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
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var req QuestionUpdateRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	q, err := h.svc.UpdateQuestion(c.Request.Context(), httpx.MustActor(c), id, req.toInput(), httpx.IfMatch(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, q.ID, q.RowVersion)
	httpx.OK(c, toQuestionView(*q))
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
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if err := h.svc.DeleteQuestion(c.Request.Context(), httpx.MustActor(c), id, httpx.IfMatch(c)); err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.NoContent(c)
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
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	versions, err := h.svc.Versions(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	n := len(versions)
	httpx.OK(c, VersionList{Items: httpx.Map(versions, toVersionView), ListMeta: httpx.ListMeta{Total: int64(n), Page: 1, PageSize: n}})
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
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	s, err := h.svc.Stats(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, toStatsView(*s))
}
