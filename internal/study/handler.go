package study

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves courses, study sessions and the learner's course list.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// CreateCourse godoc
//
//	@Summary	Create a course
//	@Description	A course of a campaign owned in the admin's subtree: kind, duration, tracks, credit (≥ 0, two decimals). Audited.
//	@Tags		study
//	@Accept		json
//	@Produce	json
//	@Param		body	body		CourseRequest	true	"the new course"
//	@Success	201		{object}	CourseView
//	@Failure	400		{object}	httpx.ErrorResponse
//	@Failure	401		{object}	httpx.ErrorResponse
//	@Failure	403		{object}	httpx.ErrorResponse
//	@Failure	413		{object}	httpx.ErrorResponse
//	@Failure	422		{object}	httpx.ErrorResponse
//	@ID				createCourse
//	@Router		/api/v1/courses [post]
func (h *Handler) CreateCourse(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[CourseRequest]) (CourseView, error) {
		course, err := h.svc.CreateCourse(ctx, a, in.Body.toInput())
		return httpx.Converted(course, err, toCourseView)
	})
}

// ListCourses godoc
//
//	@Summary	List a campaign's courses (admins)
//	@Description	Courses of one campaign (campaign_id, required) owned in the admin's subtree, in any status. Learners use GET /me/courses.
//	@Tags		study
//	@Produce	json
//	@Param		campaign_id	query		int	true	"campaign id"
//	@Param		page		query		int	false	"page, from 1"	default(1)
//	@Param		page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success	200			{object}	CourseList
//	@Failure	400			{object}	httpx.ErrorResponse
//	@Failure	401			{object}	httpx.ErrorResponse
//	@Failure	403			{object}	httpx.ErrorResponse
//	@Failure	422			{object}	httpx.ErrorResponse
//	@ID				listCourses
//	@Router		/api/v1/courses [get]
func (h *Handler) ListCourses(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[courseQuery]) (CourseList, error) {
		courses, total, err := h.svc.AdminCourses(ctx, a, in.Query.CampaignID, in.Page.Offset(), in.Page.Size)
		return CourseList{Items: httpx.Map(courses, toCourseView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// GetCourse godoc
//
//	@Summary		Get a course
//	@Description	Admins see courses of their subtree's campaigns; learners see published courses of their running campaigns for their track.
//	@Tags			study
//	@Produce		json
//	@Param			id	path		int	true	"course id"
//	@Success		200	{object}	CourseView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getCourse
//	@Router			/api/v1/courses/{id} [get]
func (h *Handler) GetCourse(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (CourseView, error) {
		course, err := h.svc.GetCourse(ctx, a, in.ID)
		return httpx.Converted(course, err, toCourseView)
	})
}

// UpdateCourse godoc
//
//	@Summary	Update a course
//	@Description	Changes the fields sent; the rest stay. Credits already awarded for the course are kept. Audited.
//	@Tags		study
//	@Accept		json
//	@Produce	json
//	@Param		id		path		int					true	"course id"
//	@Param		body	body		CourseUpdateRequest	true	"fields to change"
//	@Success	200		{object}	CourseView
//	@Failure	400		{object}	httpx.ErrorResponse
//	@Failure	401		{object}	httpx.ErrorResponse
//	@Failure	403		{object}	httpx.ErrorResponse
//	@Failure	404		{object}	httpx.ErrorResponse
//	@Failure	413		{object}	httpx.ErrorResponse
//	@Failure	422		{object}	httpx.ErrorResponse
//	@ID				updateCourse
//	@Router		/api/v1/courses/{id} [patch]
func (h *Handler) UpdateCourse(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[CourseUpdateRequest]) (CourseView, error) {
		course, err := h.svc.UpdateCourse(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(course, err, toCourseView)
	})
}

// MyCourses godoc
//
//	@Summary		My courses
//	@Description	Published courses of the caller's running campaigns for their track, with progress (percent of verified time, resume position).
//	@Tags			study
//	@Produce		json
//	@Success		200	{object}	MyCourseList
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				listMyCourses
//	@Router			/api/v1/me/courses [get]
func (h *Handler) MyCourses(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, _ httpx.None) (MyCourseList, error) {
		courses, err := h.svc.MyCourses(ctx, a)
		return MyCourseList{Items: httpx.Map(courses, toMyCourseView)}, err
	})
}

// Start godoc
//
//	@Summary		Start or resume studying a course
//	@Description	Opens a study session at the position where the caller left off, closing any other open session of theirs (one at a time). Send a heartbeat about every heartbeat_seconds.
//	@Tags			study
//	@Produce		json
//	@Param			id	path		int	true	"course id"
//	@Success		201	{object}	SessionView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse
//	@ID				startStudySession
//	@Router			/api/v1/courses/{id}/sessions [post]
func (h *Handler) Start(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.ID) (SessionView, error) {
		st, err := h.svc.Start(ctx, a, in.ID)
		return httpx.Converted(st, err, toSessionView)
	})
}

// Heartbeat godoc
//
//	@Summary		Study heartbeat
//	@Description	Credits only the time the server saw pass since the previous heartbeat: at most 60 s per beat, nothing after a pause over 120 s, never beyond the course's duration; credits go through the ledger per verified minute (and the course's completion credit) within the campaign's daily study cap. A position further ahead than the time that passed is refused (422 study.position_ahead); a heartbeat racing another for the same interval gets 409 study.heartbeat_conflict; an ended session 409 study.session_ended.
//	@Tags			study
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"study session id"
//	@Param			body	body		PositionRequest	true	"current position in seconds"
//	@Success		200		{object}	SessionView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				heartbeatStudySession
//	@Router			/api/v1/study-sessions/{id}/heartbeat [put]
func (h *Handler) Heartbeat(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[PositionRequest]) (SessionView, error) {
		st, err := h.svc.Heartbeat(ctx, a, in.ID, in.Body.Position)
		return httpx.Converted(st, err, toSessionView)
	})
}

// Finish godoc
//
//	@Summary		Finish a study session
//	@Description	Credits a last heartbeat and closes the session.
//	@Tags			study
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"study session id"
//	@Param			body	body		PositionRequest	true	"final position in seconds"
//	@Success		200		{object}	SessionView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				finishStudySession
//	@Router			/api/v1/study-sessions/{id}/finish [post]
func (h *Handler) Finish(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[PositionRequest]) (SessionView, error) {
		st, err := h.svc.Finish(ctx, a, in.ID, in.Body.Position)
		return httpx.Converted(st, err, toSessionView)
	})
}
