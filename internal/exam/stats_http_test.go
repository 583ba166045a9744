package exam_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// sit starts an attempt and answers each fixed judge question right or wrong, then submits.
func sit(t *testing.T, e *apitest.Env, token string, examID int64, qs []question, right ...bool) attempt {
	t.Helper()
	a := start(t, e, token, examID)
	byQ := byID(qs)
	for i, q := range qs {
		ans := q.Answer
		if !right[i] {
			ans = wrong(t, byQ[q.ID], nil)
		}
		require.Equal(t, http.StatusOK, save(e, token, a.ID, q.ID, ans).Status)
	}
	return submit(t, e, token, a.ID)
}

// A hand-computed case. Audience: leader and general learners of 华阳镇 and 临溪镇 (张伟, 王芳,
// 李娜 in 华阳; 刘洋, 陈静 in 临溪). Two judge questions of 5 points, pass 6.
//
//	张伟 q1 ✓ q2 ✓ = 10 (pass)   王芳 q1 ✗ q2 ✓ = 5   李娜 q1 ✗ q2 ✓ = 5   刘洋 q1 ✓ q2 ✗ = 5   陈静 absent
//
// 华阳: expected 3, took 3, passed 1, absent 0, participation 1, pass rate 1/3, average 20/3.
// 临溪: expected 2, took 1, passed 0, absent 1, participation 0.5, pass rate 0, average 5.
// Total: 5, 4, 1, 1, 0.8, 0.25, 25/4. Distribution: 90-100 one, 0-59 three.
// Ranking 张伟 10, then the fives by learner id (王芳, 李娜, 刘洋); 27% of 4 rounds to one
// learner per group: upper 张伟, lower 刘洋.
// q1: facility 2/4 = 0.5, discrimination 1 − 1 = 0; q2: facility 3/4 = 0.75, discrimination 1 − 0 = 1.
func TestStatsHandComputed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		body := examBody(t, e, ids(qs), func(b map[string]any) {
			b["audience_tracks"] = []string{"leader", "general"}
			b["audience_unit_ids"] = []int64{e.UnitID("huayang"), e.UnitID("linxi")}
			b["blueprints"] = b["blueprints"].([]map[string]any)[:2]
			b["pass_score"] = 6
			b["shuffle_questions"] = false
			for _, bp := range b["blueprints"].([]map[string]any) {
				bp["sections"].([]map[string]any)[0]["points"] = 5
			}
		})
		id := publishedExam(t, e, body)
		sit(t, e, e.Token(zhangWei), id, qs, true, true)
		sit(t, e, e.Token(wangFang), id, qs, false, true)
		sit(t, e, e.Token(liNa), id, qs, false, true)
		sit(t, e, e.Token(liuYang), id, qs, true, false)
		// 杨磊 (judicial, 上庄) is outside the audience.
		resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/attempts", id), e.Token(yangLei), nil)
		assert.Equal(t, "exam.not_in_audience", resp.ErrorCode())

		admin := e.Token("admin")
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/stats", id), admin, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var st struct {
			Total        unitStats   `json:"total"`
			Units        []unitStats `json:"units"`
			Distribution []struct {
				Label string `json:"label"`
				Count int    `json:"count"`
			} `json:"distribution"`
			Questions []struct {
				QuestionID     int64    `json:"question_id"`
				Served         int      `json:"served"`
				Facility       float64  `json:"facility"`
				Discrimination *float64 `json:"discrimination"`
			} `json:"questions"`
		}
		resp.JSON(t, &st)
		assert.Equal(t, unitStats{UnitName: "", Expected: 5, Took: 4, Passed: 1, Absent: 1, Participation: 80, PassRate: 25, Average: 6.25}, st.Total)
		require.Len(t, st.Units, 2)
		assert.Equal(t, unitStats{UnitID: e.UnitID("huayang"), UnitName: "华阳镇", Expected: 3, Took: 3, Passed: 1, Absent: 0,
			Participation: 100, PassRate: 33.3, Average: 6.6667}, st.Units[0])
		assert.Equal(t, unitStats{UnitID: e.UnitID("linxi"), UnitName: "临溪镇", Expected: 2, Took: 1, Passed: 0, Absent: 1,
			Participation: 50, PassRate: 0, Average: 5}, st.Units[1])
		counts := map[string]int{}
		for _, b := range st.Distribution {
			counts[b.Label] = b.Count
		}
		assert.Equal(t, map[string]int{"0-59": 3, "60-69": 0, "70-79": 0, "80-89": 0, "90-100": 1}, counts)
		require.Len(t, st.Questions, 2)
		assert.Equal(t, qs[0].ID, st.Questions[0].QuestionID)
		assert.Equal(t, 4, st.Questions[0].Served)
		assert.Equal(t, 0.5, st.Questions[0].Facility)
		require.NotNil(t, st.Questions[0].Discrimination)
		assert.Equal(t, 0.0, *st.Questions[0].Discrimination)
		assert.Equal(t, 0.75, st.Questions[1].Facility)
		require.NotNil(t, st.Questions[1].Discrimination)
		assert.Equal(t, 1.0, *st.Questions[1].Discrimination)

		// Reading the statistics fed them to the question bank.
		assertBankStats(t, e, qs[0].ID, bankStats{ExamServed: 4, ExamFacility: ptr(0.5), Discrimination: ptr(0.0)})
		assertBankStats(t, e, qs[1].ID, bankStats{ExamServed: 4, ExamFacility: ptr(0.75), Discrimination: ptr(1.0)})

		// Results: filters and pages.
		results := func(query string) (int, []map[string]any) {
			resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results%s", id, query), admin, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			m := resp.Map(t)
			var items []map[string]any
			for _, it := range m["items"].([]any) {
				items = append(items, it.(map[string]any))
			}
			return int(m["total"].(float64)), items
		}
		total, items := results("")
		assert.Equal(t, 5, total)
		assert.Len(t, items, 5)
		total, items = results("?not_attempted=true")
		require.Equal(t, 1, total)
		assert.Equal(t, "陈静", items[0]["name"])
		assert.Equal(t, false, items[0]["attempted"])
		total, items = results("?passed=true")
		require.Equal(t, 1, total)
		assert.Equal(t, "张伟", items[0]["name"])
		assert.EqualValues(t, 10, items[0]["score"])
		total, _ = results(fmt.Sprintf("?unit_id=%d", e.UnitID("linxi")))
		assert.Equal(t, 2, total)
		total, items = results("?page=2&page_size=2")
		assert.Equal(t, 5, total)
		assert.Len(t, items, 2)

		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results?unit_id=%d", id, e.UnitID("sfj")), e.Token("huayang-admin"), nil)
		assert.Equal(t, http.StatusNotFound, resp.Status, "a township admin does not own the county's exam")
		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results?passed=maybe", id), admin, nil)
		assert.Equal(t, http.StatusBadRequest, resp.Status)

		resp = e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/results/export", id), admin, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		assert.Equal(t, sheet.ContentType, resp.Header.Get("Content-Type"))
		assert.Greater(t, len(resp.Body), 1000)
	})
}

