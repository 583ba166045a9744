package yearend_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/yearend"
)

const withExam = `{"exam_weight":40,"exam_id":1,"pass_score":60,"exempt_target_percent":50}`

// closeCounty freezes the county campaign's close 1 under a formula counting an exam:
// 华阳镇 张伟 met (88), 王芳 not met (sat, 50), 李娜 exempt and met; 临溪镇 刘洋 met (90), 陈静
// absent from the exam.
func closeCounty(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	id, ls := demoCampaign(t, e), demoLearners(t, e)
	exempt := frozenResult(ls["李娜"], 16, 100, -1, yearend.StatusExempt)
	exempt.Met = true
	freeze(t, e, id, 1, yearend.CloseDone, withExam,
		frozenResult(ls["张伟"], 32, 95, 88, yearend.StatusMet), frozenResult(ls["王芳"], 10, 30, 50, yearend.StatusNotMet), exempt,
		frozenResult(ls["刘洋"], 40, 96, 90, yearend.StatusMet), frozenResult(ls["陈静"], 0, 0, -1, yearend.StatusAbsent))
	require.NoError(t, e.DB.Table("campaigns").Where("id = ?", id).Update("status", "closed").Error)
	return id
}

func TestYearReportFrozen(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := closeCounty(t, e)
		resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report", id), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var rep yearend.ReportView
		resp.JSON(t, &rep)
		assert.True(t, rep.Frozen)
		assert.Equal(t, 1, rep.CloseNo)
		assert.True(t, rep.AsOf.Before(e.Clock.Now()), "frozen figures are as of the snapshot")
		assert.Equal(t, 40, rep.Formula.ExamWeight, "the formula the close froze")
		assert.True(t, rep.ExamCounted)
		assert.Equal(t, "绩溪县", rep.UnitName)

		tot := rep.Total
		assert.Equal(t, 5, tot.Learners)
		assert.Equal(t, 4, tot.Participants, "陈静 has no credit")
		assert.Equal(t, 3, tot.Met)
		assert.Equal(t, 60.0, tot.MetRate)
		assert.Equal(t, 4, tot.ExamExpected, "李娜 is exempt")
		assert.Equal(t, 3, tot.ExamSat)
		assert.Equal(t, 2, tot.ExamPassed)
		assert.Equal(t, 1, tot.ExamAbsent)
		require.NotNil(t, tot.PassRate)
		assert.Equal(t, 66.6, *tot.PassRate)
		require.NotNil(t, tot.AvgExamScore)
		assert.Equal(t, 76.0, *tot.AvgExamScore)
		assert.Nil(t, tot.Rank)
		assert.Nil(t, rep.Direct, "nobody is attached to the county itself")

		require.Len(t, rep.SubUnits, 6, "every township and department has a line")
		hy, lx := rep.SubUnits[0], rep.SubUnits[1]
		assert.Equal(t, "华阳镇", hy.UnitName)
		require.NotNil(t, hy.Rank)
		assert.Equal(t, 1, *hy.Rank, "66.6 % met")
		assert.Equal(t, 3, hy.Learners)
		assert.Equal(t, "临溪镇", lx.UnitName)
		assert.Equal(t, 2, *lx.Rank, "50 % met")
		for _, u := range rep.SubUnits[2:] {
			assert.Zero(t, u.Learners, u.UnitName)
			assert.Nil(t, u.Rank, "units without learners are not ranked")
		}

		// A township admin sees the county campaign's report of their own township.
		var own yearend.ReportView
		own200 := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report", id), e.Token("huayang-admin"), nil)
		require.Equal(t, http.StatusOK, own200.Status, "%s", own200.Body)
		own200.JSON(t, &own)
		assert.Equal(t, e.UnitID("huayang"), own.UnitID, "unit_id defaults to the caller's unit")
		assert.Equal(t, 3, own.Total.Learners)
		require.NotNil(t, own.Direct, "华阳镇's learners are attached to it directly")
		assert.Equal(t, 3, own.Direct.Learners)
		assert.Empty(t, own.SubUnits)
		assert.Equal(t, 1, own.Total.ExamPassed)
	})
}

func TestYearReportScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := closeCounty(t, e)
		township := createCampaign(t, e, e.Token("huayang-admin"), e.UnitID("huayang"), "华阳镇法治讲座月", "2026-11-05", "2026-12-05")
		report := func(campaignID int64, query string) string {
			return fmt.Sprintf("/api/v1/campaigns/%d/report%s", campaignID, query)
		}
		cases := []struct {
			name, user, path string
			status           int
			code             string
		}{
			{"county admin, a township", "admin", report(id, fmt.Sprintf("?unit_id=%d", e.UnitID("linxi"))), http.StatusOK, ""},
			{"a township campaign from the county", "admin", report(township, ""), http.StatusOK, ""},
			{"another township's unit", "huayang-admin", report(id, fmt.Sprintf("?unit_id=%d", e.UnitID("linxi"))), http.StatusNotFound, "unit.not_found"},
			{"the county from a township", "huayang-admin", report(id, fmt.Sprintf("?unit_id=%d", e.UnitID("jixi"))), http.StatusNotFound, "unit.not_found"},
			{"another township's campaign", "linxi-admin", report(township, ""), http.StatusNotFound, "campaign.not_found"},
			{"unknown campaign", "admin", report(999999, ""), http.StatusNotFound, "campaign.not_found"},
			{"unknown unit", "admin", report(id, "?unit_id=999999"), http.StatusNotFound, "unit.not_found"},
			{"malformed unit", "admin", report(id, "?unit_id=abc"), http.StatusBadRequest, ""},
			{"malformed campaign", "admin", "/api/v1/campaigns/abc/report", http.StatusBadRequest, ""},
			{"a learner", "13800000001", report(id, ""), http.StatusForbidden, ""},
			{"export of a unit outside scope", "linxi-admin", fmt.Sprintf("/api/v1/campaigns/%d/report/export?unit_id=%d", id, e.UnitID("huayang")), http.StatusNotFound, "unit.not_found"},
			{"final list outside scope", "linxi-admin", fmt.Sprintf("/api/v1/campaigns/%d/results/export?unit_id=%d", id, e.UnitID("huayang")), http.StatusNotFound, "unit.not_found"},
			{"export of another township's campaign", "linxi-admin", fmt.Sprintf("/api/v1/campaigns/%d/report/export", township), http.StatusNotFound, "campaign.not_found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.Call(http.MethodGet, c.path, e.Token(c.user), nil)
				assert.Equal(t, c.status, r.Status, "%s", r.Body)
				if c.code != "" {
					assert.Equal(t, c.code, r.ErrorCode())
				}
			})
		}
		bad := e.Call(http.MethodGet, report(id, "?unit_id=-3"), e.Token("admin"), nil)
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusUnprocessableEntity}, bad.Status)
		assert.Equal(t, []string{"unit_id"}, bad.ErrorFields())
	})
}

func TestYearReportExports(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := closeCounty(t, e)
		rows := sheetRows(t, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report/export", id), e.Token("admin"), nil))
		assert.Equal(t, "第九个机关集中学法月年度学法考核统计表", rows[0][0])
		block := strings.Join(flatten(rows[1:6]), "\n")
		assert.Contains(t, block, "统计单位：绩溪县")
		assert.Contains(t, block, "结办快照（第 1 次结办）")
		assert.Contains(t, block, "考试成绩占 40%")
		assert.Contains(t, block, "生成时间：")
		header, data := tableOf(t, rows, "排名")
		assert.Equal(t, []string{"排名", "单位", "应参学人数", "参学人数", "达标人数", "达标率(%)"}, header[:6])
		require.Len(t, data, 7, "six sub-units and the total")
		assert.Equal(t, []string{"1", "华阳镇", "3", "3", "2", "66.6"}, data[0][:6])
		assert.Equal(t, []string{"2", "临溪镇", "2", "1", "1", "50"}, data[1][:6])
		total := data[6]
		assert.Equal(t, []string{"", "合计", "5", "4", "3", "60"}, total[:6])
		assert.Equal(t, []string{"4", "3", "2", "1", "66.6", "76"}, total[8:14], "应参考, 参考, 通过, 未参加, 及格率, 平均分")

		list := sheetRows(t, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/results/export", id), e.Token("huayang-admin"), nil))
		assert.Equal(t, "第九个机关集中学法月年度学法成绩名单", list[0][0])
		assert.Contains(t, strings.Join(flatten(list[1:6]), "\n"), "统计单位：华阳镇")
		header, data = tableOf(t, list, "序号")
		assert.Contains(t, header, "年度成绩")
		require.Len(t, data, 3, "华阳镇's three learners")
		names := []string{data[0][1], data[1][1], data[2][1]}
		assert.ElementsMatch(t, []string{"张伟", "王芳", "李娜"}, names)
		for _, r := range data {
			if r[1] == "李娜" {
				assert.Equal(t, "免考（达标）", r[len(r)-1])
			}
			if r[1] == "张伟" {
				assert.Equal(t, "达标", r[len(r)-1])
				assert.Equal(t, "88", r[15], "the exam score")
			}
		}
	})
}

