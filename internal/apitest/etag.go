package apitest

import (
	"net/http"
	"strings"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Conditional names one resource whose writes take If-Match (optimistic concurrency).
type Conditional struct {
	Path  string // the resource, e.g. /api/v1/units/9
	Token string
	// Method is PUT or PATCH; Edit(i) is the body of the i-th write (each may differ).
	Method string
	Edit   func(i int) any
	// Delete says the resource answers DELETE with If-Match too; the check deletes it last.
	Delete bool
	// Created, when set, is the ETag the create answered: the first GET must answer it too.
	Created string
}

// CheckConditional walks the optimistic-concurrency contract of one resource: GET and each
// successful write carry a strong ETag; a write with the current tag succeeds and moves it on;
// a stale, weak or malformed tag is 412 request.precondition_failed and changes nothing; "*"
// and no If-Match at all are accepted; a stale DELETE is 412 and the current one succeeds.
func (e *Env) CheckConditional(c Conditional) {
	t := e.T
	t.Helper()
	read := func() (*Response, string) {
		t.Helper()
		got := e.Call(http.MethodGet, c.Path, c.Token, nil)
		require.Equal(t, http.StatusOK, got.Status, "GET %s: %s", c.Path, got.Body)
		tag := got.Header.Get("ETag")
		require.True(t, strings.HasPrefix(tag, `"`) && strings.HasSuffix(tag, `"`) && len(tag) > 2, "GET %s: a strong ETag, got %q", c.Path, tag)
		return got, tag
	}
	write := func(method, ifMatch string, body any) *Response {
		t.Helper()
		req := Request{Method: method, Path: c.Path, Token: c.Token, Body: body}
		if ifMatch != "" {
			req.Headers = map[string]string{"If-Match": ifMatch}
		}
		return e.Do(req)
	}
	refused := func(resp *Response, what string) {
		t.Helper()
		assert.Equal(t, http.StatusPreconditionFailed, resp.Status, "%s: %s", what, resp.Body)
		assert.Equal(t, "request.precondition_failed", resp.ErrorCode(), what)
		assert.Empty(t, resp.Header.Get("ETag"), "%s: a refusal carries no ETag", what)
	}

	_, first := read()
	if c.Created != "" {
		assert.Equal(t, c.Created, first, "GET answers the tag the create answered")
	}
	ok := write(c.Method, first, c.Edit(0))
	require.Equal(t, http.StatusOK, ok.Status, "%s with the current tag: %s", c.Method, ok.Body)
	second := ok.Header.Get("ETag")
	assert.NotEqual(t, first, second, "a write makes a new revision")
	after, tag := read()
	assert.Equal(t, second, tag, "GET answers the tag the write answered")

	refused(write(c.Method, first, c.Edit(1)), c.Method+" with a stale tag")
	refused(write(c.Method, "W/"+second, c.Edit(1)), c.Method+" with a weak tag")
	refused(write(c.Method, "not-a-tag", c.Edit(1)), c.Method+" with a malformed tag")
	unchanged, tag := read()
	assert.Equal(t, second, tag, "refused writes leave the revision")
	assert.JSONEq(t, string(after.Body), string(unchanged.Body), "refused writes change nothing")

	ok = write(c.Method, `"0.0", `+second, c.Edit(2))
	require.Equal(t, http.StatusOK, ok.Status, "the current tag among others: %s", ok.Body)
	ok = write(c.Method, "*", c.Edit(3))
	require.Equal(t, http.StatusOK, ok.Status, "If-Match: * matches any revision: %s", ok.Body)
	ok = write(c.Method, "", c.Edit(4))
	require.Equal(t, http.StatusOK, ok.Status, "no If-Match is accepted: %s", ok.Body)
	last, tag := read()
	assert.Equal(t, ok.Header.Get("ETag"), tag)

	if !c.Delete {
		return
	}
	refused(write(http.MethodDelete, second, nil), "DELETE with a stale tag")
	again, _ := read()
	assert.JSONEq(t, string(last.Body), string(again.Body), "a refused delete changes nothing")
	gone := write(http.MethodDelete, tag, nil)
	require.Equal(t, http.StatusNoContent, gone.Status, "DELETE with the current tag: %s", gone.Body)
	assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, c.Path, c.Token, nil).Status)
}