type unitStats struct {
	UnitID        int64   `json:"unit_id"`
	UnitName      string  `json:"unit_name"`
	Expected      int     `json:"expected"`
	Took          int     `json:"took"`
	Passed        int     `json:"passed"`
	Absent        int     `json:"absent"`
	Participation float64 `json:"participation"`
	PassRate      float64 `json:"pass_rate"`
	Average       float64 `json:"average"`
}

// A make-up exam is for those who failed or missed the main one.
func TestMakeupEligibility(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		now := e.Clock.Now()
		main := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) {
			b["closes_at"] = now.Add(2 * time.Hour).Format(time.RFC3339)
			b["max_attempts"] = 1
			b["pass_score"] = 4
		}))
		makeup := publishedExam(t, e, examBody(t, e, ids(qs), func(b map[string]any) {
			b["title"] = "年度学法考试（补考）"
			b["main_exam_id"] = main
			b["pass_score"] = 4
			b["closes_at"] = now.Add(48 * time.Hour).Format(time.RFC3339)
		}))
		startCode := func(token string) string {
			return e.Call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/attempts", makeup), token, nil).ErrorCode()
		}
		zhang, li, chen := e.Token(zhangWei), e.Token(liNa), e.Token(chenJing)
		// 张伟 passes the main exam; 李娜 fails it; 陈静 has not sat it while it is open.
		sit(t, e, zhang, main, qs, true, true)
		sit(t, e, li, main, qs, true, false)
		assert.Equal(t, "exam.makeup_not_eligible", startCode(zhang), "passed the main exam")
		assert.Equal(t, "exam.makeup_not_eligible", startCode(chen), "the main exam is still open to them")
		resp := e.Call(http.MethodGet, "/api/v1/me/exams", li, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		for _, it := range resp.Map(t)["items"].([]any) {
			m := it.(map[string]any)
			assert.Equal(t, true, m["eligible"], "%v", m["title"])
		}
		a := sit(t, e, li, makeup, qs, true, true)
		assert.True(t, a.Result.Passed)

		// 王芳 starts the main exam and leaves without submitting.
		start(t, e, e.Token(wangFang), main)

		// Once the main window closes, 陈静 missed it and may sit the make-up.
		e.Clock.Advance(3 * time.Hour)
		start(t, e, fresh(e, chenJing), makeup)

		// 王芳's attempt ran out. Before the sweeper reaches it, her list grades it (blank:
		// failed), so the make-up is open to her.
		wang := fresh(e, wangFang)
		resp = e.Call(http.MethodGet, "/api/v1/me/exams", wang, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		for _, it := range resp.Map(t)["items"].([]any) {
			m := it.(map[string]any)
			switch int64(m["id"].(float64)) {
			case main:
				assert.Nil(t, m["active_attempt_id"], "the expired attempt is finalised")
				assert.EqualValues(t, 0, m["score"])
				assert.Equal(t, false, m["passed"])
			case makeup:
				assert.Equal(t, true, m["eligible"])
			}
		}
		start(t, e, wang, makeup)

		// The exam credit is earned once per exam line: 李娜's make-up pass earns it under the
		// main exam's id.
		var sources []string
		require.NoError(t, e.DB.Table("credit_ledger").Where("source = ? AND learner_id = ?", "exam", learnerOf(t, e, "李娜")).Pluck("source_id", &sources).Error)
		assert.Equal(t, []string{fmt.Sprint(main)}, sources)

		// A make-up of a make-up is refused.
		resp = e.Call(http.MethodPost, "/api/v1/exams", fresh(e, "admin"), examBody(t, e, ids(qs), func(b map[string]any) { b["main_exam_id"] = makeup }))
		assert.Equal(t, http.StatusUnprocessableEntity, resp.Status)
		assert.Contains(t, resp.ErrorFields(), "main_exam_id")
	})
}

