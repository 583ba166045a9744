package reminder

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
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
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[ManualRequest]) (ManualView, error) {
		res, err := h.svc.Manual(ctx, a, in.Body.toInput())
		return httpx.Converted(res, err, toManualView)
	})
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
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (List, error) {
		rows, deliveries, total, err := h.svc.List(ctx, a, in.Query.CampaignID, in.Page.Offset(), in.Page.Size)
		return List{Items: toViews(rows, deliveries), ListMeta: httpx.Meta(total, in.Page)}, err
	})
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
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Paged) (MessageList, error) {
		msgs, total, unread, err := h.svc.Inbox(ctx, a, in.Page.Offset(), in.Page.Size)
		return MessageList{Items: httpx.Map(msgs, toMessageView), Unread: unread, ListMeta: httpx.Meta(total, in.Page)}, err
	})
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
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.MarkRead(ctx, a, in.ID)
	})
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
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Query[effectQuery]) (EffectView, error) {
		eff, err := h.svc.Effect(ctx, a, in.Query.CampaignID, in.Query.UnitID)
		return httpx.Converted(eff, err, toEffectView)
	})
}
