package lawreport_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// Demo learners (logins by phone) and their units.
const (
	wangFang = "13800000002" // 王芳, 华阳镇, leader; the seed filed a report for her
	zhangWei = "13800000001" // 张伟, 华阳镇, general
	liuYang  = "13800000004" // 刘洋, 临溪镇, leader
	wuBin    = "13800000010" // 吴斌, 县教育局, leader
)

func campaignID(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("campaigns").Select("id").Order("id").Limit(1).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

func learnerID(t *testing.T, e *apitest.Env, name string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
	require.NotZero(t, id, "learner %s", name)
	return id
}

// accountOf is the account id of a learner by name.
func accountOf(t *testing.T, e *apitest.Env, name string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("learners").Select("account_id").Where("name = ?", name).Scan(&id).Error)
	require.NotZero(t, id, "learner %s", name)
	return id
}

// seededReport is the id of the demo report by 王芳.
func seededReport(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("law_reports").Select("id").Where("learner_id = ?", learnerID(t, e, "王芳")).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

func report(campaignID int64) map[string]any {
	return map[string]any{
		"campaign_id": campaignID, "title": "临溪镇镇长 2026 年度述法报告",
		"body":        "一、带头尊法学法守法用法。二、重大行政决策合法性审查全覆盖。三、下一步打算。",
		"attachments": []string{"https://www.jixi.gov.cn/shufa/2026.pdf", "http://example.org/photo.jpg"},
	}
}

func count(t *testing.T, e *apitest.Env, table string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table(table).Count(&n).Error)
	return n
}

func id(t *testing.T, r *apitest.Response) int64 {
	t.Helper()
	return int64(r.Map(t)["id"].(float64))
}

func history(t *testing.T, r *apitest.Response) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, h := range r.Map(t)["history"].([]any) {
		out = append(out, h.(map[string]any))
	}
	return out
}