type bankStats struct {
	ExamServed     int64    `json:"exam_served"`
	ExamFacility   *float64 `json:"exam_facility_index"`
	Discrimination *float64 `json:"discrimination_index"`
}

func ptr(v float64) *float64 { return &v }

// assertBankStats checks a question's exam figures in the question bank's item statistics.
func assertBankStats(t *testing.T, e *apitest.Env, questionID int64, want bankStats) {
	t.Helper()
	resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/questions/%d/stats", questionID), fresh(e, "admin"), nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var got bankStats
	resp.JSON(t, &got)
	assert.Equal(t, want, got, "question %d", questionID)
}

// Once an exam's window has closed (and the grace of its last attempts has run out), the
// sweeper feeds its question statistics to the bank, once; a second exam on the same
// questions adds its papers, weighted by how many each served.
//
//	exam A: 张伟 q1 ✓ q2 ✓ (2 of 2), 王芳 q1 ✗ q2 ✓ (1): upper 张伟, lower 王芳
//	        q1 facility 1/2, discrimination 1 − 0 = 1; q2 facility 1, discrimination 0
//	exam B: 李娜 q1 ✓ q2 ✗ alone: q1 facility 1, q2 facility 0, no discrimination (one learner)
//	bank:   q1 served 3, facility (0.5·2 + 1·1)/3 = 0.6667, discrimination 1 (exam A only)
//	        q2 served 3, facility (1·2 + 0·1)/3 = 0.6667, discrimination 0
func TestClosedExamsFeedTheQuestionBank(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "judge", 2)
		closing := func(b map[string]any) {
			b["closes_at"] = e.Clock.Now().Add(2 * time.Hour).Format(time.RFC3339)
			b["shuffle_questions"] = false
		}
		examA := publishedExam(t, e, examBody(t, e, ids(qs), closing))
		examB := publishedExam(t, e, examBody(t, e, ids(qs), closing))
		sit(t, e, e.Token(zhangWei), examA, qs, true, true)
		sit(t, e, e.Token(wangFang), examA, qs, false, true)
		sit(t, e, e.Token(liNa), examB, qs, true, false)

		fed, err := e.App.Exams.FeedClosedExams(t.Context())
		require.NoError(t, err)
		assert.Zero(t, fed, "the windows are still open")
		assertBankStats(t, e, qs[0].ID, bankStats{})

		// An admin reading A's statistics just after the close, before the sweeper's last
		// gradings, feeds the bank but does not stand in for the feed after the close.
		e.Clock.Advance(2*time.Hour + time.Second)
		resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/exams/%d/stats", examA), fresh(e, "admin"), nil)
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))

		e.Clock.Advance(exam.DefaultGrace)
		fed, err = e.App.Exams.FeedClosedExams(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 2, fed)
		assertBankStats(t, e, qs[0].ID, bankStats{ExamServed: 3, ExamFacility: ptr(0.6667), Discrimination: ptr(1)})
		assertBankStats(t, e, qs[1].ID, bankStats{ExamServed: 3, ExamFacility: ptr(0.6667), Discrimination: ptr(0)})

		fed, err = e.App.Exams.FeedClosedExams(t.Context())
		require.NoError(t, err)
		assert.Zero(t, fed, "each exam is fed once after it closes")
	})
}
