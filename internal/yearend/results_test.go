package yearend_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/yearend"
)

// liveFixture is the county campaign under a formula counting an exam at 40 %, pass mark 60:
//
//	张伟 general 24/30, main exam 86/100, 2 events      48 + 34.4 = 82.4  met
//	王芳 leader 10/40, main 40/100, make-up 80/100      15 + 32   = 47    not met (make-up counts)
//	李娜 general 12, exempt (target 15)                 80                exempt, met
//	刘洋 leader 40/40, main 30/100, make-up 45/50       60 + 36   = 96    met (best share: make-up)
//	陈静 general 30/30, no exam, left the county        60                absent
//	赵六 general, left without credit                   not in the audience
//
// The seed's seven other learners have neither credit nor exam: absent.
type liveFixture struct {
	campaign     int64
	main, makeUp int64
	ls           map[string]demoLearner
	gone         int64
}

func newLiveFixture(t *testing.T, e *apitest.Env) liveFixture {
	t.Helper()
	ctx := context.Background()
	f := liveFixture{campaign: demoCampaign(t, e), ls: demoLearners(t, e)}
	f.main = addExam(t, e, f.campaign, 0, "主考")
	f.makeUp = addExam(t, e, f.campaign, f.main, "补考")
	resp := e.Call(http.MethodPut, fmt.Sprintf("/api/v1/campaigns/%d/formula", f.campaign), e.Token("admin"),
		map[string]any{"exam_weight": 40, "exam_id": f.main, "pass_score": 60, "exempt_target_percent": 50})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	for name, amount := range map[string]int64{"张伟": 24, "王芳": 10, "李娜": 12, "刘洋": 40, "陈静": 30} {
		_, err := e.App.Credits.Award(ctx, credit.Award{LearnerID: f.ls[name].ID, CampaignID: f.campaign, Source: credit.SourceAdjustment,
			SourceID: "test", Amount: credit.Credits(amount, 0), Reason: "测试"})
		require.NoError(t, err)
	}
	for _, r := range []struct {
		name       string
		exam       int64
		score, max float64
		passed     bool
	}{{"张伟", f.main, 86, 100, true}, {"王芳", f.main, 40, 100, false}, {"王芳", f.makeUp, 80, 100, true},
		{"刘洋", f.main, 30, 100, false}, {"刘洋", f.makeUp, 45, 50, true}} {
		l := f.ls[r.name]
		require.NoError(t, e.DB.Table("exam_results").Create(map[string]any{"exam_id": r.exam, "learner_id": l.ID, "unit_id": l.UnitID,
			"track": l.Track, "attempts": 1, "score": r.score, "max_score": r.max, "passed": r.passed, "counted_attempt_id": 1,
			"updated_at": e.Clock.Now()}).Error)
	}
	addAttendance(t, e, f.campaign, "published", f.ls["张伟"].ID)
	addAttendance(t, e, f.campaign, "finished", f.ls["张伟"].ID)
	addAttendance(t, e, f.campaign, "cancelled", f.ls["张伟"].ID)
	setLawReport(t, e, f.campaign, f.ls["王芳"], "approved")
	setLawReport(t, e, f.campaign, f.ls["刘洋"], "submitted")
	require.Equal(t, http.StatusOK, e.Call(http.MethodPut, fmt.Sprintf("/api/v1/campaigns/%d/exemptions/%d", f.campaign, f.ls["李娜"].ID),
		e.Token("huayang-admin"), map[string]any{"reason": "驻村"}).Status)
	require.NoError(t, e.DB.Table("learners").Where("id = ?", f.ls["陈静"].ID).Update("status", "left").Error)
	gone, err := e.App.Learners.Seed(ctx, learner.Profile{Name: "赵六", UnitID: e.UnitID("linxi"), Track: learner.TrackGeneral, Phone: "13800000099"}, "Demo-pass-2026")
	require.NoError(t, err)
	require.NoError(t, e.DB.Table("learners").Where("id = ?", gone.ID).Update("status", "left").Error)
	f.gone = gone.ID
	return f
}

