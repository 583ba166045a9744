package credit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// ledgerState is everything an award writes, without generated ids and with events' entry ids
// replaced by the (learner, source id) of their entry, so two runs can be compared.
type ledgerState struct {
	Entries, Daily, Summaries, UnitDaily []map[string]any
	Events                               []string
}

func readLedgerState(t *testing.T, ctx context.Context, e *apitest.Env) ledgerState {
	t.Helper()
	db := database.Conn(ctx, e.DB)
	var s ledgerState
	require.NoError(t, db.Table("credit_ledger").Select("learner_id, campaign_id, source, source_id, amount, requested, reason, day").
		Order("learner_id, source, source_id").Find(&s.Entries).Error)
	require.NoError(t, db.Table("credit_daily").Order("learner_id, campaign_id, source, day").Find(&s.Daily).Error)
	require.NoError(t, db.Table("credit_summaries").Select("learner_id, campaign_id, unit_id, track, total, study, practice, exam, event, quiz, adjustment").
		Order("learner_id, campaign_id").Find(&s.Summaries).Error)
	require.NoError(t, db.Table("credit_unit_daily").Order("campaign_id, unit_id, day").Find(&s.UnitDaily).Error)
	var events []struct{ UnitPath, Data string }
	require.NoError(t, db.Table("webhook_events").Select("unit_path, data").Where("type = ?", credit.EventCreditAwarded).Order("id").Find(&events).Error)
	for _, ev := range events {
		var d credit.AwardedEvent
		require.NoError(t, json.Unmarshal([]byte(ev.Data), &d))
		var entry struct {
			LearnerID int64
			SourceID  string
		}
		require.NoError(t, db.Table("credit_ledger").Select("learner_id, source_id").Where("id = ?", d.EntryID).Take(&entry).Error)
		require.Equal(t, d.LearnerID, entry.LearnerID, "the event names its own entry")
		require.Equal(t, d.SourceID, entry.SourceID, "the event names its own entry")
		d.EntryID = 0
		s.Events = append(s.Events, fmt.Sprintf("%s %+v", ev.UnitPath, d))
	}
	return s
}

var errRollBack = errors.New("roll back")

// AwardMany does exactly what Award does for each award in turn: results, ledger rows, caps,
// summaries, unit day rows and webhook events. Both runs start from the same state (the first
// is rolled back).
func TestAwardManyIsAwardInTurn(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, zhang := demo(t, e)
		learner := func(name string) int64 {
			var id int64
			require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", name).Scan(&id).Error)
			require.NotZero(t, id)
			return id
		}
		wang, liu := learner("王芳"), learner("刘洋") // 华阳镇 like 张伟; 临溪镇
		award := func(l int64, src credit.Source, id string, amount credit.Amount) credit.Award {
			return credit.Award{LearnerID: l, CampaignID: campaignID, Source: src, SourceID: id, Amount: amount, Reason: "测试 " + id}
		}
		// Recorded before: the batch's award of the same key is a duplicate.
		_, err := e.App.Credits.Award(t.Context(), award(wang, credit.SourceExam, "exam:1", credit.Credits(10, 0)))
		require.NoError(t, err)
		_, err = e.App.Credits.Award(t.Context(), award(liu, credit.SourcePractice, "question:0", credit.Credits(0, 60)))
		require.NoError(t, err)

		awards := []credit.Award{
			award(zhang, credit.SourceExam, "exam:1", credit.Credits(10, 0)),
			award(wang, credit.SourceExam, "exam:1", credit.Credits(10, 0)), // recorded before
			award(liu, credit.SourceExam, "exam:1", credit.Credits(10, 0)),
			award(zhang, credit.SourceExam, "exam:1", credit.Credits(10, 0)), // twice in the batch
			award(zhang, credit.SourceExam, "exam:2", credit.Credits(5, 0)),  // a second exam, same learner
			award(liu, credit.SourcePractice, "question:1", credit.Credits(0, 30)),
			award(liu, credit.SourcePractice, "question:2", credit.Credits(0, 30)), // capped to 0.1 (cap 1, 0.6 before)
			award(liu, credit.SourcePractice, "question:3", credit.Credits(0, 30)), // cap reached: recorded with 0
			award(wang, credit.SourceAdjustment, "adj:1", credit.Credits(-3, 0)),
		}
		ctx := t.Context()
		var want []credit.Result
		var wantState ledgerState
		err = database.WithTx(ctx, e.DB, func(ctx context.Context) error {
			for _, a := range awards {
				res, err := e.App.Credits.Award(ctx, a)
				require.NoError(t, err)
				want = append(want, res)
			}
			wantState = readLedgerState(t, ctx, e)
			return errRollBack
		})
		require.ErrorIs(t, err, errRollBack)

		got, err := e.App.Credits.AwardMany(ctx, awards)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, wantState, readLedgerState(t, ctx, e))

		// The cases the batch was built for did happen.
		assert.Equal(t, credit.Result{Duplicate: true}, got[1])
		assert.Equal(t, credit.Result{Duplicate: true}, got[3])
		assert.Equal(t, credit.Result{Credited: credit.Credits(0, 10), Capped: true}, got[6])
		assert.Equal(t, credit.Result{Credited: 0, Capped: true}, got[7])
		assert.Equal(t, credit.Credits(15, 0), summary(t, e, zhang, campaignID).Exam)

		// Retried, the whole batch is a no-op.
		again, err := e.App.Credits.AwardMany(ctx, awards)
		require.NoError(t, err)
		for i, r := range again {
			assert.Equal(t, credit.Result{Duplicate: true}, r, i)
		}
		assert.Equal(t, wantState, readLedgerState(t, ctx, e))
	})
}

