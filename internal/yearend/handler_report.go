package yearend

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// Report godoc
//
//	@Summary		Year report of a unit
//	@Description	The year's figures of a unit's subtree in a campaign, and one line per direct sub-unit (each over its whole subtree), ranked by 达标率 then 平均学分: 应参学 (learners of the campaign's audience), 参学 (with any credit), 达标, 达标率, 平均学分, 平均年度成绩, and when the formula counts an exam 应参考 (not exempt) / 参考 / 通过 / 未参加, 及格率 (通过/参考) and 平均分 (100-point scale). Learners attached to the unit itself have their own line (direct). Once the campaign is closed the figures come from the close's snapshot (frozen, close_no, as_of the snapshot's time); before, they are live, as if the year ended at as_of. The campaign must be one the caller sees (organised in their subtree, or at or above their unit: a township reports on the county's campaign for its own people); unit_id defaults to the caller's unit and must lie in their subtree (404 otherwise). A unit outside the campaign's audience reports no learners.
//	@Tags			year-end
//	@Produce		json
//	@Param			id		path		int	true	"campaign id"
//	@Param			unit_id	query		int	false	"unit of the caller's subtree (default: the caller's unit)"
//	@Success		200		{object}	ReportView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				getYearReport
//	@Router			/api/v1/campaigns/{id}/report [get]
func (h *Handler) Report(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDQuery[reportQuery]) (ReportView, error) {
		rep, err := h.svc.Report(ctx, a, in.ID, in.Query.UnitID)
		return httpx.Converted(rep, err, toReportView)
	})
}

// ExportReport godoc
//
//	@Summary		Download a unit's year report as xlsx
//	@Description	GET /campaigns/{id}/report as the sheet a county sends upward: a title, a header block (campaign and its dates, unit, the time of the data — the close's snapshot, or "截至 <time>（活动进行中）" while the campaign runs —, the formula, when it was generated), then one line per sub-unit in rank order, the unit's own learners and the total.
//	@Tags			year-end
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,json
//	@Param			id		path		int		true	"campaign id"
//	@Param			unit_id	query		int		false	"unit of the caller's subtree (default: the caller's unit)"
//	@Success		200		{file}		file	"the unit report"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				exportYearReport
//	@Router			/api/v1/campaigns/{id}/report/export [get]
func (h *Handler) ExportReport(c *gin.Context) {
	rep, ok := h.bindReport(c)
	if !ok {
		return
	}
	doc := h.reportDoc(rep, "年度学法考核统计表")
	doc.Name, doc.Header = "单位统计", reportHeader
	doc.Widths = append([]float64{6, 24}, sheetWidths(10, len(reportHeader)-2, 10)...)
	doc.Rows = func(emit func([]any) error) error {
		for _, row := range reportRows(rep.Breakdown, rep.ExamCounted()) {
			if err := emit(row); err != nil {
				return err
			}
		}
		return nil
	}
	writeSheet(c, fmt.Sprintf("年度统计-%d-%d.xlsx", rep.Campaign.ID, rep.Unit.ID), doc)
}

// ExportResults godoc
//
//	@Summary		Download the per-learner final list as xlsx
//	@Description	Every learner's year result in a unit's subtree (the close's snapshot once the campaign is closed, live before), grouped by unit: credits by source, events, 述法, the counted exam, 年度成绩 and status, under the same header block as the unit report. unit_id defaults to the caller's unit (404 outside the caller's subtree).
//	@Tags			year-end
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,json
//	@Param			id		path		int		true	"campaign id"
//	@Param			unit_id	query		int		false	"unit of the caller's subtree (default: the caller's unit)"
//	@Success		200		{file}		file	"the final list"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				exportYearResults
//	@Router			/api/v1/campaigns/{id}/results/export [get]
func (h *Handler) ExportResults(c *gin.Context) {
	rep, ok := h.bindReport(c)
	if !ok {
		return
	}
	results := rep.Results
	sort.SliceStable(results, func(i, j int) bool {
		if results[i].UnitPath != results[j].UnitPath {
			return results[i].UnitPath < results[j].UnitPath
		}
		return results[i].LearnerID < results[j].LearnerID
	})
	doc := h.reportDoc(rep, "年度学法成绩名单")
	doc.Name, doc.Header = "成绩名单", resultHeader
	doc.Widths = append([]float64{6, 10, 18}, sheetWidths(9, len(resultHeader)-3, 9)...)
	doc.Rows = func(emit func([]any) error) error {
		for i := range results {
			if err := emit(resultRow(i+1, &results[i], rep.UnitNames[results[i].UnitID])); err != nil {
				return err
			}
		}
		return nil
	}
	writeSheet(c, fmt.Sprintf("年度成绩-%d-%d.xlsx", rep.Campaign.ID, rep.Unit.ID), doc)
}

