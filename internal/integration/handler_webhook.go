package integration

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// ListWebhooks godoc
//
//	@Summary		List webhooks
//	@Description	An integrator sees its client's webhooks; the county admin sees every webhook.
//	@Tags			integration
//	@Produce		json
//	@Param			page		query		int	false	"page, from 1"	default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	WebhookList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		429			{object}	httpx.ErrorResponse
//	@ID				listWebhooks
//	@Router			/api/v1/integration/webhooks [get]
func (h *Handler) ListWebhooks(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Paged) (WebhookList, error) {
		rows, total, err := h.svc.Webhooks(ctx, a, in.Page.Offset(), in.Page.Size)
		return WebhookList{Items: httpx.Map(rows, toWebhookView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// CreateWebhook godoc
//
//	@Summary		Subscribe a URL to events
//	@Description	Events: credit.awarded, exam.attempt_graded, event.attendance_recorded, learner.lagging, quiz.round_drawn, campaign.closed; the webhook receives those of its owner's unit subtree. The URL must be http(s) and resolve to public addresses only (no loopback, link-local, private, unspecified, multicast or reserved ranges) unless the server allows private targets. The answer carries the signing secret this one time. See docs/integrators.md for the payload and the X-Xuefa-Signature header.
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Param			body	body		WebhookCreateRequest	true	"the subscription"
//	@Success		201		{object}	WebhookSecretView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse	"invalid events or webhook.url_not_allowed"
//	@Failure		429		{object}	httpx.ErrorResponse
//	@ID				createWebhook
//	@Router			/api/v1/integration/webhooks [post]
func (h *Handler) CreateWebhook(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[WebhookCreateRequest]) (WebhookSecretView, error) {
		out, err := h.svc.CreateWebhook(ctx, a, in.Body.toInput())
		return httpx.Converted(out, err, toWebhookSecretView)
	})
}

// GetWebhook godoc
//
//	@Summary	Get a webhook
//	@Description	One webhook: URL, event types, status, consecutive failures and why it was disabled, if it was (never the signing secret).
//	@Tags		integration
//	@Produce	json
//	@Param		id	path		int	true	"webhook id"
//	@Success	200	{object}	WebhookView
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@Failure	429	{object}	httpx.ErrorResponse
//	@ID				getWebhook
//	@Router		/api/v1/integration/webhooks/{id} [get]
func (h *Handler) GetWebhook(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (WebhookView, error) {
		row, err := h.svc.Webhook(ctx, a, in.ID)
		return httpx.Converted(row, err, toWebhookView)
	})
}

// UpdateWebhook godoc
//
//	@Summary		Change a webhook
//	@Description	status active re-enables a webhook that was disabled (by hand or after consecutive failures); its pending deliveries resume.
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int						true	"webhook id"
//	@Param			body	body		WebhookUpdateRequest	true	"the changes"
//	@Success		200		{object}	WebhookView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@Failure		429		{object}	httpx.ErrorResponse
//	@ID				updateWebhook
//	@Router			/api/v1/integration/webhooks/{id} [patch]
func (h *Handler) UpdateWebhook(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[WebhookUpdateRequest]) (WebhookView, error) {
		row, err := h.svc.UpdateWebhook(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(row, err, toWebhookView)
	})
}

// DeleteWebhook godoc
//
//	@Summary	Delete a webhook and its delivery log
//	@Description	Stops deliveries to the webhook at once and deletes it with its delivery log. Pending deliveries are dropped.
//	@Tags		integration
//	@Param		id	path	int	true	"webhook id"
//	@Success	204
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@Failure	429	{object}	httpx.ErrorResponse
//	@ID				deleteWebhook
//	@Router		/api/v1/integration/webhooks/{id} [delete]
func (h *Handler) DeleteWebhook(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.DeleteWebhook(ctx, a, in.ID)
	})
}

// Deliveries godoc
//
//	@Summary		A webhook's delivery log
//	@Description	Newest first: each event sent (or to be sent) to the webhook, with attempts, the last answer and the next attempt. A delivery that succeeded or failed is kept for integration.delivery_retention (30 days by default), then deleted with its event; one still waiting is kept.
//	@Tags			integration
//	@Produce		json
//	@Param			id			path		int	true	"webhook id"
//	@Param			page		query		int	false	"page, from 1"	default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	DeliveryList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@Failure		429			{object}	httpx.ErrorResponse
//	@ID				listWebhookDeliveries
//	@Router			/api/v1/integration/webhooks/{id}/deliveries [get]
func (h *Handler) Deliveries(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDPaged) (DeliveryList, error) {
		rows, total, err := h.svc.Deliveries(ctx, a, in.ID, in.Page.Offset(), in.Page.Size)
		return DeliveryList{Items: httpx.Map(rows, toDeliveryView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Redeliver godoc
//
//	@Summary		Send a delivery's event again
//	@Description	Queues a new delivery of the same event (same event id, so receivers can de-duplicate) for the next dispatch. A delivery past the log's retention (30 days by default) is gone: 404.
//	@Tags			integration
//	@Produce		json
//	@Param			id			path		int	true	"webhook id"
//	@Param			delivery_id	path		int	true	"delivery id"
//	@Success		202			{object}	DeliveryView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@Failure		429			{object}	httpx.ErrorResponse
//	@ID				redeliverWebhook
//	@Router			/api/v1/integration/webhooks/{id}/deliveries/{delivery_id}/redeliver [post]
func (h *Handler) Redeliver(c *gin.Context) {
	httpx.Serve(c, http.StatusAccepted, func(ctx context.Context, a auth.Actor, in deliveryPath) (DeliveryView, error) {
		d, err := h.svc.Redeliver(ctx, a, in.WebhookID, in.DeliveryID)
		return httpx.Converted(d, err, toDeliveryView)
	})
}