// submit → return → revise → approve, with the history and the audit trail of every step.
func TestReviewWorkflow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner, reviewer := e.Token(liuYang), e.Token("linxi-admin")
		created := e.Call(http.MethodPost, "/api/v1/law-reports", learner, report(campaignID(t, e)))
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		c := created.Map(t)
		rid := id(t, created)
		path := fmt.Sprintf("/api/v1/law-reports/%d", rid)
		reviews := path + "/reviews"
		assert.Equal(t, "submitted", c["status"])
		assert.EqualValues(t, 1, c["revision"])
		assert.Equal(t, "刘洋", c["learner_name"])
		assert.Equal(t, "临溪镇", c["unit_name"])
		assert.EqualValues(t, accountOf(t, e, "刘洋"), c["submitted_by"])
		assert.Len(t, c["attachments"], 2)
		require.Len(t, history(t, created), 1)
		assert.Equal(t, "submit", history(t, created)[0]["action"])
		assert.Nil(t, c["score"])

		// Returning needs a comment and takes no score.
		noComment := e.Call(http.MethodPost, reviews, reviewer, map[string]any{"decision": "return"})
		assert.Equal(t, http.StatusUnprocessableEntity, noComment.Status)
		assert.Equal(t, []string{"comment"}, noComment.ErrorFields())
		scored := e.Call(http.MethodPost, reviews, reviewer, map[string]any{"decision": "return", "comment": "请补充", "score": 60})
		assert.Equal(t, http.StatusUnprocessableEntity, scored.Status)
		assert.Equal(t, []string{"score"}, scored.ErrorFields())
		badDecision := e.Call(http.MethodPost, reviews, reviewer, map[string]any{"decision": "maybe"})
		assert.Equal(t, http.StatusUnprocessableEntity, badDecision.Status)
		assert.Equal(t, []string{"decision"}, badDecision.ErrorFields())

		returned := e.Call(http.MethodPost, reviews, reviewer, map[string]any{"decision": "return", "comment": "请补充重大行政决策合法性审查情况"})
		require.Equal(t, http.StatusCreated, returned.Status, "%s", returned.Body)
		assert.Equal(t, "returned", returned.Map(t)["status"])
		h := history(t, returned)
		require.Len(t, h, 2)
		assert.Equal(t, "return", h[1]["action"])
		assert.Equal(t, "请补充重大行政决策合法性审查情况", h[1]["comment"])
		assert.Equal(t, "临溪镇管理员", h[1]["actor_name"])
		assert.Equal(t, "admin", h[1]["actor_role"])

		again := e.Call(http.MethodPost, reviews, reviewer, map[string]any{"decision": "approve"})
		assert.Equal(t, http.StatusConflict, again.Status, "a returned report is not reviewed again")
		assert.Equal(t, "law_report.not_submitted", again.ErrorCode())

		// The learner sees why, revises and resubmits.
		mine := e.Call(http.MethodGet, path, learner, nil)
		require.Equal(t, http.StatusOK, mine.Status)
		assert.Equal(t, "returned", mine.Map(t)["status"])
		revised := e.Call(http.MethodPut, path, learner, map[string]any{
			"title": "临溪镇镇长 2026 年度述法报告（修改稿）", "body": "补充：全年审查重大行政决策 6 件。", "attachments": []string{},
		})
		require.Equal(t, http.StatusOK, revised.Status, "%s", revised.Body)
		r := revised.Map(t)
		assert.Equal(t, "submitted", r["status"])
		assert.EqualValues(t, 2, r["revision"])
		assert.Equal(t, "补充：全年审查重大行政决策 6 件。", r["body"])
		assert.Empty(t, r["attachments"])
		require.Len(t, history(t, revised), 3)
		assert.Equal(t, "resubmit", history(t, revised)[2]["action"])
		twice := e.Call(http.MethodPut, path, learner, map[string]any{"title": "再改", "body": "再改"})
		assert.Equal(t, http.StatusConflict, twice.Status, "only a returned report is revised")
		assert.Equal(t, "law_report.not_returned", twice.ErrorCode())

		// Score range.
		for _, bad := range []any{101, -1} {
			resp := e.Call(http.MethodPost, reviews, reviewer, map[string]any{"decision": "approve", "score": bad})
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "score %v", bad)
			assert.Equal(t, []string{"score"}, resp.ErrorFields(), "score %v", bad)
		}
		fraction := e.Call(http.MethodPost, reviews, reviewer, `{"decision": "approve", "score": 90.5}`)
		assert.Equal(t, http.StatusBadRequest, fraction.Status)
		assert.Equal(t, []string{"score"}, fraction.ErrorFields())

		approved := e.Call(http.MethodPost, reviews, reviewer, map[string]any{"decision": "approve", "score": 100, "comment": "同意"})
		require.Equal(t, http.StatusCreated, approved.Status, "%s", approved.Body)
		a := approved.Map(t)
		assert.Equal(t, "approved", a["status"])
		assert.EqualValues(t, 100, a["score"])
		assert.EqualValues(t, e.AccountID("linxi-admin"), a["reviewed_by"])
		assert.NotEmpty(t, a["reviewed_at"])
		h = history(t, approved)
		require.Len(t, h, 4)
		assert.Equal(t, []any{"submit", "return", "resubmit", "approve"}, []any{h[0]["action"], h[1]["action"], h[2]["action"], h[3]["action"]})
		assert.EqualValues(t, 100, h[3]["score"])

		final := e.Call(http.MethodPost, reviews, reviewer, map[string]any{"decision": "return", "comment": "撤回"})
		assert.Equal(t, http.StatusConflict, final.Status, "approval is final")
		assert.Equal(t, http.StatusConflict, e.Call(http.MethodPut, path, learner, map[string]any{"title": "x", "body": "y"}).Status)

		// The county admin sees it too; the learner's own list has it.
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, path, e.Token("admin"), nil).Status)
		list := e.Call(http.MethodGet, "/api/v1/me/law-reports", learner, nil).Map(t)
		assert.EqualValues(t, 1, list["total"])
		item := list["items"].([]any)[0].(map[string]any)
		assert.Equal(t, "approved", item["status"])
		assert.NotContains(t, item, "body", "listings leave the body out")
		assert.EqualValues(t, 1, e.Call(http.MethodGet, "/api/v1/law-reports", learner, nil).Map(t)["total"], "a learner's listing is their own")

		var actions []string
		require.NoError(t, e.DB.Table("audit_logs").Where("resource_type = ? AND resource_id = ?", "law_report", fmt.Sprint(rid)).
			Order("id").Pluck("action", &actions).Error)
		assert.Equal(t, []string{"law_report.submit", "law_report.return", "law_report.resubmit", "law_report.approve"}, actions)
	})
}

