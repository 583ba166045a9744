package yearend

import (
	"strconv"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// reportQuery picks the unit of a report or export (default: the caller's unit).
type reportQuery struct {
	UnitID int64 `form:"unit_id" binding:"omitempty,min=1"`
}

// ReportUnitView is one unit's line of a year report.
type ReportUnitView struct {
	UnitID   int64  `json:"unit_id" example:"2"`
	UnitName string `json:"unit_name" example:"华阳镇"`
	// Direct marks the line of the learners attached to the report's unit itself.
	Direct bool `json:"direct" example:"false"`
	// Rank among the sub-units by 达标率, then 平均学分 (equal units share a rank); null for the
	// total, the direct line and sub-units without learners.
	Rank         *int          `json:"rank" example:"1" extensions:"x-nullable"`
	Learners     int           `json:"learners" example:"120"`     // 应参学
	Participants int           `json:"participants" example:"118"` // 参学: with any credit
	Met          int           `json:"met" example:"110"`          // 达标
	MetRate      float64       `json:"met_rate" example:"91.6"`    // 达标率, percent, one decimal
	AvgCredits   credit.Amount `json:"average_credits" swaggertype:"number" multipleOf:"0.01" example:"28.5"`
	AvgScore     credit.Amount `json:"average_score" swaggertype:"number" multipleOf:"0.01" example:"86.25"`
	// Exam figures (all 0 / null when the formula counts no exam): 应参考 (not exempt), 参考 (sat
	// the main exam or a make-up), 通过, 未参加, 及格率 = 通过 / 参考, 平均分 (100-point scale).
	ExamExpected int      `json:"exam_expected" example:"115"`
	ExamSat      int      `json:"exam_sat" example:"112"`
	ExamPassed   int      `json:"exam_passed" example:"108"`
	ExamAbsent   int      `json:"exam_absent" example:"3"`
	PassRate     *float64 `json:"pass_rate" example:"96.4" extensions:"x-nullable"`
	AvgExamScore *float64 `json:"average_exam_score" example:"84.5" extensions:"x-nullable"`
} // @name YearReportUnit

// ReportView is a unit's year report of a campaign.
type ReportView struct {
	CampaignID   int64  `json:"campaign_id" example:"1"`
	CampaignName string `json:"campaign_name" example:"第九个机关集中学法月"`
	UnitID       int64  `json:"unit_id" example:"1"`
	UnitName     string `json:"unit_name" example:"绩溪县"`
	// CloseNo is the close whose snapshot the figures come from; 0: live ("if the year ended now").
	CloseNo int `json:"close_no" example:"1"`
	// Frozen is true when the figures are a close's snapshot.
	Frozen bool `json:"frozen" example:"true"`
	// AsOf is when the snapshot was finished, or when the live figures were computed.
	AsOf time.Time `json:"as_of" format:"date-time"`
	// Formula is the one the figures follow (the close's, once frozen).
	Formula FormulaView `json:"formula"`
	// ExamCounted: the formula counts an exam (else the exam figures are 0 and null).
	ExamCounted bool `json:"exam_counted" example:"true"`
	// Total is the unit's whole subtree.
	Total ReportUnitView `json:"total"`
	// Direct is the learners attached to the unit itself (null when there are none).
	Direct *ReportUnitView `json:"direct" extensions:"x-nullable"`
	// SubUnits are the direct sub-units, each over its whole subtree, best ranked first.
	SubUnits []ReportUnitView `json:"sub_units"`
} // @name YearReport

func toReportUnitView(f Figures) ReportUnitView {
	return ReportUnitView{UnitID: f.UnitID, UnitName: f.UnitName, Direct: f.Direct, Rank: httpx.NullIfZero(f.Rank),
		Learners: f.Learners, Participants: f.Participants, Met: f.Met, MetRate: f.MetRate(),
		AvgCredits: f.AverageCredits(), AvgScore: f.AverageScore(), ExamExpected: f.ExamExpected, ExamSat: f.ExamSat,
		ExamPassed: f.ExamPassed, ExamAbsent: f.ExamAbsent(), PassRate: f.PassRate(), AvgExamScore: f.AverageExamScore()}
}

func toReportView(r Report) ReportView {
	v := ReportView{CampaignID: r.Campaign.ID, CampaignName: r.Campaign.Name, UnitID: r.Unit.ID, UnitName: r.Unit.Name,
		Frozen: r.Frozen(), CloseNo: r.CloseNo, AsOf: r.AsOf, Formula: toFormulaView(r.Formula),
		ExamCounted: r.ExamCounted(), Total: toReportUnitView(r.Total), SubUnits: httpx.Map(r.SubUnits, toReportUnitView)}
	if r.Direct != nil {
		d := toReportUnitView(*r.Direct)
		v.Direct = &d
	}
	return v
}

// RecordCertificateView is the certificate issued for a year (verify it at
// GET /api/v1/certificates/{code}).
type RecordCertificateView struct {
	Code      string     `json:"code" example:"7K3M9Q2XH4TZ8B1R"`
	Revoked   bool       `json:"revoked" example:"false"`
	RevokedAt *time.Time `json:"revoked_at" format:"date-time" extensions:"x-nullable"`
} // @name LearningRecordCertificate

// RecordYearView is one campaign (year) of a learner's 学法档案, as its close froze it.
type RecordYearView struct {
	CampaignID   int64      `json:"campaign_id" example:"1"`
	CampaignName string     `json:"campaign_name" example:"第九个机关集中学法月"`
	Year         int        `json:"year" example:"2026"`
	StartDate    string     `json:"start_date" format:"date" example:"2026-11-01"`
	EndDate      string     `json:"end_date" format:"date" example:"2026-11-30"`
	CloseNo      int        `json:"close_no" example:"1"`
	ClosedAt     *time.Time `json:"closed_at" format:"date-time" extensions:"x-nullable"`
	// UnitID is the learner's unit at the close; UnitName its current name.
	UnitID         int64         `json:"unit_id" example:"2"`
	UnitName       string        `json:"unit_name" example:"华阳镇"`
	Track          string        `json:"track" enums:"leader,general,judicial" example:"general"`
	Exempt         bool          `json:"exempt" example:"false"`
	Target         credit.Amount `json:"target" swaggertype:"number" multipleOf:"0.01" example:"30"`
	Credits        credit.Amount `json:"credits" swaggertype:"number" multipleOf:"0.01" example:"32.5"`
	Study          credit.Amount `json:"study" swaggertype:"number" multipleOf:"0.01" example:"20"`
	Practice       credit.Amount `json:"practice" swaggertype:"number" multipleOf:"0.01" example:"4.5"`
	ExamCredits    credit.Amount `json:"exam_credits" swaggertype:"number" multipleOf:"0.01" example:"5"`
	EventCredits   credit.Amount `json:"event_credits" swaggertype:"number" multipleOf:"0.01" example:"2"`
	Quiz           credit.Amount `json:"quiz" swaggertype:"number" multipleOf:"0.01" example:"1"`
	Adjustment     credit.Amount `json:"adjustment" swaggertype:"number" multipleOf:"0.01" example:"0"`
	EventsAttended int           `json:"events_attended" example:"2"`
	LawReports     int           `json:"law_reports" example:"0"`
	ExamID         *int64        `json:"exam_id" example:"4" extensions:"x-nullable"`
	ExamScore      *float64      `json:"exam_score" example:"88" extensions:"x-nullable"`
	ExamMaxScore   *float64      `json:"exam_max_score" example:"100" extensions:"x-nullable"`
	ExamPassed     *bool         `json:"exam_passed" example:"true" extensions:"x-nullable"`
	Score          credit.Amount `json:"score" swaggertype:"number" multipleOf:"0.01" example:"92.8"`
	Met            bool          `json:"met" example:"true"`
	Status         Status        `json:"status" enums:"met,not_met,absent,exempt" example:"met"`
	StatusLabel    string        `json:"status_label" example:"达标"`
	// Certificate issued for the year (null: none, e.g. the target was not met).
	Certificate *RecordCertificateView `json:"certificate" extensions:"x-nullable"`
} // @name LearningRecordYear

// RecordView is a learner's 学法档案: one line per closed campaign, newest first.
type RecordView struct {
	LearnerID   int64            `json:"learner_id" example:"3"`
	LearnerName string           `json:"learner_name" example:"张伟"`
	Items       []RecordYearView `json:"items"`
	httpx.ListMeta
} // @name LearningRecord

func toRecordYearView(r RecordRow) RecordYearView {
	year, _ := strconv.Atoi(r.StartDate[:min(4, len(r.StartDate))])
	v := RecordYearView{CampaignID: r.CampaignID, CampaignName: r.CampaignName, Year: year, StartDate: r.StartDate,
		EndDate: r.EndDate, CloseNo: r.CloseNo, ClosedAt: r.ClosedAt, UnitID: r.UnitID, UnitName: r.UnitName, Track: r.Track,
		Exempt: r.Exempt, Target: r.Target, Credits: r.Credits, Study: r.Study, Practice: r.Practice, ExamCredits: r.ExamCredits,
		EventCredits: r.EventCredits, Quiz: r.Quiz, Adjustment: r.Adjustment, EventsAttended: r.EventsAttended,
		LawReports: r.LawReports, ExamID: r.ExamID, ExamScore: r.ExamScore, ExamMaxScore: r.ExamMaxScore,
		ExamPassed: r.ExamPassed, Score: r.Score, Met: r.Met, Status: r.Status, StatusLabel: r.Status.Label()}
	if r.CertificateCode != nil {
		v.Certificate = &RecordCertificateView{Code: *r.CertificateCode, Revoked: r.CertificateRevoked != nil, RevokedAt: r.CertificateRevoked}
	}
	return v
}

func toRecordView(r Record) RecordView {
	return RecordView{LearnerID: r.Learner.ID, LearnerName: r.Learner.Name, Items: httpx.Map(r.Years, toRecordYearView),
		ListMeta: httpx.WholeMeta(len(r.Years))}
}
