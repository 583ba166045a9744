package yearend

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/credit"
)

// res builds a result for the aggregation tests: a learner at path with credits (whole), a
// 年度成绩 and whether they met the target; exam is nil (not sat) or {score, max, passed}.
type examSat struct {
	score, max float64
	passed     bool
}

func res(path string, credits int64, score int64, met, exempt bool, exam *examSat) Result {
	r := Result{UnitPath: path, Credits: credit.Amount(credits * 100), Score: credit.Amount(score * 100), Met: met, Exempt: exempt}
	if exam != nil {
		id := int64(9)
		r.ExamID, r.ExamScore, r.ExamMaxScore, r.ExamPassed = &id, &exam.score, &exam.max, &exam.passed
	}
	return r
}

func TestAggregateFigures(t *testing.T) {
	county := unitRef{ID: 1, Path: "/1/", Name: "绩溪县"}
	children := []unitRef{{ID: 2, Path: "/1/2/", Name: "华阳镇"}, {ID: 3, Path: "/1/3/", Name: "临溪镇"}, {ID: 4, Path: "/1/4/", Name: "上庄镇"}}
	results := []Result{
		// 华阳镇 and a village below it: 3 learners, 2 met, one exempt.
		res("/1/2/", 30, 95, true, false, &examSat{90, 100, true}),
		res("/1/2/7/", 10, 40, false, false, &examSat{25, 50, false}), // 50 on a 100 scale
		res("/1/2/", 0, 100, true, true, nil),
		// 临溪镇: 2 learners, 1 met, one absent from the exam.
		res("/1/3/", 20, 80, true, false, &examSat{70, 100, true}),
		res("/1/3/", 5, 10, false, false, nil),
		// attached to the county itself.
		res("/1/", 12, 60, true, false, &examSat{60, 100, true}),
		// a unit moved away since the close: named from names.
		res("/1/9/", 1, 1, false, false, nil),
		// outside the county: ignored.
		res("/5/", 100, 100, true, false, nil),
	}
	b := aggregate(county, children, map[int64]string{9: "原县教育局"}, results, true)

	total := b.Total
	assert.Equal(t, 7, total.Learners)
	assert.Equal(t, 6, total.Participants, "the exempt learner without credit did not take part")
	assert.Equal(t, 4, total.Met)
	assert.Equal(t, 57.1, total.MetRate(), "4/7 truncated to one decimal")
	assert.Equal(t, credit.Amount(1114), total.AverageCredits(), "78/7 = 11.142… truncated")
	assert.Equal(t, 6, total.ExamExpected, "the exempt learner is not expected")
	assert.Equal(t, 4, total.ExamSat)
	assert.Equal(t, 3, total.ExamPassed)
	assert.Equal(t, 2, total.ExamAbsent())
	require.NotNil(t, total.PassRate())
	assert.Equal(t, 75.0, *total.PassRate())
	require.NotNil(t, total.AverageExamScore())
	assert.Equal(t, 67.5, *total.AverageExamScore(), "(90+50+70+60)/4 on a 100-point scale")

	require.NotNil(t, b.Direct, "the county has a learner of its own")
	assert.Equal(t, 1, b.Direct.Learners)
	assert.True(t, b.Direct.Direct)

	require.Len(t, b.SubUnits, 4)
	byID := map[int64]Figures{}
	for _, f := range b.SubUnits {
		byID[f.UnitID] = f
	}
	hy := byID[2]
	assert.Equal(t, 3, hy.Learners, "the village counts in its township's subtree")
	assert.Equal(t, 2, hy.Met)
	assert.Equal(t, 2, hy.ExamExpected)
	assert.Equal(t, 2, hy.ExamSat)
	assert.Equal(t, 1, hy.ExamPassed)
	assert.Equal(t, 70.0, *hy.AverageExamScore())
	assert.Equal(t, "原县教育局", byID[9].UnitName)
	assert.Equal(t, 0, byID[4].Learners, "a township without learners still has a row")
	assert.Nil(t, byID[4].PassRate())
	assert.Nil(t, byID[4].AverageExamScore())

	// Ranking: 华阳镇 66.6 % > 临溪镇 50 % > 原县教育局 0 %; 上庄镇 has no learners: last, unranked.
	got := []int64{}
	ranks := []int{}
	for _, f := range b.SubUnits {
		got, ranks = append(got, f.UnitID), append(ranks, f.Rank)
	}
	assert.Equal(t, []int64{2, 3, 9, 4}, got)
	assert.Equal(t, []int{1, 2, 3, 0}, ranks)

	// Sub-unit rows and the direct row add up to the total.
	sum := b.Direct.Learners
	for _, f := range b.SubUnits {
		sum += f.Learners
	}
	assert.Equal(t, total.Learners, sum)
}

