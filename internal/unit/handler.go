package unit

import (
	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/units.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// List godoc
//
//	@Summary		List units
//	@Description	Units in the caller's subtree, flat and paginated (filter by parent_id, kind, q), or with tree=true the whole subtree nested: items are then the caller's own unit with `children` filled recursively, total counts every unit, and paging is ignored.
//	@Tags			units
//	@Produce		json
//	@Param			parent_id	query		int		false	"only direct sub-units of this unit"
//	@Param			kind		query		string	false	"unit kind"	Enums(county, township, department, other)
//	@Param			q			query		string	false	"substring of name or code"
//	@Param			tree		query		bool	false	"return the subtree nested"
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		429			{object}	httpx.ErrorResponse
//	@ID				listUnits
//	@Router			/api/v1/units [get]
func (h *Handler) List(c *gin.Context) {
	var q listQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	actor := httpx.MustActor(c)
	if q.Tree {
		units, err := h.svc.Subtree(c.Request.Context(), actor)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		n := len(units)
		httpx.OK(c, List{Items: toTree(units), ListMeta: httpx.ListMeta{Total: int64(n), Page: 1, PageSize: n}})
		return
	}
	page, err := httpx.PageOf(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	units, total, err := h.svc.List(c.Request.Context(), actor, ListInput{
		ParentID: q.ParentID, Kind: q.Kind, Query: q.Q, Offset: page.Offset(), Limit: page.Size,
	})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, List{Items: httpx.Map(units, toView), ListMeta: httpx.Meta(total, page)})
}

// Create godoc
//
//	@Summary	Create a unit
//	@Description	A unit under a parent in the admin's subtree (kind township, department or sub-unit). Audited.
//	@Tags		units
//	@Accept		json
//	@Produce	json
//	@Param		body	body		CreateRequest	true	"the new unit"
//	@Success	201		{object}	View
//	@Header		201		{string}	ETag	"the unit's revision, for If-Match"
//	@Failure	400		{object}	httpx.ErrorResponse
//	@Failure	401		{object}	httpx.ErrorResponse
//	@Failure	403		{object}	httpx.ErrorResponse
//	@Failure	409		{object}	httpx.ErrorResponse	"code or sibling name taken"
//	@Failure	413		{object}	httpx.ErrorResponse
//	@Failure	422		{object}	httpx.ErrorResponse
//	@ID				createUnit
//	@Router		/api/v1/units [post]
func (h *Handler) Create(c *gin.Context) {
	var req CreateRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	u, err := h.svc.Create(c.Request.Context(), httpx.MustActor(c), req.toInput())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, u.ID, u.RowVersion)
	httpx.Created(c, toView(*u))
}

// Get godoc
//
//	@Summary	Get a unit
//	@Description	One unit of the caller's subtree with its path, parent and children. Outside the subtree: 404.
//	@Tags		units
//	@Produce	json
//	@Param		id	path		int	true	"unit id"
//	@Success	200	{object}	View
//	@Header		200	{string}	ETag	"the unit's revision, for If-Match"
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@Failure	429	{object}	httpx.ErrorResponse
//	@ID				getUnit
//	@Router		/api/v1/units/{id} [get]
func (h *Handler) Get(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	u, err := h.svc.Get(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, u.ID, u.RowVersion)
	httpx.OK(c, toView(*u))
}

// Update godoc
//
//	@Summary		Update or move a unit
//	@Description	Rename, re-code, change kind, or move (parent_id) a unit inside the caller's subtree. Moving a unit under itself or its descendants is refused; the caller's own unit cannot be moved or change its kind (an admin above it does that).
//	@Tags			units
//	@Accept			json
//	@Produce		json
//	@Param			id			path		int				true	"unit id"
//	@Param			If-Match	header		string			false	"the ETag read: refused with 412 if the unit changed since"
//	@Param			body		body		UpdateRequest	true	"fields to change"
//	@Success		200			{object}	View
//	@Header			200			{string}	ETag	"the unit's new revision"
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@Failure		409			{object}	httpx.ErrorResponse
//	@Failure		412			{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@Failure		413			{object}	httpx.ErrorResponse
//	@Failure		422			{object}	httpx.ErrorResponse
//	@ID				updateUnit
//	@Router			/api/v1/units/{id} [patch]
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
	u, err := h.svc.Update(c.Request.Context(), httpx.MustActor(c), id, req.toInput(), httpx.IfMatch(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetETag(c, u.ID, u.RowVersion)
	httpx.OK(c, toView(*u))
}

// Delete godoc
//
//	@Summary		Delete a unit
//	@Description	Refused with 409 while the unit has sub-units, accounts or learners.
//	@Tags			units
//	@Param			id			path	int		true	"unit id"
//	@Param			If-Match	header	string	false	"the ETag read: refused with 412 if the unit changed since"
//	@Success		204
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@Failure		412	{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@ID				deleteUnit
//	@Router			/api/v1/units/{id} [delete]
func (h *Handler) Delete(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if err := h.svc.Delete(c.Request.Context(), httpx.MustActor(c), id, httpx.IfMatch(c)); err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.NoContent(c)
}
