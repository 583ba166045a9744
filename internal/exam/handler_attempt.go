package exam

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// MyExams godoc
//
//	@Summary		My exams
//	@Description	Published and closed exams whose audience includes me, with the window state, attempts used and left, an attempt in progress, my counted score (best or last) and whether I passed. eligible is false for a make-up exam I may not sit (I passed the main exam or am still sitting it). An attempt of mine past its deadline is finalised first, with what was saved. Never includes answer keys.
//	@Tags			exams
//	@Produce		json
//	@Success		200	{object}	MineList
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse	"not a learner"
//	@ID				listMyExams
//	@Router			/api/v1/me/exams [get]
func (h *Handler) MyExams(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, _ httpx.None) (MineList, error) {
		rows, err := h.svc.MyExams(ctx, a)
		return MineList{Items: httpx.Map(rows, toMineView)}, err
	})
}

// Start godoc
//
//	@Summary		Start an attempt
//	@Description	Draws my own paper from my track's blueprint and starts the clock: deadline = min(now + duration, window close) by the server clock. Checks, in order: audience (403 exam.not_in_audience), window (403 exam.not_open / exam.window_closed), make-up eligibility (403 exam.makeup_not_eligible), prerequisite credits in the campaign (403 exam.prerequisite_unmet), an attempt in progress (409 exam.attempt_in_progress; also when two starts race), attempts left (409 exam.no_attempts_left). The paper has no answer keys.
//	@Tags			exams
//	@Produce		json
//	@Param			id	path		int	true	"exam id"
//	@Success		201	{object}	AttemptView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@ID				startAttempt
//	@Router			/api/v1/exams/{id}/attempts [post]
func (h *Handler) Start(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.ID) (AttemptView, error) {
		d, err := h.svc.Start(ctx, a, in.ID)
		return httpx.Converted(d, err, toAttemptView)
	})
}

// GetAttempt godoc
//
//	@Summary		Resume an attempt
//	@Description	My attempt with its paper, my saved answers and the seconds left by the server clock. An attempt past its deadline (and a few seconds of grace) comes back finalised and graded with what was saved. Never includes answer keys.
//	@Tags			exams
//	@Produce		json
//	@Param			id	path		int	true	"attempt id"
//	@Success		200	{object}	AttemptView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getAttempt
//	@Router			/api/v1/attempts/{id} [get]
func (h *Handler) GetAttempt(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (AttemptView, error) {
		d, err := h.svc.Resume(ctx, a, in.ID)
		return httpx.Converted(d, err, toAttemptView)
	})
}

// SaveAnswer godoc
//
//	@Summary		Autosave one answer
//	@Description	Saves my answer to one question of my active attempt; the last write wins (two devices, retries). Option letters are those shown (options may be shuffled). A question not in my paper is 404 exam.question_not_in_paper; a wrong shape 422 exam.invalid_answer; a submitted attempt 409 exam.attempt_finished; after the deadline and its grace 409 exam.deadline_passed (the attempt is then graded with what was saved).
//	@Tags			exams
//	@Accept			json
//	@Produce		json
//	@Param			id			path		int				true	"attempt id"
//	@Param			question_id	path		int				true	"question id"
//	@Param			body		body		AnswerRequest	true	"the answer"
//	@Success		200			{object}	SavedView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@Failure		409			{object}	httpx.ErrorResponse
//	@Failure		413			{object}	httpx.ErrorResponse
//	@Failure		422			{object}	httpx.ErrorResponse
//	@ID				saveAttemptAnswer
//	@Router			/api/v1/attempts/{id}/answers/{question_id} [put]
func (h *Handler) SaveAnswer(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in answerInput) (SavedView, error) {
		s, err := h.svc.SaveAnswer(ctx, a, in.ID, in.QuestionID, in.Body.Answer)
		return httpx.Converted(s, err, toSavedView)
	})
}

// Submit godoc
//
//	@Summary		Submit an attempt
//	@Description	Finishes and grades my attempt in one transaction (score, sections, pass, the campaign's exam credit when passed, the wrong-answer book). Safe to retry: with the same or another Idempotency-Key, from another device, or after the deadline finalised it, the graded attempt comes back (its result, without the paper: GET /attempts/{id} has it) and grading happens once.
//	@Tags			exams
//	@Produce		json
//	@Param			id				path		int		true	"attempt id"
//	@Param			Idempotency-Key	header		string	false	"client retry key (max 100 characters)"
//	@Success		200				{object}	AttemptView
//	@Failure		400				{object}	httpx.ErrorResponse
//	@Failure		401				{object}	httpx.ErrorResponse
//	@Failure		403				{object}	httpx.ErrorResponse
//	@Failure		404				{object}	httpx.ErrorResponse
//	@ID				submitAttempt
//	@Router			/api/v1/attempts/{id}/submit [post]
func (h *Handler) Submit(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in submitInput) (AttemptView, error) {
		d, err := h.svc.Submit(ctx, a, in.ID, in.Key)
		return httpx.Converted(d, err, toAttemptView)
	})
}

// Review godoc
//
//	@Summary		Review a finished attempt
//	@Description	My finished attempt question by question with my answers and scores, as the exam's review policy allows: never (403 exam.review_unavailable), after submitting, or after the window closes. Keys, analysis and legal basis appear only when the exam shows answers.
//	@Tags			exams
//	@Produce		json
//	@Param			id	path		int	true	"attempt id"
//	@Success		200	{object}	ReviewView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				reviewAttempt
//	@Router			/api/v1/attempts/{id}/review [get]
func (h *Handler) Review(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (ReviewView, error) {
		r, err := h.svc.Review(ctx, a, in.ID)
		return httpx.Converted(r, err, toReviewView)
	})
}