// Two admins reviewing the same report at once: one wins, the other gets 409, one history entry.
func TestConcurrentReviewsDecideOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rid := seededReport(t, e)
		tokens := []string{e.Token("admin"), e.Token("huayang-admin")}
		statuses := make([]int, 6)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := map[string]any{"decision": "approve", "score": 80 + i}
				if i%2 == 1 {
					body = map[string]any{"decision": "return", "comment": "请修改"}
				}
				statuses[i] = e.Call(http.MethodPost, fmt.Sprintf("/api/v1/law-reports/%d/reviews", rid), tokens[i%2], body).Status
			}()
		}
		wg.Wait()
		won := 0
		for _, s := range statuses {
			assert.Contains(t, []int{http.StatusCreated, http.StatusConflict}, s)
			if s == http.StatusCreated {
				won++
			}
		}
		assert.Equal(t, 1, won, "exactly one review decides: %v", statuses)
		var reviews int64
		require.NoError(t, e.DB.Table("law_report_reviews").Where("report_id = ? AND action IN ?", rid, []string{"approve", "return"}).Count(&reviews).Error)
		assert.EqualValues(t, 1, reviews)
	})
}

func TestNonLeadersAreRefused(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		reports, reviews := count(t, e, "law_reports"), count(t, e, "law_report_reviews")
		general := e.Call(http.MethodPost, "/api/v1/law-reports", e.Token(zhangWei), report(campaignID(t, e)))
		assert.Equal(t, http.StatusForbidden, general.Status)
		assert.Equal(t, "law_report.leader_only", general.ErrorCode())

		onBehalf := report(campaignID(t, e))
		onBehalf["learner_id"] = learnerID(t, e, "张伟")
		byAdmin := e.Call(http.MethodPost, "/api/v1/law-reports", e.Token("huayang-admin"), onBehalf)
		assert.Equal(t, http.StatusUnprocessableEntity, byAdmin.Status)
		assert.Equal(t, "law_report.learner_not_leader", byAdmin.ErrorCode())
		assert.Equal(t, []string{"learner_id"}, byAdmin.ErrorFields())

		lecturer := e.Call(http.MethodPost, "/api/v1/law-reports", e.Token("lecturer-wang"), report(campaignID(t, e)))
		assert.Equal(t, http.StatusForbidden, lecturer.Status)
		assert.Equal(t, reports, count(t, e, "law_reports"), "nothing written")
		assert.Equal(t, reviews, count(t, e, "law_report_reviews"))

		// A leader's own empty list is fine; a general learner has none either.
		assert.EqualValues(t, 0, e.Call(http.MethodGet, "/api/v1/me/law-reports", e.Token(zhangWei), nil).Map(t)["total"])
	})
}

