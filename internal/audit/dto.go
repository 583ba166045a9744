package audit

import (
	"encoding/json"
	"time"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// LogView is one audit entry as the API shows it.
type LogView struct {
	ID           int64          `json:"id" example:"42"`
	At           time.Time      `json:"at" format:"date-time" example:"2026-11-25T09:30:00Z"`
	ActorID      *int64         `json:"actor_id" example:"1" extensions:"x-nullable"`
	ActorName    string         `json:"actor_name" example:"county-admin"`
	ActorRole    string         `json:"actor_role" example:"admin"`
	Action       string         `json:"action" example:"unit.create"`
	ResourceType string         `json:"resource_type" example:"unit"`
	ResourceID   string         `json:"resource_id" example:"4"`
	Outcome      string         `json:"outcome" example:"success" enums:"success,failure"`
	IP           string         `json:"ip" example:"203.0.113.7"`
	RequestID    string         `json:"request_id" example:"9f1c2b7e4a"`
	Detail       map[string]any `json:"detail" extensions:"x-nullable"`
} // @name AuditLog

// LogList is a page of audit entries.
type LogList struct {
	Items []LogView `json:"items"`
	httpx.ListMeta
} // @name AuditLogList

// listQuery are the filters of GET /audit-logs.
type listQuery struct {
	ActorID      int64      `form:"actor_id" binding:"omitempty,min=1"`
	Action       string     `form:"action" binding:"max=64"`
	ResourceType string     `form:"resource_type" binding:"max=32"`
	ResourceID   string     `form:"resource_id" binding:"max=64"`
	Outcome      string     `form:"outcome" binding:"omitempty,oneof=success failure"`
	From         *time.Time `form:"from" time_format:"2006-01-02T15:04:05Z07:00"`
	To           *time.Time `form:"to" time_format:"2006-01-02T15:04:05Z07:00"`
}

// toLogView converts a row for the API.
func toLogView(l Log) LogView {
	v := LogView{
		ID: l.ID, At: l.CreatedAt, ActorID: l.ActorID, ActorName: l.ActorName, ActorRole: l.ActorRole,
		Action: l.Action, ResourceType: l.ResourceType, ResourceID: l.ResourceID, Outcome: string(l.Outcome),
		IP: l.IP, RequestID: l.RequestID,
	}
	if l.Detail != nil {
		_ = json.Unmarshal([]byte(*l.Detail), &v.Detail)
	}
	return v
}
