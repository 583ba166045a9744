package audit

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

// Entry is what a service reports about an action.
type Entry struct {
	Actor        *auth.Actor // nil for anonymous actions such as a failed login
	ActorName    string      // used when Actor is nil (e.g. the username tried)
	Action       string      // "domain.verb", e.g. "unit.create", "auth.login"
	ResourceType string
	ResourceID   int64
	Outcome      Outcome
	Detail       map[string]any
}

// Service records and lists audit entries.
type Service struct {
	store *Store
	now   func() time.Time
}

// NewService builds the audit service.
func NewService(store *Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Record appends an entry, taking IP and request id from the request context. Inside a
// transaction (database.WithTx) the row commits or rolls back with the action it describes.
func (s *Service) Record(ctx context.Context, e Entry) error {
	info := reqctx.From(ctx)
	row := &Log{
		CreatedAt:    s.now(),
		ActorName:    truncate(e.ActorName, 64),
		Action:       e.Action,
		ResourceType: e.ResourceType,
		Outcome:      e.Outcome,
		IP:           info.IP,
		RequestID:    info.RequestID,
	}
	if e.ResourceID > 0 {
		row.ResourceID = strconv.FormatInt(e.ResourceID, 10)
	}
	if e.Actor != nil {
		if id := e.Actor.AccountID; id > 0 {
			row.ActorID = &id
		}
		row.ActorName = truncate(e.Actor.Name, 64)
		row.ActorRole = string(e.Actor.Role)
		row.UnitPath = e.Actor.UnitPath
	}
	if len(e.Detail) > 0 {
		raw, err := json.Marshal(e.Detail)
		if err != nil {
			return err
		}
		detail := string(raw)
		row.Detail = &detail
	}
	if row.Outcome == "" {
		row.Outcome = Success
	}
	return s.store.Append(ctx, row)
}

// Query is an audit listing request.
type Query struct {
	ActorID      int64
	Action       string
	ResourceType string
	ResourceID   string
	Outcome      string
	From, To     *time.Time
	Offset       int
	Limit        int
}

// List returns entries the actor may read: auditors and root admins; a non-root auditor sees
// the entries of actors in their own subtree only.
func (s *Service) List(ctx context.Context, actor auth.Actor, q Query) ([]Log, int64, error) {
	f := Filter{
		ActorID: q.ActorID, Action: q.Action, ResourceType: q.ResourceType, ResourceID: q.ResourceID,
		Outcome: q.Outcome, From: q.From, To: q.To, Offset: q.Offset, Limit: q.Limit,
	}
	switch {
	case actor.IsRootAdmin(), actor.Role == auth.RoleAuditor && auth.IsRootPath(actor.UnitPath):
	case actor.Role == auth.RoleAuditor:
		f.UnitPathPrefix = actor.UnitPath
	default:
		return nil, 0, apperr.ErrForbidden
	}
	return s.store.List(ctx, f)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
