package yearend_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/yearend"
)

var computeTargets = map[string]credit.Amount{"leader": credit.Credits(40, 0), "general": credit.Credits(30, 0), "judicial": credit.Credits(0, 0)}

func examFormula(weight int, pass int64) yearend.Formula {
	id := int64(7)
	return yearend.Formula{CampaignID: 1, ExamWeight: weight, ExamID: &id, PassScore: credit.Credits(pass, 0), ExemptTargetPercent: 50}
}

func sat(score, maxScore float64) *yearend.ExamFacts {
	return &yearend.ExamFacts{ExamID: 7, Score: score, MaxScore: maxScore, Passed: score >= maxScore*0.6}
}

func TestCompute(t *testing.T) {
	general := func(credits credit.Amount) yearend.Facts {
		return yearend.Facts{LearnerID: 3, Track: "general", Summary: credit.Summary{Total: credits, Study: credits}}
	}
	with := func(f yearend.Facts, mod func(*yearend.Facts)) yearend.Facts { mod(&f); return f }
	cases := []struct {
		name    string
		formula yearend.Formula
		facts   yearend.Facts
		target  credit.Amount
		score   credit.Amount
		met     bool
		status  yearend.Status
	}{
		{"default: target reached", yearend.DefaultFormula(1), general(credit.Credits(30, 0)), credit.Credits(30, 0), 10000, true, yearend.StatusMet},
		{"default: over the target counts as 100", yearend.DefaultFormula(1), general(credit.Credits(45, 0)), credit.Credits(30, 0), 10000, true, yearend.StatusMet},
		{"default: half the target", yearend.DefaultFormula(1), general(credit.Credits(15, 0)), credit.Credits(30, 0), 5000, false, yearend.StatusNotMet},
		{"default: one hundredth short is not met", yearend.DefaultFormula(1), general(credit.Credits(29, 99)), credit.Credits(30, 0), 9997, false, yearend.StatusNotMet},
		{"target 0 counts as met", yearend.DefaultFormula(1), with(general(0), func(f *yearend.Facts) { f.Track = "judicial" }), 0, 10000, true, yearend.StatusMet},
		{"nothing earned", yearend.DefaultFormula(1), general(0), credit.Credits(30, 0), 0, false, yearend.StatusNotMet},
		{"thirds round down", yearend.DefaultFormula(1), general(credit.Credits(10, 0)), credit.Credits(30, 0), 3333, false, yearend.StatusNotMet},
		{"two thirds round up", yearend.DefaultFormula(1), general(credit.Credits(20, 0)), credit.Credits(30, 0), 6667, false, yearend.StatusNotMet},
		// 24/30 × 60 = 48, 86/100 × 40 = 34.4
		{"credits and exam", examFormula(40, 60), with(general(credit.Credits(24, 0)), func(f *yearend.Facts) { f.Exam = sat(86, 100) }), credit.Credits(30, 0), 8240, true, yearend.StatusMet},
		// 30/30 × 70 = 70, 87.5/120 × 30 = 21.875: 91.875 → 91.88 (rounded once, half up)
		{"REAL exam score out of 120", examFormula(30, 60), with(general(credit.Credits(30, 0)), func(f *yearend.Facts) { f.Exam = sat(87.5, 120) }), credit.Credits(30, 0), 9188, true, yearend.StatusMet},
		// 1/8 × 1 point = 0.125 → 0.13: half up
		{"half rounds up", examFormula(1, 60), with(general(0), func(f *yearend.Facts) { f.Exam = sat(12.5, 100) }), credit.Credits(30, 0), 13, false, yearend.StatusNotMet},
		{"below the pass mark", examFormula(50, 60), with(general(credit.Credits(15, 0)), func(f *yearend.Facts) { f.Exam = sat(60, 100) }), credit.Credits(30, 0), 5500, false, yearend.StatusNotMet},
		{"exactly the pass mark", examFormula(50, 60), with(general(credit.Credits(18, 0)), func(f *yearend.Facts) { f.Exam = sat(60, 100) }), credit.Credits(30, 0), 6000, true, yearend.StatusMet},
		{"exam only", examFormula(100, 60), with(general(0), func(f *yearend.Facts) { f.Exam = sat(75, 100) }), credit.Credits(30, 0), 7500, true, yearend.StatusMet},
		{"absent: never met, credit part still scored", examFormula(40, 60), general(credit.Credits(30, 0)), credit.Credits(30, 0), 6000, false, yearend.StatusAbsent},
		{"exam of no points counts 0", examFormula(40, 10), with(general(credit.Credits(30, 0)), func(f *yearend.Facts) { f.Exam = sat(0, 0) }), credit.Credits(30, 0), 6000, true, yearend.StatusMet},
		{"exam named with weight 0: recorded, not required", examFormula(0, 100), general(credit.Credits(30, 0)), credit.Credits(30, 0), 10000, true, yearend.StatusMet},
		// exempt: target 30 × 50 % = 15, scored on credits only: 12/15 = 80
		{"exempt and met", examFormula(40, 60), with(general(credit.Credits(12, 0)), func(f *yearend.Facts) { f.Exempt = true }), credit.Credits(15, 0), 8000, true, yearend.StatusExempt},
		{"exempt: the exam sat does not count", examFormula(40, 60), with(general(credit.Credits(6, 0)), func(f *yearend.Facts) { f.Exempt, f.Exam = true, sat(100, 100) }), credit.Credits(15, 0), 4000, false, yearend.StatusExempt},
		// exempt target 40 × 33 % = 13.2
		{"exempt target rounds", with2(examFormula(40, 60), 33), with(general(credit.Credits(13, 20)), func(f *yearend.Facts) { f.Track, f.Exempt = "leader", true }), credit.Credits(13, 20), 10000, true, yearend.StatusExempt},
		{"negative total counts as nothing", yearend.DefaultFormula(1), general(-100), credit.Credits(30, 0), 0, false, yearend.StatusNotMet},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := yearend.Compute(c.formula, 1, computeTargets, c.facts)
			assert.Equal(t, c.target, r.Target, "target")
			assert.Equal(t, c.score, r.Score, "score %s", r.Score)
			assert.Equal(t, c.met, r.Met, "met")
			assert.Equal(t, c.status, r.Status, "status")
			assert.Equal(t, c.facts.Exam != nil, r.ExamID != nil, "the exam sat is recorded whatever it counts for")
			assert.Zero(t, r.CloseNo, "computed results are live")
			assert.Equal(t, r, yearend.Compute(c.formula, 1, computeTargets, c.facts), "pure: same facts, same result")
		})
	}
}

