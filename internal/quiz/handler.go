package quiz

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// Handler serves /api/v1/quiz and the player's prizes.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// CreateActivity godoc
//
//	@Summary		Create a quiz activity
//	@Description	An activity (e.g. 2027 新年学法微活动) owned by a unit in the admin's subtree (default: the admin's unit). audience public admits participants (WeChat users) and learners; learners admits only learners of the unit's subtree. campaign_id, when given, credits bound learners' ranked plays with the campaign's quiz_per_play rule.
//	@Tags			quiz
//	@Accept			json
//	@Produce		json
//	@Param			body	body		ActivityRequest	true	"the activity"
//	@Success		201		{object}	ActivityView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createQuizActivity
//	@Router			/api/v1/quiz/activities [post]
func (h *Handler) CreateActivity(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[ActivityRequest]) (ActivityView, error) {
		row, err := h.svc.CreateActivity(ctx, a, in.Body.toInput())
		return httpx.Converted(row, err, toActivityView)
	})
}

// ListActivities godoc
//
//	@Summary		List quiz activities
//	@Description	Activities owned by units in the admin's subtree, newest first.
//	@Tags			quiz
//	@Produce		json
//	@Param			page		query		int	false	"page, from 1"				default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	ActivityList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listQuizActivities
//	@Router			/api/v1/quiz/activities [get]
func (h *Handler) ListActivities(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Paged) (ActivityList, error) {
		rows, total, err := h.svc.Activities(ctx, a, in.Page.Offset(), in.Page.Size)
		return ActivityList{Items: httpx.Map(rows, toActivityView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// GetActivity godoc
//
//	@Summary		Get a quiz activity
//	@Description	One quiz activity (audience, campaign, number of rounds), for the admins of its unit subtree.
//	@Tags			quiz
//	@Produce		json
//	@Param			id	path		int	true	"activity id"
//	@Success		200	{object}	ActivityView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getQuizActivity
//	@Router			/api/v1/quiz/activities/{id} [get]
func (h *Handler) GetActivity(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (ActivityView, error) {
		row, err := h.svc.Activity(ctx, a, in.ID)
		return httpx.Converted(row, err, toActivityView)
	})
}

// UpdateActivity godoc
//
//	@Summary		Change a quiz activity
//	@Description	Only the fields sent change.
//	@Tags			quiz
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"activity id"
//	@Param			body	body		ActivityPatch	true	"fields to change"
//	@Success		200		{object}	ActivityView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				updateQuizActivity
//	@Router			/api/v1/quiz/activities/{id} [patch]
func (h *Handler) UpdateActivity(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[ActivityPatch]) (ActivityView, error) {
		row, err := h.svc.UpdateActivity(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(row, err, toActivityView)
	})
}

// DeleteActivity godoc
//
//	@Summary		Delete a quiz activity
//	@Description	Only an activity without rounds (409 quiz.activity_has_rounds otherwise).
//	@Tags			quiz
//	@Param			id	path	int	true	"activity id"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@ID				deleteQuizActivity
//	@Router			/api/v1/quiz/activities/{id} [delete]
func (h *Handler) DeleteActivity(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.DeleteActivity(ctx, a, in.ID)
	})
}

// CreateRound godoc
//
//	@Summary		Create a round of a quiz activity
//	@Description	Freezes the question pool (the fixed question_ids, or up to 1000 published questions of bank_ids from which each play draws question_count at random), picks a 32-byte random draw seed and publishes commitment = hex(sha256(seed)) (see the draw recipe in api/README.md). plays_per_round defaults to 1; plays_per_day (optional) limits plays per Asia/Shanghai day. Plays answering faster than min_ms_per_answer per answered question (default 1000) are flagged for review. Only plays scoring at least prize_threshold enter the draw; a winner has claim_hours (default 168) to claim. beacon_name names, in advance, a public value the admin enters at the draw.
//	@Tags			quiz
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"activity id"
//	@Param			body	body		RoundRequest	true	"the round"
//	@Success		201		{object}	AdminRoundView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createQuizRound
//	@Router			/api/v1/quiz/activities/{id}/rounds [post]
func (h *Handler) CreateRound(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.IDBody[RoundRequest]) (AdminRoundView, error) {
		row, err := h.svc.CreateRound(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(row, err, toAdminRoundView)
	})
}

// ListRounds godoc
//
//	@Summary		List the rounds of a quiz activity
//	@Description	Every round of the activity in order, with its window, timing, prizes and the draw commitment, for the admins of its unit subtree.
//	@Tags			quiz
//	@Produce		json
//	@Param			id	path		int	true	"activity id"
//	@Success		200	{object}	AdminRoundList
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				listQuizRounds
//	@Router			/api/v1/quiz/activities/{id}/rounds [get]
func (h *Handler) ListRounds(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (AdminRoundList, error) {
		rows, err := h.svc.Rounds(ctx, a, in.ID)
		return AdminRoundList{Items: httpx.Map(rows, toAdminRoundView)}, err
	})
}

