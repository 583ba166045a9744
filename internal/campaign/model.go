// Package campaign keeps the law-study months (or years): one per period and organiser unit,
// with dates on Asia/Shanghai days, a credit target per track, the credit rules every source
// applies, and the consultation contacts. History is kept; nothing is hard-wired to one year.
package campaign

import (
	"encoding/json"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
)

// Status of a campaign.
type Status string // @name CampaignStatus

// Statuses: a draft is activated by PATCH; closing and closed are reached only through the
// year's close-out (POST /campaigns/{id}/close, package yearend): closing while the close's
// batches are written, closed once every learner's result is frozen. Credits are refused from
// the moment a campaign is closing; a reopen moves it back to active.
const (
	StatusDraft   Status = "draft"
	StatusActive  Status = "active"
	StatusClosing Status = "closing"
	StatusClosed  Status = "closed"
)

// ReadOnly reports whether the campaign is being closed or closed (no edits, no credits).
func (s Status) ReadOnly() bool { return s == StatusClosing || s == StatusClosed }

// Campaign is one row.
type Campaign struct {
	ID             int64 `gorm:"primaryKey"`
	UnitID         int64
	Name           string
	Theme          string
	StartDate      string
	EndDate        string
	Status         Status
	TargetLeader   credit.Amount
	TargetGeneral  credit.Amount
	TargetJudicial credit.Amount
	Rules          string // JSON of credit.Rules
	Contacts       string // JSON of []Contact
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// RowVersion counts the campaign's revisions (its ETag): every edit moves it on.
	RowVersion int64 `gorm:"default:1"`
}

// TableName pins the table.
func (Campaign) TableName() string { return "campaigns" }

// Contact is a consultation channel (政策咨询渠道), e.g. the justice bureau's phone.
type Contact struct {
	Name        string `json:"name" binding:"required,max=50" example:"县司法局法治宣传股"`
	Phone       string `json:"phone" binding:"required,max=30" example:"0563-8151234"`
	OfficeHours string `json:"office_hours" binding:"max=100" example:"工作日 8:30-17:30" validate:"optional"`
} // @name CampaignContact

// rules decodes the stored credit rules.
func (c Campaign) rules() credit.Rules {
	var r credit.Rules
	_ = json.Unmarshal([]byte(c.Rules), &r)
	if r.DailyCaps == nil {
		r.DailyCaps = map[credit.Source]credit.Amount{} // shown as {} rather than null
	}
	return r.WithDefaults()
}

// contacts decodes the stored contacts.
func (c Campaign) contacts() []Contact {
	out := []Contact{}
	_ = json.Unmarshal([]byte(c.Contacts), &out)
	return out
}

// targets maps track → target.
func (c Campaign) targets() map[string]credit.Amount {
	return map[string]credit.Amount{"leader": c.TargetLeader, "general": c.TargetGeneral, "judicial": c.TargetJudicial}
}
