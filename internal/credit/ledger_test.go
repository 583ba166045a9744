package credit_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/credit"
)

// demo returns the seeded campaign's id and the id of the learner 张伟 (华阳镇, general).
func demo(t *testing.T, e *apitest.Env) (campaignID, learnerID int64) {
	t.Helper()
	require.NoError(t, e.DB.Table("campaigns").Select("id").Limit(1).Scan(&campaignID).Error)
	require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "张伟").Scan(&learnerID).Error)
	require.NotZero(t, campaignID)
	require.NotZero(t, learnerID)
	return
}

func summary(t *testing.T, e *apitest.Env, learnerID, campaignID int64) credit.Summary {
	t.Helper()
	var s credit.Summary
	require.NoError(t, e.DB.Where("learner_id = ? AND campaign_id = ?", learnerID, campaignID).Take(&s).Error)
	return s
}

func ledgerRows(t *testing.T, e *apitest.Env, learnerID int64) int64 {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table("credit_ledger").Where("learner_id = ?", learnerID).Count(&n).Error)
	return n
}

// 50 concurrent copies of one award make one ledger row and count once.
func TestConcurrentDuplicateAwardsCountOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, learnerID := demo(t, e)
		award := credit.Award{LearnerID: learnerID, CampaignID: campaignID, Source: credit.SourceExam, SourceID: "exam:7:attempt:1",
			Amount: credit.Credits(10, 0), Reason: "考试合格"}
		var wg sync.WaitGroup
		results := make([]credit.Result, 50)
		errs := make([]error, 50)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.App.Credits.Award(context.Background(), award)
			}()
		}
		wg.Wait()
		credited := 0
		for i := range results {
			require.NoError(t, errs[i])
			if !results[i].Duplicate {
				credited++
				assert.Equal(t, credit.Credits(10, 0), results[i].Credited)
			}
		}
		assert.Equal(t, 1, credited, "exactly one award took effect")
		assert.EqualValues(t, 1, ledgerRows(t, e, learnerID))
		s := summary(t, e, learnerID, campaignID)
		assert.Equal(t, credit.Credits(10, 0), s.Total)
		assert.Equal(t, credit.Credits(10, 0), s.Exam)
	})
}

// Concurrent different awards all count, and the daily cap holds under concurrency.
func TestConcurrentAwardsRespectTheDailyCap(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, learnerID := demo(t, e) // practice cap: 1 credit a day
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: learnerID, CampaignID: campaignID,
					Source: credit.SourcePractice, SourceID: fmt.Sprintf("practice:%d", i), Amount: credit.Credits(0, 10)})
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		s := summary(t, e, learnerID, campaignID)
		assert.Equal(t, credit.Credits(1, 0), s.Practice, "30 × 0.1 capped at 1 a day")
		assert.Equal(t, credit.Credits(1, 0), s.Total)
		assert.EqualValues(t, 30, ledgerRows(t, e, learnerID), "capped awards are recorded with amount 0 so retries stay no-ops")
	})
}

// The daily cap resets at midnight Asia/Shanghai (16:00 UTC), not at UTC midnight.
func TestDailyCapAcrossBeijingMidnight(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, learnerID := demo(t, e)
		award := func(id string, amount credit.Amount) credit.Result {
			res, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: learnerID, CampaignID: campaignID,
				Source: credit.SourceStudy, SourceID: id, Amount: amount})
			require.NoError(t, err)
			return res
		}
		e.Clock.Set(time.Date(2026, 11, 10, 15, 58, 0, 0, time.UTC)) // 23:58 in Beijing
		assert.Equal(t, credit.Credits(2, 50), award("a", credit.Credits(2, 50)).Credited)
		capped := award("b", credit.Credits(1, 0))
		assert.True(t, capped.Capped)
		assert.Equal(t, credit.Credits(0, 50), capped.Credited, "only what is left of the 3-credit cap")
		assert.Equal(t, credit.Credits(0, 0), award("c", credit.Credits(1, 0)).Credited, "cap reached")

		e.Clock.Set(time.Date(2026, 11, 10, 16, 0, 1, 0, time.UTC)) // 00:00:01 the next Beijing day
		fresh := award("d", credit.Credits(1, 0))
		assert.False(t, fresh.Capped)
		assert.Equal(t, credit.Credits(1, 0), fresh.Credited, "a new Beijing day, a new cap")
		assert.Equal(t, credit.Credits(4, 0), summary(t, e, learnerID, campaignID).Study)

		var days []string
		require.NoError(t, e.DB.Table("credit_daily").Where("learner_id = ?", learnerID).Order("day").Pluck("day", &days).Error)
		assert.Equal(t, []string{"2026-11-10", "2026-11-11"}, days)
	})
}

