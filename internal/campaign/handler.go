package campaign

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/campaigns.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// List godoc
//
//	@Summary		List campaigns
//	@Description	Admins see every campaign organised in their subtree; learners and lecturers see the active campaigns organised by their unit or a unit above it.
//	@Tags			campaigns
//	@Produce		json
//	@Param			status		query		string	false	"status"	Enums(draft, active, closing, closed)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listCampaigns
//	@Router			/api/v1/campaigns [get]
func (h *Handler) List(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (List, error) {
		rows, total, err := h.svc.List(ctx, a, in.Query.Status, in.Page.Offset(), in.Page.Size)
		return List{Items: httpx.Map(rows, toView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Create godoc
//
//	@Summary		Create a campaign
//	@Description	A draft law-study month organised by a unit of the caller's subtree: dates are Asia/Shanghai days; credit amounts are decimals with at most two places; daily_caps limit what each source (study, practice, exam, event, quiz) earns per day.
//	@Tags			campaigns
//	@Accept			json
//	@Produce		json
//	@Param			body	body		CreateRequest	true	"the new campaign"
//	@Success		201		{object}	View
//	@Header			201		{string}	ETag	"the campaign's revision, for If-Match"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createCampaign
//	@Router			/api/v1/campaigns [post]
func (h *Handler) Create(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[CreateRequest]) (httpx.Tagged[View], error) {
		row, err := h.svc.Create(ctx, a, in.Body.toInput())
		return httpx.Converted(row, err, toTaggedView)
	})
}

// Get godoc
//
//	@Summary	Get a campaign
//	@Description	One campaign: dates, credit target per track, credit rules and consultation contacts. Learners and lecturers see the active campaigns of their unit and its ancestors; anything else is 404.
//	@Tags		campaigns
//	@Produce	json
//	@Param		id	path		int	true	"campaign id"
//	@Success	200	{object}	View
//	@Header		200	{string}	ETag	"the campaign's revision, for If-Match"
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				getCampaign
//	@Router		/api/v1/campaigns/{id} [get]
func (h *Handler) Get(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		row, err := h.svc.Get(ctx, a, in.ID)
		return httpx.Converted(row, err, toTaggedView)
	})
}

// Update godoc
//
//	@Summary		Update a campaign
//	@Description	Change content, targets, rules or contacts, or move status draft → active. Closing is its own action, POST /api/v1/campaigns/{id}/close, which freezes every learner's year result: status closed here is refused with 409 campaign.close_required. A closing or closed campaign is read-only (409 campaign.closed). Awards and learners' credit views use the new targets, rules and dates at once on the replica that answered, and within campaign.facts_ttl (5 s by default) on the others.
//	@Tags			campaigns
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"campaign id"
//	@Param			If-Match	header		string			false	"the ETag read: refused with 412 if the campaign changed since"
//	@Param			body	body		UpdateRequest	true	"fields to change"
//	@Success		200		{object}	View
//	@Header			200		{string}	ETag	"the campaign's new revision"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		412		{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				updateCampaign
//	@Router			/api/v1/campaigns/{id} [patch]
func (h *Handler) Update(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[UpdateRequest]) (httpx.Tagged[View], error) {
		row, err := h.svc.Update(ctx, a, in.ID, in.Body.toInput(), in.IfMatch)
		return httpx.Converted(row, err, toTaggedView)
	})
}