func addAttendance(t *testing.T, e *apitest.Env, campaignID int64, status string, learnerID int64) {
	t.Helper()
	now := e.Clock.Now()
	require.NoError(t, e.DB.Table("events").Create(map[string]any{"campaign_id": campaignID, "unit_id": e.UnitID("jixi"), "type": "lecture",
		"title": "法治讲坛", "speakers": "[]", "starts_at": now, "ends_at": now, "status": status, "created_at": now, "updated_at": now}).Error)
	var eventID int64
	require.NoError(t, e.DB.Table("events").Select("MAX(id)").Scan(&eventID).Error)
	require.NoError(t, e.DB.Table("event_attendance").Create(map[string]any{"event_id": eventID, "learner_id": learnerID,
		"checked_in_at": now, "source": "manual"}).Error)
}

// setLawReport gives a learner a 述法 report in the given state (the seed's 王芳 has one).
func setLawReport(t *testing.T, e *apitest.Env, campaignID int64, l demoLearner, status string) {
	t.Helper()
	now := e.Clock.Now()
	res := e.DB.Table("law_reports").Where("campaign_id = ? AND learner_id = ?", campaignID, l.ID).Update("status", status)
	require.NoError(t, res.Error)
	if res.RowsAffected == 0 {
		require.NoError(t, e.DB.Table("law_reports").Create(map[string]any{"campaign_id": campaignID, "learner_id": l.ID, "unit_id": l.UnitID,
			"title": "述法报告", "body": "正文", "attachments": "[]", "status": status, "submitted_by": 1, "submitted_at": now,
			"created_at": now, "updated_at": now}).Error)
	}
}

// byName indexes a result list's items by learner name.
func byName(t *testing.T, resp *apitest.Response) (map[string]yearend.ResultView, yearend.ResultList) {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var list yearend.ResultList
	resp.JSON(t, &list)
	out := map[string]yearend.ResultView{}
	for _, r := range list.Items {
		out[r.LearnerName] = r
	}
	return out, list
}

