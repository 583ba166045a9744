package httpx

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/etag"
)

// Input is what an endpoint reads from its request. Its Bind method says exactly what (path ids,
// query, body, headers), so the error codes each operation can answer stay those of what it
// reads: tools/openapi3 follows Bind like any other call.
type Input[In any] interface {
	*In
	Bind(c *gin.Context) error
}

// Serve is the one shape of a plain endpoint: bind its input, call it as the request's actor,
// answer status with what it returns (204 has no body; a Tagged answer sets ETag), and report
// any failure into the error envelope. Endpoints that read files or write files, streams or
// other headers keep a hand-written body.
func Serve[In any, PIn Input[In], Out any](c *gin.Context, status int, call func(context.Context, auth.Actor, In) (Out, error)) {
	var in In
	if err := PIn(&in).Bind(c); err != nil {
		Fail(c, err)
		return
	}
	out, err := call(c.Request.Context(), MustActor(c), in)
	if err != nil {
		Fail(c, err)
		return
	}
	if status == http.StatusNoContent {
		NoContent(c)
		return
	}
	var body any = out
	if t, ok := body.(tagged); ok {
		c.Header("ETag", t.etag())
		body = t.view()
	}
	writeJSON(c, status, body)
}

// Converted is an endpoint's answer from a service's (row, err): conv(*row), or err.
func Converted[R, V any](row *R, err error, conv func(R) V) (V, error) {
	if err != nil {
		var zero V
		return zero, err
	}
	return conv(*row), nil
}

// Tagged is an answer with the revision of the resource it shows: Serve writes View and sets
// ETag, which clients send back in If-Match to make their next write conditional.
type Tagged[V any] struct {
	View           V
	ID, RowVersion int64
}

// Tag pairs view with revision rowVersion of row id.
func Tag[V any](view V, id, rowVersion int64) Tagged[V] {
	return Tagged[V]{View: view, ID: id, RowVersion: rowVersion}
}

type tagged interface {
	etag() string
	view() any
}

func (t Tagged[V]) etag() string { return etag.Of(t.ID, t.RowVersion) }
func (t Tagged[V]) view() any    { return t.View }
