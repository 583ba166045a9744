package quiz

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Current godoc
//
//	@Summary		Rounds open now
//	@Description	The rounds the caller may play now, with their prizes, commitment and the caller's plays left.
//	@Tags			quiz
//	@Produce		json
//	@Success		200	{object}	CurrentRounds
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@ID				listCurrentRounds
//	@Router			/api/v1/quiz/rounds/current [get]
func (h *Handler) Current(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, _ httpx.None) (CurrentRounds, error) {
		rows, err := h.svc.Current(ctx, a)
		return CurrentRounds{Items: httpx.Map(rows, toCurrentRoundView)}, err
	})
}

// Start godoc
//
//	@Summary		Start a play of a round
//	@Description	Serves the questions (options shuffled for this play, never the key) and the server's deadline. One running play per player (409 quiz.play_active); no more plays than the round allows (409 quiz.no_plays_left, quiz.daily_limit), even under concurrent starts. Outside the window 409 quiz.round_not_open. Rate limited per account and per IP (429 quiz.rate_limited).
//	@Tags			quiz
//	@Produce		json
//	@Param			id	path		int	true	"round id"
//	@Success		201	{object}	PlayView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@Failure		429	{object}	httpx.ErrorResponse
//	@ID				startPlay
//	@Router			/api/v1/quiz/rounds/{id}/plays [post]
func (h *Handler) Start(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in startInput) (PlayView, error) {
		row, err := h.svc.Start(ctx, a, in.IP, in.ID)
		return httpx.Converted(row, err, toPlayView)
	})
}

// Submit godoc
//
//	@Summary		Submit a play
//	@Description	Grades the answers (in this play's option letters) by the server clock: score, correct count, duration, each question's key (in this play's letters), analysis and legal basis, and the caller's rank. Once per play: the same Idempotency-Key again returns the first result, any other second submit is 409 quiz.already_submitted. After the deadline: 409 quiz.deadline_passed. Plays answered implausibly fast are flagged (kept, off the boards and out of the draw until an admin clears them). Rate limited per account and per IP.
//	@Tags			quiz
//	@Accept			json
//	@Produce		json
//	@Param			id				path		int				true	"play id"
//	@Param			Idempotency-Key	header		string			false	"retry key: the same key returns the first result"
//	@Param			body			body		SubmitRequest	true	"the answers"
//	@Success		200				{object}	ResultView
//	@Failure		400				{object}	httpx.ErrorResponse
//	@Failure		401				{object}	httpx.ErrorResponse
//	@Failure		403				{object}	httpx.ErrorResponse
//	@Failure		404				{object}	httpx.ErrorResponse
//	@Failure		409				{object}	httpx.ErrorResponse
//	@Failure		413				{object}	httpx.ErrorResponse
//	@Failure		422				{object}	httpx.ErrorResponse
//	@Failure		429				{object}	httpx.ErrorResponse
//	@ID				submitPlay
//	@Router			/api/v1/quiz/plays/{id}/submit [post]
func (h *Handler) Submit(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in submitInput) (ResultView, error) {
		row, err := h.svc.Submit(ctx, a, in.IP, in.ID, in.Key, in.Body.toInput())
		return httpx.Converted(row, err, toResultView)
	})
}

// RoundLeaderboard godoc
//
//	@Summary		A round's leaderboard
//	@Description	Top limit players (default and at most 100) by best score, then shorter duration, then earlier submit; names masked (张*三); plus the caller's own place (null when not on the board).
//	@Tags			quiz
//	@Produce		json
//	@Param			id		path		int	true	"round id"
//	@Param			limit	query		int	false	"how many, at most 100"	default(100)
//	@Success		200		{object}	BoardResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@ID				getRoundLeaderboard
//	@Router			/api/v1/quiz/rounds/{id}/leaderboard [get]
func (h *Handler) RoundLeaderboard(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDQuery[boardQuery]) (BoardResponse, error) {
		row, err := h.svc.RoundLeaderboard(ctx, a, in.ID, in.Query.limit())
		return httpx.Converted(row, err, toBoardResponse(a.AccountID))
	})
}

// ActivityLeaderboard godoc
//
//	@Summary		An activity's leaderboard
//	@Description	Each player's best plays of the activity's rounds summed (score, then duration, then latest improving submit); names masked; plus the caller's own place.
//	@Tags			quiz
//	@Produce		json
//	@Param			id		path		int	true	"activity id"
//	@Param			limit	query		int	false	"how many, at most 100"	default(100)
//	@Success		200		{object}	BoardResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@ID				getActivityLeaderboard
//	@Router			/api/v1/quiz/activities/{id}/leaderboard [get]
func (h *Handler) ActivityLeaderboard(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDQuery[boardQuery]) (BoardResponse, error) {
		row, err := h.svc.ActivityLeaderboard(ctx, a, in.ID, in.Query.limit())
		return httpx.Converted(row, err, toBoardResponse(a.AccountID))
	})
}

// MyPrizes godoc
//
//	@Summary		My prizes
//	@Description	Prizes I won, newest first, with status (an unclaimed prize past expires_at is expired) and my claim contact masked.
//	@Tags			quiz
//	@Produce		json
//	@Success		200	{object}	AwardList
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@ID				listMyPrizes
//	@Router			/api/v1/me/prizes [get]
func (h *Handler) MyPrizes(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, _ httpx.None) (AwardList, error) {
		rows, err := h.svc.MyPrizes(ctx, a)
		return AwardList{Items: httpx.Map(rows, toAwardView)}, err
	})
}

// Claim godoc
//
//	@Summary		Claim a prize
//	@Description	Where to send it: name, phone and address are encrypted at rest and shown masked. Takes one unit of the prize's stock (409 quiz.out_of_stock when none is left; stock never goes below zero). The same Idempotency-Key again returns the first result; any other second claim is 409 quiz.prize_claimed; after expires_at 409 quiz.prize_expired.
//	@Tags			quiz
//	@Accept			json
//	@Produce		json
//	@Param			id				path		int				true	"prize (award) id"
//	@Param			Idempotency-Key	header		string			false	"retry key: the same key returns the first result"
//	@Param			body			body		ClaimRequest	true	"delivery contact"
//	@Success		200				{object}	AwardView
//	@Failure		400				{object}	httpx.ErrorResponse
//	@Failure		401				{object}	httpx.ErrorResponse
//	@Failure		403				{object}	httpx.ErrorResponse
//	@Failure		404				{object}	httpx.ErrorResponse
//	@Failure		409				{object}	httpx.ErrorResponse
//	@Failure		413				{object}	httpx.ErrorResponse
//	@Failure		422				{object}	httpx.ErrorResponse
//	@ID				claimPrize
//	@Router			/api/v1/me/prizes/{id}/claim [post]
func (h *Handler) Claim(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDKeyBody[ClaimRequest]) (AwardView, error) {
		row, err := h.svc.Claim(ctx, a, in.ID, in.Key, in.Body.toInput())
		return httpx.Converted(row, err, toAwardView)
	})
}
