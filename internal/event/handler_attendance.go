package event

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// Register godoc
//
//	@Summary		Register for an event
//	@Description	A place when there is room (capacity is enforced under concurrency), else a waitlist position; waitlisted learners are promoted in order when someone cancels.
//	@Tags			events
//	@Produce		json
//	@Param			id	path		int	true	"event id"
//	@Success		201	{object}	RegistrationView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse	"event.already_registered, event.registration_closed"
//	@ID				registerForEvent
//	@Router			/api/v1/events/{id}/registrations [post]
func (h *Handler) Register(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.ID) (RegistrationView, error) {
		reg, err := h.svc.Register(ctx, a, in.ID)
		return httpx.Converted(reg, err, toRegistrationView)
	})
}

// CancelRegistration godoc
//
//	@Summary	Cancel my registration
//	@Description	Cancels the caller's registration; the longest-waiting learner on the waitlist takes the freed place. No registration: 404 event.not_registered.
//	@Tags		events
//	@Param		id	path	int	true	"event id"
//	@Success	204
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				cancelRegistration
//	@Router		/api/v1/events/{id}/registrations/me [delete]
func (h *Handler) CancelRegistration(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.CancelRegistration(ctx, a, in.ID)
	})
}

// Registrations godoc
//
//	@Summary	An event's registrations
//	@Description	Registrations of the event, registered and waitlisted, in the order they came. Organisers and admins of the subtree.
//	@Tags		events
//	@Produce	json
//	@Param		id			path		int		true	"event id"
//	@Param		status		query		string	false	"status"	Enums(registered, waitlisted, cancelled)
//	@Param		page		query		int		false	"page, from 1"	default(1)
//	@Param		page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success	200			{object}	RegistrationList
//	@Failure	400			{object}	httpx.ErrorResponse
//	@Failure	401			{object}	httpx.ErrorResponse
//	@Failure	403			{object}	httpx.ErrorResponse
//	@Failure	404			{object}	httpx.ErrorResponse
//	@ID				listRegistrations
//	@Router		/api/v1/events/{id}/registrations [get]
func (h *Handler) Registrations(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDListQuery[registrationQuery]) (RegistrationList, error) {
		rows, total, err := h.svc.Registrations(ctx, a, in.ID, in.Query.Status, in.Page.Offset(), in.Page.Size)
		return RegistrationList{Items: httpx.Map(rows, toRegistrationRowView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// CheckinCode godoc
//
//	@Summary		The current check-in code
//	@Description	For the organiser's screen: a signed token to render as a QR code. It rotates every 30 s and is accepted for up to 60 s, only from 30 minutes before the start until 30 minutes after the end.
//	@Tags			events
//	@Produce		json
//	@Param			id	path		int	true	"event id"
//	@Success		200	{object}	CodeView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse	"checkin.outside_window, checkin.event_cancelled"
//	@ID				getCheckinCode
//	@Router			/api/v1/events/{id}/checkin-code [get]
func (h *Handler) CheckinCode(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	code, err := h.svc.CheckinCode(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	httpx.OK(c, CodeView{Token: code.Token, RotatesAt: code.RotatesAt, ExpiresAt: code.ExpiresAt})
}

// Checkin godoc
//
//	@Summary		Check in (or out) with a scanned code
//	@Description	The first scan checks in, a scan at least 5 minutes later checks out. Credits are awarded once: at check-in when the event sets no minimum presence, else at check-out when presence reaches min_minutes. Errors: checkin.invalid_code, checkin.code_expired, checkin.wrong_event, checkin.location_required, checkin.outside_geofence (422); checkin.outside_window, checkin.event_cancelled, checkin.not_registered, checkin.duplicate, checkin.already_checked_out (409). Safe to retry with an Idempotency-Key: the same key from the same learner for the same event returns the first answer (check-in or check-out, as it was then) and changes nothing, even after the code rotated or the window closed; another key, or none, is a new scan. A key over 100 characters is 400 request.invalid_header.
//	@Tags			events
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"event id"
//	@Param			body	body		CheckinRequest	true	"the scanned code and, for geofenced events, the location"
//	@Param			Idempotency-Key	header		string	false	"retry key (max 100 characters): the same key returns the first result"
//	@Success		200		{object}	CheckinView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				checkIn
//	@Router			/api/v1/events/{id}/checkins [post]
func (h *Handler) Checkin(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDKeyBody[CheckinRequest]) (CheckinView, error) {
		res, err := h.svc.Checkin(ctx, a, in.ID, in.Body.toScan(in.Key))
		return httpx.Converted(res, err, toCheckinView)
	})
}

// MarkAttendance godoc
//
//	@Summary		Mark a learner present by hand
//	@Description	For learners without a phone; organisers only, with a reason; audited. Credited like a scan (presence defaults to the whole event).
//	@Tags			events
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"event id"
//	@Param			body	body		ManualRequest	true	"who and why"
//	@Success		201		{object}	CheckinView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				markAttendance
//	@Router			/api/v1/events/{id}/attendance [post]
func (h *Handler) MarkAttendance(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.IDBody[ManualRequest]) (CheckinView, error) {
		res, err := h.svc.MarkAttendance(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(res, err, toCheckinView)
	})
}

// Attendance godoc
//
//	@Summary	An event's attendance with counts
//	@Description	Everyone checked in to the event (check-in and check-out times, source QR or manual, credit awarded) with the registered, attended and credited counts. Organisers and admins of the subtree.
//	@Tags		events
//	@Produce	json
//	@Param		id	path		int	true	"event id"
//	@Success	200	{object}	AttendanceReportView
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				listAttendance
//	@Router		/api/v1/events/{id}/attendance [get]
func (h *Handler) Attendance(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (AttendanceReportView, error) {
		rep, err := h.svc.Attendance(ctx, a, in.ID)
		return httpx.Converted(rep, err, toAttendanceReportView)
	})
}

