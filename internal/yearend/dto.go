package yearend

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// FormulaView is a campaign's formula for the 年度成绩.
type FormulaView struct {
	CampaignID int64 `json:"campaign_id" example:"1"`
	// ExamWeight is the exam's share of the score in percent (p); 0: credits only.
	ExamWeight int `json:"exam_weight" example:"50"`
	// ExamID is the main exam that counts (the best of it and its make-ups); null: none.
	ExamID *int64 `json:"exam_id" example:"3" extensions:"x-nullable"`
	// PassScore is the year's pass mark on the 0–100 scale.
	PassScore credit.Amount `json:"pass_score" swaggertype:"number" multipleOf:"0.01" example:"60"`
	// ExemptTargetPercent is the share of the track's credit target an exempt learner must reach.
	ExemptTargetPercent int `json:"exempt_target_percent" example:"50"`
	// UpdatedBy and UpdatedAt say who set the formula and when; both null for the default
	// formula of a campaign that set none (credits only, pass mark 100) and for a formula a
	// close froze.
	UpdatedBy *int64     `json:"updated_by" example:"2" extensions:"x-nullable"`
	UpdatedAt *time.Time `json:"updated_at" format:"date-time" extensions:"x-nullable"`
} // @name YearFormula

// FormulaRequest sets a campaign's formula (every field; a PUT replaces the formula).
type FormulaRequest struct {
	ExamWeight          int           `json:"exam_weight" example:"50" minimum:"0" maximum:"100" validate:"optional"`
	ExamID              *int64        `json:"exam_id" example:"3" validate:"optional" extensions:"x-nullable"`
	PassScore           credit.Amount `json:"pass_score" swaggertype:"number" multipleOf:"0.01" minimum:"0" maximum:"100" example:"60"`
	ExemptTargetPercent int           `json:"exempt_target_percent" example:"50" minimum:"1" maximum:"100"`
} // @name YearFormulaRequest

func (r FormulaRequest) toInput() FormulaInput {
	return FormulaInput{ExamWeight: r.ExamWeight, ExamID: r.ExamID, PassScore: r.PassScore, ExemptTargetPercent: r.ExemptTargetPercent}
}

func toFormulaView(f Formula) FormulaView {
	v := FormulaView{CampaignID: f.CampaignID, ExamWeight: f.ExamWeight, ExamID: f.ExamID, PassScore: f.PassScore,
		ExemptTargetPercent: f.ExemptTargetPercent, UpdatedBy: f.UpdatedBy}
	if !f.UpdatedAt.IsZero() {
		at := f.UpdatedAt
		v.UpdatedAt = &at
	}
	return v
}

// ExemptionView is one learner's exemption from a campaign's exam (免考).
type ExemptionView struct {
	CampaignID  int64     `json:"campaign_id" example:"1"`
	LearnerID   int64     `json:"learner_id" example:"12"`
	LearnerName string    `json:"learner_name" example:"张三"`
	UnitID      int64     `json:"unit_id" example:"4"`
	UnitName    string    `json:"unit_name" example:"华阳镇"`
	Reason      string    `json:"reason" example:"驻村工作"`
	CreatedBy   *int64    `json:"created_by" example:"2" extensions:"x-nullable"`
	CreatedAt   time.Time `json:"created_at" format:"date-time"`
} // @name YearExemption

// ExemptionList is a page of exemptions.
type ExemptionList struct {
	Items []ExemptionView `json:"items"`
	httpx.ListMeta
} // @name YearExemptionList

// ExemptionRequest exempts a learner.
type ExemptionRequest struct {
	Reason string `json:"reason" binding:"required,max=200" example:"驻村工作"`
} // @name YearExemptionRequest