func TestAdjustmentsAndReading(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, learnerID := demo(t, e)
		admin := e.Token("huayang-admin")
		adjust := func(amount string, reason string) *apitest.Response {
			return e.Call(http.MethodPost, "/api/v1/credits/adjustments", admin,
				fmt.Sprintf(`{"learner_id": %d, "campaign_id": %d, "amount": %s, "reason": %q}`, learnerID, campaignID, amount, reason))
		}
		up := adjust("12.5", "补录线下学习")
		require.Equal(t, http.StatusCreated, up.Status, "%s", up.Body)
		assert.EqualValues(t, 12.5, up.Map(t)["total"])
		down := adjust("-2.25", "重复计分更正")
		require.Equal(t, http.StatusCreated, down.Status)
		assert.EqualValues(t, 10.25, down.Map(t)["total"])
		below := adjust("-20", "错误")
		assert.Equal(t, http.StatusUnprocessableEntity, below.Status)
		assert.Equal(t, "credit.below_zero", below.ErrorCode())
		tooPrecise := adjust("0.125", "三位小数")
		assert.Equal(t, http.StatusBadRequest, tooPrecise.Status)
		assert.Contains(t, tooPrecise.ErrorFields(), "amount")
		other := e.Call(http.MethodPost, "/api/v1/credits/adjustments", e.Token("linxi-admin"),
			map[string]any{"learner_id": learnerID, "campaign_id": campaignID, "amount": 1, "reason": "越权"})
		assert.Equal(t, http.StatusNotFound, other.Status, "BOLA: another township's admin")

		var audited int64
		require.NoError(t, e.DB.Table("audit_logs").Where("action = 'credit.adjust'").Count(&audited).Error)
		assert.EqualValues(t, 2, audited)

		learnerToken := e.Token("13800000001")
		mine := e.Call(http.MethodGet, "/api/v1/me/credits", learnerToken, nil)
		require.Equal(t, http.StatusOK, mine.Status, "%s", mine.Body)
		m := mine.Map(t)
		assert.EqualValues(t, 10.25, m["total"])
		assert.EqualValues(t, 30, m["target"])
		assert.EqualValues(t, 34.1, m["percent"])
		assert.EqualValues(t, 10.25, m["by_source"].(map[string]any)["adjustment"])
		assert.EqualValues(t, 1, m["rank_in_unit"])
		assert.EqualValues(t, 3, m["unit_learners"])
		// 2026-11-02 is day 2 of the 61-day campaign (Nov 1 – Dec 31): 30 × 2 / 61 = 0.98.
		assert.EqualValues(t, 0.98, m["expected_by_today"])
		assert.Equal(t, "on_pace", m["pace"])
		assert.NotEmpty(t, m["explanation"])
		assert.Contains(t, m["explanation"].([]any)[0], "普及类目标 30 学分，已得 10.25 学分")

		ledger := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/me/credits/ledger?campaign_id=%d", campaignID), learnerToken, nil).Map(t)
		assert.EqualValues(t, 2, ledger["total"])

		adminView := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/credits?campaign_id=%d", learnerID, campaignID), admin, nil)
		require.Equal(t, http.StatusOK, adminView.Status)
		assert.EqualValues(t, 10.25, adminView.Map(t)["total"])
		bola := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/credits?campaign_id=%d", learnerID, campaignID), e.Token("linxi-admin"), nil)
		assert.Equal(t, http.StatusNotFound, bola.Status)
	})
}