// Flags godoc
//
//	@Summary		List a round's plays flagged for review
//	@Description	Plays answered implausibly fast: kept, but off the leaderboards and out of the draw until cleared. all=true includes cleared ones.
//	@Tags			quiz
//	@Produce		json
//	@Param			id			path		int		true	"round id"
//	@Param			all			query		bool	false	"include cleared flags"
//	@Param			page		query		int		false	"page, from 1"				default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	FlagList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listFlaggedPlays
//	@Router			/api/v1/quiz/rounds/{id}/flags [get]
func (h *Handler) Flags(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDListQuery[flagQuery]) (FlagList, error) {
		rows, total, err := h.svc.Flags(ctx, a, in.ID, in.Query.All, in.Page.Offset(), in.Page.Size)
		return FlagList{Items: httpx.Map(rows, toFlagView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// ClearFlag godoc
//
//	@Summary		Clear a flagged play after review
//	@Description	The play enters the leaderboards and, when it qualifies, the draw. Not after the round is closed (409 quiz.round_closed); a play not flagged or already cleared is 409 quiz.not_flagged.
//	@Tags			quiz
//	@Produce		json
//	@Param			id	path		int	true	"play id"
//	@Success		200	{object}	FlagView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@ID				clearPlayFlag
//	@Router			/api/v1/quiz/plays/{id}/clear-flag [post]
func (h *Handler) ClearFlag(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (FlagView, error) {
		row, err := h.svc.ClearFlag(ctx, a, in.ID)
		return httpx.Converted(row, err, toClearedFlagView)
	})
}

// Close godoc
//
//	@Summary		Close a round and publish its eligible list
//	@Description	After the round ends: fixes the eligible list (each player's best ranked play scoring at least prize_threshold) and publishes its count and digest (GET /quiz/rounds/{id}/draw), before anyone can draw. Closing again answers the same. Before the end: 409 quiz.round_not_ended.
//	@Tags			quiz
//	@Produce		json
//	@Param			id	path		int	true	"round id"
//	@Success		200	{object}	DrawResponse
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@ID				closeQuizRound
//	@Router			/api/v1/quiz/rounds/{id}/close [post]
func (h *Handler) Close(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (DrawResponse, error) {
		if _, err := h.svc.Close(ctx, a, in.ID); err != nil {
			return DrawResponse{}, err
		}
		row, err := h.svc.DrawOf(ctx, in.ID)
		return httpx.Converted(row, err, toDrawResponse)
	})
}

// Draw godoc
//
//	@Summary		Draw a closed round's winners
//	@Description	Once per round: key = sha256(seed ‖ beacon) (or the seed when the round named no beacon), ticket = hex(hmac_sha256(key, decimal play id)) for every eligible play, smallest tickets win one prize unit each in prize order; the seed is revealed. A second draw, or one racing another, is 409 quiz.already_drawn; before close 409 quiz.round_not_closed.
//	@Tags			quiz
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int			true	"round id"
//	@Param			body	body		DrawRequest	true	"the beacon value, when the round named one"
//	@Success		200		{object}	DrawResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				drawPrizes
//	@Router			/api/v1/quiz/rounds/{id}/draw [post]
func (h *Handler) Draw(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[DrawRequest]) (DrawResponse, error) {
		row, err := h.svc.Draw(ctx, a, in.ID, in.Body.Beacon)
		return httpx.Converted(row, err, toDrawResponse)
	})
}

// GetDraw godoc
//
//	@Summary		A round's public draw record
//	@Description	Public, no login: the commitment from the start; the eligible count, digest and play ids once the round is closed; the seed, beacon and winners (names masked) once drawn; and the recipe to recompute it all.
//	@Tags			quiz
//	@Produce		json
//	@Param			id	path		int	true	"round id"
//	@Success		200	{object}	DrawResponse
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getDraw
//	@Router			/api/v1/quiz/rounds/{id}/draw [get]
func (h *Handler) GetDraw(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, _ auth.Actor, in httpx.ID) (DrawResponse, error) {
		row, err := h.svc.DrawOf(ctx, in.ID)
		return httpx.Converted(row, err, toDrawResponse)
	})
}

// RoundPrizes godoc
//
//	@Summary		List a round's drawn prizes
//	@Description	In draw order, with status (awarded, claimed, expired) and the claim contact masked.
//	@Tags			quiz
//	@Produce		json
//	@Param			id	path		int	true	"round id"
//	@Success		200	{object}	AwardList
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				listRoundPrizes
//	@Router			/api/v1/quiz/rounds/{id}/prizes [get]
func (h *Handler) RoundPrizes(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (AwardList, error) {
		rows, err := h.svc.RoundPrizes(ctx, a, in.ID)
		return AwardList{Items: httpx.Map(rows, toAwardView)}, err
	})
}

// ExportPrizes godoc
//
//	@Summary		Export a round's prizes for delivery (xlsx)
//	@Description	Every drawn prize with the winner's full contact (opened for delivery; the export is audited).
//	@Tags			quiz
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,json
//	@Param			id	path		int	true	"round id"
//	@Success		200	{file}		file
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				exportRoundPrizes
//	@Router			/api/v1/quiz/rounds/{id}/prizes/export [get]
func (h *Handler) ExportPrizes(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rows, err := h.svc.ExportPrizes(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	table := sheet.Table{Name: "奖品", Header: []string{"抽奖序号", "答题编号", "奖品", "中奖人", "状态", "收件人", "手机号", "地址", "领取时间"}}
	for _, r := range rows {
		var name, phone, addr, at string
		if r.Contact != nil {
			name, phone, addr = r.Contact.Name, r.Contact.Phone, r.Contact.Address
		}
		if r.ClaimedAt != nil {
			at = r.ClaimedAt.In(clock.Shanghai()).Format("2006-01-02 15:04")
		}
		table.Rows = append(table.Rows, []any{r.DrawRank, r.PlayID, r.PrizeName, r.DisplayName, string(r.Status), name, phone, addr, at})
	}
	httpx.Attachment(c, fmt.Sprintf("奖品-%d.xlsx", id), sheet.ContentType)
	if err := sheet.WriteXLSX(c.Writer, table); err != nil {
		panic(http.ErrAbortHandler) // headers are out: cut the download rather than send half a file
	}
}