func TestYearResultsLive(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newLiveFixture(t, e)
		base := fmt.Sprintf("/api/v1/campaigns/%d/results", f.campaign)
		got, list := byName(t, e.Call(http.MethodGet, base, e.Token("admin"), nil))
		assert.False(t, list.Frozen)
		assert.Zero(t, list.CloseNo)
		assert.True(t, list.AsOf.Equal(e.Clock.Now()), "live results are as of now")
		assert.Equal(t, 40, list.Formula.ExamWeight)
		assert.EqualValues(t, 12, list.Total, "the 12 seeded learners (陈静 left with credit); 赵六 left without: not in the audience")
		require.Len(t, got, 12)
		assert.NotContains(t, got, "赵六")
		assert.Equal(t, yearend.StatusAbsent, got["孙丽"].Status, "no credit, no exam")
		want := map[string]struct {
			score   credit.Amount
			status  yearend.Status
			met     bool
			exam    int64
			target  credit.Amount
			events  int
			reports int
		}{
			"张伟": {8240, yearend.StatusMet, true, f.main, 3000, 2, 0},
			"王芳": {4700, yearend.StatusNotMet, false, f.makeUp, 4000, 0, 1},
			"李娜": {8000, yearend.StatusExempt, true, 0, 1500, 0, 0},
			"刘洋": {9600, yearend.StatusMet, true, f.makeUp, 4000, 0, 0},
			"陈静": {6000, yearend.StatusAbsent, false, 0, 3000, 0, 0},
		}
		for name, w := range want {
			r := got[name]
			assert.Equal(t, w.score, r.Score, name)
			assert.Equal(t, w.status, r.Status, name)
			assert.Equal(t, w.met, r.Met, name)
			assert.Equal(t, w.target, r.Target, name)
			assert.Equal(t, w.events, r.EventsAttended, "%s: cancelled events do not count", name)
			assert.Equal(t, w.reports, r.LawReports, "%s: only approved 述法 counts", name)
			if w.exam == 0 {
				assert.Nil(t, r.Exam, name)
			} else if assert.NotNil(t, r.Exam, name) {
				assert.Equal(t, w.exam, r.Exam.ExamID, name)
			}
		}
		assert.Equal(t, "达标", got["张伟"].StatusLabel)
		assert.Equal(t, credit.Credits(24, 0), got["张伟"].Credits.Adjustment)
		assert.True(t, got["李娜"].Exempt)

		names := func(path, token string) []string {
			_, l := byName(t, e.Call(http.MethodGet, path, token, nil))
			out := []string{}
			for _, r := range l.Items {
				out = append(out, r.LearnerName)
			}
			return out
		}
		assert.ElementsMatch(t, []string{"张伟", "刘洋"}, names(base+"?status=met", e.Token("admin")))
		assert.Contains(t, names(base+"?status=absent&page_size=100", e.Token("admin")), "陈静")
		assert.ElementsMatch(t, []string{"王芳", "刘洋", "吴斌"}, names(base+"?track=leader", e.Token("admin")))
		assert.ElementsMatch(t, []string{"张伟", "王芳", "李娜"}, names(base, e.Token("huayang-admin")), "a township sees its own people")
		assert.ElementsMatch(t, []string{"刘洋", "陈静"}, names(fmt.Sprintf("%s?unit_id=%d", base, e.UnitID("linxi")), e.Token("admin")))
		assert.ElementsMatch(t, []string{"刘洋"}, names(base+"?status=met&track=leader&page_size=1", e.Token("admin")))
		assert.Empty(t, names(base+"?status=met&track=leader&page_size=1&page=2", e.Token("admin")), "past the end")

		client := e.CreateClient("huayang", "results:read")
		assert.ElementsMatch(t, []string{"张伟", "王芳", "李娜"}, names(base, e.ClientToken(client, "results:read")),
			"an integrator reads like an admin of its client's unit")

		_, page := byName(t, e.Call(http.MethodGet, base+"?page=2&page_size=2", e.Token("admin"), nil))
		assert.EqualValues(t, 12, page.Total)
		require.Len(t, page.Items, 2)
		assert.Less(t, page.Items[0].LearnerID, page.Items[1].LearnerID, "ascending by learner id")
		_, filtered := byName(t, e.Call(http.MethodGet, base+"?status=met&page_size=1", e.Token("admin"), nil))
		assert.EqualValues(t, 2, filtered.Total)
		assert.Len(t, filtered.Items, 1)

		for _, c := range []struct {
			name, path, token string
			status            int
			code              string
		}{
			{"unit outside the subtree", fmt.Sprintf("%s?unit_id=%d", base, e.UnitID("linxi")), e.Token("huayang-admin"), 404, "unit.not_found"},
			{"bad status", base + "?status=passed", e.Token("admin"), 400, ""},
			{"bad track", base + "?track=x", e.Token("admin"), 400, ""},
			{"no such campaign", "/api/v1/campaigns/99999/results", e.Token("admin"), 404, "campaign.not_found"},
			{"a learner", base, e.Token("13800000001"), 403, "auth.forbidden"},
		} {
			resp := e.Call(http.MethodGet, c.path, c.token, nil)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			if c.code != "" {
				assert.Equal(t, c.code, resp.ErrorCode(), c.name)
			}
		}
	})
}

func TestMyYearResultLive(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newLiveFixture(t, e)
		resp := e.Call(http.MethodGet, "/api/v1/me/year-result", e.Token("13800000002"), nil) // 王芳, default campaign
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var mine yearend.MyResultView
		resp.JSON(t, &mine)
		assert.Equal(t, f.campaign, mine.CampaignID)
		assert.False(t, mine.Frozen)
		assert.Equal(t, credit.Amount(4700), mine.Result.Score)
		all := strings.Join(mine.Explanation, "\n")
		assert.Contains(t, all, "领航类学分目标 40 学分，已得 10 学分")
		assert.Contains(t, all, fmt.Sprintf("计入补考（考试编号 %d）成绩 80 / 100 分，及格；得分率 × 40 = 32 分", f.makeUp))
		assert.Contains(t, all, "年度成绩 47 分")
		assert.Contains(t, all, "未达标（还差 13 分）")
		assert.Contains(t, all, "述法报告通过 1 篇")

		explicit := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/me/year-result?campaign_id=%d", f.campaign), e.Token("13800000003"), nil)
		require.Equal(t, http.StatusOK, explicit.Status, "%s", explicit.Body)
		assert.Equal(t, "exempt", explicit.Map(t)["result"].(map[string]any)["status"])

		township := createCampaign(t, e, e.Token("huayang-admin"), e.UnitID("huayang"), "华阳镇学法周", "2026-11-01", "2026-11-30")
		for _, c := range []struct {
			name, path, token string
			status            int
		}{
			{"another township's campaign", fmt.Sprintf("/api/v1/me/year-result?campaign_id=%d", township), e.Token("13800000004"), 404},
			{"a draft", fmt.Sprintf("/api/v1/me/year-result?campaign_id=%d", township), e.Token("13800000001"), 404},
			{"no such campaign", "/api/v1/me/year-result?campaign_id=99999", e.Token("13800000001"), 404},
			{"bad campaign id", "/api/v1/me/year-result?campaign_id=x", e.Token("13800000001"), 400},
			{"an admin", "/api/v1/me/year-result", e.Token("admin"), 403},
		} {
			resp := e.Call(http.MethodGet, c.path, c.token, nil)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
		}
	})
}

