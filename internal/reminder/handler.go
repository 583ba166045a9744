package reminder

import (
	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves reminders and the inbox.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Manual godoc
//
//	@Summary		Remind learners (督促)
//	@Description	Reminds learner_ids, or the lagging (or far-behind) learners of unit_id, in a campaign, through the inbox (default), SMS and/or WeChat subscribe message (`wechat`: learners bound to WeChat with an allowance left; others are skipped, not retried). Learners reminded in the last 24 hours are skipped and counted. A learner outside the caller's subtree fails the whole request with 404 and nothing is sent. Deliveries go through an outbox with retries.
//	@Tags			supervision
//	@Accept			json
//	@Produce		json
//	@Param			body	body		ManualRequest	true	"who and how"
//	@Success		201		{object}	ManualView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				sendReminders
//	@Router			/api/v1/reminders [post]
func (h *Handler) Manual(c *gin.Context) {
	var req ManualRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := h.svc.Manual(c.Request.Context(), httpx.MustActor(c), req.toInput())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.Created(c, ManualView{Reminded: res.Reminded, Skipped: res.Skipped})
}

// List godoc
//
//	@Summary		Reminders sent
//	@Description	Reminders to learners of the caller's subtree in a campaign, newest first, with each delivery's status.
//	@Tags			supervision
//	@Produce		json
//	@Param			campaign_id	query		int	true	"campaign"
//	@Param			page		query		int	false	"page, from 1"	default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listReminders
//	@Router			/api/v1/reminders [get]
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
	rows, deliveries, total, err := h.svc.List(c.Request.Context(), httpx.MustActor(c), q.CampaignID, page.Offset(), page.Size)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items := make([]View, 0, len(rows))
	for _, r := range rows {
		items = append(items, toView(r, deliveries[r.ID]))
	}
	httpx.OK(c, List{Items: items, ListMeta: httpx.Meta(total, page)})
}

// Inbox godoc
//
//	@Summary	My messages
//	@Description	The caller's inbox (reminders and notices), newest first, with the count of unread messages.
//	@Tags		me
//	@Produce	json
//	@Param		page		query		int	false	"page, from 1"	default(1)
//	@Param		page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success	200			{object}	MessageList
//	@Failure	400			{object}	httpx.ErrorResponse
//	@Failure	401			{object}	httpx.ErrorResponse
//	@Failure	403			{object}	httpx.ErrorResponse
//	@ID				listMyMessages
//	@Router		/api/v1/me/messages [get]
func (h *Handler) Inbox(c *gin.Context) {
	page, err := httpx.PageOf(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	msgs, total, unread, err := h.svc.Inbox(c.Request.Context(), httpx.MustActor(c), page.Offset(), page.Size)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, MessageList{Items: httpx.Map(msgs, toMessageView), Unread: unread, ListMeta: httpx.Meta(total, page)})
}

// MarkRead godoc
//
//	@Summary	Mark a message read
//	@Description	Marks one of the caller's messages read. Marking it again is a no-op; another account's message is 404.
//	@Tags		me
//	@Param		id	path	int	true	"message id"
//	@Success	204
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				markMessageRead
//	@Router		/api/v1/me/messages/{id}/read [post]
func (h *Handler) MarkRead(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if err := h.svc.MarkRead(c.Request.Context(), httpx.MustActor(c), id); err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.NoContent(c)
}

// EffectView says whether reminders worked.
type EffectView struct {
	Reminded         int64   `json:"reminded" example:"40"`
	CaughtUp         int64   `json:"caught_up" example:"25"`
	CaughtUpRate     float64 `json:"caught_up_rate" example:"62.5"`
	Waiting          int64   `json:"waiting" example:"5"`
	LaggingUnreached int64   `json:"lagging_not_reminded" example:"12"`
} // @name ReminderEffect

type effectQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"required,min=1"`
	UnitID     int64 `form:"unit_id" binding:"omitempty,min=1"`
}

// Effect godoc
//
//	@Summary		Did reminders work?
//	@Description	Of the learners of a unit's subtree first reminded at least 7 days ago, how many have since earned at least the lag they had when reminded (caught_up); waiting counts those reminded more recently; lagging_not_reminded counts learners behind today who were never reminded, for comparison.
//	@Tags			supervision
//	@Produce		json
//	@Param			campaign_id	query		int	true	"campaign"
//	@Param			unit_id		query		int	false	"unit of the caller's subtree (default: the caller's)"
//	@Success		200			{object}	EffectView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				getReminderEffect
//	@Router			/api/v1/reminders/effect [get]
func (h *Handler) Effect(c *gin.Context) {
	var q effectQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	eff, err := h.svc.Effect(c.Request.Context(), httpx.MustActor(c), q.CampaignID, q.UnitID)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	v := EffectView{Reminded: eff.Reminded, CaughtUp: eff.CaughtUp, Waiting: eff.Waiting, LaggingUnreached: eff.LaggingUnreached}
	if eff.Reminded > 0 {
		v.CaughtUpRate = float64(eff.CaughtUp*1000/eff.Reminded) / 10
	}
	httpx.OK(c, v)
}