func toExemptionView(r ExemptionRow) ExemptionView {
	return ExemptionView{CampaignID: r.CampaignID, LearnerID: r.LearnerID, LearnerName: r.LearnerName, UnitID: r.UnitID,
		UnitName: r.UnitName, Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

// exemptionInput is the input of an exemption write: the campaign's path id, the learner's,
// then (PUT only) the body.
type exemptionInput struct {
	ID, LearnerID int64
	Body          ExemptionRequest
}

// Bind reads the path ids ("id", then "learner_id") and then the body.
func (in *exemptionInput) Bind(c *gin.Context) (err error) {
	if err = in.bindIDs(c); err != nil {
		return err
	}
	return httpx.BindJSON(c, &in.Body)
}

func (in *exemptionInput) bindIDs(c *gin.Context) (err error) {
	if in.ID, err = httpx.PathID(c, "id"); err != nil {
		return err
	}
	in.LearnerID, err = httpx.PathID(c, "learner_id")
	return err
}

// exemptionIDs is the input of a withdrawal: the two path ids, no body.
type exemptionIDs struct{ exemptionInput }

// Bind reads the path ids ("id", then "learner_id").
func (in *exemptionIDs) Bind(c *gin.Context) error { return in.bindIDs(c) }

// ResultExam is the exam that counted in a result (main exam or make-up, best score).
type ResultExam struct {
	ExamID   int64   `json:"exam_id" example:"3"`
	Score    float64 `json:"score" example:"86"`
	MaxScore float64 `json:"max_score" example:"100"`
	Passed   bool    `json:"passed" example:"true"`
} // @name YearResultExam

// ResultCredits are a result's credits by source.
type ResultCredits struct {
	Total      credit.Amount `json:"total" swaggertype:"number" multipleOf:"0.01" example:"32.5"`
	Study      credit.Amount `json:"study" swaggertype:"number" multipleOf:"0.01" example:"20"`
	Practice   credit.Amount `json:"practice" swaggertype:"number" multipleOf:"0.01" example:"4.5"`
	Exam       credit.Amount `json:"exam" swaggertype:"number" multipleOf:"0.01" example:"5"`
	Event      credit.Amount `json:"event" swaggertype:"number" multipleOf:"0.01" example:"3"`
	Quiz       credit.Amount `json:"quiz" swaggertype:"number" multipleOf:"0.01" example:"0"`
	Adjustment credit.Amount `json:"adjustment" swaggertype:"number" multipleOf:"0.01" example:"0"`
} // @name YearResultCredits

// ResultView is one learner's year result.
type ResultView struct {
	LearnerID   int64  `json:"learner_id" example:"12"`
	LearnerName string `json:"learner_name" example:"张三"`
	UnitID      int64  `json:"unit_id" example:"4"`
	Track       string `json:"track" enums:"leader,general,judicial" example:"general"`
	Exempt      bool   `json:"exempt" example:"false"`
	// Target is the learner's credit target (lowered when exempt).
	Target         credit.Amount `json:"target" swaggertype:"number" multipleOf:"0.01" example:"30"`
	Credits        ResultCredits `json:"credits"`
	EventsAttended int           `json:"events_attended" example:"2"`
	LawReports     int           `json:"law_reports" example:"1"`
	// Exam is the counted exam; null when the learner sat neither the main exam nor a make-up.
	Exam *ResultExam `json:"exam" extensions:"x-nullable"`
	// Score is the 年度成绩 on a 0–100 scale, two decimals.
	Score       credit.Amount `json:"score" swaggertype:"number" multipleOf:"0.01" example:"91.5"`
	Met         bool          `json:"met" example:"true"`
	Status      Status        `json:"status" enums:"met,not_met,absent,exempt" example:"met"`
	StatusLabel string        `json:"status_label" example:"达标"`
} // @name YearResult

func toResultView(r Result) ResultView {
	v := ResultView{LearnerID: r.LearnerID, LearnerName: r.LearnerName, UnitID: r.UnitID, Track: r.Track, Exempt: r.Exempt,
		Target: r.Target, EventsAttended: r.EventsAttended, LawReports: r.LawReports, Score: r.Score, Met: r.Met,
		Status: r.Status, StatusLabel: r.Status.Label(),
		Credits: ResultCredits{Total: r.Credits, Study: r.Study, Practice: r.Practice, Exam: r.ExamCredits,
			Event: r.EventCredits, Quiz: r.Quiz, Adjustment: r.Adjustment}}
	if r.ExamID != nil && r.ExamScore != nil && r.ExamMaxScore != nil && r.ExamPassed != nil {
		v.Exam = &ResultExam{ExamID: *r.ExamID, Score: *r.ExamScore, MaxScore: *r.ExamMaxScore, Passed: *r.ExamPassed}
	}
	return v
}

// ResultList is a page of a campaign's results, frozen or live.
type ResultList struct {
	// CloseNo is the close whose snapshot the results are; 0: live ("if the year ended now").
	CloseNo int `json:"close_no" example:"1"`
	// Frozen is true when the results are a close's snapshot.
	Frozen bool `json:"frozen" example:"true"`
	// AsOf is when the snapshot was finished, or when the live results were computed.
	AsOf    time.Time    `json:"as_of" format:"date-time"`
	Formula FormulaView  `json:"formula"`
	Items   []ResultView `json:"items"`
	httpx.ListMeta
} // @name YearResultList

// resultsQuery filters the results.
type resultsQuery struct {
	UnitID int64  `form:"unit_id" binding:"omitempty,min=1"`
	Status Status `form:"status" binding:"omitempty,oneof=met not_met absent exempt"`
	Track  string `form:"track" binding:"omitempty,oneof=leader general judicial"`
}

func toResultList(p ResultPage, page httpx.Page) ResultList {
	return ResultList{CloseNo: p.CloseNo, Frozen: p.CloseNo > 0, AsOf: p.AsOf, Formula: toFormulaView(p.Formula),
		Items: httpx.Map(p.Items, toResultView), ListMeta: httpx.Meta(p.Total, page)}
}

// MyResultView is the learner's own year result with how it was obtained.
type MyResultView struct {
	CampaignID   int64       `json:"campaign_id" example:"1"`
	CampaignName string      `json:"campaign_name" example:"第九个机关集中学法月"`
	CloseNo      int         `json:"close_no" example:"0"`
	Frozen       bool        `json:"frozen" example:"false"`
	AsOf         time.Time   `json:"as_of" format:"date-time"`
	Formula      FormulaView `json:"formula"`
	Result       ResultView  `json:"result"`
	// Explanation says, line by line, how the score and status were obtained.
	Explanation []string `json:"explanation" example:"年度成绩 = 学分完成度 × 50 + 考试得分率 × 50（取主考与补考中的最高分），合格线 60 分；免考人员只按学分完成度计。"`
} // @name MyYearResult

// myResultQuery picks the campaign.
type myResultQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"omitempty,min=1"`
}

func toMyResultView(m MyResult) MyResultView {
	return MyResultView{CampaignID: m.Campaign.ID, CampaignName: m.Campaign.Name, CloseNo: m.CloseNo, Frozen: m.CloseNo > 0,
		AsOf: m.AsOf, Formula: toFormulaView(m.Formula), Result: toResultView(m.Result), Explanation: m.Explanation}
}
