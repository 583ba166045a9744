package campaign

import (
	"github.com/gin-gonic/gin"

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
//	@Param			status		query		string	false	"status"	Enums(draft, active, closed)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listCampaigns
//	@Router			/api/v1/campaigns [get]
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
	rows, total, err := h.svc.List(c.Request.Context(), httpx.MustActor(c), q.Status, page.Offset(), page.Size)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, List{Items: httpx.Map(rows, toView), ListMeta: httpx.Meta(total, page)})
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
	var req CreateRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	row, err := h.svc.Create(c.Request.Context(), httpx.MustActor(c), req.toInput())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, row.ID, row.RowVersion)
	httpx.Created(c, toView(*row))
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
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	row, err := h.svc.Get(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, row.ID, row.RowVersion)
	httpx.OK(c, toView(*row))
}

// Update godoc
//
//	@Summary		Update a campaign
//	@Description	Change content, targets, rules or contacts, or move status draft → active → closed. A closed campaign is read-only (409).
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
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var req UpdateRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	row, err := h.svc.Update(c.Request.Context(), httpx.MustActor(c), id, req.toInput(), httpx.IfMatch(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, row.ID, row.RowVersion)
	httpx.OK(c, toView(*row))
}
