package reminder

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/etag"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// RuleRequest creates or replaces a reminder rule.
type RuleRequest struct {
	CampaignID      int64       `json:"campaign_id" binding:"required,min=1" example:"1"`
	UnitID          int64       `json:"unit_id" binding:"required,min=1" example:"2"`
	Kind            string      `json:"kind" binding:"required,oneof=credits_lagging event_tomorrow exam_closing makeup_available" example:"credits_lagging"`
	LagStatus       credit.Pace `json:"lag_status" binding:"omitempty,oneof=lagging far_behind" example:"lagging" validate:"optional"`
	SendAt          string      `json:"send_at" binding:"required,len=5" example:"09:00"`
	Channels        []string    `json:"channels" binding:"max=3,dive,oneof=inbox sms wechat" example:"inbox" validate:"optional"`
	QuietStart      string      `json:"quiet_start" binding:"omitempty,len=5" example:"22:00" validate:"optional"`
	QuietEnd        string      `json:"quiet_end" binding:"omitempty,len=5" example:"08:00" validate:"optional"`
	MinIntervalDays int         `json:"min_interval_days" binding:"min=0,max=90" example:"3" validate:"optional"`
	WithinDays      int         `json:"within_days" binding:"min=0,max=30" example:"3" validate:"optional"` // exam_closing: exams closing within this many days (0: 3)
	EscalateAfter   int         `json:"escalate_after" binding:"min=0,max=100" example:"3" validate:"optional"`
	Message         string      `json:"message" binding:"max=300" example:"" validate:"optional"`
	Enabled         bool        `json:"enabled" example:"true" validate:"optional"`
} // @name ReminderRuleRequest

// RuleView is a reminder rule.
type RuleView struct {
	ID              int64       `json:"id" example:"4"`
	CampaignID      int64       `json:"campaign_id" example:"1"`
	UnitID          int64       `json:"unit_id" example:"2"`
	UnitName        string      `json:"unit_name" example:"华阳镇"`
	Kind            string      `json:"kind" example:"credits_lagging" enums:"credits_lagging,event_tomorrow,exam_closing,makeup_available"`
	LagStatus       credit.Pace `json:"lag_status" example:"lagging"`
	SendAt          string      `json:"send_at" example:"09:00"`
	Channels        []string    `json:"channels" example:"inbox"`
	QuietStart      string      `json:"quiet_start" example:"22:00"`
	QuietEnd        string      `json:"quiet_end" example:"08:00"`
	MinIntervalDays int         `json:"min_interval_days" example:"3"`
	WithinDays      int         `json:"within_days" example:"3"`
	EscalateAfter   int         `json:"escalate_after" example:"3"`
	Message         string      `json:"message" example:""`
	Enabled         bool        `json:"enabled" example:"true"`
	UpdatedAt       time.Time   `json:"updated_at" format:"date-time"`
} // @name ReminderRule

// RuleList are the rules of the caller's subtree.
type RuleList struct {
	Items []RuleView `json:"items"`
} // @name ReminderRuleList

func (r RuleRequest) toInput() RuleInput {
	return RuleInput{CampaignID: r.CampaignID, UnitID: r.UnitID, Kind: r.Kind, LagStatus: r.LagStatus, SendAt: r.SendAt,
		Channels: r.Channels, QuietStart: r.QuietStart, QuietEnd: r.QuietEnd, MinIntervalDays: r.MinIntervalDays,
		WithinDays: r.WithinDays, EscalateAfter: r.EscalateAfter, Message: r.Message, Enabled: r.Enabled}
}

// toTaggedRuleView is the view of one rule with its revision, for the ETag.
func toTaggedRuleView(r RuleRow) httpx.Tagged[RuleView] {
	return httpx.Tag(toRuleView(r), r.ID, r.RowVersion)
}

func toRuleView(r RuleRow) RuleView {
	return RuleView{ID: r.ID, CampaignID: r.CampaignID, UnitID: r.UnitID, UnitName: r.UnitName, Kind: r.Kind, LagStatus: r.LagStatus,
		SendAt: r.SendAt, Channels: strings.Split(r.Channels, ","), QuietStart: r.QuietStart, QuietEnd: r.QuietEnd,
		MinIntervalDays: r.MinIntervalDays, WithinDays: r.WithinDays, EscalateAfter: r.EscalateAfter, Message: r.Message, Enabled: r.Enabled,
		UpdatedAt: r.UpdatedAt}
}

