package yearend_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/yearend"
)

// Awards arriving while the campaign closes: each is either in the snapshot or refused (a
// refused award wrote nothing), so every learner's frozen credits are exactly their ledger.
// Single awards, adjustments and AwardMany batches all race the close.
func TestCloseRacesAwards(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, ids := demoCampaign(t, e), closeLearners(t, e)
		learners := make([]int64, 0, len(ids))
		for _, l := range ids {
			learners = append(learners, l)
		}
		ctx := context.Background()
		const workers, perWorker, closeAfter = 4, 30, 8
		var mu sync.Mutex
		credited, refused := map[string]bool{}, map[string]bool{}
		record := func(sourceID string, ok bool) {
			mu.Lock()
			defer mu.Unlock()
			if ok {
				credited[sourceID] = true
			} else {
				refused[sourceID] = true
			}
		}
		started := make(chan struct{}, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWorker {
					if i == closeAfter {
						started <- struct{}{}
					}
					if err := raceAward(ctx, e, id, learners[(w*perWorker+i)%len(learners)], w, i, record); err != nil {
						t.Errorf("award %d/%d: %v", w, i, err) // Errorf: not the test's goroutine
						return
					}
				}
			}()
		}
		for range workers {
			<-started // every worker has awarded a few times: the close lands among the awards
		}
		closed := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/campaigns/%d/close", id), e.Token("admin"), nil)
		wg.Wait()
		require.Equal(t, http.StatusOK, closed.Status, "%s", closed.Body)

		assert.NotEmpty(t, credited, "awards before the close were credited")
		assert.NotEmpty(t, refused, "awards after the close were refused")
		assertSnapshotIsLedger(t, e, id, 1)
		var written []string
		require.NoError(t, e.DB.Table("credit_ledger").Where("campaign_id = ? AND source_id LIKE ?", id, "race:%").Pluck("source_id", &written).Error)
		for _, s := range written {
			assert.False(t, refused[s], "refused award %s wrote a ledger row", s)
		}
		assert.Len(t, written, len(credited), "every credited award is in the ledger once")
	})
}

// raceAward makes award i of worker w to a learner: a single event award, an admin's
// adjustment or a batch of two exam awards, in turn, and records which were credited.
func raceAward(ctx context.Context, e *apitest.Env, campaignID, learnerID int64, w, i int, record func(string, bool)) error {
	src := fmt.Sprintf("race:%d:%d", w, i)
	switch i % 3 {
	case 0:
		res, err := e.App.Credits.Award(ctx, credit.Award{LearnerID: learnerID, CampaignID: campaignID, Source: credit.SourceEvent,
			SourceID: src, Amount: credit.Credits(1, 50), Reason: "参加活动"})
		record(src, err == nil && !res.Refused)
		return err
	case 1:
		admin := int64(1)
		_, err := e.App.Credits.Award(ctx, credit.Award{LearnerID: learnerID, CampaignID: campaignID, Source: credit.SourceAdjustment,
			SourceID: src, Amount: credit.Credits(2, 0), Reason: "补录", ActorID: &admin})
		if ae, ok := apperr.As(err); ok && ae.Code == "credit.campaign_closed" {
			record(src, false)
			return nil
		}
		record(src, err == nil)
		return err
	default:
		a, b := src+":a", src+":b"
		res, err := e.App.Credits.AwardMany(ctx, []credit.Award{
			{LearnerID: learnerID, CampaignID: campaignID, Source: credit.SourceExam, SourceID: a, Amount: credit.Credits(3, 0), Reason: "考试通过"},
			{LearnerID: learnerID, CampaignID: campaignID, Source: credit.SourceExam, SourceID: b, Amount: credit.Credits(1, 0), Reason: "补考通过"},
		})
		if err != nil {
			return err
		}
		if res[0].Refused != res[1].Refused {
			return errors.New("one batch, one campaign: both refused or neither")
		}
		record(a, !res[0].Refused)
		record(b, !res[1].Refused)
		return nil
	}
}

