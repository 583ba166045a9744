// Package learner keeps the state employees who study: one per learner account, on one track,
// in one unit, with their ID-card number sealed at rest (the phone lives on the account).
package learner

import (
	"slices"
	"time"
)

// Track is a learner's curriculum: 领航 for leaders, 普及 for general staff, 精准 for judicial
// and law-enforcement staff.
type Track string // @name Track

// Tracks.
const (
	TrackLeader   Track = "leader"
	TrackGeneral  Track = "general"
	TrackJudicial Track = "judicial"
)

// Tracks lists every track.
func Tracks() []Track { return []Track{TrackLeader, TrackGeneral, TrackJudicial} }

// Valid reports whether t is a known track.
func (t Track) Valid() bool { return slices.Contains(Tracks(), t) }

// Label is the track's Chinese name.
func (t Track) Label() string {
	switch t {
	case TrackLeader:
		return "领航"
	case TrackGeneral:
		return "普及"
	case TrackJudicial:
		return "精准"
	}
	return string(t)
}

// ParseTrack accepts a code or its Chinese name (imports).
func ParseTrack(s string) (Track, bool) {
	for _, t := range Tracks() {
		if s == string(t) || s == t.Label() || s == t.Label()+"工程" {
			return t, true
		}
	}
	return "", false
}

// Status of a learner.
type Status string // @name LearnerStatus

// Statuses.
const (
	StatusActive Status = "active"
	StatusLeft   Status = "left"
)

// Learner is one state employee.
type Learner struct {
	ID          int64 `gorm:"primaryKey"`
	AccountID   int64
	ExternalID  *string // the id an HR system syncs the learner by (PUT /integration/learners)
	UnitID      int64
	Name        string
	Track       Track
	Position    string
	IDCardEnc   *string
	IDCardIndex *string
	Status      Status
	LeftAt      *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// RowVersion counts the learner's revisions (its ETag): edits, imports, syncs and leaving
	// move it on.
	RowVersion int64 `gorm:"default:1"`
}

// TableName pins the table.
func (Learner) TableName() string { return "learners" }