func TestYearReportLive(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := demoCampaign(t, e)
		// A close that was reopened leaves the figures live again.
		freeze(t, e, id, 1, yearend.CloseReopened, creditsOnly, frozenResult(demoLearners(t, e)["张伟"], 1, 1, -1, yearend.StatusNotMet))
		resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report", id), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var rep yearend.ReportView
		resp.JSON(t, &rep)
		assert.False(t, rep.Frozen)
		assert.Zero(t, rep.CloseNo)
		assert.True(t, rep.AsOf.Equal(e.Clock.Now()), "live figures are as of now")
		assert.False(t, rep.ExamCounted, "the default formula counts no exam")
		var active int64
		require.NoError(t, e.DB.Table("learners").Where("status = ?", "active").Count(&active).Error)
		assert.EqualValues(t, active, rep.Total.Learners, "every active learner of the county")
		assert.Zero(t, rep.Total.ExamExpected)
		sum := 0
		for _, u := range rep.SubUnits {
			sum += u.Learners
		}
		assert.Equal(t, rep.Total.Learners, sum)

		rows := sheetRows(t, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report/export", id), e.Token("admin"), nil))
		assert.Contains(t, strings.Join(flatten(rows[1:6]), "\n"), "（活动进行中）")
		_, data := tableOf(t, rows, "排名")
		assert.Equal(t, "—", data[len(data)-1][8], "no exam figures when the formula counts none")
	})
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// The close-out's own snapshot feeds the report and the record: close the demo campaign through
// the API, then the county's report is frozen and a learner's record has the year.
func TestReportAndRecordAfterClose(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, zw := demoCampaign(t, e), demoLearners(t, e)["张伟"]
		// 张伟 reaches the general track's target of 30 credits: 达标 under the default formula.
		adjust := e.Call(http.MethodPost, "/api/v1/credits/adjustments", e.Token("admin"),
			map[string]any{"learner_id": zw.ID, "campaign_id": id, "amount": 30, "reason": "测试补录学分"})
		require.Equal(t, http.StatusCreated, adjust.Status, "%s", adjust.Body)
		live := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report", id), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, live.Status, "%s", live.Body)
		var before yearend.ReportView
		live.JSON(t, &before)
		require.False(t, before.Frozen)

		closed := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/campaigns/%d/close", id), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, closed.Status, "%s", closed.Body)

		var after yearend.ReportView
		e.Call(http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report", id), e.Token("admin"), nil).JSON(t, &after)
		assert.True(t, after.Frozen)
		assert.Equal(t, 1, after.CloseNo)
		assert.Equal(t, before.Total, after.Total, "nothing changed between the live figures and the close")

		var rec yearend.RecordView
		e.Call(http.MethodGet, "/api/v1/me/record", e.Token("13800000001"), nil).JSON(t, &rec)
		require.Len(t, rec.Items, 1)
		assert.Equal(t, id, rec.Items[0].CampaignID)
		assert.Equal(t, 1, rec.Items[0].CloseNo)
		assert.True(t, rec.Items[0].Met)
		assert.GreaterOrEqual(t, after.Total.Met, 1)
		require.NotNil(t, rec.Items[0].Certificate, "a year met carries its certificate")
		assert.Len(t, rec.Items[0].Certificate.Code, 16)
		assert.False(t, rec.Items[0].Certificate.Revoked)
	})
}