// SaveSummary godoc
//
//	@Summary		Record what happened
//	@Description	Summary, audience count (for 送法, the audience reached) and photo URLs; marks the event finished. Organisers only, after the start.
//	@Tags			events
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"event id"
//	@Param			body	body		SummaryRequest	true	"the summary"
//	@Success		200		{object}	SummaryView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				saveEventSummary
//	@Router			/api/v1/events/{id}/summary [put]
func (h *Handler) SaveSummary(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[SummaryRequest]) (*SummaryView, error) {
		sum, err := h.svc.SaveSummary(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(sum, err, toSummaryView)
	})
}

// ExportAttendance godoc
//
//	@Summary	Download an event's attendance as xlsx
//	@Description	The same attendance list as an xlsx workbook (sheet 出勤), for the event's records.
//	@Tags		events
//	@Produce	application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,json
//	@Param		id	path		int		true	"event id"
//	@Success	200	{file}		file	"the attendance sheet"
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				exportAttendance
//	@Router		/api/v1/events/{id}/attendance/export [get]
func (h *Handler) ExportAttendance(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rep, err := h.svc.Attendance(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	table := sheet.Table{Name: "出勤", Header: []string{"姓名", "单位", "签到时间", "签退时间", "方式", "说明", "已计学分"}}
	for _, a := range rep.Rows {
		out := ""
		if a.CheckedOutAt != nil {
			out = shanghaiTime(*a.CheckedOutAt)
		}
		table.Rows = append(table.Rows, []any{a.LearnerName, a.UnitName, shanghaiTime(a.CheckedInAt), out, a.Source, a.Reason, yesNo(a.CreditedAt != nil)})
	}
	httpx.Attachment(c, fmt.Sprintf("出勤-%d.xlsx", id), sheet.ContentType)
	if err := sheet.WriteXLSX(c.Writer, table); err != nil {
		panic(http.ErrAbortHandler) // headers are out: cut the download rather than send half a file
	}
}

func shanghaiTime(t time.Time) string { return t.In(clock.Shanghai()).Format("2006-01-02 15:04") }

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
