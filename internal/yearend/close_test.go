package yearend_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/yearend"
)

// The close-out of the demo county's campaign, from the county admin's POST to the reopen and
// the second close, with every refusal on the way.
func TestCloseAndReopen(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, admin := demoCampaign(t, e), e.Token("admin")
		path := fmt.Sprintf("/api/v1/campaigns/%d", id)
		ids := closeLearners(t, e)
		hooks := subscribeClosed(t, e)
		other := openTownshipCampaign(t, e)
		for name, amount := range map[string]float64{"孙丽": 30, "刘洋": 12.5} {
			resp := e.Call(http.MethodPost, "/api/v1/credits/adjustments", admin,
				map[string]any{"learner_id": ids[name], "campaign_id": id, "amount": amount, "reason": "线下集中学习补录"})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		}

		for _, c := range []struct {
			name, token, path string
			status            int
			code              string
		}{
			{"a township admin sees the county's campaign but is not its organiser", e.Token("huayang-admin"), path + "/close", 403, "campaign.organiser_only"},
			{"a learner", e.Token("13800000001"), path + "/close", 403, "auth.forbidden"},
			{"no such campaign", admin, "/api/v1/campaigns/99999/close", 404, "campaign.not_found"},
			{"reopening what is not closed", admin, path + "/reopen", 409, "campaign.not_closed"},
		} {
			resp := e.Call(http.MethodPost, c.path, c.token, map[string]any{"reason": "测试"})
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
		}
		assert.Equal(t, "active", e.Call(http.MethodGet, path, admin, nil).Map(t)["status"], "the refusals changed nothing")

		first := closeOK(t, e, path, admin)
		assert.Equal(t, 1, first.CloseNo)
		assert.Equal(t, yearend.CloseDone, first.State)
		assert.Equal(t, activeLearners(t, e), first.Learners, "every learner of the county has a result")
		assert.Equal(t, 1, first.Met, "孙丽 reached her 30 credits; the default formula asks for the whole target")
		assert.Equal(t, 0, first.Formula.ExamWeight)
		require.NotNil(t, first.FinishedAt)
		assertSnapshotIsLedger(t, e, id, 1)
		assert.Equal(t, "closed", e.Call(http.MethodGet, path, admin, nil).Map(t)["status"])

		again := e.Call(http.MethodPost, path+"/close", admin, nil)
		assert.Equal(t, http.StatusConflict, again.Status)
		assert.Equal(t, "campaign.already_closed", again.ErrorCode())

		// Credits to the closed campaign: an adjustment is refused with a code, an automatic
		// award is refused silently; neither writes a ledger row. Another campaign still earns.
		before := ledgerRows(t, e, id)
		adj := e.Call(http.MethodPost, "/api/v1/credits/adjustments", admin,
			map[string]any{"learner_id": ids["张伟"], "campaign_id": id, "amount": 5, "reason": "结办后补录"})
		assert.Equal(t, http.StatusConflict, adj.Status, "%s", adj.Body)
		assert.Equal(t, "credit.campaign_closed", adj.ErrorCode())
		ctx := context.Background()
		res, err := e.App.Credits.Award(ctx, credit.Award{LearnerID: ids["张伟"], CampaignID: id, Source: credit.SourceEvent, SourceID: "event:late", Amount: credit.Credits(2, 0), Reason: "结办后签到"})
		require.NoError(t, err)
		assert.Equal(t, credit.Result{Refused: true}, res)
		many, err := e.App.Credits.AwardMany(ctx, []credit.Award{
			{LearnerID: ids["张伟"], CampaignID: id, Source: credit.SourceExam, SourceID: "exam:late", Amount: credit.Credits(10, 0), Reason: "考试通过"},
			{LearnerID: ids["张伟"], CampaignID: other, Source: credit.SourceExam, SourceID: "exam:late", Amount: credit.Credits(10, 0), Reason: "考试通过"},
		})
		require.NoError(t, err)
		assert.Equal(t, []credit.Result{{Refused: true}, {Credited: credit.Credits(10, 0)}}, many)
		_, err = e.App.Credits.AwardMany(ctx, []credit.Award{{LearnerID: ids["张伟"], CampaignID: id, Source: credit.SourceAdjustment, SourceID: "adj:late", Amount: 1, Reason: "补录"}})
		assert.ErrorContains(t, err, "学法活动已结办")
		assert.Equal(t, before, ledgerRows(t, e, id), "nothing was written to the closed campaign")

		assert.Equal(t, 1, certificates(t, e, id, 1, false), "a certificate for the one who met the target")
		closed := closedEvents(t, e)
		require.Len(t, closed, 1)
		assert.Equal(t, yearend.ClosedEvent{CampaignID: id, Name: "第九个机关集中学法月", UnitID: closed[0].UnitID, CloseNo: 1,
			Learners: first.Learners, Met: 1, ClosedAt: closed[0].ClosedAt}, closed[0])
		assert.True(t, closed[0].ClosedAt.Equal(*first.FinishedAt))
		dispatchAll(t, e)
		assert.EqualValues(t, 1, hooks.Load(), "delivered once, as the contract says")

		// Reopen: only the organiser, with a reason; the snapshot stays.
		township := e.Call(http.MethodPost, path+"/reopen", e.Token("huayang-admin"), map[string]any{"reason": "更正"})
		assert.Equal(t, "campaign.organiser_only", township.ErrorCode())
		for _, body := range []any{map[string]any{}, map[string]any{"reason": "   "}} {
			bad := e.Call(http.MethodPost, path+"/reopen", admin, body)
			assert.Equal(t, http.StatusUnprocessableEntity, bad.Status, "%s", bad.Body)
			assert.Contains(t, bad.ErrorFields(), "reason")
		}
		reopened := e.Call(http.MethodPost, path+"/reopen", admin, map[string]any{"reason": "复核发现成绩录入错误"})
		require.Equal(t, http.StatusOK, reopened.Status, "%s", reopened.Body)
		var r yearend.CloseView
		reopened.JSON(t, &r)
		assert.Equal(t, yearend.CloseReopened, r.State)
		require.NotNil(t, r.ReopenReason)
		assert.Equal(t, "复核发现成绩录入错误", *r.ReopenReason)
		assert.Equal(t, "active", e.Call(http.MethodGet, path, admin, nil).Map(t)["status"])
		assert.Equal(t, "campaign.not_closed", e.Call(http.MethodPost, path+"/reopen", admin, map[string]any{"reason": "再次"}).ErrorCode())

		fix := e.Call(http.MethodPost, "/api/v1/credits/adjustments", admin,
			map[string]any{"learner_id": ids["张伟"], "campaign_id": id, "amount": 30, "reason": "补录线下学习"})
		require.Equal(t, http.StatusCreated, fix.Status, "%s", fix.Body)
		second := closeOK(t, e, path, admin)
		assert.Equal(t, 2, second.CloseNo, "a later close gets the next number")
		assert.Equal(t, 2, second.Met, "张伟 now met the target too")
		assertSnapshotIsLedger(t, e, id, 2)
		assert.Equal(t, first.Learners, frozenCount(t, e, id, 1), "the reopened close keeps its snapshot")
		assert.Equal(t, 2, certificates(t, e, id, 2, false))
		assert.Equal(t, 1, certificates(t, e, id, 1, true), "close 1's certificate is superseded")
		assert.Len(t, closedEvents(t, e), 2)

		var list yearend.CloseList
		listed := e.Call(http.MethodGet, path+"/closes", e.Token("huayang-admin"), nil)
		require.Equal(t, http.StatusOK, listed.Status, "%s", listed.Body)
		listed.JSON(t, &list)
		require.Len(t, list.Items, 2)
		assert.Equal(t, []int{2, 1}, []int{list.Items[0].CloseNo, list.Items[1].CloseNo}, "newest first")
		assert.Equal(t, []yearend.CloseState{yearend.CloseDone, yearend.CloseReopened}, []yearend.CloseState{list.Items[0].State, list.Items[1].State})
		assert.Equal(t, []int{2, 1}, []int{list.Items[0].Met, list.Items[1].Met})
		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, path+"/closes", e.Token("13800000001"), nil).Status)

		var actions []string
		require.NoError(t, e.DB.Table("audit_logs").Where("resource_type = ? AND resource_id = ? AND action IN ?", "campaign", fmt.Sprint(id),
			[]string{"campaign.close", "campaign.reopen"}).Order("id").Pluck("action", &actions).Error)
		assert.Equal(t, []string{"campaign.close", "campaign.reopen", "campaign.close"}, actions)
	}, func(c *config.Config) { c.Integration.AllowPrivateWebhooks = true })
}

