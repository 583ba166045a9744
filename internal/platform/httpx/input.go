package httpx

import (
	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/etag"
)

// The inputs of Serve: each type's Bind reads exactly what its name says, in that order (the
// first failure is the answer), so an endpoint's error codes are those of what it reads.

// None is the input of an endpoint that reads nothing but its actor, and the answer of one
// that answers 204.
type None struct{}

// Bind reads nothing.
func (*None) Bind(*gin.Context) error { return nil }

// ID is the input of an endpoint on one resource: its path id, and the If-Match of a write.
type ID struct {
	ID      int64
	IfMatch etag.IfMatch
}

// Bind reads the path id ("id") and If-Match.
func (in *ID) Bind(c *gin.Context) error {
	id, err := PathID(c, "id")
	in.ID, in.IfMatch = id, IfMatch(c)
	return err
}

// Body is the input of an endpoint that reads a JSON body.
type Body[B any] struct {
	Body B
}

// Bind reads the body strictly (BindJSON).
func (in *Body[B]) Bind(c *gin.Context) error { return BindJSON(c, &in.Body) }

// IDBody is the input of a write to one resource: its path id, If-Match and a JSON body.
type IDBody[B any] struct {
	ID      int64
	IfMatch etag.IfMatch
	Body    B
}

// Bind reads the path id, If-Match and then the body.
func (in *IDBody[B]) Bind(c *gin.Context) error {
	var id ID
	if err := id.Bind(c); err != nil {
		return err
	}
	in.ID, in.IfMatch = id.ID, id.IfMatch
	return BindJSON(c, &in.Body)
}

// Query is the input of an endpoint that reads query parameters but no page.
type Query[Q any] struct {
	Query Q
}

// Bind reads the query parameters (BindQuery).
func (in *Query[Q]) Bind(c *gin.Context) error { return BindQuery(c, &in.Query) }

// Paged is the input of a list with no filter: the page asked for.
type Paged struct {
	Page Page
}

// Bind reads ?page= and ?page_size=.
func (in *Paged) Bind(c *gin.Context) (err error) {
	in.Page, err = PageOf(c)
	return err
}

// ListQuery is the input of a filtered list: its query parameters and the page.
type ListQuery[Q any] struct {
	Query Q
	Page  Page
}

// Bind reads the query parameters, then the page.
func (in *ListQuery[Q]) Bind(c *gin.Context) (err error) {
	if err := BindQuery(c, &in.Query); err != nil {
		return err
	}
	in.Page, err = PageOf(c)
	return err
}

// IDQuery is the input of a read of one resource filtered by query parameters.
type IDQuery[Q any] struct {
	ID    int64
	Query Q
}

// Bind reads the path id ("id"), then the query parameters.
func (in *IDQuery[Q]) Bind(c *gin.Context) (err error) {
	if in.ID, err = PathID(c, "id"); err != nil {
		return err
	}
	return BindQuery(c, &in.Query)
}

// IDPaged is the input of a list under one resource: its path id and the page.
type IDPaged struct {
	ID   int64
	Page Page
}

// Bind reads the path id ("id"), then the page.
func (in *IDPaged) Bind(c *gin.Context) (err error) {
	if in.ID, err = PathID(c, "id"); err != nil {
		return err
	}
	in.Page, err = PageOf(c)
	return err
}

// IDListQuery is the input of a filtered list under one resource: its path id, the query
// parameters and the page.
type IDListQuery[Q any] struct {
	ID    int64
	Query Q
	Page  Page
}

// Bind reads the path id ("id"), the query parameters, then the page.
func (in *IDListQuery[Q]) Bind(c *gin.Context) (err error) {
	if in.ID, err = PathID(c, "id"); err != nil {
		return err
	}
	if err := BindQuery(c, &in.Query); err != nil {
		return err
	}
	in.Page, err = PageOf(c)
	return err
}

// KeyBody is the input of a create that a flaky network retries: the Idempotency-Key and a
// JSON body.
type KeyBody[B any] struct {
	Key  string
	Body B
}

// Bind reads the Idempotency-Key, then the body.
func (in *KeyBody[B]) Bind(c *gin.Context) (err error) {
	if in.Key, err = IdempotencyKey(c); err != nil {
		return err
	}
	return BindJSON(c, &in.Body)
}

// IDKeyBody is the input of a write to one resource that a flaky network retries: its path
// id, the Idempotency-Key and a JSON body.
type IDKeyBody[B any] struct {
	ID   int64
	Key  string
	Body B
}

// Bind reads the path id ("id"), the Idempotency-Key, then the body.
func (in *IDKeyBody[B]) Bind(c *gin.Context) (err error) {
	if in.ID, err = PathID(c, "id"); err != nil {
		return err
	}
	if in.Key, err = IdempotencyKey(c); err != nil {
		return err
	}
	return BindJSON(c, &in.Body)
}
