package learner

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/learners.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// views converts rows with their masked phones (one account query per page).
func (h *Handler) views(ctx context.Context, rows []Row) ([]View, error) {
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.AccountID)
	}
	phones, err := h.svc.accounts.MaskedPhones(ctx, ids)
	if err != nil {
		return nil, err
	}
	return h.svc.toViews(phones, rows), nil
}

func (h *Handler) view(ctx context.Context, r *Row) (View, error) {
	views, err := h.views(ctx, []Row{*r})
	if err != nil {
		return View{}, err
	}
	return views[0], nil
}

// taggedView is the answer of a service's (row, err) on one learner: its view with its revision,
// for the ETag, or err.
func (h *Handler) taggedView(ctx context.Context, row *Row, err error) (httpx.Tagged[View], error) {
	if err != nil {
		return httpx.Tagged[View]{}, err
	}
	v, err := h.view(ctx, row)
	return httpx.Tag(v, row.ID, row.RowVersion), err
}

// List godoc
//
//	@Summary		List learners
//	@Description	Learners in the caller's subtree (or in the subtree of unit_id), filtered by track, status and name. Phones and ID numbers are masked.
//	@Tags			learners
//	@Produce		json
//	@Param			unit_id		query		int		false	"a unit of the caller's subtree: its whole subtree"
//	@Param			track		query		string	false	"track"	Enums(leader, general, judicial)
//	@Param			status		query		string	false	"status"	Enums(active, left)
//	@Param			name		query		string	false	"part of the name"
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		429			{object}	httpx.ErrorResponse
//	@ID				listLearners
//	@Router			/api/v1/learners [get]
func (h *Handler) List(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (List, error) {
		rows, total, err := h.svc.List(ctx, a, in.Query.toInput(in.Page))
		if err != nil {
			return List{}, err
		}
		views, err := h.views(ctx, rows)
		return List{Items: views, ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Create godoc
//
//	@Summary		Create a learner
//	@Description	Creates a learner and their account (role learner, login by phone). Without password the server generates one and returns it once as initial_password; the learner must change it at first login. Phone and ID number are encrypted at rest and masked in every answer.
//	@Tags			learners
//	@Accept			json
//	@Produce		json
//	@Param			body	body		CreateRequest	true	"the new learner"
//	@Success		201		{object}	CreatedView
//	@Header			201		{string}	ETag	"the learner's revision, for If-Match"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse	"learner.phone_taken or learner.id_card_taken (fields names it)"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createLearner
//	@Router			/api/v1/learners [post]
func (h *Handler) Create(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[CreateRequest]) (httpx.Tagged[CreatedView], error) {
		created, err := h.svc.Create(ctx, a, in.Body.toProfile(), in.Body.Password)
		if err != nil {
			return httpx.Tagged[CreatedView]{}, err
		}
		v, err := h.view(ctx, created.Row)
		return httpx.Tag(CreatedView{View: v, InitialPassword: httpx.NullIfZero(created.InitialPassword)}, created.Row.ID, created.Row.RowVersion), err
	})
}

// Get godoc
//
//	@Summary	Get a learner
//	@Description	One learner of the admin's (or integration client's) subtree, with phone and ID-card number masked; GET /learners/{id}/pii reveals them (audited).
//	@Tags		learners
//	@Produce	json
//	@Param		id	path		int	true	"learner id"
//	@Success	200	{object}	View
//	@Header		200	{string}	ETag	"the learner's revision, for If-Match"
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@Failure	429	{object}	httpx.ErrorResponse
//	@ID				getLearner
//	@Router		/api/v1/learners/{id} [get]
func (h *Handler) Get(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		row, err := h.svc.Get(ctx, a, in.ID)
		return h.taggedView(ctx, row, err)
	})
}

// Update godoc
//
//	@Summary		Update a learner
//	@Description	Change name, unit (inside the caller's subtree), track, position, phone or ID number. Name, unit and phone are mirrored to the learner's account; a unit change signs them out.
//	@Tags			learners
//	@Accept			json
//	@Produce		json
//	@Param			id			path		int				true	"learner id"
//	@Param			If-Match	header		string			false	"the ETag read: refused with 412 if the learner changed since"
//	@Param			body		body		UpdateRequest	true	"fields to change"
//	@Success		200			{object}	View
//	@Header			200			{string}	ETag	"the learner's new revision"
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@Failure		409			{object}	httpx.ErrorResponse
//	@Failure		412			{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@Failure		413			{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				updateLearner
//	@Router			/api/v1/learners/{id} [patch]
func (h *Handler) Update(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[UpdateRequest]) (httpx.Tagged[View], error) {
		row, err := h.svc.Update(ctx, a, in.ID, in.Body.toInput(), in.IfMatch)
		return h.taggedView(ctx, row, err)
	})
}

// Leave godoc
//
//	@Summary		Mark a learner as left
//	@Description	The learner stays in history (credits, results) but their account is disabled and signed out.
//	@Tags			learners
//	@Produce		json
//	@Param			id	path		int	true	"learner id"
//	@Success		200	{object}	View
//	@Header			200	{string}	ETag	"the learner's new revision"
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse	"learner.already_left"
//	@ID				markLearnerLeft
//	@Router			/api/v1/learners/{id}/leave [post]
func (h *Handler) Leave(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		row, err := h.svc.Leave(ctx, a, in.ID)
		return h.taggedView(ctx, row, err)
	})
}

// PII godoc
//
//	@Summary		Reveal a learner's phone and ID number
//	@Description	For admins who own the learner; every reveal is written to the audit log.
//	@Tags			learners
//	@Produce		json
//	@Param			id	path		int	true	"learner id"
//	@Success		200	{object}	PIIView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				revealLearnerPII
//	@Router			/api/v1/learners/{id}/pii [get]
func (h *Handler) PII(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	pii, err := h.svc.RevealPII(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	httpx.OK(c, PIIView{Phone: pii.Phone, IDCard: pii.IDCard})
}

// Sync godoc
//
//	@Summary		Upsert learners by external id (HR staff-list sync)
//	@Description	Up to 1,000 learners per request, each a full record keyed by external_id, created or updated inside the caller's unit subtree under the same rules as POST /learners and PATCH /learners/{id}. Idempotent: the same list sent again answers "unchanged" for every item. Each item is applied on its own: invalid items are reported in results (status "error" with the error object) and the others still apply, so the answer is 200 whenever the request itself is readable. New learners get no password (none is returned or stored): they cannot log in by password until one is set for them. external_id is unique across the county.
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Param			body	body		SyncRequest	true	"the staff list"
//	@Success		200		{object}	SyncResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@Failure		429		{object}	httpx.ErrorResponse
//	@ID				syncLearners
//	@Router			/api/v1/integration/learners [put]
func (h *Handler) Sync(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Body[SyncRequest]) (SyncResponse, error) {
		results, err := h.svc.Sync(ctx, a, in.Body.toItems())
		return toSyncResponse(results), err
	})
}