// A draft cannot be closed; two closes of one campaign at once make one close: the second
// either waited for the first's step 1 and resumed it (200, the same close) or came after it
// finished (409 campaign.already_closed; always so on SQLite, whose one writer serialises them).
func TestCloseDraftAndTwiceAtOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		resp := e.Call(http.MethodPost, "/api/v1/campaigns", admin, map[string]any{"unit_id": e.UnitID("huayang"), "name": "华阳镇学法月",
			"start_date": "2026-11-01", "end_date": "2026-11-30", "targets": map[string]any{"general": 10}})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		path := fmt.Sprintf("/api/v1/campaigns/%d", int64(resp.Map(t)["id"].(float64)))
		draft := e.Call(http.MethodPost, path+"/close", admin, nil)
		assert.Equal(t, http.StatusConflict, draft.Status)
		assert.Equal(t, "campaign.not_active", draft.ErrorCode())
		assert.Equal(t, "campaign.organiser_only", e.Call(http.MethodPost, path+"/close", e.Token("admin"), nil).ErrorCode(),
			"the county admin sees the township's campaign, but the township organises it")

		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, path, admin, map[string]any{"status": "active"}).Status)
		a, b := apitest.Race(
			func() *apitest.Response { return e.Call(http.MethodPost, path+"/close", admin, nil) },
			func() *apitest.Response { return e.Call(http.MethodPost, path+"/close", admin, nil) })
		if a.Status != http.StatusOK {
			a, b = b, a
		}
		require.Equal(t, http.StatusOK, a.Status, "%s", a.Body)
		var ca, cb yearend.CloseView
		a.JSON(t, &ca)
		if b.Status == http.StatusOK {
			b.JSON(t, &cb)
			assert.Equal(t, ca, cb, "the second resumed the first's close and answers it")
		} else {
			assert.Equal(t, "campaign.already_closed", b.ErrorCode(), "%s", b.Body)
		}
		assert.Equal(t, 1, ca.CloseNo)
		assert.Equal(t, 3, ca.Learners, "华阳镇's three learners")
		var closes int64
		require.NoError(t, e.DB.Table("campaign_closes").Where("campaign_id = ?", ca.CampaignID).Count(&closes).Error)
		assert.EqualValues(t, 1, closes)
		assert.Equal(t, 3, frozenCount(t, e, ca.CampaignID, 1))
		assert.Len(t, closedEvents(t, e), 1, "announced once")
	})
}

