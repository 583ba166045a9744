// Package questionbank keeps question banks owned by units and their questions: four types
// (single, multiple, judge, fill), each with analysis and legal basis, versioned once
// published (every published version is kept as an immutable snapshot), imported from and
// exported to xlsx/CSV, imported from Moodle GIFT, and counted per item (attempts, correct).
package questionbank

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Type is a question type.
type Type string // @name QuestionType

// Types.
const (
	TypeSingle   Type = "single"   // 单选: one correct option
	TypeMultiple Type = "multiple" // 多选: two or more correct options
	TypeJudge    Type = "judge"    // 判断: true or false, no options
	TypeFill     Type = "fill"     // 填空: one blank, one or more accepted answers
)

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	return slices.Contains([]Type{TypeSingle, TypeMultiple, TypeJudge, TypeFill}, t)
}

// IsChoice reports whether the type has options.
func (t Type) IsChoice() bool { return t == TypeSingle || t == TypeMultiple }

// Status is a question's life-cycle state.
type Status string // @name QuestionStatus

// Statuses. A draft is edited in place; once published, every content change makes a new
// version. Retired questions are kept (history, statistics) but never served.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusRetired   Status = "retired"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return slices.Contains([]Status{StatusDraft, StatusPublished, StatusRetired}, s)
}

// Track is a learner track a bank suits; see docs/architecture.md.
type Track string // @name BankTrack

// Tracks.
const (
	TrackLeader   Track = "leader"
	TrackGeneral  Track = "general"
	TrackJudicial Track = "judicial"
)

// Valid reports whether t is a known track.
func (t Track) Valid() bool {
	return slices.Contains([]Track{TrackLeader, TrackGeneral, TrackJudicial}, t)
}

// Bank is a question bank owned by a unit.
type Bank struct {
	ID          int64 `gorm:"primaryKey"`
	UnitID      int64
	Name        string
	Subject     string
	Tracks      string // comma-separated tracks, e.g. "leader,general"
	Description string
	CreatedBy   *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table.
func (Bank) TableName() string { return "question_banks" }

// TrackList splits the stored tracks.
func (b Bank) TrackList() []Track { return splitTracks(b.Tracks) }

func splitTracks(s string) []Track {
	out := []Track{}
	for _, t := range strings.Split(s, ",") {
		if t != "" {
			out = append(out, Track(t))
		}
	}
	return out
}

func joinTracks(ts []Track) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		if !slices.Contains(parts, string(t)) {
			parts = append(parts, string(t))
		}
	}
	return strings.Join(parts, ",")
}

// Content is what a question says: everything a version snapshots.
type Content struct {
	Type             Type
	Stem             string
	Options          Options
	Answer           string // canonical: "A"; "AC"; "true"/"false"; fill: accepted answers joined by "|"
	Analysis         string
	LawName          string
	LawArticle       string
	LawEffectiveDate string // "YYYY-MM-DD" or ""; a calendar date, not an instant
	Difficulty       int
	Tags             string // ",tag1,tag2," so one tag is found with LIKE '%,tag,%'; "" when none
}

// Options are a choice question's option texts, A first, stored as a JSON array.
type Options []string

// Value stores the options as JSON ("[]" when none).
func (o Options) Value() (driver.Value, error) {
	if o == nil {
		o = Options{}
	}
	raw, err := json.Marshal([]string(o))
	return string(raw), err
}

// Scan reads the JSON array back.
func (o *Options) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	case nil:
		*o = Options{}
		return nil
	default:
		return fmt.Errorf("options: cannot scan %T", src)
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("options: %w", err)
	}
	if list == nil {
		list = []string{}
	}
	*o = list
	return nil
}

// TagList splits the stored tags.
func (c Content) TagList() []string { return SplitTags(c.Tags) }

// SplitTags splits stored tags (",a,b,") into a list, never nil.
func SplitTags(stored string) []string {
	out := []string{}
	for _, t := range strings.Split(stored, ",") {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Question is the current state of one question.
type Question struct {
	ID       int64 `gorm:"primaryKey"`
	BankID   int64
	StemHash string
	Content  `gorm:"embedded"`
	Status   Status
	Version  int
	// Item statistics, incremented in the answering transaction.
	AttemptCount int64
	CorrectCount int64
	CreatedBy    *int64
	UpdatedBy    *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// RowVersion counts the question's revisions (its ETag): every edit, status change alone
	// included, moves it on; the answer counters above do not. Version, by contrast, counts
	// published contents.
	RowVersion int64 `gorm:"default:1"`
}

// TableName pins the table.
func (Question) TableName() string { return "questions" }

// Version is an immutable snapshot of a published version of a question.
type Version struct {
	ID         int64 `gorm:"primaryKey"`
	QuestionID int64
	Version    int
	Content    `gorm:"embedded"`
	CreatedBy  *int64
	CreatedAt  time.Time
}

// TableName pins the table.
func (Version) TableName() string { return "question_versions" }

// snapshot is the version row of q's current content.
func (q Question) snapshot(by *int64, at time.Time) Version {
	return Version{QuestionID: q.ID, Version: q.Version, Content: q.Content, CreatedBy: by, CreatedAt: at}
}