func TestYearResultsFrozen(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newLiveFixture(t, e)
		base := fmt.Sprintf("/api/v1/campaigns/%d/results", f.campaign)
		frozenFormula := fmt.Sprintf(`{"exam_weight":50,"exam_id":%d,"pass_score":70,"exempt_target_percent":60}`, f.main)
		zw := frozenResult(f.ls["张伟"], 30, 91, 82, yearend.StatusMet)
		wf := frozenResult(f.ls["王芳"], 5, 20, 30, yearend.StatusNotMet)
		at := freeze(t, e, f.campaign, 1, yearend.CloseDone, frozenFormula, zw, wf)
		require.NoError(t, e.DB.Table("campaigns").Where("id = ?", f.campaign).Update("status", "closed").Error)

		got, list := byName(t, e.Call(http.MethodGet, base, e.Token("admin"), nil))
		assert.True(t, list.Frozen)
		assert.Equal(t, 1, list.CloseNo)
		assert.True(t, list.AsOf.Equal(at), "as of the close's finish")
		assert.Equal(t, 50, list.Formula.ExamWeight, "the formula the close froze")
		assert.EqualValues(t, 2, list.Total, "the snapshot, not the live audience")
		assert.Equal(t, credit.Credits(91, 0), got["张伟"].Score)
		_, met := byName(t, e.Call(http.MethodGet, base+"?status=met", e.Token("admin"), nil))
		assert.EqualValues(t, 1, met.Total)
		_, linxi := byName(t, e.Call(http.MethodGet, base, e.Token("linxi-admin"), nil))
		assert.EqualValues(t, 0, linxi.Total)

		mine := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/me/year-result?campaign_id=%d", f.campaign), e.Token("13800000001"), nil)
		require.Equal(t, http.StatusOK, mine.Status, "%s", mine.Body)
		var m yearend.MyResultView
		mine.JSON(t, &m)
		assert.True(t, m.Frozen)
		assert.Equal(t, 1, m.CloseNo)
		assert.Equal(t, credit.Credits(91, 0), m.Result.Score)
		assert.Contains(t, strings.Join(m.Explanation, "\n"), "学分完成度 × 50 + 考试得分率 × 50", "explained by the frozen formula")
		absent := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/me/year-result?campaign_id=%d", f.campaign), e.Token("13800000004"), nil)
		assert.Equal(t, http.StatusNotFound, absent.Status)
		assert.Equal(t, "year_result.not_found", absent.ErrorCode())

		closeNo, rows, err := e.App.YearEnd.SubtreeResults(context.Background(), campaignRow(t, e, f.campaign), f.ls["张伟"].UnitPath)
		require.NoError(t, err)
		assert.Equal(t, 1, closeNo)
		assert.Len(t, rows, 2)

		// Reopened: the snapshot stays, the results are live again.
		require.NoError(t, e.DB.Table("campaign_closes").Where("campaign_id = ?", f.campaign).Update("state", yearend.CloseReopened).Error)
		require.NoError(t, e.DB.Table("campaigns").Where("id = ?", f.campaign).Update("status", "active").Error)
		_, live := byName(t, e.Call(http.MethodGet, base, e.Token("admin"), nil))
		assert.False(t, live.Frozen)
		assert.EqualValues(t, 12, live.Total)
		closeNo, rows, err = e.App.YearEnd.SubtreeResults(context.Background(), campaignRow(t, e, f.campaign), f.ls["张伟"].UnitPath)
		require.NoError(t, err)
		assert.Zero(t, closeNo)
		assert.Len(t, rows, 3, "华阳镇's three learners, live")
	})
}

