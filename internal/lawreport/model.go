// Package lawreport keeps the 述法 reports: a leader-track learner's report on performing their
// rule-of-law duty in a campaign, submitted by the learner (or an admin on their behalf) and
// reviewed by an admin who owns the learner. A returned report is revised and resubmitted; every
// submission and review is kept as history.
package lawreport

import (
	"encoding/json"
	"time"
)

// Status of a report.
type Status string // @name LawReportStatus

// Statuses: submitted → approved, or submitted → returned → (revised) submitted → ...
const (
	StatusSubmitted Status = "submitted"
	StatusApproved  Status = "approved"
	StatusReturned  Status = "returned"
)

// Action is one step of a report's history.
type Action string // @name LawReportAction

// Actions.
const (
	ActionSubmit   Action = "submit"
	ActionResubmit Action = "resubmit"
	ActionApprove  Action = "approve"
	ActionReturn   Action = "return"
)

// Report is one row: one learner's report in one campaign.
type Report struct {
	ID          int64 `gorm:"primaryKey"`
	CampaignID  int64
	LearnerID   int64
	UnitID      int64 // the learner's unit when the report was submitted: the admins of it review
	Title       string
	Body        string
	Attachments string // JSON []string of http(s) URLs
	Status      Status
	Score       *int
	Revision    int   // 1 at submission, +1 at each resubmission
	SubmittedBy int64 // account that (re)submitted last: the learner or an admin on their behalf
	SubmittedAt time.Time
	ReviewedBy  *int64
	ReviewedAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table.
func (Report) TableName() string { return "law_reports" }

// attachmentList decodes the stored attachments.
func (r Report) attachmentList() []string {
	out := []string{}
	_ = json.Unmarshal([]byte(r.Attachments), &out)
	return out
}

// Review is one entry of a report's history: a submission, a resubmission or a review.
type Review struct {
	ID        int64 `gorm:"primaryKey"`
	ReportID  int64
	Action    Action
	ActorID   *int64
	ActorName string
	ActorRole string
	Comment   string
	Score     *int
	CreatedAt time.Time
}

// TableName pins the table.
func (Review) TableName() string { return "law_report_reviews" }
