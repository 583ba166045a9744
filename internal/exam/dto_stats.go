package exam

import (
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

type resultsQuery struct {
	UnitID       int64  `form:"unit_id" binding:"omitempty,min=1"`
	Passed       string `form:"passed" binding:"omitempty,oneof=true false"`
	NotAttempted bool   `form:"not_attempted"`
}

func (q resultsQuery) toInput(p httpx.Page) ResultsInput {
	in := ResultsInput{UnitID: q.UnitID, NotStarted: q.NotAttempted, Offset: p.Offset(), Limit: p.Size}
	if q.Passed != "" {
		v := q.Passed == "true"
		in.Passed = &v
	}
	return in
}

// ResultView is one learner of the exam's audience and their counted result (no score: not
// attempted yet).
type ResultView struct {
	LearnerID int64    `json:"learner_id" example:"4"`
	Name      string   `json:"name" example:"张伟"`
	UnitID    int64    `json:"unit_id" example:"2"`
	UnitName  string   `json:"unit_name" example:"华阳镇"`
	Track     string   `json:"track" enums:"leader,general,judicial" example:"general"`
	Attempted bool     `json:"attempted" example:"true"`
	Attempts  int      `json:"attempts" example:"1"`
	Score     *float64 `json:"score" example:"86" extensions:"x-nullable"`
	MaxScore  *float64 `json:"max_score" example:"100" extensions:"x-nullable"`
	Passed    bool     `json:"passed" example:"true"`
} // @name ExamResult

func toResultView(r ResultRow) ResultView {
	v := ResultView{LearnerID: r.LearnerID, Name: r.Name, UnitID: r.UnitID, UnitName: r.UnitName, Track: r.Track,
		Attempted: r.Score != nil, Score: r.Score, MaxScore: r.MaxScore, Passed: r.Passed != nil && *r.Passed}
	if r.Attempts != nil {
		v.Attempts = *r.Attempts
	}
	return v
}

// ResultList is a page of results.
type ResultList struct {
	Items []ResultView `json:"items"`
	httpx.ListMeta
} // @name ExamResultList

type statsQuery struct {
	UnitID int64 `form:"unit_id" binding:"omitempty,min=1"`
}

// UnitStatsView is one unit's figures: 应参考 expected, 参考 took, 通过 passed, 未参加 absent;
// participation = took/expected and pass_rate = passed/took as percents (0–100, one decimal,
// like every rate of the API), average of counted scores.
type UnitStatsView struct {
	UnitID        int64   `json:"unit_id" example:"2"`
	UnitName      string  `json:"unit_name" example:"华阳镇"`
	Expected      int     `json:"expected" example:"30"`
	Took          int     `json:"took" example:"28"`
	Passed        int     `json:"passed" example:"26"`
	Absent        int     `json:"absent" example:"2"`
	Participation float64 `json:"participation" example:"93.3" minimum:"0" maximum:"100"`
	PassRate      float64 `json:"pass_rate" example:"92.8" minimum:"0" maximum:"100"`
	Average       float64 `json:"average" example:"84.5"`
} // @name ExamUnitStats

// BandView is a score band by percent of full marks.
type BandView struct {
	Label string `json:"label" example:"90-100"`
	Count int    `json:"count" example:"12"`
} // @name ExamScoreBand

// QuestionStatsView is one question's item statistics.
type QuestionStatsView struct {
	QuestionID     int64    `json:"question_id" example:"12"`
	Stem           string   `json:"stem" example:"中华人民共和国的根本制度是（ ）。"`
	Served         int      `json:"served" example:"28"`
	Facility       float64  `json:"facility" example:"0.75"`
	Discrimination *float64 `json:"discrimination" example:"0.5" extensions:"x-nullable"`
} // @name ExamQuestionStats

// StatsView is an exam's statistics.
type StatsView struct {
	ExamID       int64               `json:"exam_id" example:"3"`
	Total        UnitStatsView       `json:"total"`
	Units        []UnitStatsView     `json:"units"`
	Distribution []BandView          `json:"distribution"`
	Questions    []QuestionStatsView `json:"questions"`
} // @name ExamStats

func toUnitStatsView(u UnitStats) UnitStatsView {
	return UnitStatsView{UnitID: u.UnitID, UnitName: u.UnitName, Expected: u.Expected, Took: u.Took, Passed: u.Passed,
		Absent: u.Absent, Participation: percent(u.Participation), PassRate: percent(u.PassRate), Average: u.Average}
}

// percent turns a share (0–1) into the API's percent: one decimal, cut not rounded, as every
// other rate (2 of 3 is 66.6).
func percent(share float64) float64 { return float64(int64(share*1000+1e-9)) / 10 }

func toStatsView(s Stats) StatsView {
	v := StatsView{ExamID: s.ExamID, Total: toUnitStatsView(s.Total), Units: httpx.Map(s.Units, toUnitStatsView),
		Distribution: make([]BandView, len(s.Distribution)), Questions: make([]QuestionStatsView, len(s.Questions))}
	for i, b := range s.Distribution {
		v.Distribution[i] = BandView{Label: b.Label, Count: b.Count}
	}
	for i, q := range s.Questions {
		v.Questions[i] = QuestionStatsView{QuestionID: q.QuestionID, Stem: q.Stem, Served: q.Served, Facility: q.Facility, Discrimination: q.Discrimination}
	}
	return v
}
