// Package reminder is 督促: reminders to learners who lag, written together with their
// deliveries (an outbox) and sent by a dispatcher through channels — the in-app inbox and SMS —
// with retries, backoff and a dead state, so nothing queued is lost and nothing is sent twice.
package reminder

import "time"

// Channels.
const (
	ChannelInbox  = "inbox"
	ChannelSMS    = "sms"
	ChannelWeChat = "wechat" // WeChat subscribe message, for learners bound to WeChat who allowed one
)

// Delivery statuses.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusDead    = "dead"
	StatusSkipped = "skipped" // the channel cannot reach the learner (e.g. no WeChat allowance, 43101): not retried
)

// Reminder is one nudge to one learner.
type Reminder struct {
	ID         int64 `gorm:"primaryKey"`
	LearnerID  int64
	AccountID  int64
	CampaignID int64
	RuleID     *int64
	Message    string
	CreditsAt  int64 // the learner's credits (hundredths) when reminded
	LagAt      int64 // and how far behind they were
	CreatedBy  *int64
	CreatedAt  time.Time
}

// TableName pins the table.
func (Reminder) TableName() string { return "reminders" }

// Delivery is a reminder's trip through one channel (the outbox row).
type Delivery struct {
	ID            int64 `gorm:"primaryKey"`
	ReminderID    int64
	Channel       string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	ClaimedUntil  *time.Time
	LastError     string
	SentAt        *time.Time
	CreatedAt     time.Time
}

// TableName pins the table.
func (Delivery) TableName() string { return "reminder_deliveries" }

// Message is an inbox item.
type Message struct {
	ID         int64 `gorm:"primaryKey"`
	AccountID  int64
	DeliveryID *int64
	Title      string
	Body       string
	ReadAt     *time.Time
	CreatedAt  time.Time
}

// TableName pins the table.
func (Message) TableName() string { return "messages" }
