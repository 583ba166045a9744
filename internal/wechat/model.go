package wechat

import "time"

// Identity is one WeChat user of the mini-program (an openid): the participant account made at
// their first login and, when they bound one, the learner account they log in as.
type Identity struct {
	ID                   int64 `gorm:"primaryKey"`
	OpenID               string
	UnionID              *string
	ParticipantAccountID int64
	LearnerAccountID     *int64
	BoundAt              *time.Time
	LastLoginAt          *time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// TableName pins the table.
func (Identity) TableName() string { return "wechat_identities" }

// Subscription statuses.
const (
	SubActive   = "active"   // the learner accepted; remaining messages may be sent
	SubDeclined = "declined" // the learner refused in the mini-program, or WeChat answered 43101
)

// Subscription is how many subscribe messages of one template a learner still allows.
type Subscription struct {
	ID         int64 `gorm:"primaryKey"`
	AccountID  int64
	TemplateID string
	Remaining  int
	Status     string
	UpdatedAt  time.Time
}

// TableName pins the table.
func (Subscription) TableName() string { return "wechat_subscriptions" }

// MaxRemaining caps a template's stored allowance: WeChat grants one message per accept, and a
// client replaying accepts must not bank an unbounded quota.
const MaxRemaining = 50
