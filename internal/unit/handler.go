package unit

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
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
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in listInput) (List, error) {
		if in.Query.Tree {
			units, err := h.svc.Subtree(ctx, a)
			return toTreeList(units), err
		}
		units, total, err := h.svc.List(ctx, a, ListInput{
			ParentID: in.Query.ParentID, Kind: in.Query.Kind, Query: in.Query.Q, Offset: in.Page.Offset(), Limit: in.Page.Size,
		})
		return List{Items: httpx.Map(units, toView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
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
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[CreateRequest]) (httpx.Tagged[View], error) {
		u, err := h.svc.Create(ctx, a, in.Body.toInput())
		return httpx.Converted(u, err, toTaggedView)
	})
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
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		u, err := h.svc.Get(ctx, a, in.ID)
		return httpx.Converted(u, err, toTaggedView)
	})
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
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[UpdateRequest]) (httpx.Tagged[View], error) {
		u, err := h.svc.Update(ctx, a, in.ID, in.Body.toInput(), in.IfMatch)
		return httpx.Converted(u, err, toTaggedView)
	})
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
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.Delete(ctx, a, in.ID, in.IfMatch)
	})
}