// campaignRow loads a campaign as the county admin sees it.
func campaignRow(t *testing.T, e *apitest.Env, id int64) *campaign.Row {
	t.Helper()
	root, err := e.App.Units.Root(context.Background())
	require.NoError(t, err)
	c, err := e.App.Campaigns.Get(context.Background(), auth.Actor{Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}, id)
	require.NoError(t, err)
	return c
}

// Batch reads one query per kind of fact whatever the number of learners, resumes after a
// learner id and stops at the limit.
func TestYearBatch(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newLiveFixture(t, e)
		ctx := context.Background()
		c := campaignRow(t, e, f.campaign)
		formula, err := e.App.YearEnd.FormulaOf(ctx, f.campaign)
		require.NoError(t, err)

		var queries atomic.Int64
		require.NoError(t, e.DB.Callback().Query().After("gorm:query").Register("test:count", func(*gorm.DB) { queries.Add(1) }))
		require.NoError(t, e.DB.Callback().Row().After("gorm:row").Register("test:count_row", func(*gorm.DB) { queries.Add(1) }))
		all, err := e.App.YearEnd.Batch(ctx, c, formula, 0, 100)
		require.NoError(t, err)
		n := queries.Load()
		require.Len(t, all, 12)
		assert.LessOrEqual(t, n, int64(7), "learners, summaries, exams counted, exam results, attendance, 述法, exemptions")
		for i := 1; i < len(all); i++ {
			assert.Less(t, all[i-1].LearnerID, all[i].LearnerID)
		}
		for _, r := range all {
			assert.Zero(t, r.CloseNo)
			assert.NotEqual(t, f.gone, r.LearnerID)
		}

		queries.Store(0)
		two, err := e.App.YearEnd.Batch(ctx, c, formula, all[0].LearnerID, 2)
		require.NoError(t, err)
		assert.Equal(t, []int64{all[1].LearnerID, all[2].LearnerID}, []int64{two[0].LearnerID, two[1].LearnerID})
		assert.LessOrEqual(t, queries.Load(), n, "fewer learners, no more queries")
		rest, err := e.App.YearEnd.Batch(ctx, c, formula, all[11].LearnerID, 2)
		require.NoError(t, err)
		assert.Empty(t, rest)

		def, err := e.App.YearEnd.Batch(ctx, c, yearend.DefaultFormula(f.campaign), 0, 100)
		require.NoError(t, err)
		for _, r := range def {
			assert.NotEqual(t, yearend.StatusAbsent, r.Status, "the formula passed in is the one applied")
		}
	})
}

// The close-out freezes exactly what the live results showed just before it.
func TestYearResultsCloseFreezesLive(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newLiveFixture(t, e)
		base := fmt.Sprintf("/api/v1/campaigns/%d/results?page_size=100", f.campaign)
		_, before := byName(t, e.Call(http.MethodGet, base, e.Token("admin"), nil))
		closed := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/campaigns/%d/close", f.campaign), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, closed.Status, "%s", closed.Body)
		_, after := byName(t, e.Call(http.MethodGet, base, e.Token("admin"), nil))
		assert.True(t, after.Frozen)
		assert.Equal(t, 1, after.CloseNo)
		assert.Equal(t, before.Total, after.Total)
		assert.Equal(t, before.Items, after.Items, "the snapshot is the live results at close")
		assert.Equal(t, before.Formula.ExamWeight, after.Formula.ExamWeight)
		assert.Equal(t, before.Formula.ExamID, after.Formula.ExamID)

		mine := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/me/year-result?campaign_id=%d", f.campaign), e.Token("13800000002"), nil)
		require.Equal(t, http.StatusOK, mine.Status, "%s", mine.Body)
		var m yearend.MyResultView
		mine.JSON(t, &m)
		assert.True(t, m.Frozen)
		assert.Contains(t, strings.Join(m.Explanation, "\n"), "计入补考", "a frozen result is explained like a live one")
	})
}
