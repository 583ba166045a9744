package supervision

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// Handler serves dashboards, unit rankings and lagging lists.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Dashboard godoc
//
//	@Summary		Unit dashboard
//	@Description	A unit's dynamic analysis of a campaign in one call: learners (by track), active in the last 7 days, average credits, completion count and rate, on-pace / lagging / far-behind counts (lagging when the lag behind the calendar exceeds the campaign's lag_percent of the target, far behind at three times that), event attendees, the daily credit series so far, and the same figures per direct sub-unit. Reads summary rows and per-unit daily aggregates only. The unit and sub-unit figures are computed at most every supervision.dashboard_ttl (30 s by default) per replica and unit, and figures_as_of says when; the series and expected_by_track are live, and a change of the campaign (targets, dates, pace rules) or of the unit tree is seen at once.
//	@Tags			supervision
//	@Produce		json
//	@Param			id			path		int	true	"unit id (of the caller's subtree)"
//	@Param			campaign_id	query		int	true	"campaign"
//	@Success		200			{object}	DashboardView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				getUnitDashboard
//	@Router			/api/v1/units/{id}/dashboard [get]
func (h *Handler) Dashboard(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDQuery[dashboardQuery]) (DashboardView, error) {
		d, err := h.svc.Dashboard(ctx, a, in.ID, in.Query.CampaignID)
		return httpx.Converted(d, err, toDashboardView)
	})
}

// Ranking godoc
//
//	@Summary		Unit ranking
//	@Description	The direct sub-units of the caller's unit ranked by completion rate, then average credits (figures computed at most every supervision.dashboard_ttl, as in the dashboard).
//	@Tags			supervision
//	@Produce		json
//	@Param			campaign_id	query		int	true	"campaign"
//	@Success		200			{object}	RankingView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				getUnitRanking
//	@Router			/api/v1/units/ranking [get]
func (h *Handler) Ranking(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Query[dashboardQuery]) (RankingView, error) {
		ranked, err := h.svc.Ranking(ctx, a, in.Query.CampaignID)
		return toRankingView(in.Query.CampaignID, ranked), err
	})
}

// Lagging godoc
//
//	@Summary		Lagging learners
//	@Description	Active learners of a unit's subtree who are behind the campaign calendar (learners without credits count as zero), most behind first. status=far_behind narrows to those far behind.
//	@Tags			supervision
//	@Produce		json
//	@Param			id			path		int		true	"unit id (of the caller's subtree)"
//	@Param			campaign_id	query		int		true	"campaign"
//	@Param			status		query		string	false	"lagging (default, includes far behind) or far_behind"	Enums(lagging, far_behind)
//	@Param			page		query		int		false	"page, from 1"	default(1)
//	@Param			page_size	query		int		false	"page size, at most 100"	default(20)
//	@Success		200			{object}	LaggingListView
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listLaggingLearners
//	@Router			/api/v1/units/{id}/lagging [get]
func (h *Handler) Lagging(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDListQuery[laggingQuery]) (LaggingListView, error) {
		list, err := h.svc.Lagging(ctx, a, in.Query.input(in.ID, in.Page.Offset(), in.Page.Size))
		if err != nil {
			return LaggingListView{}, err
		}
		return toLaggingListView(list, in.Page), nil
	})
}

// ExportLagging godoc
//
//	@Summary		Download lagging learners as xlsx
//	@Description	The whole lagging list of GET /units/{id}/lagging (all pages) as a sheet.
//	@Tags			supervision
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,json
//	@Param			id			path		int		true	"unit id (of the caller's subtree)"
//	@Param			campaign_id	query		int		true	"campaign"
//	@Param			status		query		string	false	"lagging (default, includes far behind) or far_behind"	Enums(lagging, far_behind)
//	@Success		200			{file}		file	"the lagging learners"
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				exportLaggingLearners
//	@Router			/api/v1/units/{id}/lagging/export [get]
func (h *Handler) ExportLagging(c *gin.Context) {
	var in httpx.IDQuery[laggingQuery]
	if err := in.Bind(c); err != nil {
		httpx.Fail(c, err)
		return
	}
	ctx, actor := c.Request.Context(), httpx.MustActor(c)
	table := sheet.Table{Name: "学分落后", Header: []string{"姓名", "单位", "学习类别", "已得学分", "目标", "今日应达", "落后", "状态", "最近学习"}}
	for offset := 0; ; offset += 1000 {
		list, err := h.svc.Lagging(ctx, actor, in.Query.input(in.ID, offset, 1000))
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		for _, r := range list.Rows {
			v := toLaggingView(list, r)
			last := ""
			if v.LastActivityAt != nil {
				last = v.LastActivityAt.In(clock.Shanghai()).Format("2006-01-02 15:04")
			}
			table.Rows = append(table.Rows, []any{v.Name, v.UnitName, v.Track, v.Credits.String(), v.Target.String(),
				v.Expected.String(), v.Lag.String(), string(v.Status), last})
		}
		if len(list.Rows) < 1000 {
			break
		}
	}
	httpx.Attachment(c, fmt.Sprintf("学分落后-%d.xlsx", in.ID), sheet.ContentType)
	if err := sheet.WriteXLSX(c.Writer, table); err != nil {
		panic(http.ErrAbortHandler)
	}
}
