package yearend

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// CloseCampaign godoc
//
//	@Summary		Close a campaign (freeze the year's results)
//	@Description	Freezes every learner's year result of the campaign in a snapshot, computed with the campaign's formula (frozen with the close): credits by source, the counted exam, events, 述法, 年度成绩 and status. Only an admin of the organiser unit may (an admin who sees the campaign from above answers 403 campaign.organiser_only). From the moment the close starts the campaign is `closing` and refuses credits: a learner's study, practice, exam, event or quiz still succeeds but earns nothing, an adjustment answers 409 credit.campaign_closed; every award is either in the snapshot or refused. The results are written in batches, each committed with the close's cursor, so a close that stopped part way (crash, timeout) resumes where it stopped when this is called again on the `closing` campaign. At the end the campaign is `closed`, certificates are issued to those who met the target and the campaign.closed webhook event is sent. Closing a closed campaign answers 409 campaign.already_closed, a draft 409 campaign.not_active. Audited.
//	@Tags			year-end
//	@Produce		json
//	@Param			id	path		int	true	"campaign id"
//	@Success		200	{object}	CloseView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse	"not an admin, or not of the organiser unit (campaign.organiser_only)"
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse	"campaign.already_closed, campaign.not_active"
//	@ID				closeCampaign
//	@Router			/api/v1/campaigns/{id}/close [post]
func (h *Handler) CloseCampaign(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (CloseView, error) {
		row, err := h.svc.Close(ctx, a, in.ID)
		return httpx.Converted(row, err, toCloseView)
	})
}

// ReopenCampaign godoc
//
//	@Summary		Reopen a closed campaign
//	@Description	Moves a closed campaign back to active, with the reason (required). Its latest close becomes `reopened` and keeps its snapshot (the results and certificates stay readable); a later close gets the next close_no and its certificates supersede the earlier ones. Only an admin of the organiser unit may. A campaign that is not closed answers 409 campaign.not_closed. Audited.
//	@Tags			year-end
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"campaign id"
//	@Param			body	body		ReopenRequest	true	"why the campaign is reopened"
//	@Success		200		{object}	CloseView	"the close that was reopened"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse	"not an admin, or not of the organiser unit (campaign.organiser_only)"
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse	"campaign.not_closed"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				reopenCampaign
//	@Router			/api/v1/campaigns/{id}/reopen [post]
func (h *Handler) ReopenCampaign(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[ReopenRequest]) (CloseView, error) {
		row, err := h.svc.Reopen(ctx, a, in.ID, in.Body.Reason)
		return httpx.Converted(row, err, toCloseView)
	})
}

// ListCloses godoc
//
//	@Summary		List a campaign's closes
//	@Description	Every close-out of the campaign, newest first: its number, state (running, done, reopened), how many learners' results it froze and how many met the target, the formula it used, who started it and when, and for a reopened one who reopened it, when and why. Admins who see the campaign.
//	@Tags			year-end
//	@Produce		json
//	@Param			id	path		int	true	"campaign id"
//	@Success		200	{object}	CloseList
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				listCampaignCloses
//	@Router			/api/v1/campaigns/{id}/closes [get]
func (h *Handler) ListCloses(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (CloseList, error) {
		rows, err := h.svc.Closes(ctx, a, in.ID)
		return CloseList{Items: httpx.Map(rows, toCloseView), ListMeta: httpx.WholeMeta(len(rows))}, err
	})
}
