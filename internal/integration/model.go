// Package integration serves third-party systems: machine clients with scoped credentials
// (OAuth 2.0 client-credentials tokens) and signed webhooks delivered from an outbox that
// other domains write into inside their own transactions.
package integration

import (
	"slices"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/quiz"
	"github.com/xuefa/xuefa/internal/reminder"
	"github.com/xuefa/xuefa/internal/yearend"
)

// Scopes a client may be granted.
const (
	ScopeLearnersRead   = "learners:read"
	ScopeLearnersWrite  = "learners:write"
	ScopeCreditsRead    = "credits:read"
	ScopeExamsRead      = "exams:read"
	ScopeEventsRead     = "events:read"
	ScopeUnitsRead      = "units:read"
	ScopeWebhooksManage = "webhooks:manage"
	// ScopeResultsRead reads the year's final results, unit reports and learners' 学法档案.
	ScopeResultsRead = "results:read"
)

// AllScopes lists every scope, in a stable order.
func AllScopes() []string {
	return []string{ScopeLearnersRead, ScopeLearnersWrite, ScopeCreditsRead, ScopeExamsRead, ScopeEventsRead, ScopeUnitsRead, ScopeWebhooksManage, ScopeResultsRead}
}

// Event types a webhook may subscribe to: the domains that emit them name them.
const (
	EventCreditAwarded        = credit.EventCreditAwarded
	EventExamAttemptGraded    = exam.EventAttemptGraded
	EventAttendanceRecorded   = event.EventAttendanceRecorded
	EventLearnerLagging       = reminder.EventLearnerLagging
	EventQuizRoundDrawn       = quiz.EventRoundDrawn
	EventCampaignClosed       = yearend.EventCampaignClosed
	maxWebhookURLLength       = 1000
	maxWebhookDescriptionRune = 200
)

// AllEvents lists every webhook event type; each has a payload type in payloads.go.
func AllEvents() []string {
	return []string{EventCreditAwarded, EventExamAttemptGraded, EventAttendanceRecorded, EventLearnerLagging, EventQuizRoundDrawn, EventCampaignClosed}
}

// ClientStatus is a client's state.
type ClientStatus string // @name IntegrationClientStatus

// Client statuses.
const (
	ClientActive   ClientStatus = "active"
	ClientDisabled ClientStatus = "disabled"
)

// Client is a machine credential: a public client key, a hashed secret (and, for a grace
// period after a rotation, the previous one), a unit subtree and scopes.
type Client struct {
	ID                  int64 `gorm:"primaryKey"`
	ClientKey           string
	Name                string
	UnitID              int64
	Scopes              string // space-separated
	Status              ClientStatus
	SecretHash          string
	PrevSecretHash      *string
	PrevSecretExpiresAt *time.Time
	CreatedBy           *int64
	LastTokenAt         *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName pins the table.
func (Client) TableName() string { return "integration_clients" }

// ScopeList splits the stored scopes.
func (c Client) ScopeList() []string { return splitList(c.Scopes, " ") }

// WebhookStatus is a webhook's state.
type WebhookStatus string // @name WebhookStatus

// Webhook statuses.
const (
	WebhookActive   WebhookStatus = "active"
	WebhookDisabled WebhookStatus = "disabled"
)

// Webhook is a subscription of a URL to event types, for the events of one unit subtree.
// ClientID is nil for webhooks a root admin created.
type Webhook struct {
	ID                  int64 `gorm:"primaryKey"`
	ClientID            *int64
	UnitID              int64
	URL                 string `gorm:"column:url"`
	Events              string // comma-separated
	Description         string
	SecretEnc           string // the signing secret, sealed (it must be readable to sign)
	Status              WebhookStatus
	ConsecutiveFailures int
	DisabledReason      string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName pins the table.
func (Webhook) TableName() string { return "webhooks" }

// EventList splits the subscribed event types.
func (w Webhook) EventList() []string { return splitList(w.Events, ",") }

// Subscribed reports whether the webhook wants events of type t.
func (w Webhook) Subscribed(t string) bool { return slices.Contains(w.EventList(), t) }

// Event is one row of the outbox: written in the transaction of the change it reports, fanned
// out to the matching webhooks by the dispatcher.
type Event struct {
	ID          int64 `gorm:"primaryKey"`
	UID         string
	Type        string
	UnitPath    string // the subtree the event belongs to (webhooks of covering units get it)
	Data        string // JSON
	CreatedAt   time.Time
	FannedOutAt *time.Time
}

// TableName pins the table.
func (Event) TableName() string { return "webhook_events" }

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string // @name WebhookDeliveryStatus

// Delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySucceeded DeliveryStatus = "succeeded"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Delivery is one event sent (or to be sent) to one webhook, with its attempts.
type Delivery struct {
	ID             int64 `gorm:"primaryKey"`
	WebhookID      int64
	EventID        int64
	EventUID       string
	EventType      string
	Status         DeliveryStatus
	Attempts       int
	NextAttemptAt  time.Time
	LastAttemptAt  *time.Time
	ResponseStatus *int
	LastError      string
	RedeliveryOf   *int64
	CreatedAt      time.Time
	DeliveredAt    *time.Time
}

// TableName pins the table.
func (Delivery) TableName() string { return "webhook_deliveries" }

func splitList(s, sep string) []string {
	out := []string{}
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