// A close that stopped after its first batch (the process died) resumes from its cursor when
// POST close is called again: the written batch is kept as it is, the rest follows in batches,
// nothing is written twice, and credits stay refused while the campaign is closing.
func TestCloseResumesAfterCrash(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		id, admin := demoCampaign(t, e), e.Token("admin")
		path := fmt.Sprintf("/api/v1/campaigns/%d", id)
		const batch = 100
		e.App.YearEnd.SetCloseBatch(batch)
		added := addLearners(t, e, 2*batch+50) // three batches of the close: 100, 100 and the rest
		awards := make([]credit.Award, 0, len(added)/10)
		for i := 0; i < len(added); i += 10 {
			awards = append(awards, credit.Award{LearnerID: added[i], CampaignID: id, Source: credit.SourceEvent,
				SourceID: "event:1", Amount: credit.Credits(int64(i%40), 0), Reason: "参加活动"})
		}
		_, err := e.App.Credits.AwardMany(ctx, awards)
		require.NoError(t, err)

		// The state a crash after step 1 and the first batch leaves behind.
		var county struct {
			ID   int64
			Path string
		}
		require.NoError(t, e.DB.Table("units").Select("id, path").Where("parent_id IS NULL").Scan(&county).Error)
		root := auth.Actor{Role: auth.RoleAdmin, UnitID: county.ID, UnitPath: county.Path}
		row, err := e.App.Campaigns.Get(ctx, root, id)
		require.NoError(t, err)
		f, err := e.App.YearEnd.FormulaOf(ctx, id)
		require.NoError(t, err)
		first, err := e.App.YearEnd.Batch(ctx, row, f, 0, batch)
		require.NoError(t, err)
		require.Len(t, first, batch)
		earlier := e.Clock.Now().Add(-time.Hour).UTC()
		for i := range first {
			first[i].CloseNo, first[i].CreatedAt = 1, earlier
		}
		require.NoError(t, e.DB.CreateInBatches(first, 200).Error)
		require.NoError(t, e.DB.Create(&yearend.Close{CampaignID: id, CloseNo: 1, State: yearend.CloseRunning, NextLearnerID: first[batch-1].LearnerID,
			Learners: batch, Formula: `{"exam_weight":0,"exam_id":null,"pass_score":100,"exempt_target_percent":50}`, StartedAt: earlier}).Error)
		require.NoError(t, e.DB.Table("campaigns").Where("id = ?", id).Update("status", campaign.StatusClosing).Error)

		res, err := e.App.Credits.Award(ctx, credit.Award{LearnerID: added[1], CampaignID: id, Source: credit.SourceStudy, SourceID: "minute:1", Amount: 10, Reason: "学习"})
		require.NoError(t, err)
		assert.True(t, res.Refused, "closing refuses credits")
		edit := e.Call(http.MethodPatch, path, admin, map[string]any{"name": "改名"})
		assert.Equal(t, "campaign.closed", edit.ErrorCode(), "a closing campaign is read-only")
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, path+"/closes", admin, nil).Status)

		done := closeOK(t, e, path, admin)
		assert.Equal(t, 1, done.CloseNo, "resumed, not a new close")
		assert.Equal(t, yearend.CloseDone, done.State)
		assert.Equal(t, activeLearners(t, e), done.Learners)
		assert.Equal(t, done.Learners, frozenCount(t, e, id, 1), "one result per learner")
		var kept int64
		require.NoError(t, e.DB.Table("year_results").Where("campaign_id = ? AND close_no = 1 AND created_at < ?", id, e.Clock.Now().Add(-time.Minute)).Count(&kept).Error)
		assert.EqualValues(t, batch, kept, "the batch written before the crash was kept, not rewritten")
		assertSnapshotIsLedger(t, e, id, 1)
		var resumed int64
		require.NoError(t, e.DB.Table("audit_logs").Where("action = ? AND resource_id = ? AND detail LIKE ?", "campaign.close", fmt.Sprint(id), `%"resumed":true%`).Count(&resumed).Error)
		assert.EqualValues(t, 1, resumed, "the resume is audited as one")
	})
}

// addLearners bulk-adds n active learners (with accounts) to 华阳镇 and returns their ids.
func addLearners(t *testing.T, e *apitest.Env, n int) []int64 {
	t.Helper()
	var maxAccount, maxLearner int64
	require.NoError(t, e.DB.Raw("SELECT COALESCE(MAX(id), 0) FROM accounts").Scan(&maxAccount).Error)
	require.NoError(t, e.DB.Raw("SELECT COALESCE(MAX(id), 0) FROM learners").Scan(&maxLearner).Error)
	now, unit := e.Clock.Now().UTC(), e.UnitID("huayang")
	accounts, learners := make([]map[string]any, n), make([]map[string]any, n)
	ids := make([]int64, n)
	tracks := []string{"general", "general", "leader", "judicial"}
	for i := range n {
		ids[i] = maxLearner + 1 + int64(i)
		name := fmt.Sprintf("学员%05d", i)
		accounts[i] = map[string]any{"id": maxAccount + 1 + int64(i), "display_name": name, "password_hash": "x", "role": "learner",
			"unit_id": unit, "status": "active", "created_at": now, "updated_at": now}
		learners[i] = map[string]any{"id": ids[i], "account_id": maxAccount + 1 + int64(i), "unit_id": unit, "name": name,
			"track": tracks[i%len(tracks)], "status": "active", "created_at": now, "updated_at": now}
	}
	require.NoError(t, e.DB.Table("accounts").CreateInBatches(accounts, 500).Error)
	require.NoError(t, e.DB.Table("learners").CreateInBatches(learners, 500).Error)
	return ids
}
