package audit

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves the audit log.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// List godoc
//
//	@Summary		List audit log entries
//	@Description	Auditors and root-unit admins read the append-only audit log, newest first. A non-root auditor sees entries by actors in their own unit subtree.
//	@Tags			audit
//	@Produce		json
//	@Param			actor_id		query		int		false	"actor account id"
//	@Param			action			query		string	false	"action, e.g. auth.login"
//	@Param			resource_type	query		string	false	"resource type, e.g. unit"
//	@Param			resource_id		query		string	false	"resource id"
//	@Param			outcome			query		string	false	"outcome"	Enums(success, failure)
//	@Param			from			query		string	false	"from (RFC 3339, inclusive)"	Format(date-time)
//	@Param			to				query		string	false	"to (RFC 3339, exclusive)"	Format(date-time)
//	@Param			page			query		int		false	"page, from 1"	default(1)
//	@Param			page_size		query		int		false	"page size, at most 100"	default(20)
//	@Success		200				{object}	LogList
//	@Failure		400				{object}	httpx.ErrorResponse
//	@Failure		401				{object}	httpx.ErrorResponse
//	@Failure		403				{object}	httpx.ErrorResponse
//	@ID				listAuditLogs
//	@Router			/api/v1/audit-logs [get]
func (h *Handler) List(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ListQuery[listQuery]) (LogList, error) {
		q := in.Query
		rows, total, err := h.svc.List(ctx, a, Query{
			ActorID: q.ActorID, Action: q.Action, ResourceType: q.ResourceType, ResourceID: q.ResourceID,
			Outcome: q.Outcome, From: q.From, To: q.To, Offset: in.Page.Offset(), Limit: in.Page.Size,
		})
		return LogList{Items: httpx.Map(rows, toLogView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}
