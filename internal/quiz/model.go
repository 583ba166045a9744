// Package quiz runs the New-Year law micro-quiz (新年学法微活动): activities with rounds, timed
// plays graded by the server, leaderboards (SQL, or Redis sorted sets when Redis is
// configured), a provably fair prize draw committed before each round, and prize claims with
// the claimant's contact details sealed at rest.
package quiz

import (
	"time"
)

// Audience says who may play an activity's rounds.
type Audience string // @name QuizAudience

// Audiences.
const (
	AudiencePublic   Audience = "public"   // participants (WeChat users) and learners
	AudienceLearners Audience = "learners" // learners of the activity's unit subtree only
)

// Activity is a quiz activity (e.g. 2027 新年学法微活动) owned by a unit.
type Activity struct {
	ID          int64 `gorm:"primaryKey"`
	UnitID      int64
	Name        string
	Description string
	Audience    Audience
	// CampaignID, when set, credits bound learners through that campaign's quiz rule.
	CampaignID *int64
	CreatedBy  *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName pins the table.
func (Activity) TableName() string { return "quiz_activities" }

// Round is one round of an activity: its window, questions, timing, scoring, prizes and the
// committed draw seed.
type Round struct {
	ID                 int64 `gorm:"primaryKey"`
	ActivityID         int64
	Name               string
	StartsAt           time.Time
	EndsAt             time.Time
	QuestionCount      int
	BankIDs            string // comma-separated; "" for a fixed set
	Fixed              bool
	SecondsPerQuestion int
	SecondsPerPlay     int
	PlaysPerRound      int
	PlaysPerDay        int // 0: no daily limit
	PointsPerCorrect   int
	MinMsPerAnswer     int // plays faster than this per answered question are flagged
	PrizeThreshold     int // the least score that enters the draw
	ClaimHours         int // how long a winner has to claim
	SeedEnc            string
	Seed               string // hex, revealed by the draw
	Commitment         string
	BeaconName         string
	Beacon             string
	EligibleCount      int
	EligibleDigest     string
	ClosedAt           *time.Time
	DrawnAt            *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TableName pins the table.
func (Round) TableName() string { return "quiz_rounds" }

// TimeLimit is how long one play of n questions may take.
func (r Round) TimeLimit(n int) time.Duration {
	if r.SecondsPerPlay > 0 {
		return time.Duration(r.SecondsPerPlay) * time.Second
	}
	return time.Duration(r.SecondsPerQuestion*n) * time.Second
}

// OpenAt reports whether plays may start at t.
func (r Round) OpenAt(t time.Time) bool { return !t.Before(r.StartsAt) && t.Before(r.EndsAt) }

// RoundQuestion is one question of a round's frozen pool.
type RoundQuestion struct {
	RoundID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Position   int   `gorm:"primaryKey;autoIncrement:false"`
	QuestionID int64
	Version    int
}

// TableName pins the table.
func (RoundQuestion) TableName() string { return "quiz_round_questions" }

// Prize is a prize of a round with its stock; claims take units from Remaining.
type Prize struct {
	ID        int64 `gorm:"primaryKey"`
	RoundID   int64
	Position  int
	Name      string
	Stock     int
	Remaining int
}

// TableName pins the table.
func (Prize) TableName() string { return "quiz_prizes" }

// PlayStatus is where a play stands.
type PlayStatus string // @name QuizPlayStatus

// Play statuses. An active play past its deadline counts as expired.
const (
	PlayActive    PlayStatus = "active"
	PlaySubmitted PlayStatus = "submitted"
)

// Play is one participant's attempt at a round: the paper served (questions, versions and
// option order) and, once submitted, the graded result timed by the server clock.
type Play struct {
	ID             int64 `gorm:"primaryKey"`
	RoundID        int64
	ActivityID     int64
	AccountID      int64
	Seq            int
	Day            string
	DaySeq         int
	Status         PlayStatus
	Paper          Paper
	Answers        Answers
	StartedAt      time.Time
	Deadline       time.Time
	SubmittedAt    *time.Time
	Score          int
	CorrectCount   int
	QuestionCount  int
	DurationMs     int64
	Flagged        bool
	FlagReason     string
	ClearedAt      *time.Time
	ClearedBy      *int64
	IdempotencyKey string
	BoardPending   bool // ranked, not yet folded into the boards (see boardwriter.go)
}

// TableName pins the table.
func (Play) TableName() string { return "quiz_plays" }

// Ranked reports whether the play counts on leaderboards and for prizes: submitted and not
// held for review.
func (p Play) Ranked() bool { return p.Status == PlaySubmitted && (!p.Flagged || p.ClearedAt != nil) }

// Score is one player's standing on a board.
type Score struct {
	Board       string `gorm:"primaryKey"`
	AccountID   int64  `gorm:"primaryKey;autoIncrement:false"`
	PlayID      int64
	Score       int
	DurationMs  int64
	SubmittedMs int64
	RankKey     int64
}

// TableName pins the table.
func (Score) TableName() string { return "quiz_scores" }

// Bucket counts the players of a board whose rank key falls in one bucket.
type Bucket struct {
	Board  string `gorm:"primaryKey"`
	Bucket int64  `gorm:"primaryKey;autoIncrement:false"`
	N      int64
	Chk    int64 // the sum of its standings' checksums (standingChecksum)
}

// TableName pins the table.
func (Bucket) TableName() string { return "quiz_score_buckets" }

// AwardStatus is where a won prize stands.
type AwardStatus string // @name QuizAwardStatus

// Award statuses; an awarded prize past its expiry is expired (computed when read).
const (
	AwardAwarded AwardStatus = "awarded"
	AwardClaimed AwardStatus = "claimed"
	AwardExpired AwardStatus = "expired"
)

// Award is one prize unit drawn for one play.
type Award struct {
	ID             int64 `gorm:"primaryKey"`
	RoundID        int64
	PrizeID        int64
	PlayID         int64
	AccountID      int64
	DrawRank       int
	Ticket         string
	Status         AwardStatus
	ExpiresAt      time.Time
	NameEnc        string
	PhoneEnc       string
	AddressEnc     string
	ClaimedAt      *time.Time
	IdempotencyKey string
	CreatedAt      time.Time
}

// TableName pins the table.
func (Award) TableName() string { return "quiz_awards" }

// StatusAt is the award's status at t (an unclaimed award past its expiry is expired).
func (a Award) StatusAt(t time.Time) AwardStatus {
	if a.Status == AwardAwarded && !t.Before(a.ExpiresAt) {
		return AwardExpired
	}
	return a.Status
}
