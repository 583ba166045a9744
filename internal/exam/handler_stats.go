package exam

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// Results godoc
//
//	@Summary		Exam results
//	@Description	The exam's audience (应参考: active learners of its tracks under its unit and audience units) with each learner's counted result, by unit. Filters: unit_id (a subtree), passed, not_attempted (no finished attempt).
//	@Tags			exams
//	@Produce		json
//	@Param			id				path		int		true	"exam id"
//	@Param			unit_id			query		int		false	"only this unit's subtree"
//	@Param			passed			query		string	false	"only passed (true) or not passed (false) learners"	Enums(true, false)
//	@Param			not_attempted	query		bool	false	"only learners without a finished attempt"
//	@Param			page			query		int		false	"page (from 1)"
//	@Param			page_size		query		int		false	"page size (max 100)"
//	@Success		200				{object}	ResultList
//	@Failure		400				{object}	httpx.ErrorResponse
//	@Failure		401				{object}	httpx.ErrorResponse
//	@Failure		403				{object}	httpx.ErrorResponse
//	@Failure		404				{object}	httpx.ErrorResponse
//	@Failure		422				{object}	httpx.ErrorResponse
//	@ID				listExamResults
//	@Router			/api/v1/exams/{id}/results [get]
func (h *Handler) Results(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDListQuery[resultsQuery]) (ResultList, error) {
		rows, total, err := h.svc.Results(ctx, a, in.ID, in.Query.toInput(in.Page))
		return ResultList{Items: httpx.Map(rows, toResultView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// ExportResults godoc
//
//	@Summary		Download exam results as xlsx
//	@Description	Every row of GET /exams/{id}/results with the same filters (all pages) as a sheet.
//	@Tags			exams
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,json
//	@Param			id				path		int		true	"exam id"
//	@Param			unit_id			query		int		false	"only this unit's subtree"
//	@Param			passed			query		string	false	"only passed (true) or not passed (false) learners"	Enums(true, false)
//	@Param			not_attempted	query		bool	false	"only learners without a finished attempt"
//	@Success		200				{file}		file	"the results"
//	@Failure		400				{object}	httpx.ErrorResponse
//	@Failure		401				{object}	httpx.ErrorResponse
//	@Failure		403				{object}	httpx.ErrorResponse
//	@Failure		404				{object}	httpx.ErrorResponse
//	@Failure		422				{object}	httpx.ErrorResponse
//	@ID				exportExamResults
//	@Router			/api/v1/exams/{id}/results/export [get]
func (h *Handler) ExportResults(c *gin.Context) {
	var in httpx.IDQuery[resultsQuery]
	if err := in.Bind(c); err != nil {
		httpx.Fail(c, err)
		return
	}
	table := sheet.Table{Name: "考试成绩", Header: []string{"姓名", "单位", "学习类别", "是否参考", "考试次数", "成绩", "满分", "是否通过"}}
	const batch = 1000
	for page := 1; ; page++ {
		rows, _, err := h.svc.Results(c.Request.Context(), httpx.MustActor(c), in.ID, in.Query.toInput(httpx.Page{Number: page, Size: batch}))
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		for _, r := range rows {
			v := toResultView(r)
			took, passed, score, full := "否", "否", "", ""
			if v.Attempted {
				took, score, full = "是", strconv.FormatFloat(*v.Score, 'f', -1, 64), strconv.FormatFloat(*v.MaxScore, 'f', -1, 64)
			}
			if v.Passed {
				passed = "是"
			}
			table.Rows = append(table.Rows, []any{v.Name, v.UnitName, v.Track, took, v.Attempts, score, full, passed})
		}
		if len(rows) < batch {
			break
		}
	}
	httpx.Attachment(c, fmt.Sprintf("考试成绩-%d.xlsx", in.ID), sheet.ContentType)
	if err := sheet.WriteXLSX(c.Writer, table); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// Stats godoc
//
//	@Summary		Exam statistics
//	@Description	Per unit of the audience: expected (应参考), took (参考, a finished attempt), passed (通过), absent (未参加), participation = took/expected, pass_rate = passed/took, average counted score; the total; the distribution of counted scores in bands of percent of full marks; and per question the facility (mean share of points earned) and discrimination index (facility in the top 27% of learners by score minus the bottom 27%). The per-question figures are also written to the question bank's item statistics (GET /questions/{id}/stats), as they are once more after the exam's window closes.
//	@Tags			exams
//	@Produce		json
//	@Param			id		path		int	true	"exam id"
//	@Param			unit_id	query		int	false	"only this unit's subtree"
//	@Success		200		{object}	StatsView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				getExamStats
//	@Router			/api/v1/exams/{id}/stats [get]
func (h *Handler) Stats(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDQuery[statsQuery]) (StatsView, error) {
		s, err := h.svc.Stats(ctx, a, in.ID, in.Query.UnitID)
		return httpx.Converted(s, err, toStatsView)
	})
}
