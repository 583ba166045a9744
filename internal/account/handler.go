package account

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/accounts, /api/v1/auth/* and /api/v1/me.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// List godoc
//
//	@Summary		List accounts
//	@Description	Accounts whose unit is in the caller's subtree, with filters.
//	@Tags			accounts
//	@Produce		json
//	@Param			unit_id		query		int		false	"only this unit"
//	@Param			role		query		string	false	"role"	Enums(admin, lecturer, learner, participant, auditor, integrator)
//	@Param			status		query		string	false	"status"	Enums(active, disabled)
//	@Param			q			query		string	false	"substring of username or display name"
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listAccounts
//	@Router			/api/v1/accounts [get]
func (h *Handler) List(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (List, error) {
		q := in.Query
		rows, total, err := h.svc.List(ctx, a, ListInput{
			UnitID: q.UnitID, Role: q.Role, Status: q.Status, Query: q.Q, Offset: in.Page.Offset(), Limit: in.Page.Size,
		})
		return List{Items: httpx.Map(rows, h.svc.toView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Create godoc
//
//	@Summary		Create a staff account
//	@Description	Creates an admin, lecturer or auditor account in a unit of the caller's subtree. Without a password the server generates one and returns it once as initial_password. The account must change its password at first login.
//	@Tags			accounts
//	@Accept			json
//	@Produce		json
//	@Param			body	body		CreateRequest	true	"the new account"
//	@Success		201		{object}	CreatedView
//	@Header			201		{string}	ETag	"the account's revision, for If-Match"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse	"username or phone taken"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createAccount
//	@Router			/api/v1/accounts [post]
func (h *Handler) Create(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[CreateRequest]) (httpx.Tagged[CreatedView], error) {
		created, err := h.svc.Create(ctx, a, in.Body.toInput())
		return httpx.Converted(created, err, h.svc.toTaggedCreatedView)
	})
}

// Get godoc
//
//	@Summary	Get an account
//	@Description	One account of the admin's unit subtree: role, unit, status, lock state. Outside the subtree: 404.
//	@Tags		accounts
//	@Produce	json
//	@Param		id	path		int	true	"account id"
//	@Success	200	{object}	View
//	@Header		200	{string}	ETag	"the account's revision, for If-Match"
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				getAccount
//	@Router		/api/v1/accounts/{id} [get]
func (h *Handler) Get(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		row, err := h.svc.Get(ctx, a, in.ID)
		return httpx.Converted(row, err, h.svc.toTaggedView)
	})
}

// Update godoc
//
//	@Summary		Update an account
//	@Description	Change display name, role (admin, lecturer, auditor), unit (inside the caller's subtree), status or phone. Nobody can change their own role, unit or status. Role, unit and disable changes revoke the account's tokens at once; setting status active also unlocks it.
//	@Tags			accounts
//	@Accept			json
//	@Produce		json
//	@Param			id			path		int				true	"account id"
//	@Param			If-Match	header		string			false	"the ETag read: refused with 412 if the account changed since"
//	@Param			body		body		UpdateRequest	true	"fields to change"
//	@Success		200			{object}	View
//	@Header			200			{string}	ETag	"the account's new revision"
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@Failure		409			{object}	httpx.ErrorResponse
//	@Failure		412			{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@Failure		413			{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				updateAccount
//	@Router			/api/v1/accounts/{id} [patch]
func (h *Handler) Update(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[UpdateRequest]) (httpx.Tagged[View], error) {
		row, err := h.svc.Update(ctx, a, in.ID, in.Body.toInput(), in.IfMatch)
		return httpx.Converted(row, err, h.svc.toTaggedView)
	})
}

// ResetPassword godoc
//
//	@Summary		Reset an account's password
//	@Description	Generates a new password (returned once), unlocks the account, forces a change at next login and signs it out everywhere.
//	@Tags			accounts
//	@Produce		json
//	@Param			id	path		int	true	"account id"
//	@Success		200	{object}	PasswordResetView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				resetAccountPassword
//	@Router			/api/v1/accounts/{id}/password-reset [post]
func (h *Handler) ResetPassword(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (PasswordResetView, error) {
		password, err := h.svc.ResetPassword(ctx, a, in.ID)
		return PasswordResetView{InitialPassword: password}, err
	})
}