// closeOK closes the campaign at path and returns the close.
func closeOK(t *testing.T, e *apitest.Env, path, token string) yearend.CloseView {
	t.Helper()
	resp := e.Call(http.MethodPost, path+"/close", token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var v yearend.CloseView
	resp.JSON(t, &v)
	return v
}

// closeLearners maps the demo learners' names to their ids.
func closeLearners(t *testing.T, e *apitest.Env) map[string]int64 {
	t.Helper()
	var rows []struct {
		ID   int64
		Name string
	}
	require.NoError(t, e.DB.Table("learners").Select("id, name").Scan(&rows).Error)
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Name] = r.ID
	}
	return out
}

// activeLearners counts the active learners (all of them are under the county).
func activeLearners(t *testing.T, e *apitest.Env) int {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table("learners").Where("status = ?", "active").Count(&n).Error)
	return int(n)
}

// openTownshipCampaign is an active campaign organised by 华阳镇.
func openTownshipCampaign(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	admin := e.Token("huayang-admin")
	resp := e.Call(http.MethodPost, "/api/v1/campaigns", admin, map[string]any{"unit_id": e.UnitID("huayang"), "name": "华阳镇法治讲座月",
		"start_date": "2026-11-01", "end_date": "2026-11-30"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := int64(resp.Map(t)["id"].(float64))
	require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/campaigns/%d", id), admin, map[string]any{"status": "active"}).Status)
	return id
}

// assertSnapshotIsLedger checks that each frozen learner's credits are their ledger's sum, and
// by source their summary's.
func assertSnapshotIsLedger(t *testing.T, e *apitest.Env, campaignID int64, closeNo int) {
	t.Helper()
	var rows []struct {
		LearnerID   int64
		Credits     int64
		Study       int64
		Adjustment  int64
		Ledger      int64
		SumAdjusted int64
	}
	require.NoError(t, e.DB.Raw(`SELECT r.learner_id, r.credits, r.study, r.adjustment,
		COALESCE((SELECT SUM(l.amount) FROM credit_ledger l WHERE l.learner_id = r.learner_id AND l.campaign_id = r.campaign_id), 0) AS ledger,
		COALESCE((SELECT s.adjustment FROM credit_summaries s WHERE s.learner_id = r.learner_id AND s.campaign_id = r.campaign_id), 0) AS sum_adjusted
		FROM year_results r WHERE r.campaign_id = ? AND r.close_no = ?`, campaignID, closeNo).Scan(&rows).Error)
	require.NotEmpty(t, rows)
	for _, r := range rows {
		assert.Equal(t, r.Ledger, r.Credits, "learner %d: the snapshot holds what the ledger holds", r.LearnerID)
		assert.Equal(t, r.SumAdjusted, r.Adjustment, "learner %d", r.LearnerID)
	}
}

func frozenCount(t *testing.T, e *apitest.Env, campaignID int64, closeNo int) int {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table("year_results").Where("campaign_id = ? AND close_no = ?", campaignID, closeNo).Count(&n).Error)
	return int(n)
}

func ledgerRows(t *testing.T, e *apitest.Env, campaignID int64) int64 {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table("credit_ledger").Where("campaign_id = ?", campaignID).Count(&n).Error)
	return n
}

