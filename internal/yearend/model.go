// Package yearend closes a campaign's year: the formula that turns a learner's credits and exam
// into a 年度成绩 and a status (达标 / 未达标 / 未参考 / 免考), the close-out that freezes every
// learner's result in a numbered snapshot, the unit reports built on those results, and the
// learner's 学法档案 (their results across campaigns). While a campaign runs, the same results are
// computed live, "as if the year ended today".
package yearend

import (
	"time"

	"github.com/xuefa/xuefa/internal/credit"
)

// Formula is a campaign's rule for the 年度成绩 (after 法宣在线's report schema):
//
//	score = [min(credits / target, 1) × (100 − exam_weight) + exam score / full score × exam_weight]
//
// on a 0–100 scale, in hundredths. A learner met the year's target (达标) when score ≥ pass_score
// and, if the formula counts an exam, they sat it (main exam or one of its make-ups, best score
// counts) or are exempt from it. Exempt learners (免考, e.g. 驻村/支教) are scored on credits only,
// against exempt_target_percent of their track's target.
//
// A campaign without a stored formula uses DefaultFormula: credits only, pass mark 100, so 达标
// means "reached the credit target", which is what the campaign's targets meant before formulas.
type Formula struct {
	CampaignID          int64 `gorm:"primaryKey;autoIncrement:false"`
	ExamWeight          int   // percent, 0–100
	ExamID              *int64
	PassScore           credit.Amount // 0–100
	ExemptTargetPercent int           // 1–100
	UpdatedBy           *int64
	UpdatedAt           time.Time
}

// TableName pins the table.
func (Formula) TableName() string { return "campaign_formulas" }

// DefaultFormula is the formula of a campaign that has not set one.
func DefaultFormula(campaignID int64) Formula {
	return Formula{CampaignID: campaignID, ExamWeight: 0, PassScore: credit.Amount(100 * 100), ExemptTargetPercent: 50}
}

// Exemption excuses one learner from a campaign's exam (免考), with the lower credit target.
type Exemption struct {
	CampaignID int64 `gorm:"primaryKey;autoIncrement:false"`
	LearnerID  int64 `gorm:"primaryKey;autoIncrement:false"`
	Reason     string
	CreatedBy  *int64
	CreatedAt  time.Time
}

// TableName pins the table.
func (Exemption) TableName() string { return "campaign_exemptions" }

// CloseState is where one close-out of a campaign stands.
type CloseState string // @name CampaignCloseState

// Close states: running while its batches are written (restartable), done when every learner's
// result is frozen, reopened when an organiser reopened the campaign afterwards (the snapshot
// stays, a later close gets the next number).
const (
	CloseRunning  CloseState = "running"
	CloseDone     CloseState = "done"
	CloseReopened CloseState = "reopened"
)

// Close is one close-out of a campaign.
type Close struct {
	ID            int64 `gorm:"primaryKey"`
	CampaignID    int64
	CloseNo       int        // 1 for the first close, +1 after each reopen
	State         CloseState //
	NextLearnerID int64      // batches resume from here (learner ids ascending)
	Learners      int        // results written so far
	Formula       string     // JSON of the Formula the close used (frozen with it)
	StartedBy     *int64
	StartedAt     time.Time
	FinishedAt    *time.Time
	ReopenedBy    *int64
	ReopenedAt    *time.Time
	ReopenReason  *string
}

// TableName pins the table.
func (Close) TableName() string { return "campaign_closes" }

// Status is a learner's year status.
type Status string // @name YearResultStatus

// Statuses.
const (
	StatusMet    Status = "met"     // 达标
	StatusNotMet Status = "not_met" // 未达标
	StatusAbsent Status = "absent"  // 未参考: the formula counts an exam the learner did not sit
	StatusExempt Status = "exempt"  // 免考: see Result.Met for whether the lower target was met
)

// Label is the status's Chinese name.
func (s Status) Label() string {
	return map[Status]string{StatusMet: "达标", StatusNotMet: "未达标", StatusAbsent: "未参考", StatusExempt: "免考"}[s]
}

// Result is one learner's year result in a campaign: frozen in a close's snapshot, or computed
// live (CloseNo 0) while the campaign runs.
type Result struct {
	CampaignID     int64 `gorm:"primaryKey;autoIncrement:false"`
	CloseNo        int   `gorm:"primaryKey;autoIncrement:false"`
	LearnerID      int64 `gorm:"primaryKey;autoIncrement:false"`
	UnitID         int64
	UnitPath       string
	LearnerName    string
	Track          string
	Exempt         bool
	Target         credit.Amount // the learner's credit target (lowered when exempt)
	Credits        credit.Amount // total, then by source
	Study          credit.Amount
	Practice       credit.Amount
	ExamCredits    credit.Amount
	EventCredits   credit.Amount
	Quiz           credit.Amount
	Adjustment     credit.Amount
	EventsAttended int
	LawReports     int      // 述法 reports approved
	ExamID         *int64   // the exam that counted (main or make-up); nil: not sat
	ExamScore      *float64 //
	ExamMaxScore   *float64
	ExamPassed     *bool
	Score          credit.Amount // 年度成绩, 0–100 in hundredths
	Met            bool
	Status         Status
	CreatedAt      time.Time
}

// TableName pins the table.
func (Result) TableName() string { return "year_results" }
