package httpx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// A handler reads If-Match for its service and answers the row's ETag.
func TestETagAndIfMatch(t *testing.T) {
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		if len(c.Errors) > 0 {
			httpx.RenderError(c, c.Errors.Last().Err)
		}
	})
	r.PATCH("/units/:id", func(c *gin.Context) {
		httpx.Serve(c, http.StatusOK, func(_ context.Context, _ auth.Actor, in httpx.ID) (httpx.Tagged[gin.H], error) {
			if err := in.IfMatch.CheckRow(in.ID, 4); err != nil {
				return httpx.Tagged[gin.H]{}, err
			}
			return httpx.Tag(gin.H{"id": in.ID}, in.ID, 5), nil
		})
	})
	patch := func(ifMatch ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPatch, "/units/9", nil)
		for _, v := range ifMatch {
			req.Header.Add("If-Match", v)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	ok := patch(`"9.4"`)
	assert.Equal(t, http.StatusOK, ok.Code)
	assert.Equal(t, `"9.5"`, ok.Header().Get("ETag"))
	assert.Equal(t, http.StatusOK, patch().Code, "no If-Match: unconditional")
	assert.Equal(t, http.StatusOK, patch(`"9.3"`, `"9.4"`).Code, "header lines form one list")
	stale := patch(`"9.3"`)
	assert.Equal(t, http.StatusPreconditionFailed, stale.Code)
	assert.Contains(t, stale.Body.String(), `"code":"request.precondition_failed"`)
	assert.Empty(t, stale.Header().Get("ETag"))
}