// certificates counts a close's certificates, revoked or not.
func certificates(t *testing.T, e *apitest.Env, campaignID int64, closeNo int, revoked bool) int {
	t.Helper()
	q := e.DB.Table("certificates").Where("campaign_id = ? AND close_no = ?", campaignID, closeNo)
	if revoked {
		q = q.Where("revoked_at IS NOT NULL AND revoke_reason = ?", "superseded")
	} else {
		q = q.Where("revoked_at IS NULL")
	}
	var n int64
	require.NoError(t, q.Count(&n).Error)
	return int(n)
}

// closedEvents are the campaign.closed events in the webhook outbox, oldest first.
func closedEvents(t *testing.T, e *apitest.Env) []yearend.ClosedEvent {
	t.Helper()
	var data []string
	require.NoError(t, e.DB.Table("webhook_events").Where("type = ?", yearend.EventCampaignClosed).Order("id").Pluck("data", &data).Error)
	out := make([]yearend.ClosedEvent, len(data))
	for i, d := range data {
		require.NoError(t, json.Unmarshal([]byte(d), &out[i]))
	}
	return out
}

// subscribeClosed subscribes a receiver to campaign.closed as the county admin; the receiver
// checks every delivery against the contract and counts them.
func subscribeClosed(t *testing.T, e *apitest.Env) *atomic.Int32 {
	t.Helper()
	var delivered atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := apitest.CheckWebhook(r.Header, body); err != nil {
			t.Errorf("a delivery does not match the contract: %v", err) // Errorf: not the test's goroutine
		}
		delivered.Add(1)
	}))
	t.Cleanup(receiver.Close)
	resp := e.Call(http.MethodPost, "/api/v1/integration/webhooks", e.Token("admin"),
		map[string]any{"url": receiver.URL, "events": []string{yearend.EventCampaignClosed}, "description": "年度成绩同步"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return &delivered
}

func dispatchAll(t *testing.T, e *apitest.Env) {
	t.Helper()
	for {
		n, err := e.App.Dispatcher.DispatchOnce(context.Background())
		require.NoError(t, err)
		if n == 0 {
			return
		}
	}
}