// CreateRule godoc
//
//	@Summary		Create a reminder rule
//	@Description	A daily rule for a unit of the caller's subtree in a campaign covering it: credits_lagging reminds the unit's lagging (or far-behind) learners; event_tomorrow reminds learners registered for an event starting tomorrow; exam_closing reminds the audience of the campaign's open exams closing within within_days (default 3) who have not finished them; makeup_available reminds those a make-up exam is open for (failed the main exam, or missed it) who have not finished it. It runs once a day at send_at (Asia/Shanghai) on one replica only; a learner gets at most one reminder per rule per min_interval_days; deliveries due inside the quiet hours wait for their end; learners reminded escalate_after times and still behind are listed in their unit admins' inbox digest.
//	@Tags			supervision
//	@Accept			json
//	@Produce		json
//	@Param			body	body		RuleRequest	true	"the rule"
//	@Success		201		{object}	RuleView
//	@Header		201		{string}	ETag	"the rule's revision, for If-Match"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createReminderRule
//	@Router			/api/v1/reminder-rules [post]
func (h *Handler) CreateRule(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[RuleRequest]) (httpx.Tagged[RuleView], error) {
		r, err := h.svc.SaveRule(ctx, a, 0, in.Body.toInput(), etag.IfMatch{})
		return httpx.Converted(r, err, toTaggedRuleView)
	})
}

// ReplaceRule godoc
//
//	@Summary	Replace a reminder rule
//	@Description	Replaces the whole rule (every field is sent). Takes effect at the next send time. Audited.
//	@Tags		supervision
//	@Accept		json
//	@Produce	json
//	@Param		id		path		int			true	"rule id"
//	@Param		If-Match	header	string	false	"the ETag read: refused with 412 if the rule changed since"
//	@Param		body	body		RuleRequest	true	"the rule"
//	@Success	200		{object}	RuleView
//	@Header	200		{string}	ETag	"the rule's new revision"
//	@Failure	400		{object}	httpx.ErrorResponse
//	@Failure	401		{object}	httpx.ErrorResponse
//	@Failure	403		{object}	httpx.ErrorResponse
//	@Failure	404		{object}	httpx.ErrorResponse
//	@Failure	412		{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@Failure	413		{object}	httpx.ErrorResponse
//	@Failure	422		{object}	httpx.ErrorResponse
//	@ID				replaceReminderRule
//	@Router		/api/v1/reminder-rules/{id} [put]
func (h *Handler) ReplaceRule(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[RuleRequest]) (httpx.Tagged[RuleView], error) {
		r, err := h.svc.SaveRule(ctx, a, in.ID, in.Body.toInput(), in.IfMatch)
		return httpx.Converted(r, err, toTaggedRuleView)
	})
}

// GetRule godoc
//
//	@Summary	Get a reminder rule
//	@Description	One reminder rule of the caller's subtree.
//	@Tags		supervision
//	@Produce	json
//	@Param		id	path		int	true	"rule id"
//	@Success	200	{object}	RuleView
//	@Header	200	{string}	ETag	"the rule's revision, for If-Match"
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				getReminderRule
//	@Router		/api/v1/reminder-rules/{id} [get]
func (h *Handler) GetRule(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.Tagged[RuleView], error) {
		r, err := h.svc.Rule(ctx, a, in.ID)
		return httpx.Converted(r, err, toTaggedRuleView)
	})
}

// ListRules godoc
//
//	@Summary	Reminder rules of the caller's subtree
//	@Description	Reminder rules owned in the caller's subtree, with their conditions, send time, channels and whether they are enabled.
//	@Tags		supervision
//	@Produce	json
//	@Success	200	{object}	RuleList
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@ID				listReminderRules
//	@Router		/api/v1/reminder-rules [get]
func (h *Handler) ListRules(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, _ httpx.None) (RuleList, error) {
		rules, err := h.svc.Rules(ctx, a)
		return RuleList{Items: httpx.Map(rules, toRuleView)}, err
	})
}

// DeleteRule godoc
//
//	@Summary	Delete a reminder rule
//	@Description	Deletes the rule; reminders it already sent stay in inboxes and in the effect figures. Audited.
//	@Tags		supervision
//	@Param		id	path	int	true	"rule id"
//	@Param		If-Match	header	string	false	"the ETag read: refused with 412 if the rule changed since"
//	@Success	204
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@Failure	412	{object}	httpx.ErrorResponse	"request.precondition_failed"
//	@ID				deleteReminderRule
//	@Router		/api/v1/reminder-rules/{id} [delete]
func (h *Handler) DeleteRule(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, in httpx.ID) (httpx.None, error) {
		return httpx.None{}, h.svc.DeleteRule(ctx, a, in.ID, in.IfMatch)
	})
}