func with2(f yearend.Formula, exemptPercent int) yearend.Formula {
	f.ExemptTargetPercent = exemptPercent
	return f
}

func TestComputeCopiesFacts(t *testing.T) {
	in := yearend.Facts{LearnerID: 9, UnitID: 4, UnitPath: "/1/4/", Name: "张伟", Track: "general", EventsAttended: 3, LawReports: 1,
		Summary: credit.Summary{Total: 1900, Study: 1000, Practice: 200, Exam: 300, Event: 400, Quiz: 0, Adjustment: 0},
		Exam:    &yearend.ExamFacts{ExamID: 8, Score: 70, MaxScore: 100, Passed: true}}
	r := yearend.Compute(examFormula(40, 60), 5, computeTargets, in)
	assert.Equal(t, int64(5), r.CampaignID)
	assert.Equal(t, []any{int64(9), int64(4), "/1/4/", "张伟", "general", 3, 1}, []any{r.LearnerID, r.UnitID, r.UnitPath, r.LearnerName, r.Track, r.EventsAttended, r.LawReports})
	assert.Equal(t, []credit.Amount{1900, 1000, 200, 300, 400, 0, 0}, []credit.Amount{r.Credits, r.Study, r.Practice, r.ExamCredits, r.EventCredits, r.Quiz, r.Adjustment})
	require.NotNil(t, r.ExamID)
	assert.Equal(t, int64(8), *r.ExamID, "a make-up's id when the make-up counted")
	assert.Equal(t, 70.0, *r.ExamScore)
	assert.True(t, *r.ExamPassed)
}

func TestExplain(t *testing.T) {
	f := examFormula(40, 60)
	cases := []struct {
		name  string
		facts yearend.Facts
		want  []string
	}{
		{"sat the main exam", yearend.Facts{Track: "general", Summary: credit.Summary{Total: 2400, Study: 2400}, Exam: sat(86, 100)},
			[]string{"学分完成度 × 60 + 考试得分率 × 40", "普及类学分目标 30 学分，已得 24 学分（学习 24，", "完成度 80.0%",
				"日常学法部分：完成度 × 60 = 48 分", "计入主考（考试编号 7）成绩 86 / 100 分，及格；得分率 × 40 = 34.4 分",
				"年度成绩 82.4 分", "合格线 60 分：达标"}},
		{"make-up counted", yearend.Facts{Track: "general", Summary: credit.Summary{Total: 1500}, Exam: &yearend.ExamFacts{ExamID: 9, Score: 50, MaxScore: 100}},
			[]string{"计入补考（考试编号 9）成绩 50 / 100 分，未及格", "未达标（还差 10 分）"}},
		{"absent", yearend.Facts{Track: "leader", Summary: credit.Summary{Total: 5000}},
			[]string{"领航类学分目标 40 学分", "（超过目标按 100% 计）", "未参加考试", "未参考"}},
		{"exempt", yearend.Facts{Track: "general", Exempt: true, Summary: credit.Summary{Total: 1500}, Exam: sat(90, 100)},
			[]string{"已免考，学分目标按普及类目标的 50% 计为 15 学分", "免考，不计考试（计入主考", "仅作记录", "免考，已达到免考目标（达标）"}},
		{"target 0", yearend.Facts{Track: "judicial"}, []string{"为 0，视为已完成"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := yearend.Explain(f, yearend.Compute(f, 1, computeTargets, c.facts))
			all := strings.Join(lines, "\n")
			for _, w := range c.want {
				assert.Contains(t, all, w)
			}
			for _, l := range lines {
				assert.NotContains(t, l, "%!", "no formatting mistakes")
			}
		})
	}
	plain := yearend.Explain(yearend.DefaultFormula(1), yearend.Compute(yearend.DefaultFormula(1), 1, computeTargets, yearend.Facts{Track: "general"}))
	assert.Contains(t, plain[0], "学分完成度 × 100（不计考试），合格线 100 分")
	assert.Contains(t, strings.Join(plain, ""), "本活动的年度成绩不计考试")
}
