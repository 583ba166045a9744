// Package consultation is the policy consultation channel (政策咨询渠道): learners and members of
// the public ask a legal or policy question in a campaign; admins of the campaign's organiser
// unit (or above it) answer; the asker reads the answer next to the campaign's contact channels.
package consultation

import "time"

// Status of a consultation.
type Status string // @name ConsultationStatus

// Statuses.
const (
	StatusOpen     Status = "open"
	StatusAnswered Status = "answered"
)

// Consultation is one question and its answer.
type Consultation struct {
	ID             int64 `gorm:"primaryKey"`
	CampaignID     int64
	AskerID        int64 // the asking account (learner or participant)
	AskerName      string
	AskerRole      string
	Question       string
	Status         Status
	Answer         *string
	AnsweredBy     *int64 // the first answer's admin; editing the answer keeps it
	AnsweredByName string
	AnsweredAt     *time.Time // the first answer's time; editing the answer keeps it
	IdempotencyKey *string    // the asker's Idempotency-Key, if one was sent: a retry gets this question back
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName pins the table.
func (Consultation) TableName() string { return "consultations" }