// A batch fails as a whole, like Award, when a total would go below zero or a learner is
// unknown; nothing of it is written.
func TestAwardManyFailsWhole(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, zhang := demo(t, e)
		before := readLedgerState(t, t.Context(), e)
		_, err := e.App.Credits.AwardMany(t.Context(), []credit.Award{
			{LearnerID: zhang, CampaignID: campaignID, Source: credit.SourceExam, SourceID: "exam:1", Amount: credit.Credits(1, 0)},
			{LearnerID: zhang, CampaignID: campaignID, Source: credit.SourceAdjustment, SourceID: "adj:1", Amount: credit.Credits(-2, 0)},
		})
		assert.Error(t, err)
		_, err = e.App.Credits.AwardMany(t.Context(), []credit.Award{
			{LearnerID: zhang, CampaignID: campaignID, Source: credit.SourceExam, SourceID: "exam:1", Amount: credit.Credits(1, 0)},
			{LearnerID: 999999, CampaignID: campaignID, Source: credit.SourceExam, SourceID: "exam:1", Amount: credit.Credits(1, 0)},
		})
		assert.Error(t, err)
		assert.Equal(t, before.Entries, readLedgerState(t, t.Context(), e).Entries)
		assert.Equal(t, before.Summaries, readLedgerState(t, t.Context(), e).Summaries)
	})
}

// Concurrent batches and single awards over the same learners and units neither deadlock for
// good nor count anything twice: every key is credited once, and totals, day counters and unit
// day rows add up.
func TestConcurrentAwardManyCountOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID, _ := demo(t, e)
		var learners []int64
		require.NoError(t, e.DB.Table("learners").Order("id").Limit(6).Pluck("id", &learners).Error)
		require.Len(t, learners, 6)
		awardOf := func(l int64, exam int) credit.Award {
			return credit.Award{LearnerID: l, CampaignID: campaignID, Source: credit.SourceExam,
				SourceID: fmt.Sprintf("exam:%d", exam), Amount: credit.Credits(1, 0)}
		}
		day := credit.Day(e.Clock.Now())
		unitSum := func() credit.Amount {
			var sum credit.Amount
			require.NoError(t, e.DB.Table("credit_unit_daily").Select("COALESCE(SUM(amount), 0)").
				Where("campaign_id = ? AND day = ?", campaignID, day).Scan(&sum).Error)
			return sum
		}
		countEvents := func() int64 {
			var n int64
			require.NoError(t, e.DB.Table("webhook_events").Where("type = ?", credit.EventCreditAwarded).Count(&n).Error)
			return n
		}
		unitsBefore, eventsBefore := unitSum(), countEvents()
		var wg sync.WaitGroup
		for g := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for exam := range 3 {
					if g%4 == 3 { // some goroutines award one at a time
						for _, l := range learners {
							_, err := e.App.Credits.Award(context.Background(), awardOf(l, exam))
							assert.NoError(t, err)
						}
						continue
					}
					var batch []credit.Award
					for k := range learners { // each batch in its own order
						batch = append(batch, awardOf(learners[(k+g)%len(learners)], exam))
					}
					_, err := e.App.Credits.AwardMany(context.Background(), batch)
					assert.NoError(t, err)
				}
			}()
		}
		wg.Wait()
		for _, l := range learners {
			assert.EqualValues(t, 3, ledgerRows(t, e, l), "learner %d", l)
			s := summary(t, e, l, campaignID)
			assert.Equal(t, credit.Credits(3, 0), s.Exam)
			var used credit.Amount
			require.NoError(t, e.DB.Table("credit_daily").Select("amount").
				Where("learner_id = ? AND campaign_id = ? AND source = 'exam' AND day = ?", l, campaignID, day).Scan(&used).Error)
			assert.Equal(t, credit.Credits(3, 0), used)
		}
		assert.Equal(t, credit.Credits(3*int64(len(learners)), 0), unitSum()-unitsBefore)
		assert.EqualValues(t, 3*len(learners), countEvents()-eventsBefore)
	})
}