func TestLeaderboard(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, _ := demo(t, e)
		give := func(name string, amount credit.Amount) {
			var id int64
			require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
			_, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: id, CampaignID: campaignID,
				Source: credit.SourceExam, SourceID: "exam:1", Amount: amount})
			require.NoError(t, err)
		}
		give("张伟", credit.Credits(30, 0)) // 华阳镇, general: completed
		give("王芳", credit.Credits(20, 0)) // 华阳镇, leader (target 40)
		give("刘洋", credit.Credits(45, 0)) // 临溪镇, leader: completed
		give("杨磊", credit.Credits(5, 0))  // 上庄镇

		resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/credits/leaderboard?campaign_id=%d&limit=3", campaignID), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		board := resp.Map(t)
		learners := board["learners"].([]any)
		require.Len(t, learners, 3)
		assert.Equal(t, "刘洋", learners[0].(map[string]any)["name"])
		assert.Equal(t, "张伟", learners[1].(map[string]any)["name"])
		units := board["units"].([]any)
		first := units[0].(map[string]any)
		assert.Equal(t, "临溪镇", first["name"], "1 of 2 completed (50%) beats 华阳镇's 1 of 3")
		assert.EqualValues(t, 50, first["completion_rate"])
		assert.EqualValues(t, 2, first["learners"])

		town := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/credits/leaderboard?campaign_id=%d&track=leader", campaignID), e.Token("huayang-admin"), nil).Map(t)
		require.Len(t, town["learners"], 1, "a township admin sees their subtree only")
		assert.Equal(t, "王芳", town["learners"].([]any)[0].(map[string]any)["name"])
		outside := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/credits/leaderboard?campaign_id=%d&unit_id=%d", campaignID, e.UnitID("linxi")), e.Token("huayang-admin"), nil)
		assert.Equal(t, http.StatusBadRequest, outside.Status)
	})
}

func TestAmountJSON(t *testing.T) {
	for in, want := range map[string]credit.Amount{"12": 1200, "12.5": 1250, "0.05": 5, "-0.25": -25, "3.10": 310} {
		got, err := credit.ParseAmount(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"1.234", "abc", "", "1.", "--1", "1e3"} {
		_, err := credit.ParseAmount(bad)
		assert.Error(t, err, bad)
	}
	for a, want := range map[credit.Amount]string{1250: "12.5", 5: "0.05", 1200: "12", -25: "-0.25", 310: "3.1"} {
		assert.Equal(t, want, a.String())
	}
}

// The explanation's pace sentence says what the pace field says: a lag within the campaign's
// tolerance (10 % of the target) is still on pace, beyond it lagging, beyond three times far behind.
func TestPaceSentenceAgreesWithPace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		demo(t, e)
		for _, tc := range []struct {
			day      int // day of the 61-day campaign (Nov 1 – Dec 31), target 30
			pace     string
			sentence string
		}{
			{2, "on_pace", "按活动日历，今天应达到 0.98 学分，还差 0.98 学分，未超过允许的 3 学分，进度正常。"},
			{12, "lagging", "按活动日历，今天应达到 5.9 学分，目前落后 5.9 学分，超过允许的 3 学分，属进度落后。"},
			{30, "far_behind", "按活动日历，今天应达到 14.75 学分，目前落后 14.75 学分，超过 9 学分，属严重落后。"},
		} {
			e.Clock.Set(apitest.Start.AddDate(0, 0, tc.day-2))
			token := e.Login("13800000001", app.DemoPassword)["access_token"].(string) // days outlive a token
			m := e.Call(http.MethodGet, "/api/v1/me/credits", token, nil).Map(t)
			assert.Equal(t, tc.pace, m["pace"], "day %d", tc.day)
			assert.Contains(t, m["explanation"], tc.sentence, "day %d", tc.day)
		}
	})
}

