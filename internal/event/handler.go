package event

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/events and /api/v1/me/events.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// tagged is the answer of a write or read of event r with its revision: its view for the actor,
// with its organisers and summary; or err.
func (h *Handler) tagged(ctx context.Context, actor auth.Actor, r *Row, err error) (httpx.Tagged[View], error) {
	if err != nil {
		return httpx.Tagged[View]{}, err
	}
	organisers, err := h.svc.Organisers(ctx, r.ID)
	if err != nil {
		return httpx.Tagged[View]{}, err
	}
	sum, err := h.svc.Summary(ctx, r.ID)
	if err != nil {
		return httpx.Tagged[View]{}, err
	}
	if actor.Role == auth.RoleLearner {
		organisers = nil
	}
	return httpx.Tag(toView(*r, actor, organisers, sum), r.ID, r.RowVersion), nil
}

// List godoc
//
//	@Summary		List events
//	@Description	Admins see events organised in their subtree; lecturers the events they organise.
//	@Tags			events
//	@Produce		json
//	@Param			campaign_id	query		int		false	"campaign"
//	@Param			type		query		string	false	"type"	Enums(lecture, court_hearing, warning_education, law_delivery)
//	@Param			status		query		string	false	"status"	Enums(draft, published, cancelled, finished)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		429			{object}	httpx.ErrorResponse
//	@ID				listEvents
//	@Router			/api/v1/events [get]
func (h *Handler) List(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (List, error) {
		rows, total, err := h.svc.List(ctx, a, in.Query.toInput(in.Page))
		return List{Items: httpx.Map(rows, func(r Row) View { return toView(r, a, nil, nil) }), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Create godoc
//
//	@Summary		Create an event
//	@Description	A draft lecture (法治讲坛), court hearing (旁听庭审), warning education (警示教育) or law delivery (送法, with venue_type 机关/乡村/社区/学校/企业/单位) organised by a unit of the caller's subtree in a campaign that covers it. capacity 0 means unlimited; credits 0 means the campaign's event_attendance rule; min_minutes 0 credits at check-in.
//	@Tags			events
//	@Accept			json
//	@Produce		json
//	@Param			body	body		Request	true	"the event"
//	@Success		201		{object}	View
//	@Header		201		{string}	ETag	"the event's revision, for If-Match"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createEvent
//	@Router			/api/v1/events [post]
func (h *Handler) Create(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in createBody) (httpx.Tagged[View], error) {
		r, err := h.svc.Create(ctx, a, in.Body.toInput())
		return h.tagged(ctx, a, r, err)
	})
}

// Get godoc
//
//	@Summary		Get an event
//	@Description	Admins of the organiser's subtree, the event's organisers, and learners in its audience (published events) may read it. Case numbers are masked for learners.
//	@Tags			events
//	@Produce		json
//	@Param			id	path		int	true	"event id"
//	@Success		200	{object}	View
//	@Header		200	{string}	ETag	"the event's revision, for If-Match"
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		429	{object}	httpx.ErrorResponse
//	@ID				getEvent
//	@Router			/api/v1/events/{id} [get]
func (h *Handler) Get(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[View], error) {
		r, err := h.svc.Get(ctx, a, in.ID)
		return h.tagged(ctx, a, r, err)
	})
}

// Replace godoc
//
//	@Summary		Replace an event
//	@Description	Replaces a draft or published event's content; status publishes (draft → published) or cancels (published → cancelled) it. Cancelled and finished events are read-only (409).
//	@Tags			events
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int		true	"event id"
//	@Param			If-Match	header	string	false	"the ETag read: refused with 412 if the event changed since"
//	@Param			body	body		Request	true	"the event"
//	@Success		200		{object}	View
//	@Header		200		{string}	ETag	"the event's new revision"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		412		{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				replaceEvent
//	@Router			/api/v1/events/{id} [put]
func (h *Handler) Replace(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[Request]) (httpx.Tagged[View], error) {
		r, err := h.svc.Update(ctx, a, in.ID, in.Body.toInput(), in.Body.Status, in.IfMatch)
		return h.tagged(ctx, a, r, err)
	})
}

// MyEvents godoc
//
//	@Summary		My events
//	@Description	upcoming (default): published events in the caller's audience that have not ended; registered: those the caller registered or waits for; attended: those the caller attended.
//	@Tags			events
//	@Produce		json
//	@Param			filter		query		string	false	"which events"	Enums(upcoming, registered, attended)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	MyList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listMyEvents
//	@Router			/api/v1/me/events [get]
func (h *Handler) MyEvents(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[myQuery]) (MyList, error) {
		events, total, err := h.svc.MyEvents(ctx, a, in.Query.Which, in.Page.Offset(), in.Page.Size)
		return MyList{Items: httpx.Map(events, func(m MyEvent) MyView { return toMyView(m, a) }), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// Stats godoc
//
//	@Summary		Event statistics
//	@Description	Published and finished events of a unit's subtree (default: the caller's unit), optionally in one campaign: by type, attendance rate, 送法 reach by venue type (the summary's audience count when recorded) and per direct sub-unit.
//	@Tags			events
//	@Produce		json
//	@Param			campaign_id	query		int	false	"campaign"
//	@Param			unit_id		query		int	false	"unit of the caller's subtree"
//	@Success		200			{object}	StatsView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		429			{object}	httpx.ErrorResponse
//	@ID				getEventStats
//	@Router			/api/v1/events/stats [get]
func (h *Handler) Stats(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Query[statsQuery]) (StatsView, error) {
		st, err := h.svc.Stats(ctx, a, in.Query.CampaignID, in.Query.UnitID)
		return httpx.Converted(st, err, toStatsView)
	})
}
