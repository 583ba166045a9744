// Package event records the programme's offline half: 法治讲坛 lectures, 旁听庭审 court
// hearings, 警示教育 warning education and 送法 law delivery — with registration under a
// capacity, check-in by a rotating signed code (and an optional geofence), attendance credit
// through the ledger, summaries and the statistics the county reports upward.
package event

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
)

// Type of event.
type Type string // @name EventType

// Types.
const (
	TypeLecture          Type = "lecture"
	TypeCourtHearing     Type = "court_hearing"
	TypeWarningEducation Type = "warning_education"
	TypeLawDelivery      Type = "law_delivery"
)

// VenueTypes are where 送法 goes (law_delivery events).
func VenueTypes() []string {
	return []string{"机关", "乡村", "社区", "学校", "企业", "单位"}
}

// Types lists every type.
func Types() []Type {
	return []Type{TypeLecture, TypeCourtHearing, TypeWarningEducation, TypeLawDelivery}
}

// Status of an event.
type Status string // @name EventStatus

// Statuses.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusCancelled Status = "cancelled"
	StatusFinished  Status = "finished"
)

// Speaker gives a talk at an event.
type Speaker struct {
	Name  string `json:"name" binding:"required,max=50" example:"王法官"`
	Title string `json:"title" binding:"max=50" example:"法官" validate:"optional"`
} // @name EventSpeaker

// Event is one row.
type Event struct {
	ID                   int64 `gorm:"primaryKey"`
	CampaignID           int64
	UnitID               int64
	Type                 Type
	Title                string
	Description          *string
	Speakers             string // JSON []Speaker
	VenueName            string
	VenueAddress         string
	VenueType            string
	GeofenceLat          *float64
	GeofenceLng          *float64
	GeofenceRadiusM      *int
	StartsAt             time.Time
	EndsAt               time.Time
	Capacity             int
	RegisteredCount      int
	RegistrationRequired bool
	AudienceTracks       string // comma list; "" = every track
	AudienceUnitIDs      string // comma list; "" = the organiser unit's whole subtree
	Credits              credit.Amount
	MinMinutes           int
	AudienceReached      int
	CourtName            string
	CaseType             string
	CaseNumber           string
	Status               Status
	CreatedAt            time.Time
	UpdatedAt            time.Time
	// RowVersion counts the event's revisions (its ETag): edits, publishing, cancelling and
	// finishing move it on; registrations (RegisteredCount) do not, so a busy sign-up does not
	// make an admin's edit fail.
	RowVersion int64 `gorm:"default:1"`
}

// TableName pins the table.
func (Event) TableName() string { return "events" }

func (e Event) speakers() []Speaker {
	out := []Speaker{}
	_ = json.Unmarshal([]byte(e.Speakers), &out)
	return out
}

func (e Event) tracks() []string { return splitList(e.AudienceTracks) }

func (e Event) unitIDs() []int64 {
	var out []int64
	for _, s := range splitList(e.AudienceUnitIDs) {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// forTrack reports whether the audience includes a track.
func (e Event) forTrack(track string) bool {
	return e.AudienceTracks == "" || slices.Contains(e.tracks(), track)
}

// Organiser lets a lecturer (or admin) run an event.
type Organiser struct {
	EventID   int64 `gorm:"primaryKey"`
	AccountID int64 `gorm:"primaryKey"`
}

// TableName pins the table.
func (Organiser) TableName() string { return "event_organisers" }

// RegistrationStatus of a learner for an event.
type RegistrationStatus string // @name RegistrationStatus

// Registration statuses.
const (
	Registered RegistrationStatus = "registered"
	Waitlisted RegistrationStatus = "waitlisted"
	Cancelled  RegistrationStatus = "cancelled"
)

// Registration is a learner's place (or wait) for an event.
type Registration struct {
	ID        int64 `gorm:"primaryKey"`
	EventID   int64
	LearnerID int64
	Status    RegistrationStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName pins the table.
func (Registration) TableName() string { return "event_registrations" }

// Attendance is a learner's presence at an event.
type Attendance struct {
	EventID      int64 `gorm:"primaryKey"`
	LearnerID    int64 `gorm:"primaryKey"`
	CheckedInAt  time.Time
	CheckedOutAt *time.Time
	Source       string // qr | manual
	MarkedBy     *int64
	Reason       string
	CreditedAt   *time.Time
}

// TableName pins the table.
func (Attendance) TableName() string { return "event_attendance" }

// Summary is what happened at an event.
type Summary struct {
	EventID       int64 `gorm:"primaryKey"`
	Summary       string
	AudienceCount int
	Photos        string // JSON []string
	UpdatedBy     int64
	UpdatedAt     time.Time
}

// TableName pins the table.
func (Summary) TableName() string { return "event_summaries" }