func TestAdminSubmitsOnBehalf(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("jyj-admin")
		body := report(campaignID(t, e))
		missing := e.Call(http.MethodPost, "/api/v1/law-reports", admin, body)
		assert.Equal(t, http.StatusUnprocessableEntity, missing.Status, "an admin names the learner")
		assert.Equal(t, []string{"learner_id"}, missing.ErrorFields())

		body["learner_id"] = learnerID(t, e, "刘洋") // 临溪镇: not the 教育局's
		foreign := e.Call(http.MethodPost, "/api/v1/law-reports", admin, body)
		assert.Equal(t, http.StatusUnprocessableEntity, foreign.Status)
		assert.Equal(t, "law_report.learner_not_found", foreign.ErrorCode())
		assert.Equal(t, []string{"learner_id"}, foreign.ErrorFields())

		body["learner_id"] = learnerID(t, e, "吴斌")
		created := e.Call(http.MethodPost, "/api/v1/law-reports", admin, body)
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		c := created.Map(t)
		assert.EqualValues(t, learnerID(t, e, "吴斌"), c["learner_id"])
		assert.Equal(t, "县教育局", c["unit_name"])
		assert.EqualValues(t, e.AccountID("jyj-admin"), c["submitted_by"])
		assert.Equal(t, "admin", history(t, created)[0]["actor_role"])
		assert.Equal(t, "县教育局管理员", history(t, created)[0]["actor_name"])

		dup := e.Call(http.MethodPost, "/api/v1/law-reports", e.Token(wuBin), report(campaignID(t, e)))
		assert.Equal(t, http.StatusConflict, dup.Status, "one report per learner and campaign")
		assert.Equal(t, "law_report.exists", dup.ErrorCode())

		// The learner sees and, once returned, revises the report filed for them.
		learner := e.Token(wuBin)
		path := fmt.Sprintf("/api/v1/law-reports/%d", id(t, created))
		assert.EqualValues(t, 1, e.Call(http.MethodGet, "/api/v1/me/law-reports", learner, nil).Map(t)["total"])
		require.Equal(t, http.StatusCreated, e.Call(http.MethodPost, path+"/reviews", admin, map[string]any{"decision": "return", "comment": "请本人补充"}).Status)
		revised := e.Call(http.MethodPut, path, learner, map[string]any{"title": "县教育局局长述法报告", "body": "本人补充的内容。"})
		require.Equal(t, http.StatusOK, revised.Status, "%s", revised.Body)
		assert.EqualValues(t, accountOf(t, e, "吴斌"), revised.Map(t)["submitted_by"])

		// A learner may not file for someone else.
		other := report(campaignID(t, e))
		other["learner_id"] = learnerID(t, e, "吴斌")
		forOther := e.Call(http.MethodPost, "/api/v1/law-reports", e.Token(liuYang), other)
		assert.Equal(t, http.StatusUnprocessableEntity, forOther.Status)
		assert.Equal(t, []string{"learner_id"}, forOther.ErrorFields())
	})
}

