// Package httpx is the HTTP plumbing every handler shares: strict JSON binding with field
// errors, failure reporting into the one error envelope, path ids, pagination and the list
// envelope. Only handlers and the server import it.
package httpx

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

// ErrorBody is the error object of the envelope.
type ErrorBody struct {
	Code    string              `json:"code" example:"unit.not_found"`
	Message string              `json:"message" example:"单位不存在"`
	Fields  []apperr.FieldError `json:"fields"` // always an array: [] when no field is at fault
} // @name ErrorBody

// MarshalJSON writes fields as [] rather than null when none is at fault.
func (b ErrorBody) MarshalJSON() ([]byte, error) {
	type plain ErrorBody
	if b.Fields == nil {
		b.Fields = []apperr.FieldError{}
	}
	return json.Marshal(plain(b))
}

// ErrorResponse is every error answer: {"error": {...}, "request_id": "..."}.
type ErrorResponse struct {
	Error     ErrorBody `json:"error"`
	RequestID string    `json:"request_id" example:"9f1c2b7e4a"`
} // @name ErrorResponse

// ListMeta is the paging part of the list envelope
// {"items": [...], "total": n, "page": 1, "page_size": 20}. Each domain declares its list type
// as {Items []View `json:"items"`; httpx.ListMeta} so the OpenAPI schema has a stable name.
type ListMeta struct {
	Total    int64 `json:"total" example:"1"`
	Page     int   `json:"page" example:"1"`
	PageSize int   `json:"page_size" example:"20"`
}

// Meta builds the paging part of a list answer.
func Meta(total int64, p Page) ListMeta {
	return ListMeta{Total: total, Page: p.Number, PageSize: p.Size}
}

// WholeMeta is the paging part of a list answered whole, as one page of its n items.
func WholeMeta(n int) ListMeta {
	return ListMeta{Total: int64(n), Page: 1, PageSize: n}
}

// Map converts rows to views with conv, never returning nil (lists render as [] not null).
func Map[R, V any](rows []R, conv func(R) V) []V {
	out := make([]V, 0, len(rows))
	for _, r := range rows {
		out = append(out, conv(r))
	}
	return out
}

// NullIfZero is nil for the zero value, so a response says "no value" as null (the API's one
// absence convention) rather than as 0 or a missing property.
func NullIfZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// ZeroIfNull is the value p points at, or the zero value for null (a request's optional field).
func ZeroIfNull[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Fail records err for the error-render middleware and stops the handler chain.
func Fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// RenderError writes the envelope for err; non-app errors become "internal" without detail.
func RenderError(c *gin.Context, err error) {
	e, ok := apperr.As(err)
	if !ok {
		e = apperr.ErrInternal
	}
	if e.RetryAfterSeconds > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	c.AbortWithStatusJSON(e.Status, ErrorResponse{
		Error:     ErrorBody{Code: e.Code, Message: e.Message, Fields: e.Fields},
		RequestID: reqctx.From(c.Request.Context()).RequestID,
	})
}

// OK writes 200 with v.
func OK(c *gin.Context, v any) { writeJSON(c, http.StatusOK, v) }

// writeJSON encodes v straight into the response: json.Encoder encodes in a pooled buffer,
// where c.JSON marshals into a fresh one per answer (the largest allocation of a quiz submit,
// whose answer is ~3 KB). Encoding completes before anything is written, so a value that cannot
// be encoded still fails whole.
func writeJSON(c *gin.Context, status int, v any) {
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Status(status)
	if err := json.NewEncoder(c.Writer).Encode(v); err != nil {
		panic(fmt.Errorf("httpx: encoding the answer: %w", err))
	}
}

// NoContent writes 204.
func NoContent(c *gin.Context) { c.Status(http.StatusNoContent) }

// SetActor stores the authenticated actor for the handlers after the auth middleware.
func SetActor(c *gin.Context, a auth.Actor) { c.Set(actorKeyName, a) }

const actorKeyName = "xuefa.actor"

// ActorOf returns the authenticated actor; ok is false on public routes.
func ActorOf(c *gin.Context) (auth.Actor, bool) {
	v, ok := c.Get(actorKeyName)
	if !ok {
		return auth.Actor{}, false
	}
	a, ok := v.(auth.Actor)
	return a, ok
}

// MustActor returns the actor of a guarded route (the guard guarantees one).
func MustActor(c *gin.Context) auth.Actor {
	a, _ := ActorOf(c)
	return a
}

// PathID parses a positive integer path parameter, answering 400 naming it otherwise.
func PathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.BadRequest("request.invalid_id", "路径参数无效", apperr.Field(name, "必须是正整数"))
	}
	return id, nil
}

// Attachment sets the headers of a file download answer (200).
func Attachment(c *gin.Context, filename, contentType string) {
	h := c.Writer.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
}
