// Package audit keeps the append-only audit log: who did what to which resource, from where,
// with what outcome. There is deliberately no update or delete path.
package audit

import "time"

// Outcome of an audited action.
type Outcome string

// Outcomes.
const (
	Success Outcome = "success"
	Failure Outcome = "failure"
)

// Log is one audit row.
type Log struct {
	ID           int64     `gorm:"primaryKey"`
	CreatedAt    time.Time `gorm:"not null"`
	ActorID      *int64
	ActorName    string
	ActorRole    string
	UnitPath     string
	Action       string
	ResourceType string
	ResourceID   string
	Outcome      Outcome
	IP           string `gorm:"column:ip"`
	RequestID    string
	Detail       *string
}

// TableName pins the table.
func (Log) TableName() string { return "audit_logs" }