// Every endpoint keeps township B's admin and other learners away from township A's report.
func TestReportsAcrossUnits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rid := seededReport(t, e) // 王芳, 华阳镇, submitted
		path := fmt.Sprintf("/api/v1/law-reports/%d", rid)
		linxi, otherLearner, sameUnit := e.Token("linxi-admin"), e.Token(liuYang), e.Token(zhangWei)

		for _, tok := range []string{linxi, otherLearner, sameUnit} {
			assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path, tok, nil).Status)
		}
		review := e.Call(http.MethodPost, path+"/reviews", linxi, map[string]any{"decision": "approve", "score": 100})
		assert.Equal(t, http.StatusNotFound, review.Status)
		assert.Equal(t, "law_report.not_found", review.ErrorCode())
		assert.EqualValues(t, 0, e.Call(http.MethodGet, "/api/v1/law-reports", linxi, nil).Map(t)["total"])
		badUnit := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/law-reports?unit_id=%d", e.UnitID("huayang")), linxi, nil)
		assert.Equal(t, http.StatusBadRequest, badUnit.Status)
		assert.Equal(t, []string{"unit_id"}, badUnit.ErrorFields())
		assert.EqualValues(t, 0, e.Call(http.MethodGet, "/api/v1/law-reports", otherLearner, nil).Map(t)["total"])
		assert.EqualValues(t, 0, e.Call(http.MethodGet, "/api/v1/me/law-reports", otherLearner, nil).Map(t)["total"])

		// Returned by its own admin: still nobody else's to revise.
		require.Equal(t, http.StatusCreated, e.Call(http.MethodPost, path+"/reviews", e.Token("huayang-admin"), map[string]any{"decision": "return", "comment": "请补充"}).Status)
		for _, tok := range []string{otherLearner, sameUnit} {
			put := e.Call(http.MethodPut, path, tok, map[string]any{"title": "改", "body": "改"})
			assert.Equal(t, http.StatusNotFound, put.Status)
		}
		var title string
		require.NoError(t, e.DB.Table("law_reports").Select("title").Where("id = ?", rid).Scan(&title).Error)
		assert.NotEqual(t, "改", title)

		missing := "/api/v1/law-reports/999999"
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, missing, e.Token("admin"), nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPost, missing+"/reviews", e.Token("admin"), map[string]any{"decision": "approve"}).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPut, missing, e.Token(wangFang), map[string]any{"title": "改", "body": "改"}).Status)

		// The owners: the township's admin and the county admin, with filters.
		huayang := e.Token("huayang-admin")
		assert.EqualValues(t, 1, e.Call(http.MethodGet, "/api/v1/law-reports", huayang, nil).Map(t)["total"])
		county := e.Token("admin")
		for query, want := range map[string]int{
			"":                 1,
			"?status=returned": 1,
			"?status=approved": 0,
			"?name=" + "王":     1,
			"?name=" + "刘":     0,
			fmt.Sprintf("?unit_id=%d", e.UnitID("huayang")):  1,
			fmt.Sprintf("?unit_id=%d", e.UnitID("linxi")):    0,
			fmt.Sprintf("?campaign_id=%d", campaignID(t, e)): 1,
			"?campaign_id=999999":                            0,
		} {
			resp := e.Call(http.MethodGet, "/api/v1/law-reports"+query, county, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s: %s", query, resp.Body)
			assert.EqualValues(t, want, resp.Map(t)["total"], "query %q", query)
		}
		for query, field := range map[string]string{"?status=lost": "status", "?campaign_id=x": "campaign_id", "?page=0": "page"} {
			bad := e.Call(http.MethodGet, "/api/v1/law-reports"+query, county, nil)
			assert.Equal(t, http.StatusBadRequest, bad.Status, query)
			assert.Equal(t, []string{field}, bad.ErrorFields(), query)
		}

		// A learner files only in campaigns they take part in: not another township's.
		tc := e.Call(http.MethodPost, "/api/v1/campaigns", linxi, map[string]any{
			"unit_id": e.UnitID("linxi"), "name": "临溪镇述法月", "start_date": "2026-11-01", "end_date": "2026-11-30",
			"rules": map[string]any{"daily_caps": map[string]any{}}, // without it the campaign answers daily_caps: null, against its schema
		})
		require.Equal(t, http.StatusCreated, tc.Status, "%s", tc.Body)
		tcID := id(t, tc)
		draft := e.Call(http.MethodPost, "/api/v1/law-reports", otherLearner, report(tcID))
		assert.Equal(t, http.StatusUnprocessableEntity, draft.Status, "a draft campaign is not running")
		assert.Equal(t, "law_report.campaign_not_found", draft.ErrorCode())
		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/campaigns/%d", tcID), linxi, map[string]any{"status": "active"}).Status)
		foreign := e.Call(http.MethodPost, "/api/v1/law-reports", e.Token(wangFang), report(tcID))
		assert.Equal(t, http.StatusUnprocessableEntity, foreign.Status)
		assert.Equal(t, []string{"campaign_id"}, foreign.ErrorFields())
		assert.Equal(t, http.StatusCreated, e.Call(http.MethodPost, "/api/v1/law-reports", otherLearner, report(tcID)).Status)
	})
}

func TestReportBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner := e.Token(liuYang)
		cases := []struct {
			name   string
			mutate func(m map[string]any)
			status int
			field  string
		}{
			{"missing title", func(m map[string]any) { delete(m, "title") }, 422, "title"},
			{"blank title", func(m map[string]any) { m["title"] = "   " }, 422, "title"},
			{"title too long", func(m map[string]any) { m["title"] = strings.Repeat("述", 201) }, 422, "title"},
			{"missing body", func(m map[string]any) { delete(m, "body") }, 422, "body"},
			{"blank body", func(m map[string]any) { m["body"] = "\n\t " }, 422, "body"},
			{"body too long", func(m map[string]any) { m["body"] = strings.Repeat("法", 20001) }, 422, "body"},
			{"too many attachments", func(m map[string]any) { m["attachments"] = make([]string, 11) }, 422, "attachments"},
			{"ftp attachment", func(m map[string]any) { m["attachments"] = []string{"ftp://files.example.org/a.pdf"} }, 422, "attachments[0]"},
			{"script attachment", func(m map[string]any) { m["attachments"] = []string{"https://ok.example.org/a", "javascript:alert(1)"} }, 422, "attachments[1]"},
			{"relative attachment", func(m map[string]any) { m["attachments"] = []string{"/files/a.pdf"} }, 422, "attachments[0]"},
			{"empty attachment", func(m map[string]any) { m["attachments"] = []string{""} }, 422, "attachments[0]"},
			{"long attachment", func(m map[string]any) { m["attachments"] = []string{"https://x.org/" + strings.Repeat("a", 1000)} }, 422, "attachments[0]"},
			{"attachments not a list", func(m map[string]any) { m["attachments"] = "https://x.org/a" }, 400, "attachments"},
			{"missing campaign", func(m map[string]any) { delete(m, "campaign_id") }, 422, "campaign_id"},
			{"unknown campaign", func(m map[string]any) { m["campaign_id"] = 999999 }, 422, "campaign_id"},
			{"campaign as text", func(m map[string]any) { m["campaign_id"] = "1" }, 400, "campaign_id"},
			{"mass assignment", func(m map[string]any) { m["status"] = "approved" }, 400, "status"},
			{"score smuggled in", func(m map[string]any) { m["score"] = 100 }, 400, "score"},
		}
		reports, reviews := count(t, e, "law_reports"), count(t, e, "law_report_reviews")
		for _, c := range cases {
			body := report(campaignID(t, e))
			c.mutate(body)
			resp := e.Call(http.MethodPost, "/api/v1/law-reports", learner, body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}
		assert.Equal(t, http.StatusBadRequest, e.Call(http.MethodPost, "/api/v1/law-reports", learner, `{"title": `).Status)
		assert.Equal(t, reports, count(t, e, "law_reports"), "nothing written")
		assert.Equal(t, reviews, count(t, e, "law_report_reviews"))

		// The same rules on revision, and nothing changes.
		rid := seededReport(t, e)
		path := fmt.Sprintf("/api/v1/law-reports/%d", rid)
		require.Equal(t, http.StatusCreated, e.Call(http.MethodPost, path+"/reviews", e.Token("huayang-admin"), map[string]any{"decision": "return", "comment": "请补充"}).Status)
		owner := e.Token(wangFang)
		bad := e.Call(http.MethodPut, path, owner, map[string]any{"title": "", "body": strings.Repeat("法", 20001), "attachments": []string{"mailto:a@b.c"}})
		assert.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		assert.Subset(t, bad.ErrorFields(), []string{"title", "body"})
		urls := e.Call(http.MethodPut, path, owner, map[string]any{"title": "标题", "body": "正文", "attachments": []string{"mailto:a@b.c"}})
		assert.Equal(t, []string{"attachments[0]"}, urls.ErrorFields())
		got := e.Call(http.MethodGet, path, owner, nil).Map(t)
		assert.Equal(t, "returned", got["status"])
		assert.EqualValues(t, 1, got["revision"])
		longComment := e.Call(http.MethodPost, path+"/reviews", e.Token("huayang-admin"), map[string]any{"decision": "return", "comment": strings.Repeat("意", 1001)})
		assert.Equal(t, http.StatusUnprocessableEntity, longComment.Status)
		assert.Equal(t, []string{"comment"}, longComment.ErrorFields())
	})
}