func TestAggregateWithoutExam(t *testing.T) {
	u := unitRef{ID: 2, Path: "/1/2/", Name: "华阳镇"}
	b := aggregate(u, nil, nil, []Result{res("/1/2/", 10, 100, true, false, &examSat{50, 100, false}), res("/1/2/", 0, 0, false, false, nil)}, false)
	assert.Equal(t, 2, b.Total.Learners)
	assert.Zero(t, b.Total.ExamExpected, "no exam counts: nobody is expected at one")
	assert.Zero(t, b.Total.ExamSat)
	assert.Nil(t, b.Total.PassRate())
	assert.Equal(t, 50.0, b.Total.MetRate())
	assert.Empty(t, b.SubUnits)
	require.NotNil(t, b.Direct)

	empty := aggregate(u, nil, nil, nil, true)
	assert.Zero(t, empty.Total.MetRate(), "no learners: rate 0, not a division by zero")
	assert.Zero(t, empty.Total.AverageCredits())
	assert.Nil(t, empty.Direct)
}

func TestRankUnits(t *testing.T) {
	f := func(id int64, learners, met int, credits int64) Figures {
		return Figures{UnitID: id, Learners: learners, Met: met, Credits: credit.Amount(credits)}
	}
	cases := []struct {
		name  string
		in    []Figures
		order []int64
		ranks []int
	}{
		{"by rate", []Figures{f(1, 4, 1, 0), f(2, 4, 3, 0), f(3, 4, 2, 0)}, []int64{2, 3, 1}, []int{1, 2, 3}},
		{"equal rate: by average credits", []Figures{f(1, 2, 1, 1000), f(2, 4, 2, 4000)}, []int64{2, 1}, []int{1, 2}},
		{"ties share a rank", []Figures{f(1, 2, 1, 1000), f(2, 4, 2, 2000), f(3, 1, 1, 0)}, []int64{3, 1, 2}, []int{1, 2, 2}},
		{"exact, not on rounded rates", []Figures{f(1, 3, 2, 0), f(2, 1000, 666, 0)}, []int64{1, 2}, []int{1, 2}},
		{"empty units last", []Figures{f(1, 0, 0, 0), f(2, 5, 0, 0)}, []int64{2, 1}, []int{1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rankUnits(c.in)
			ids, ranks := []int64{}, []int{}
			for _, x := range c.in {
				ids, ranks = append(ids, x.UnitID), append(ranks, x.Rank)
			}
			assert.Equal(t, c.order, ids)
			assert.Equal(t, c.ranks, ranks)
		})
	}
}

func TestChildOf(t *testing.T) {
	cases := []struct {
		parent, path string
		id           int64
		ok           bool
	}{
		{"/1/", "/1/2/", 2, true},
		{"/1/", "/1/2/17/", 2, true},
		{"/1/", "/1/", 0, false},
		{"/1/2/", "/1/2/30/", 30, true},
	}
	for _, c := range cases {
		id, ok := childOf(c.parent, c.path)
		assert.Equal(t, c.ok, ok, c.path)
		assert.Equal(t, c.id, id, c.path)
	}
}
