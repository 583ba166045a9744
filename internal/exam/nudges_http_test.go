package exam_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/exam"
)

func learnerIDs(ps []exam.Pending) []int64 {
	out := []int64{}
	for _, p := range ps {
		out = append(out, p.LearnerID)
	}
	return out
}

// TestReminderTargets: who the exam reminder rules would remind, before the main exam closes
// (everyone in the audience who has not finished it) and after (the make-up's audience).
func TestReminderTargets(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		qs := demoQuestions(t, e, "judge", 2)
		now := e.Clock.Now()
		main := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) {
			b["closes_at"] = now.Add(2 * time.Hour).Format(time.RFC3339)
			b["max_attempts"] = 1
			b["pass_score"] = 4
		}))
		publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) {
			b["title"] = "年度学法考试（补考）"
			b["main_exam_id"] = main
			b["pass_score"] = 4
			b["closes_at"] = now.Add(48 * time.Hour).Format(time.RFC3339)
		}))
		sit(t, e, e.Token(zhangWei), main, qs, true, true) // passes
		sit(t, e, e.Token(liNa), main, qs, true, false)    // fails

		var active []int64
		require.NoError(t, e.DB.Table("learners").Where("status = ?", "active").Order("id").Pluck("id", &active).Error)
		zhang, li := learnerOf(t, e, "张伟"), learnerOf(t, e, "李娜")
		var notSat []int64
		for _, id := range active {
			if id != zhang && id != li {
				notSat = append(notSat, id)
			}
		}
		county := "/" // every unit path starts with it
		cid := campaignID(t, e)

		got, err := e.App.Exams.ClosingUnattempted(ctx, cid, county, e.Clock.Now(), 24*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, notSat, learnerIDs(got), "the audience minus those who finished")
		for _, p := range got {
			assert.Equal(t, main, p.ExamID)
			assert.NotZero(t, p.AccountID)
		}
		got, err = e.App.Exams.ClosingUnattempted(ctx, cid, county, e.Clock.Now(), time.Hour)
		require.NoError(t, err)
		assert.Empty(t, got, "the exam closes later than an hour from now")

		got, err = e.App.Exams.MakeUpEligible(ctx, cid, county, e.Clock.Now())
		require.NoError(t, err)
		assert.Equal(t, []int64{li}, learnerIDs(got), "while the main exam is open only who failed it")

		e.Clock.Advance(3 * time.Hour)
		got, err = e.App.Exams.MakeUpEligible(ctx, cid, county, e.Clock.Now())
		require.NoError(t, err)
		want := append([]int64{}, notSat...)
		want = append(want, li)
		assert.ElementsMatch(t, want, learnerIDs(got), "after it closed, who failed or missed it")
		got, err = e.App.Exams.ClosingUnattempted(ctx, cid, county, e.Clock.Now(), 24*time.Hour)
		require.NoError(t, err)
		assert.Empty(t, got, "a closed exam reminds nobody")
	})
}

// TestDashboardExamFigures: the unit dashboard counts who took and who passed the campaign's
// exams, equal to a direct count over exam_results.
func TestDashboardExamFigures(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		main := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) { b["pass_score"] = 4 }))
		sit(t, e, e.Token(zhangWei), main, qs, true, true) // 华阳镇, passes
		sit(t, e, e.Token(liNa), main, qs, true, false)    // 华阳镇, fails
		sit(t, e, e.Token(liuYang), main, qs, true, true)  // 临溪镇, passes

		var learners int64
		require.NoError(t, e.DB.Table("learners").Where("status = ?", "active").Count(&learners).Error)
		var took, passed int64
		require.NoError(t, e.DB.Table("exam_results").Count(&took).Error)
		require.NoError(t, e.DB.Table("exam_results").Where("passed = ?", true).Count(&passed).Error)
		require.EqualValues(t, 3, took)
		require.EqualValues(t, 2, passed)

		resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/dashboard?campaign_id=%d", e.UnitID("jixi"), campaignID(t, e)), e.Token("admin"), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		d := resp.Map(t)
		assert.EqualValues(t, took, d["exam_takers"])
		assert.EqualValues(t, passed, d["exam_passed"])
		assert.EqualValues(t, float64(took*1000/learners)/10, d["exam_participation_rate"])
		assert.EqualValues(t, 66.6, d["exam_pass_rate"])
		for _, it := range d["sub_units"].([]any) {
			u := it.(map[string]any)
			if u["name"] == "华阳镇" {
				assert.EqualValues(t, 2, u["exam_takers"])
				assert.EqualValues(t, 1, u["exam_passed"])
				assert.EqualValues(t, 66.6, u["exam_participation_rate"], "two of its three learners")
				assert.EqualValues(t, 50, u["exam_pass_rate"])
			}
		}
	})
}