// The place in the unit: ties share a place, a learner without credits comes after everyone
// ranked, and the active campaign (no campaign_id) gives the same standing as naming it.
func TestMyStandingRankInUnit(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, _ := demo(t, e)
		for _, name := range []string{"王芳", "李娜"} { // 华阳镇, with 张伟
			var id int64
			require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
			_, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: id, CampaignID: campaignID,
				Source: credit.SourceExam, SourceID: "exam:1", Amount: credit.Credits(20, 0)})
			require.NoError(t, err)
		}
		standing := func(phone, query string) map[string]any {
			resp := e.Call(http.MethodGet, "/api/v1/me/credits"+query, e.Token(phone), nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			return resp.Map(t)
		}
		named := fmt.Sprintf("?campaign_id=%d", campaignID)
		for phone, want := range map[string]float64{"13800000002": 1, "13800000003": 1, "13800000001": 3} {
			got := standing(phone, named)
			assert.EqualValues(t, want, got["rank_in_unit"], phone)
			assert.EqualValues(t, 3, got["unit_learners"], phone)
			assert.Equal(t, got, standing(phone, ""), "%s: the active campaign is the named one", phone)
		}
		zhang := standing("13800000001", named)
		assert.EqualValues(t, 0, zhang["total"])
		assert.Contains(t, zhang["explanation"], "在本单位 3 名学员中排第 3 名。")

		// The unit's places are kept (unit_places.go), but an award drops them when it commits:
		// the learner who earned sees their new place at once, and so do the others.
		var zhangID int64
		require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "张伟").Scan(&zhangID).Error)
		_, err := e.App.Credits.Award(context.Background(), credit.Award{LearnerID: zhangID, CampaignID: campaignID,
			Source: credit.SourceExam, SourceID: "exam:1", Amount: credit.Credits(25, 0)})
		require.NoError(t, err)
		assert.EqualValues(t, 1, standing("13800000001", named)["rank_in_unit"])
		assert.EqualValues(t, 2, standing("13800000002", named)["rank_in_unit"])

		for page, items := range map[int]int{1: 1, 2: 0} { // the total is the same on a page past the end
			ledger := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/me/credits/ledger?campaign_id=%d&page=%d&page_size=1", campaignID, page),
				e.Token("13800000002"), nil).Map(t)
			assert.EqualValues(t, 1, ledger["total"], "page %d", page)
			assert.Len(t, ledger["items"], items, "page %d", page)
		}
	})
}

// The learner's ledger page is one statement on the common path; its edges take the second:
// no entries yet, and a campaign of another township (404, as if it did not exist).
func TestMyLedgerEdges(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		created := e.Call(http.MethodPost, "/api/v1/campaigns", e.Token("huayang-admin"), map[string]any{
			"unit_id": e.UnitID("huayang"), "name": "华阳镇学法月", "start_date": "2026-11-01", "end_date": "2026-11-30",
			"targets": map[string]any{"leader": 10, "general": 10, "judicial": 10}})
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		path := fmt.Sprintf("/api/v1/me/credits/ledger?campaign_id=%d", int64(created.Map(t)["id"].(float64)))

		empty := e.Call(http.MethodGet, path, e.Token("13800000001"), nil) // 华阳镇
		require.Equal(t, http.StatusOK, empty.Status, "%s", empty.Body)
		assert.EqualValues(t, 0, empty.Map(t)["total"])
		assert.Empty(t, empty.Map(t)["items"])

		other := e.Call(http.MethodGet, path, e.Token("13800000004"), nil) // 临溪镇
		assert.Equal(t, http.StatusNotFound, other.Status)
		assert.Equal(t, "campaign.not_found", other.ErrorCode())
	})
}
