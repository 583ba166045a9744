// Package study is fragmented study (碎片化学习): courses of a campaign studied in short
// sessions on the phone. Time is credited only as the server sees it pass between heartbeats.
package study

import (
	"slices"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
)

// Kind of course material.
type Kind string // @name CourseKind

// Kinds.
const (
	KindArticle Kind = "article"
	KindVideo   Kind = "video"
	KindAudio   Kind = "audio"
	KindLink    Kind = "link"
)

// CourseStatus says whether learners see a course.
type CourseStatus string // @name CourseStatus

// Course statuses.
const (
	CourseDraft     CourseStatus = "draft"
	CoursePublished CourseStatus = "published"
	CourseArchived  CourseStatus = "archived"
)

// Course is study material in a campaign.
type Course struct {
	ID              int64 `gorm:"primaryKey"`
	CampaignID      int64
	Title           string
	Kind            Kind
	URL             string `gorm:"column:url"`
	Body            *string
	DurationSeconds int
	Tracks          string // comma-separated tracks the course is for
	Credit          credit.Amount
	SortOrder       int
	Status          CourseStatus
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName pins the table.
func (Course) TableName() string { return "courses" }

// TrackList splits the stored tracks.
func (c Course) TrackList() []string {
	if c.Tracks == "" {
		return []string{}
	}
	return strings.Split(c.Tracks, ",")
}

// For reports whether the course is meant for a track.
func (c Course) For(track string) bool { return slices.Contains(c.TrackList(), track) }

// Progress is one learner's progress in one course.
type Progress struct {
	LearnerID       int64 `gorm:"primaryKey"`
	CourseID        int64 `gorm:"primaryKey"`
	PositionSeconds int
	VerifiedSeconds int
	CompletedAt     *time.Time
	UpdatedAt       time.Time
}

// TableName pins the table.
func (Progress) TableName() string { return "course_progress" }

// Session is one sitting with a course. ActiveLearnerID is set while the session is open and
// is unique, so a learner has at most one open session.
type Session struct {
	ID              int64 `gorm:"primaryKey"`
	LearnerID       int64
	CourseID        int64
	ActiveLearnerID *int64
	StartedAt       time.Time
	LastBeatAt      time.Time
	PositionSeconds int
	VerifiedSeconds int
	Beats           int
	EndedAt         *time.Time
}

// TableName pins the table.
func (Session) TableName() string { return "study_sessions" }