// bindReport reads an export's input and builds the report, or answers the error.
func (h *Handler) bindReport(c *gin.Context) (*Report, bool) {
	var in httpx.IDQuery[reportQuery]
	if err := in.Bind(c); err != nil {
		httpx.Fail(c, err)
		return nil, false
	}
	rep, err := h.svc.Report(c.Request.Context(), httpx.MustActor(c), in.ID, in.Query.UnitID)
	if err != nil {
		httpx.Fail(c, err)
		return nil, false
	}
	return rep, true
}

// reportDoc is the title and header block of a report's sheets.
func (h *Handler) reportDoc(rep *Report, what string) reportSheet {
	cmp := rep.Campaign
	return reportSheet{
		Title: fmt.Sprintf("%s%s", cmp.Name, what),
		Lines: []string{
			fmt.Sprintf("学法活动：%s（%s 至 %s，组织单位：%s）", cmp.Name, cmp.StartDate, cmp.EndDate, cmp.UnitName),
			fmt.Sprintf("统计单位：%s（含下级单位）", rep.Unit.Name),
			dataTime(rep.CloseNo, rep.SnapshotAt, rep.AsOf),
			sheetFormula(rep.Formula),
			"生成时间：" + shanghai(h.svc.now()),
		},
	}
}

// LearnerRecord godoc
//
//	@Summary		A learner's 学法档案
//	@Description	One line per closed campaign (year), newest first, from the close snapshots: credits by source, events, 述法, the counted exam, 年度成绩, status and the certificate issued (if any). A campaign reopened for correction has no line until it is closed again; results of running campaigns are not part of the record (see GET /campaigns/{id}/results). Admins whose subtree holds the learner, and integration clients with results:read; anyone else 404.
//	@Tags			year-end
//	@Produce		json
//	@Param			id	path		int	true	"learner id"
//	@Success		200	{object}	RecordView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getLearnerRecord
//	@Router			/api/v1/learners/{id}/record [get]
func (h *Handler) LearnerRecord(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (RecordView, error) {
		rec, err := h.svc.LearnerRecord(ctx, a, in.ID)
		return httpx.Converted(rec, err, toRecordView)
	})
}

// MyRecord godoc
//
//	@Summary		My 学法档案
//	@Description	The calling learner's own record: one line per closed campaign, newest first, as in GET /learners/{id}/record.
//	@Tags			year-end
//	@Produce		json
//	@Success		200	{object}	RecordView
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				getMyRecord
//	@Router			/api/v1/me/record [get]
func (h *Handler) MyRecord(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, _ httpx.None) (RecordView, error) {
		rec, err := h.svc.MyRecord(ctx, a)
		return httpx.Converted(rec, err, toRecordView)
	})
}

// ExportUnitRecord godoc
//
//	@Summary		Download a unit's archive across years as xlsx
//	@Description	The 学法档案 of a unit's subtree: every closed campaign's snapshot rows recorded in the subtree (as the tree was at each close), newest campaign first and by unit within it, with the certificate code of each year, under a header block. The unit must lie in the caller's subtree (404 otherwise).
//	@Tags			year-end
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,json
//	@Param			id	path		int		true	"unit id"
//	@Success		200	{file}		file	"the archive"
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				exportUnitRecord
//	@Router			/api/v1/units/{id}/record/export [get]
func (h *Handler) ExportUnitRecord(c *gin.Context) {
	var in httpx.ID
	if err := in.Bind(c); err != nil {
		httpx.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	archive, err := h.svc.UnitArchive(ctx, httpx.MustActor(c), in.ID)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	doc := reportSheet{
		Name:   "学法档案",
		Title:  archive.Unit.Name + "学法档案",
		Lines:  []string{fmt.Sprintf("单位：%s（含下级单位）", archive.Unit.Name), "数据：各学法活动结办时冻结的年度成绩（重新开放、尚未再次结办的活动不列入）", "生成时间：" + shanghai(h.svc.now())},
		Header: archiveHeader,
		Widths: append([]float64{8, 28, 10, 18}, sheetWidths(9, len(archiveHeader)-4, 9)...),
		Rows: func(emit func([]any) error) error {
			return archive.Each(ctx, func(r *RecordRow) error { return emit(archiveRow(r)) })
		},
	}
	writeSheet(c, fmt.Sprintf("学法档案-%d.xlsx", archive.Unit.ID), doc)
}

// writeSheet answers a workbook. It is built whole before anything is sent (excelize holds it
// anyway), so a failure while reading its rows still answers a proper error.
func writeSheet(c *gin.Context, filename string, doc reportSheet) {
	var buf bytes.Buffer
	if err := writeReport(&buf, doc); err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.Attachment(c, filename, sheet.ContentType)
	if _, err := buf.WriteTo(c.Writer); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// closedAt is when a close finished, in Asia/Shanghai ("" when unknown).
func closedAt(t *time.Time) string {
	if t == nil {
		return ""
	}
	return shanghai(*t)
}
