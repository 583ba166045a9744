package yearend

import (
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// CloseFormulaView is the formula a close froze: the results of the close were computed with it.
type CloseFormulaView struct {
	ExamWeight          int           `json:"exam_weight" example:"50"`
	ExamID              *int64        `json:"exam_id" example:"3" extensions:"x-nullable"`
	PassScore           credit.Amount `json:"pass_score" swaggertype:"number" multipleOf:"0.01" example:"60"`
	ExemptTargetPercent int           `json:"exempt_target_percent" example:"50"`
} // @name CampaignCloseFormula

// CloseView is one close-out of a campaign.
type CloseView struct {
	CampaignID int64      `json:"campaign_id" example:"1"`
	CloseNo    int        `json:"close_no" example:"1"`
	State      CloseState `json:"state" enums:"running,done,reopened" example:"done"`
	// Learners is how many learners' results are frozen (so far, while running).
	Learners int `json:"learners" example:"1250"`
	// Met is how many of them met the year's target (达标, or 免考 with the lower target met).
	Met          int              `json:"met" example:"1180"`
	Formula      CloseFormulaView `json:"formula"`
	StartedBy    *int64           `json:"started_by" example:"2" extensions:"x-nullable"`
	StartedAt    time.Time        `json:"started_at" format:"date-time"`
	FinishedAt   *time.Time       `json:"finished_at" format:"date-time" extensions:"x-nullable"`
	ReopenedBy   *int64           `json:"reopened_by" example:"2" extensions:"x-nullable"`
	ReopenedAt   *time.Time       `json:"reopened_at" format:"date-time" extensions:"x-nullable"`
	ReopenReason *string          `json:"reopen_reason" example:"复核发现考试成绩录入错误" extensions:"x-nullable"`
} // @name CampaignClose

// CloseList is every close of a campaign, newest first.
type CloseList struct {
	Items []CloseView `json:"items"`
	httpx.ListMeta
} // @name CampaignCloseList

// ReopenRequest reopens a closed campaign.
type ReopenRequest struct {
	Reason string `json:"reason" binding:"required,max=500" example:"复核发现考试成绩录入错误，重新开放以更正"`
} // @name CampaignReopenRequest

// toCloseView converts a close for the API.
func toCloseView(c CloseRow) CloseView {
	f, _ := c.FrozenFormula() // written by freezeFormula; a zero formula if ever unreadable
	return CloseView{
		CampaignID: c.CampaignID, CloseNo: c.CloseNo, State: c.State, Learners: c.Learners, Met: c.Met,
		Formula:   CloseFormulaView{ExamWeight: f.ExamWeight, ExamID: f.ExamID, PassScore: f.PassScore, ExemptTargetPercent: f.ExemptTargetPercent},
		StartedBy: c.StartedBy, StartedAt: c.StartedAt, FinishedAt: c.FinishedAt,
		ReopenedBy: c.ReopenedBy, ReopenedAt: c.ReopenedAt, ReopenReason: c.ReopenReason,
	}
}
