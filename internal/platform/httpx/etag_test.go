package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// A handler reads If-Match for its service and answers the row's ETag.
func TestETagAndIfMatch(t *testing.T) {
	r := gin.New()
	r.PATCH("/units/:id", func(c *gin.Context) {
		if err := httpx.IfMatch(c).CheckRow(9, 4); err != nil {
			httpx.RenderError(c, err)
			return
		}
		httpx.SetETag(c, 9, 5)
		httpx.OK(c, gin.H{"id": 9})
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
