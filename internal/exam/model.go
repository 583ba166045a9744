// Package exam runs formal online exams (网上考法): exams with a window, a duration, attempts
// and a pass score, a blueprint per track from which every attempt draws its own paper (question
// versions and option order frozen in the attempt), autosaved answers, grading in one
// transaction (score, sections, the campaign's exam credit, the wrong-answer book), review per
// policy, make-up exams, and results and statistics for the owning admins. Only server time
// counts: deadlines are min(start + duration, window close), answers are accepted until the
// deadline plus a few seconds of grace, and attempts past it are finalised with what was saved.
package exam

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
)

// Status is an exam's life-cycle state.
type Status string // @name ExamStatus

// Statuses: a draft is edited freely and seen by admins only; published exams are sat; closed
// exams accept no new attempts.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusClosed    Status = "closed"
)

// ScorePolicy says which attempt counts.
type ScorePolicy string // @name ExamScorePolicy

// Score policies.
const (
	ScoreBest ScorePolicy = "best"
	ScoreLast ScorePolicy = "last"
)

// ReviewPolicy says when a learner may review a finished attempt.
type ReviewPolicy string // @name ExamReviewPolicy

// Review policies.
const (
	ReviewNever       ReviewPolicy = "never"
	ReviewAfterSubmit ReviewPolicy = "after_submit"
	ReviewAfterClose  ReviewPolicy = "after_close"
)

// Tracks are the learner tracks; see docs/architecture.md.
var Tracks = []string{"leader", "general", "judicial"}

// Question types a section may draw.
var questionTypes = []string{"single", "multiple", "judge", "fill"}

// Exam is one formal exam.
type Exam struct {
	ID                  int64 `gorm:"primaryKey"`
	CampaignID          int64
	UnitID              int64
	MainExamID          *int64 // a make-up exam (补考) names its main exam
	Title               string
	Description         string
	OpensAt             time.Time
	ClosesAt            time.Time
	DurationMinutes     int
	MaxAttempts         int
	ScorePolicy         ScorePolicy
	PassScore           float64
	PrerequisiteCredits credit.Amount
	AudienceTracks      string // comma list; "" = every track
	AudienceUnitIDs     string // comma list; "" = the owning unit's whole subtree
	ReviewPolicy        ReviewPolicy
	ReviewShowAnswers   bool
	ShuffleQuestions    bool
	ShuffleOptions      bool
	PartialCredit       bool // multiple choice: a subset of the key without wrong options earns half
	Status              Status
	CreatedBy           *int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
	// RowVersion counts the exam's revisions (its ETag): rewrites, publishing and closing move
	// it on.
	RowVersion int64 `gorm:"default:1"`
}

// TableName pins the table.
func (Exam) TableName() string { return "exams" }

func (e Exam) tracks() []string { return splitList(e.AudienceTracks) }

func (e Exam) unitIDs() []int64 { return splitIDs(e.AudienceUnitIDs) }

func (e Exam) forTrack(track string) bool {
	return e.AudienceTracks == "" || slices.Contains(e.tracks(), track)
}

// audienceTracks is the tracks that sit the exam (every track when unrestricted).
func (e Exam) audienceTracks() []string {
	if e.AudienceTracks == "" {
		return Tracks
	}
	return e.tracks()
}

// Section is one part of a track's blueprint: count questions of one type drawn from a bank
// and/or a tag within a difficulty range, or a fixed list of questions, each worth points.
type Section struct {
	ID            int64 `gorm:"primaryKey"`
	ExamID        int64
	Track         string
	Position      int
	Title         string
	BankID        *int64
	Tag           string
	Type          string
	Count         int
	Points        float64
	DifficultyMin int
	DifficultyMax int
	QuestionIDs   string // fixed list, comma-separated, in paper order
}

// TableName pins the table.
func (Section) TableName() string { return "exam_sections" }

func (s Section) fixed() []int64 { return splitIDs(s.QuestionIDs) }

// AttemptStatus is an attempt's state.
type AttemptStatus string // @name ExamAttemptStatus

// Attempt states: active until submitted by the learner or finalised at the deadline.
const (
	AttemptActive    AttemptStatus = "active"
	AttemptSubmitted AttemptStatus = "submitted"
)

// How an attempt was finalised.
const (
	ByLearner  = "learner"
	ByDeadline = "deadline"
)

// Attempt is one sitting of one learner.
type Attempt struct {
	ID            int64 `gorm:"primaryKey"`
	ExamID        int64
	LearnerID     int64
	AccountID     int64
	UnitID        int64
	Track         string
	Number        int
	Status        AttemptStatus
	ActiveKey     *int // 1 while active, NULL after: one active attempt per learner and exam
	StartedAt     time.Time
	Deadline      time.Time
	SubmittedAt   *time.Time
	FinalisedBy   string
	SubmitKey     *string
	Score         float64
	MaxScore      float64
	Passed        bool
	CorrectCount  int
	QuestionCount int
	SectionScores string // JSON []SectionScore
	ItemScores    string // JSON []float64 by position
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table.
func (Attempt) TableName() string { return "exam_attempts" }

// Item is one question of an attempt's paper at the version served, with the option order
// shown and the saved answer (canonical letters of the version's own options).
type Item struct {
	AttemptID   int64 `gorm:"primaryKey;autoIncrement:false"`
	QuestionID  int64 `gorm:"primaryKey;autoIncrement:false"`
	Position    int
	Section     int
	Version     int
	Type        string
	OptionOrder string // the version's option letters in the order shown, e.g. "CADB"
	Points      float64
	Answer      *string
	AnsweredAt  *time.Time
}

// TableName pins the table.
func (Item) TableName() string { return "exam_attempt_items" }

// Result is what counts for one learner in one exam (kept by grading).
type Result struct {
	ExamID           int64 `gorm:"primaryKey;autoIncrement:false"`
	LearnerID        int64 `gorm:"primaryKey;autoIncrement:false"`
	UnitID           int64
	Track            string
	Attempts         int
	Score            float64
	MaxScore         float64
	Passed           bool
	CountedAttemptID int64
	UpdatedAt        time.Time
}

// TableName pins the table.
func (Result) TableName() string { return "exam_results" }

// QuestionStatsRow is one exam's statistics of one question, fed to the question bank.
type QuestionStatsRow struct {
	ExamID         int64 `gorm:"primaryKey;autoIncrement:false"`
	QuestionID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Served         int
	Facility       float64
	Discrimination *float64
	ComputedAt     time.Time
}

// TableName pins the table.
func (QuestionStatsRow) TableName() string { return "exam_question_stats" }

// SectionScore is one section's score in an attempt.
type SectionScore struct {
	Position int     `json:"position"`
	Title    string  `json:"title"`
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
} // @name ExamSectionScore

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func splitIDs(s string) []int64 {
	out := []int64{}
	for _, p := range splitList(s) {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
