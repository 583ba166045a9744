package credit

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves credits: the learner's own, admins' views, adjustments and leaderboards.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Mine godoc
//
//	@Summary		My credits
//	@Description	The caller's credits in a campaign (default: the newest running one): total, target for their track, percent, by source, rank in their unit, what the calendar expects by today and the lag, and a plain explanation of how the number was made. Reads summary rows only. The totals are live; the target and the campaign's rules are as the replica keeps them for at most campaign.facts_ttl (5 s by default); the rank counts the unit's totals as a replica keeps them for at most credit.unit_ranking_ttl (30 s by default), dropped at once when an award to the unit goes through that replica.
//	@Tags			credits
//	@Produce		json
//	@Param			campaign_id	query		int	false	"campaign id"
//	@Success		200			{object}	StandingView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse	"no such campaign for the learner, or none running"
//	@ID				getMyCredits
//	@Router			/api/v1/me/credits [get]
func (h *Handler) Mine(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Query[standingQuery]) (StandingView, error) {
		st, err := h.svc.MyStanding(ctx, a, in.Query.CampaignID)
		return httpx.Converted(st, err, toStandingView)
	})
}

// MyLedger godoc
//
//	@Summary	My credit ledger
//	@Description	The caller's credit ledger rows in a campaign, newest first: source, amount, reason and time. Append-only: adjustments appear as their own rows.
//	@Tags		credits
//	@Produce	json
//	@Param		campaign_id	query		int	true	"campaign id"
//	@Param		page		query		int	false	"page, from 1"	default(1)
//	@Param		page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success	200			{object}	EntryList
//	@Failure	400			{object}	httpx.ErrorResponse
//	@Failure	401			{object}	httpx.ErrorResponse
//	@Failure	403			{object}	httpx.ErrorResponse
//	@Failure	404			{object}	httpx.ErrorResponse
//	@ID				listMyCreditLedger
//	@Router		/api/v1/me/credits/ledger [get]
func (h *Handler) MyLedger(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[ledgerQuery]) (EntryList, error) {
		entries, total, err := h.svc.MyEntries(ctx, a, in.Query.CampaignID, in.Page.Offset(), in.Page.Size)
		return EntryList{Items: httpx.Map(entries, toEntryView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// LearnerCredits godoc
//
//	@Summary	A learner's credits
//	@Description	A learner's standing in a campaign (the active one unless campaign_id is given): credits by source, target, pace and an explanation, as the learner sees it in GET /me/credits.
//	@Tags		credits
//	@Produce	json
//	@Param		id			path		int	true	"learner id"
//	@Param		campaign_id	query		int	true	"campaign id"
//	@Success	200			{object}	StandingView
//	@Failure	400			{object}	httpx.ErrorResponse
//	@Failure	401			{object}	httpx.ErrorResponse
//	@Failure	403			{object}	httpx.ErrorResponse
//	@Failure	404			{object}	httpx.ErrorResponse
//	@Failure	429			{object}	httpx.ErrorResponse
//	@ID				getLearnerCredits
//	@Router		/api/v1/learners/{id}/credits [get]
func (h *Handler) LearnerCredits(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDQuery[ledgerQuery]) (StandingView, error) {
		st, err := h.svc.LearnerStanding(ctx, a, in.ID, in.Query.CampaignID)
		return httpx.Converted(st, err, toStandingView)
	})
}

// Adjust godoc
//
//	@Summary		Adjust a learner's credits
//	@Description	A manual correction with a reason, by an admin who owns the learner. May be negative; the total never goes below zero (422 credit.below_zero). Audited.
//	@Tags			credits
//	@Accept			json
//	@Produce		json
//	@Param			body	body		AdjustRequest	true	"the adjustment"
//	@Success		201		{object}	AdjustedView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				adjustCredits
//	@Router			/api/v1/credits/adjustments [post]
func (h *Handler) Adjust(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[AdjustRequest]) (AdjustedView, error) {
		out, err := h.svc.Adjust(ctx, a, in.Body.toInput())
		return httpx.Converted(out, err, toAdjustedView)
	})
}

// Leaderboard godoc
//
//	@Summary		Campaign leaderboard
//	@Description	The top learners of a unit's subtree (default: the caller's unit) by credits, and its direct sub-units ranked by completion rate (learners at or above their track's target) then average credits. Reads summary rows only. The learners are live; the unit ranking is computed at most every credit.unit_ranking_ttl (30 s by default) per replica and scope, and units_as_of says when (a change of the targets or of the unit tree is seen at once).
//	@Tags			credits
//	@Produce		json
//	@Param			campaign_id	query		int		true	"campaign id"
//	@Param			unit_id		query		int		false	"unit of the caller's subtree"
//	@Param			track		query		string	false	"only this track"	Enums(leader, general, judicial)
//	@Param			limit		query		int		false	"how many learners, at most 100"	default(10)
//	@Success		200			{object}	BoardView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@Failure		429			{object}	httpx.ErrorResponse
//	@ID				getCreditLeaderboard
//	@Router			/api/v1/credits/leaderboard [get]
func (h *Handler) Leaderboard(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Query[boardQuery]) (BoardView, error) {
		board, err := h.svc.Leaderboard(ctx, a, in.Query.toInput())
		return httpx.Converted(board, err, toBoardView)
	})
}
