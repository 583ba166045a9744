// Package apperr is the one error vocabulary of the API: every failure a client may see is an
// *Error with an HTTP status, a stable "domain.reason" code, a Chinese message for end users
// and, for validation failures, the fields at fault. Anything else is rendered as "internal".
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// FieldError names one invalid input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
} // @name FieldError

// Error is an error the client is allowed to see.
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  []FieldError
	// RetryAfterSeconds, when positive, is sent as the Retry-After header (rate limits, lockouts).
	RetryAfterSeconds int
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return e.Code + ": " + e.Message
}

// New builds an error with any status.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Invalid is a 422 validation failure naming the fields at fault.
func Invalid(code, message string, fields ...FieldError) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: code, Message: message, Fields: fields}
}

// Field is a shorthand for one FieldError.
func Field(field, message string) FieldError { return FieldError{Field: field, Message: message} }

// BadRequest is a 400 for requests that cannot be read at all (malformed JSON, bad path ids).
func BadRequest(code, message string, fields ...FieldError) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: message, Fields: fields}
}

// NotFound is a 404; also used for resources outside the caller's scope, so ids do not leak.
func NotFound(code, message string) *Error { return New(http.StatusNotFound, code, message) }

// Conflict is a 409 for state conflicts (duplicates, resources still in use).
func Conflict(code, message string) *Error { return New(http.StatusConflict, code, message) }

// Unauthorized is a 401: no or bad credentials.
func Unauthorized(code, message string) *Error { return New(http.StatusUnauthorized, code, message) }

// Forbidden is a 403: authenticated but the role may not do this.
func Forbidden(code, message string) *Error { return New(http.StatusForbidden, code, message) }

// TooManyRequests is a 429 with a Retry-After hint.
func TooManyRequests(code, message string, retryAfterSeconds int) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: code, Message: message, RetryAfterSeconds: retryAfterSeconds}
}

// As extracts an *Error from err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Common errors shared by every domain.
var (
	ErrUnauthenticated  = Unauthorized("auth.unauthenticated", "请先登录")
	ErrForbidden        = Forbidden("auth.forbidden", "无权执行此操作")
	ErrInvalidJSON      = BadRequest("request.invalid_json", "请求体不是有效的 JSON")
	ErrBodyTooLarge     = New(http.StatusRequestEntityTooLarge, "request.body_too_large", "请求体过大")
	ErrRouteNotFound    = NotFound("request.route_not_found", "接口不存在")
	ErrMethodNotAllowed = New(http.StatusMethodNotAllowed, "request.method_not_allowed", "不支持的请求方法")
	ErrInternal         = New(http.StatusInternalServerError, "internal", "服务器内部错误")
	// ErrServiceUnavailable answers a request the database could not serve (down, unreachable,
	// overloaded): worth retrying after Retry-After seconds.
	ErrServiceUnavailable = &Error{Status: http.StatusServiceUnavailable, Code: "service.unavailable",
		Message: "服务繁忙，请稍后重试", RetryAfterSeconds: 5}
)

// WithFields returns a copy of e naming the fields at fault (for conflicts on a field).
func (e *Error) WithFields(fields ...FieldError) *Error {
	out := *e
	out.Fields = append(append([]FieldError(nil), e.Fields...), fields...)
	return &out
}
