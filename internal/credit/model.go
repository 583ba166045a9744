// Package credit is the append-only credit ledger (学分) every source writes into: study,
// practice, exams, events, the quiz and manual adjustments. Each award is unique on (learner,
// campaign, source, source id), so a retried award is a no-op; daily caps are enforced per
// source on Asia/Shanghai days; and a per-learner, per-campaign summary row is updated in the
// same transaction, so totals and rankings never scan the ledger.
package credit

import (
	"slices"
	"time"
)

// Source is where credits come from.
type Source string // @name CreditSource

// Sources.
const (
	SourceStudy      Source = "study"
	SourcePractice   Source = "practice"
	SourceExam       Source = "exam"
	SourceEvent      Source = "event"
	SourceQuiz       Source = "quiz"
	SourceAdjustment Source = "adjustment"
)

// Sources lists every source.
func Sources() []Source {
	return []Source{SourceStudy, SourcePractice, SourceExam, SourceEvent, SourceQuiz, SourceAdjustment}
}

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return slices.Contains(Sources(), s) }

// Label is the source's Chinese name.
func (s Source) Label() string {
	return map[Source]string{SourceStudy: "学习", SourcePractice: "练习", SourceExam: "考试", SourceEvent: "活动",
		SourceQuiz: "竞猜", SourceAdjustment: "调整"}[s]
}

// Rules are a campaign's credit rules (stored with the campaign).
type Rules struct {
	// StudyPerMinute is earned per verified minute of study (courses may add a completion credit).
	StudyPerMinute Amount `json:"study_per_minute" swaggertype:"number" multipleOf:"0.01" example:"0.1" validate:"optional"`
	// PracticePerCorrect is earned per correct practice answer.
	PracticePerCorrect Amount `json:"practice_per_correct" swaggertype:"number" multipleOf:"0.01" example:"0.1" validate:"optional"`
	// ExamPass is earned once for passing a campaign exam.
	ExamPass Amount `json:"exam_pass" swaggertype:"number" multipleOf:"0.01" example:"10" validate:"optional"`
	// EventAttendance is earned per attended event unless the event sets its own.
	EventAttendance Amount `json:"event_attendance" swaggertype:"number" multipleOf:"0.01" example:"2" validate:"optional"`
	// QuizPerPlay is earned per qualifying quiz play by a bound learner.
	QuizPerPlay Amount `json:"quiz_per_play" swaggertype:"number" multipleOf:"0.01" example:"0.5" validate:"optional"`
	// DailyCaps limits what each source can earn per Asia/Shanghai day (absent or 0: no cap).
	DailyCaps map[Source]Amount `json:"daily_caps" swaggertype:"object,number" example:"study:3,practice:1" validate:"optional"`
	// PaceCurve is how the calendar expects credits to accrue: linear (default) or front_loaded.
	PaceCurve string `json:"pace_curve" enums:"linear,front_loaded" example:"linear" validate:"optional"`
	// LagPercent: a learner whose lag exceeds this percent of the target is lagging, three times
	// it far behind (default 10).
	LagPercent int `json:"lag_percent" example:"10" validate:"optional"`
} // @name CreditRules

// Pace curves.
const (
	PaceLinear      = "linear"
	PaceFrontLoaded = "front_loaded"
)

// Cap returns the daily cap of a source (0: none). Adjustments are never capped.
func (r Rules) Cap(s Source) Amount {
	if s == SourceAdjustment {
		return 0
	}
	return r.DailyCaps[s]
}

// Entry is one ledger row.
type Entry struct {
	ID         int64 `gorm:"primaryKey"`
	LearnerID  int64
	CampaignID int64
	Source     Source
	SourceID   string
	Amount     Amount // what was credited (after the daily cap)
	Requested  Amount // what the source asked for
	Reason     string
	Day        string // Asia/Shanghai date, YYYY-MM-DD
	ActorID    *int64
	CreatedAt  time.Time
}

// TableName pins the table.
func (Entry) TableName() string { return "credit_ledger" }

// Daily is what one source credited one learner in one campaign on one day.
type Daily struct {
	LearnerID  int64  `gorm:"primaryKey"`
	CampaignID int64  `gorm:"primaryKey"`
	Source     Source `gorm:"primaryKey"`
	Day        string `gorm:"primaryKey"`
	Amount     Amount
}

// TableName pins the table.
func (Daily) TableName() string { return "credit_daily" }

// Summary is a learner's running totals in a campaign.
type Summary struct {
	LearnerID      int64 `gorm:"primaryKey"`
	CampaignID     int64 `gorm:"primaryKey"`
	UnitID         int64
	Track          string
	Total          Amount
	Study          Amount
	Practice       Amount
	Exam           Amount
	Event          Amount
	Quiz           Amount
	Adjustment     Amount
	LastActivityAt *time.Time
	UpdatedAt      time.Time
}

// TableName pins the table.
func (Summary) TableName() string { return "credit_summaries" }

// BySource returns the summary's per-source amounts.
func (s Summary) BySource() map[Source]Amount {
	return map[Source]Amount{SourceStudy: s.Study, SourcePractice: s.Practice, SourceExam: s.Exam,
		SourceEvent: s.Event, SourceQuiz: s.Quiz, SourceAdjustment: s.Adjustment}
}

// UnitDaily is what one unit's learners earned on one day in a campaign (dashboard series).
type UnitDaily struct {
	CampaignID int64  `gorm:"primaryKey"`
	UnitID     int64  `gorm:"primaryKey"`
	Day        string `gorm:"primaryKey"`
	Amount     Amount
}

// TableName pins the table.
func (UnitDaily) TableName() string { return "credit_unit_daily" }
